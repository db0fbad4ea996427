import Foundation
import LPJSockets
import LPJWire
import NIOCore
import NIOPosix

/// The SwiftNIO host of the event-loop models (`event-loop`, `coroutine`, each worker of
/// `prefork-event-loop`): one event loop on one thread serves every connection with non-blocking sockets
/// and per-connection read and write buffers.
///
///     epoll ─▶ readable ─▶ ServerChannelHandler.channelRead ─▶ steps ─▶ write buffer ─▶ writable ─▶ send
///
/// The model chooses how each connection runs its steps (`StepScheduling`); the host binds, bounds the
/// connections (`sec.connection-limit`), and on a stop lets every connection finish before it returns.
struct EventLoopHost {
    /// How each connection runs the steps of its requests.
    enum StepScheduling {
        /// One after another; a wait parks the connection's queue (`event-loop`).
        case serial
        /// Each at once as a micro-thread on the loop, responses reordered (`coroutine`).
        case microThreads
    }

    let configuration: ServerConfiguration
    let shutdown: ShutdownSignal
    let steps: StepScheduling

    /// Sizes each connection's receive buffer: 256 octets at first, doubled after every read that fills
    /// it, up to 64 KiB, halved after two that use less than half. NIO keeps a connection's last receive
    /// buffer for its next read, so an idle connection that has read once holds one; NIO's default first
    /// size, 2,048 octets, was most of what such a connection held.
    static let receiveAllocator = AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 256, maximum: 65_536)

    /// Serves on the already listening socket `listener` until a stop is asked for. With `shared`, other
    /// processes accept on the same socket (`prefork-event-loop`), so this process accepts on a thread of
    /// its own and hands each connection to its loop: NIO's server channel expects to be the only
    /// acceptor of its socket, and treats a wake-up that another process answered first as a bug.
    func run(listener: Socket, shared: Bool) throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let loop = group.next()
        let connections = ConnectionRegistry(eventLoop: loop)
        let scheduler = steps == .microThreads ? MicroThreadScheduler(eventLoop: loop) : nil
        let configuration = self.configuration
        let sharedConfiguration = SharedConfiguration(configuration)
        let log = configuration.logger
        let initialize: @Sendable (Channel) -> EventLoopFuture<Void> = { channel in
            channel.eventLoop.makeCompletedFuture {
                guard connections.count < configuration.maxConnections else {
                    log.forConnection(peer: peerAddress(channel.remoteAddress))
                        .info("connection refused: \(configuration.maxConnections) connections already (sec.connection-limit)")
                    channel.close(promise: nil)
                    return
                }
                connections.add(channel)
                let handler = ServerChannelHandler(shared: sharedConfiguration, scheduler: scheduler, log: log)
                try channel.pipeline.syncOperations.addHandler(handler)
            }
        }
        let noDelay: SocketOptionValue = FaultyConnection.turnsNagleOn(configuration) ? 0 : 1
        let stopAccepting: @Sendable () -> Void
        let accepting: EventLoopFuture<Void>
        if shared {
            let acceptor = SharedAcceptor(listener: listener, shutdown: shutdown) { socket in
                _ = ClientBootstrap(group: loop)
                    .channelOption(.allowRemoteHalfClosure, value: true)
                    .channelOption(.recvAllocator, value: Self.receiveAllocator)
                    .channelOption(.socketOption(.tcp_nodelay), value: noDelay)
                    .channelInitializer(initialize)
                    .withConnectedSocket(socket.release())
            }
            accepting = acceptor.start(on: loop)
            stopAccepting = {}
        } else {
            let server = try ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 1024)
                .childChannelOption(.allowRemoteHalfClosure, value: true)
                .childChannelOption(.recvAllocator, value: Self.receiveAllocator)
                .childChannelOption(.socketOption(.tcp_nodelay), value: noDelay)
                .childChannelInitializer(initialize)
                .withBoundSocket(listener.release())
                .wait()
            accepting = server.closeFuture
            stopAccepting = { server.close(promise: nil) }
        }
        // The stop reaches the loop through this thread; the loop is shut down only after it has.
        let stopped = loop.makePromise(of: Void.self)
        let watcher = Thread { [shutdown] in
            while waitReadable(shutdown.descriptors, timeoutMilliseconds: -1).isEmpty {}
            loop.execute {
                stopAccepting()
                connections.stopAll()
                stopped.succeed(())
            }
        }
        watcher.start()
        try accepting.wait()
        try stopped.futureResult.wait()
        try connections.allClosed(within: .seconds(30)).wait()
        if let scheduler {
            try loop.flatSubmit { scheduler.upstreams.closeAll() }.wait()
            try loop.submit { scheduler.timers.cancelAll() }.wait()
        }
    }
}

/// Accepts on a listening socket that other processes share, on a thread of its own, until a stop.
final class SharedAcceptor: Sendable {
    let listener: Socket
    let shutdown: ShutdownSignal
    let handOver: @Sendable (Socket) -> Void

    init(listener: Socket, shutdown: ShutdownSignal, handOver: @escaping @Sendable (Socket) -> Void) {
        self.listener = listener
        self.shutdown = shutdown
        self.handOver = handOver
    }

    /// Starts accepting; the future completes once a stop has been asked for.
    func start(on loop: EventLoop) -> EventLoopFuture<Void> {
        let done = loop.makePromise(of: Void.self)
        let thread = Thread { [self] in
            while let socket = nextConnection(on: listener, shutdown: shutdown) { handOver(socket) }
            done.succeed(())
        }
        thread.start()
        return done.futureResult
    }
}

/// The open connections of one event loop, so a stop can reach each of them. Used on the loop only.
final class ConnectionRegistry: @unchecked Sendable {
    private let eventLoop: EventLoop
    private var channels: [ObjectIdentifier: Channel] = [:]

    init(eventLoop: EventLoop) { self.eventLoop = eventLoop }

    /// Connections open now.
    var count: Int { channels.count }

    func add(_ channel: Channel) {
        let id = ObjectIdentifier(channel)
        channels[id] = channel
        channel.closeFuture.whenComplete { [self] _ in self.eventLoop.execute { self.channels[id] = nil } }
    }

    /// Tells every connection to finish what it has received and close.
    func stopAll() {
        for channel in channels.values { channel.pipeline.fireUserInboundEventTriggered(ServerStopEvent()) }
    }

    /// Completes when every connection has closed, closing stragglers after `deadline`.
    func allClosed(within deadline: TimeAmount) -> EventLoopFuture<Void> {
        eventLoop.flatSubmit { [self] in
            let futures = self.channels.values.map(\.closeFuture)
            let all = EventLoopFuture.andAllComplete(futures, on: self.eventLoop)
            let forced = self.eventLoop.scheduleTask(in: deadline) {
                for channel in self.channels.values { channel.close(promise: nil) }
            }
            all.whenComplete { _ in forced.cancel() }
            return all
        }
    }
}

/// "Stop: answer what you have, then close."
struct ServerStopEvent {}

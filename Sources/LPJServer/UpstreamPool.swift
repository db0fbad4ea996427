import LPJClient
import LPJWire
import NIOCore

/// `relay`'s upstream connections in the `coroutine` model: one pipelining connection per upstream
/// address on this loop, shared by every call to it, so a nested call costs one frame each way rather
/// than a connection.
///
/// Responses on a connection come back in request order, so one hung upstream request would hold up
/// every later call on it. A connection on which a call timed out is therefore retired: later calls
/// get a fresh connection, and the retired one closes once each of its calls has been answered or has
/// timed out. A late reply on it completes a call whose micro-thread already moved on, and is dropped.
/// Used on the loop only.
final class UpstreamPool: @unchecked Sendable {
    let eventLoop: EventLoop
    private var connections: [String: UpstreamConnection] = [:]

    init(eventLoop: EventLoop) { self.eventLoop = eventLoop }

    /// The connection for `call`'s upstream, opened if there is none; the call must `settle` on it once.
    func connection(to call: RelayCall) -> UpstreamConnection {
        let key = "\(call.host):\(call.port)"
        if let connection = connections[key] {
            connection.outstanding += 1
            return connection
        }
        var configuration = ClientConfiguration(host: call.host, port: call.port)
        configuration.connectTimeoutMilliseconds = call.timeoutMilliseconds
        // The timing wheel times each call; the client's own per-call timer only guards a forgotten one.
        configuration.callTimeoutMilliseconds = MethodTable.maximumRelayTimeoutMilliseconds * 2
        let connection = UpstreamConnection(client: PipeliningClient.connect(configuration, on: eventLoop))
        connection.outstanding = 1
        connections[key] = connection
        connection.client.whenComplete { [weak self, weak connection] result in
            switch result {
            case .success(let client):
                client.channel.closeFuture.whenComplete { [weak self, weak connection] _ in
                    if let self, let connection { self.forget(connection, key: key) }
                }
            case .failure:
                if let self, let connection { self.forget(connection, key: key) }
            }
        }
        connection.retire = { [weak self, weak connection] in
            if let self, let connection { self.forget(connection, key: key) }
        }
        return connection
    }

    /// Closes every upstream connection: the server is stopping.
    func closeAll() -> EventLoopFuture<Void> {
        let closing = connections.values.map { connection in
            connection.client.flatMap { $0.close() }.recover { _ in }
        }
        connections.removeAll()
        return EventLoopFuture.andAllComplete(closing, on: eventLoop)
    }

    /// Upstream connections open or opening.
    var count: Int { connections.count }

    private func forget(_ connection: UpstreamConnection, key: String) {
        if connections[key] === connection { connections[key] = nil }
    }
}

/// One upstream connection of `UpstreamPool`, with the calls on it not yet settled. Used on the loop
/// only, like its pool.
final class UpstreamConnection: @unchecked Sendable {
    let client: EventLoopFuture<PipeliningClient>
    fileprivate(set) var outstanding = 0
    fileprivate var retire: () -> Void = {}
    private var isRetired = false

    fileprivate init(client: EventLoopFuture<PipeliningClient>) { self.client = client }

    /// Sends `request` once connected; the future holds the upstream's response or a `ClientError`.
    func call(_ request: Request) -> EventLoopFuture<Response> {
        client.flatMap { $0.call(request) }
    }

    /// A call timed out: no new calls go here.
    func timedOut() {
        guard !isRetired else { return }
        isRetired = true
        retire()
    }

    /// A call on this connection got its answer or its time-out; a retired connection closes after its last.
    func settle() {
        outstanding -= 1
        if isRetired, outstanding == 0 {
            client.whenSuccess { _ = $0.close() }
        }
    }
}

import LPJClient
import LPJWire
import NIOCore

/// The `coroutine` model's scheduler: an actor whose executor is the event loop itself, so every
/// micro-thread (a task isolated to it) runs on the loop's one thread, and a micro-thread that waits
/// (`sleep`, an upstream call) suspends without blocking that thread.
actor MicroThreadScheduler {
    nonisolated let eventLoop: EventLoop

    nonisolated var unownedExecutor: UnownedSerialExecutor {
        (eventLoop.executor as! any SerialExecutor).asUnownedSerialExecutor()
    }

    init(eventLoop: EventLoop) { self.eventLoop = eventLoop }

    /// Runs `outcome` as a micro-thread and hands its response to `deliver` on the loop.
    nonisolated func spawn(_ outcome: DispatchOutcome, deliver: @escaping @Sendable (Response) -> Void) {
        Task { await self.run(outcome, deliver: deliver) }
    }

    private func run(_ outcome: DispatchOutcome, deliver: @Sendable (Response) -> Void) async {
        switch outcome {
        case .respond(let response):
            deliver(response)
        case .sleep(let milliseconds, let response):
            await sleep(milliseconds: milliseconds)
            deliver(response)
        case .relay(let call):
            let response = try? await EventLoopRelay.call(call, on: eventLoop).get()
            deliver(response ?? Response(error: WireError(.internalError, rule: .extRelay, "the relay failed")))
        case .close:
            break
        }
    }

    /// Suspends the calling micro-thread for `milliseconds`; the loop keeps serving.
    func sleep(milliseconds: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            eventLoop.scheduleTask(in: .milliseconds(Int64(milliseconds))) { continuation.resume() }
        }
    }
}

/// `relay` on an event loop: a pipelining client to the upstream on the same loop (`ext.relay`).
enum EventLoopRelay {
    static func call(_ call: RelayCall, on eventLoop: EventLoop) -> EventLoopFuture<Response> {
        var configuration = ClientConfiguration(host: call.host, port: call.port)
        configuration.connectTimeoutMilliseconds = call.timeoutMilliseconds
        configuration.callTimeoutMilliseconds = call.timeoutMilliseconds
        return PipeliningClient.connect(configuration, on: eventLoop).flatMap { client in
            client.call(call.request).always { _ in _ = client.close() }
        }.flatMapErrorThrowing { error in
            let clientError = error as? ClientError ?? ClientError(.io, "\(error)")
            return Response(error: RelayFailure.wireError(clientError, call))
        }
    }
}

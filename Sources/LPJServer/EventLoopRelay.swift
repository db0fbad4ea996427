import LPJClient
import LPJWire
import NIOCore

/// `relay` in the `event-loop` model: a pipelining client to the upstream on the same loop, one
/// connection per call, timed by the client's own call time-out (`ext.relay`).
enum EventLoopRelay {
    static func call(_ call: RelayCall, on eventLoop: EventLoop) -> EventLoopFuture<Response> {
        var configuration = ClientConfiguration(host: call.host, port: call.port)
        configuration.connectTimeoutMilliseconds = call.timeoutMilliseconds
        configuration.callTimeoutMilliseconds = call.timeoutMilliseconds
        return PipeliningClient.connect(configuration, on: eventLoop).flatMap { client in
            client.call(call.request).always { _ in _ = client.close() }
        }.map { RelayFailure.passThrough($0, call) }.flatMapErrorThrowing { error in
            Response(error: RelayFailure.wireError(error, call))
        }
    }
}

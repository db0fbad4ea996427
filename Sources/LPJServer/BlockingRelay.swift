import LPJClient
import LPJWire

/// `relay` in the blocking models: a blocking call to the upstream, its reply passed through unchanged
/// (`ext.relay`).
enum BlockingRelay {
    static func call(_ call: RelayCall) -> Response {
        var configuration = ClientConfiguration(host: call.host, port: call.port)
        configuration.connectTimeoutMilliseconds = call.timeoutMilliseconds
        configuration.callTimeoutMilliseconds = call.timeoutMilliseconds
        do {
            let client = try BlockingClient(configuration)
            defer { client.close() }
            return RelayFailure.passThrough(try client.call(call.request), call)
        } catch let error as ClientError {
            return Response(error: RelayFailure.wireError(error, call))
        } catch {
            return Response(error: WireError(.upstreamError, rule: .extRelay, "\(error)"))
        }
    }
}

/// How a failed upstream call becomes the relay's error response.
enum RelayFailure {
    static func wireError(_ error: ClientError, _ call: RelayCall) -> WireError {
        let upstream = "upstream \(call.host):\(call.port)"
        if error.code == .timedOut { return timedOut(call) }
        return WireError(.upstreamError, rule: .extRelay, "\(upstream): \(error)")
    }

    static func wireError(_ error: Error, _ call: RelayCall) -> WireError {
        wireError(error as? ClientError ?? ClientError(.io, "\(error)"), call)
    }

    /// The upstream's reply as the relay answers it: unchanged, unless it is an error response whose code
    /// is not in the registry, which would break `msg.error-codes` on the relay's own response.
    static func passThrough(_ reply: Response, _ call: RelayCall) -> Response {
        guard let error = reply.errorResult, WireError.Code(registered: error.code) == nil else { return reply }
        return Response(
            error: WireError(
                .upstreamError, rule: .extRelay,
                "upstream \(call.host):\(call.port) answered with the unregistered error code \(JSONWriter.string(.string(error.code)))"))
    }

    static func timedOut(_ call: RelayCall) -> WireError {
        WireError(.timeout, rule: .extRelay, "upstream \(call.host):\(call.port) did not answer within \(call.timeoutMilliseconds) ms")
    }
}

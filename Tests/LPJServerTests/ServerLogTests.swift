import Foundation
import LPJProcess
import LPJServer
import LPJWire
import Testing

/// `lpj serve --log-level debug` logs every protocol error with its rule and the peer, on standard error.
@Suite("Server log")
struct ServerLogTests {
    /// `lpj serve --port 0 ARGUMENTS` with standard error captured.
    final class LoggingServer {
        let server: SpawnedServer
        var port: Int { server.port }

        init(_ arguments: [String]) throws {
            server = try SpawnedServer(executable: ServerProcess.executable, arguments: arguments, capturingStandardError: true)
        }

        /// What the server wrote on standard error until a line contains every one of `wanted`, or until
        /// `timeoutMilliseconds` passed without one.
        func errorLines(containing wanted: [String], timeoutMilliseconds: Int = 5_000) -> String {
            let descriptor = server.standardError!.fileHandleForReading.fileDescriptor
            let deadline = ContinuousClock.now + .milliseconds(timeoutMilliseconds)
            var text = ""
            while !text.split(separator: "\n").contains(where: { line in wanted.allSatisfy { line.contains($0) } }) {
                let left = Int((deadline - ContinuousClock.now) / .milliseconds(1))
                guard left > 0 else { break }
                var watch = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                guard poll(&watch, 1, Int32(left)) > 0 else { break }
                var chunk = [UInt8](repeating: 0, count: 4096)
                let count = read(descriptor, &chunk, chunk.count)
                guard count > 0 else { break }
                text += String(decoding: chunk[..<count], as: UTF8.self)
            }
            return text
        }

        /// SIGTERM, then the exit status (a server left running by a failed test is killed when it goes).
        func stop() -> Int32 { server.stop() }
    }

    @Test("a bad frame is logged at debug with its rule, offset, the response sent and the peer", arguments: ServerModel.allCases)
    func protocolErrorLogged(model: ServerModel) throws {
        let server = try LoggingServer(["--model", model.rawValue, "--log-level", "debug"])
        let connection = try TestConnection(port: server.port)
        try connection.send(FrameEncoder().frame(Array(#"{"in":"ping","params":[1,}"#.utf8)))
        let reply = try connection.read(count: 1)
        #expect(reply.responses.first?.errorResult?.code == "invalid-json", "\(model)")
        let peer = "peer=127.0.0.1:\(connection.socket.localPort)"
        let log = server.errorLines(containing: ["protocol error", "rule=", peer])
        let line = log.split(separator: "\n").first { $0.contains("protocol error") && $0.contains(peer) }.map(String.init) ?? ""
        #expect(
            line.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z debug lpj\.serve: "#, options: .regularExpression) != nil,
            "\(model): \(log)")
        #expect(
            line.contains("answered error invalid-json") && line.contains("rule=body.") && line.contains("offset="),
            "\(model): \(log)")
        #expect(line.contains("model=\(model.rawValue)") && line.contains("pid="), "\(model): \(log)")
        connection.close()
        #expect(server.stop() == 0)
    }

    @Test("at the default level (info) protocol errors are not logged, and the listening line is on standard output")
    func quietByDefault() throws {
        let server = try LoggingServer(["--model", "event-loop", "--idle-timeout", "100"])
        let connection = try TestConnection(port: server.port)
        try connection.send(FrameEncoder().frame(Array("{".utf8)))
        _ = try connection.read(count: 1)
        // The idle time-out (info) is logged after the error would have been: seeing it, the error is not there.
        let log = server.errorLines(containing: ["idle for 100 ms", "conn.idle-timeout"])
        #expect(log.contains("conn.idle-timeout"), "\(log)")
        #expect(!log.contains("protocol error"), "\(log)")
        connection.close()
        #expect(server.stop() == 0)
    }
}

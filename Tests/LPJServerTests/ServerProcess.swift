import Foundation
import LPJProcess
import LPJServer
import LPJSockets
import LPJWire
import NIOCore

/// A `lpj serve --model MODEL` process started for one test.
final class ServerProcess {
    let server: SpawnedServer
    let model: ServerModel

    /// The `lpj` executable beside the test bundle.
    static let executable = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("lpj")

    init(model: ServerModel, _ arguments: [String] = []) throws {
        self.model = model
        server = try SpawnedServer(executable: Self.executable, arguments: ["--model", model.rawValue] + arguments)
    }

    var port: Int { server.port }
    var pid: Int32 { server.pid }
    var process: Process { server.process }

    @discardableResult
    func stop() -> Int32 { server.stop() }

    func connect() throws -> TestConnection { try TestConnection(port: port) }
}

/// A raw connection for tests: send any octets, read frames until EOF.
final class TestConnection {
    let socket: Socket
    var decoder: FrameDecoder
    var buffer = ByteBuffer()

    init(host: String = "127.0.0.1", port: Int, byteOrder: ByteOrderMode = .little) throws {
        socket = try Socket.connect(host: host, port: port, timeoutMilliseconds: 5_000)
        socket.setNoDelay()
        decoder = FrameDecoder(configuration: FrameConfiguration(byteOrder: byteOrder, maxBodyLength: 64 << 20))
    }

    func send(_ bytes: [UInt8]) throws { try socket.writeAll(bytes) }

    func send(_ request: Request, order: ByteOrder = .little) throws {
        try send(FrameEncoder(byteOrder: order).frame(request.body()))
    }

    func halfClose() { socket.shutdownWrite() }

    /// What came back: the responses in order, and whether the server closed (EOF) before `timeout`.
    struct Reply {
        var responses: [Response] = []
        var closed = false
        var fault: String?
    }

    /// Reads until `count` responses have arrived (or EOF, or the time-out when `count` is nil).
    func read(count: Int? = nil, timeoutMilliseconds: Int = 5_000) throws -> Reply {
        var reply = Reply()
        let deadline = Date().addingTimeInterval(Double(timeoutMilliseconds) / 1000)
        while count.map({ reply.responses.count < $0 }) ?? true {
            do {
                while let body = try decoder.decode(buffer: &buffer) {
                    reply.responses.append(try Response(body: body))
                    if let count, reply.responses.count >= count { return reply }
                }
            } catch {
                reply.fault = "\(error)"
                return reply
            }
            let remaining = Int(deadline.timeIntervalSinceNow * 1000)
            guard remaining > 0, try socket.waitUntilReadable(timeoutMilliseconds: remaining) else { return reply }
            let read: Int?
            do { read = try socket.read(into: &buffer) } catch { reply.closed = true; return reply }
            if read == 0 {
                reply.closed = true
                return reply
            }
        }
        return reply
    }

    func close() { socket.close() }
}

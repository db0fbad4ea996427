import Foundation
import LPJServer
import LPJSockets
import LPJWire
import NIOCore

/// A `lpj serve` process started for one test: its port, and a clean stop.
final class ServerProcess {
    let process = Process()
    let port: Int
    let model: ServerModel
    private let output = Pipe()

    /// The `lpj` executable beside the test bundle.
    static let executable: URL = {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        return bundle.appendingPathComponent("lpj")
    }()

    /// Starts `lpj serve --model MODEL --port 0 ARGUMENTS` and waits for its listening line.
    init(model: ServerModel, _ arguments: [String] = []) throws {
        self.model = model
        process.executableURL = Self.executable
        process.arguments = ["serve", "--model", model.rawValue, "--port", "0"] + arguments
        process.standardOutput = output
        try process.run()
        let handle = output.fileHandleForReading
        var line = Data()
        let deadline = Date().addingTimeInterval(10)
        while !line.contains(0x0A), Date() < deadline {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard let range = text.range(of: #"listening on 127\.0\.0\.1:(\d+)"#, options: .regularExpression),
              let port = Int(text[range].split(separator: ":").last!)
        else {
            process.terminate()
            throw TestFailure("no listening line from lpj serve --model \(model.rawValue): \(text)")
        }
        self.port = port
    }

    var pid: Int32 { process.processIdentifier }

    /// Sends SIGTERM and waits: the exit status.
    @discardableResult
    func stop() -> Int32 {
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        process.waitUntilExit()
        return process.terminationStatus
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    func connect() throws -> TestConnection { try TestConnection(port: port) }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A raw connection for tests: send any octets, read frames until EOF.
final class TestConnection {
    let socket: Socket
    var decoder: FrameDecoder
    var buffer = ByteBuffer()

    init(port: Int, byteOrder: ByteOrderMode = .little) throws {
        socket = try Socket.connect(host: "127.0.0.1", port: port, timeoutMilliseconds: 5_000)
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

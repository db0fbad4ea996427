import Foundation
import LPJClient
import LPJServer
import LPJSockets
import LPJWire
import NIOCore
import NIOPosix
import Testing

/// The Swift clients against the reference server and against broken peers.
@Suite("Clients", .serialized)
struct ClientTests {
    /// A one-shot fake server: accepts one connection, reads one request, answers with `reply` octets, closes.
    static func fakeServer(reply: [UInt8], close: Bool = true) throws -> (port: Int, thread: Thread) {
        let listener = try Socket.listen(host: "127.0.0.1", port: 0)
        let port = listener.localPort
        let thread = Thread {
            guard let socket = try? listener.accept() else { return }
            var buffer = ByteBuffer()
            _ = try? socket.read(into: &buffer)
            try? socket.writeAll(reply)
            // Silent: hold the connection until the client gives up and closes it (its EOF makes the
            // socket readable), at most 5 s.
            if !close { _ = try? socket.waitUntilReadable(timeoutMilliseconds: 5_000) }
            socket.close()
            listener.close()
        }
        thread.start()
        return (port, thread)
    }

    static func configuration(port: Int) -> ClientConfiguration {
        var configuration = ClientConfiguration(port: port)
        configuration.callTimeoutMilliseconds = 1_000
        configuration.connectTimeoutMilliseconds = 1_000
        return configuration
    }

    struct BrokenReply: Sendable, CustomTestStringConvertible {
        var name: String
        var octets: [UInt8]
        var code: ClientError.Code
        var offset: Int?
        var testDescription: String { name }
    }

    @Test(
        "each broken reply is named for what it is, with its offset",
        arguments: [
            BrokenReply(name: "closed between frames", octets: [], code: .closed),
            BrokenReply(name: "closed inside the prefix", octets: [0x10, 0x00], code: .closedMidFrame, offset: 2),
            BrokenReply(name: "closed inside the body", octets: [0x10, 0, 0, 0] + Array("{\"out\"".utf8), code: .closedMidFrame, offset: 10),
            BrokenReply(
                name: "big-endian length", octets: FrameEncoder(byteOrder: .big).frame(Array(#"{"out":"pong","result":1}"#.utf8)), code: .badLength, offset: 0),
            BrokenReply(name: "text without a prefix", octets: Array(#"{"out":"pong","result":1}"#.utf8), code: .badLength, offset: 0),
            BrokenReply(name: "bad JSON", octets: FrameEncoder().frame(Array(#"{"out":"pong","result":[1,]}"#.utf8)), code: .badJSON, offset: 26),
            BrokenReply(name: "NaN", octets: FrameEncoder().frame(Array(#"{"result": NaN, "out": "pong"}"#.utf8)), code: .badJSON, offset: 11),
            BrokenReply(name: "not a response", octets: FrameEncoder().frame(Array(#"{"in":"ping","params":1}"#.utf8)), code: .badResponse),
        ])
    func brokenReplies(_ broken: BrokenReply) throws {
        let fake = try Self.fakeServer(reply: broken.octets)
        let client = try BlockingClient(Self.configuration(port: fake.port))
        #expect {
            try client.call(Request(method: "ping", params: 1))
        } throws: { error in
            let error = error as! ClientError
            return error.code == broken.code && (broken.offset == nil || error.offset == broken.offset)
        }
    }

    @Test("refused and timed out are told apart")
    func refusedAndTimedOut() throws {
        let unused = try Socket.listen(host: "127.0.0.1", port: 0)
        let port = unused.localPort
        unused.close()
        #expect {
            try BlockingClient(Self.configuration(port: port))
        } throws: { error in
            (error as? ClientError)?.code == .refused
        }
        let silent = try Self.fakeServer(reply: [], close: false)
        let client = try BlockingClient(Self.configuration(port: silent.port))
        #expect {
            try client.call(Request(method: "ping", params: 1))
        } throws: { error in
            (error as? ClientError)?.code == .timedOut
        }
    }

    @Test(
        "the pipelining client matches 200 concurrent calls to their responses, on every model",
        arguments: ServerModel.allCases)
    func pipelining(model: ServerModel) async throws {
        let server = try ServerProcess(model: model)
        let client = try await PipeliningClient.connect(Self.configuration(port: server.port))
        func request(_ index: Int) -> Request {
            let number = JSONValue.number(JSONNumber(index))
            if index % 10 == 0 { return Request(method: "sleep", params: .object(["ms": 5, "n": number])) }
            return Request(method: "ping", params: number)
        }
        let futures = (0..<200).map { client.call(request($0)) }
        for (index, future) in futures.enumerated() {
            let response = try await future.get()
            let value = index % 10 == 0 ? response.result.objectValue?["n"] : response.result
            #expect(value?.numberValue?.int64Value == Int64(index))
        }
        try await client.close().get()
        #expect(server.stop() == 0)
    }

    @Test("the pipelining client reports a refused connection and a closed one")
    func pipeliningErrors() async throws {
        let unused = try Socket.listen(host: "127.0.0.1", port: 0)
        let port = unused.localPort
        unused.close()
        await #expect {
            _ = try await PipeliningClient.connect(Self.configuration(port: port))
        } throws: { error in
            (error as? ClientError)?.code == .refused
        }
        let fake = try Self.fakeServer(reply: [0x10, 0x00])
        let client = try await PipeliningClient.connect(Self.configuration(port: fake.port))
        await #expect {
            _ = try await client.call(Request(method: "ping", params: 1))
        } throws: { error in
            [.closedMidFrame, .closed].contains((error as? ClientError)?.code)
        }
    }

    @Test("the pipelining client fails a call that gets no response within the call time-out, and every call behind it")
    func pipeliningCallTimeout() async throws {
        let hung = try HungUpstream()
        var configuration = Self.configuration(port: hung.port)
        configuration.callTimeoutMilliseconds = 200
        let client = try await PipeliningClient.connect(configuration)
        let first: EventLoopFuture<Response> = client.call(Request(method: "ping", params: 1))
        let second: EventLoopFuture<Response> = client.call(Request(method: "ping", params: 2))
        for call in [first, second] {
            await #expect {
                _ = try await call.get()
            } throws: { error in
                (error as? ClientError)?.code == .timedOut
            }
        }
    }

    @Test("lpj call works against every model and exits 1 on an error response", arguments: ServerModel.allCases)
    func lpjCall(model: ServerModel) throws {
        let server = try ServerProcess(model: model)
        func call(_ arguments: [String]) throws -> (status: Int32, output: String) {
            let process = Process()
            process.executableURL = ServerProcess.executable
            process.arguments = ["call", "--port", "\(server.port)"] + arguments
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            try process.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: data, as: UTF8.self))
        }
        let pong = try call(["ping", #"{"a":[1,"é"]}"#])
        #expect(pong.status == 0)
        #expect(pong.output == #"{"out":"pong","result":{"a":[1,"é"]}}"# + "\n")
        #expect(try call(["frob"]).status == 1)
        #expect(server.stop() == 0)
    }

    @Test("lpj call says refused, exit status 2, when nobody listens")
    func lpjCallRefused() throws {
        let unused = try Socket.listen(host: "127.0.0.1", port: 0)
        let port = unused.localPort
        unused.close()
        let process = Process()
        process.executableURL = ServerProcess.executable
        process.arguments = ["call", "--port", "\(port)", "ping"]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 2)
        #expect(text.contains("refused"))
    }
}

/// A legacy server writes prefix and body in two writes with Nagle on; a client that delays its ACKs then
/// waits about 40 ms for every body. The blocking client asks for quick ACKs after each read.
@Suite("Clients against a legacy split-writes server")
struct LegacyServerTests {
    /// Median call time in milliseconds over `calls` sequential pings on one connection.
    static func medianMilliseconds(calls: Int, _ call: () throws -> Void) rethrows -> Double {
        var times: [Double] = []
        for _ in 0..<calls {
            let start = DispatchTime.now().uptimeNanoseconds
            try call()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        return times.sorted()[times.count / 2]
    }

    @Test("the blocking client does not pay a delayed-ACK stall per call; a naive reader does")
    func noDelayedAckStall() throws {
        let server = try ServerProcess(model: .blocking, ["--fault", "split-writes"])
        let naive = try server.connect()
        let naiveMedian = try Self.medianMilliseconds(calls: 30) {
            try naive.send(Request(method: "ping", params: 1))
            _ = try naive.read(count: 1)
        }
        naive.close()
        let client = try BlockingClient(ClientConfiguration(port: server.port))
        let clientMedian = try Self.medianMilliseconds(calls: 30) {
            _ = try client.call(Request(method: "ping", params: 1))
        }
        client.close()
        print("split-writes server: naive reader median \(naiveMedian) ms per call, BlockingClient median \(clientMedian) ms per call")
        #expect(clientMedian * 4 < naiveMedian, "naive \(naiveMedian) ms, BlockingClient \(clientMedian) ms")
        #expect(server.stop() == 0)
    }
}

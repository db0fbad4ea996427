import Foundation
import LPJClient
import LPJServer
import LPJWire
import NIOCore
import Testing

/// Each `--fault` really breaks the rule it names, seen from the wire.
@Suite("Deliberate faults", .serialized)
struct FaultTests {
    static func client(_ server: ServerProcess) throws -> BlockingClient {
        var configuration = ClientConfiguration(port: server.port)
        configuration.callTimeoutMilliseconds = 2_000
        return try BlockingClient(configuration)
    }

    @Test("every fault has a one-line summary naming the rule it breaks")
    func documented() {
        for fault in ServerFault.allCases {
            #expect(fault.summary.range(of: #"\(breaks [a-z]+\.[a-z0-9-]+"#, options: .regularExpression) != nil, "\(fault)")
        }
    }

    @Test("big-endian-length: the client sees an implausible prefix that reads right byte-swapped")
    func bigEndianLength() throws {
        let server = try ServerProcess(model: .eventLoop, ["--fault", "big-endian-length"])
        #expect {
            try Self.client(server).call(Request(method: "ping", params: 1))
        } throws: { error in
            (error as? ClientError)?.code == .badLength && "\(error)".contains("read big-endian it is")
        }
        #expect(server.stop() == 0)
    }

    @Test("length-in-characters: a non-ASCII pong is cut short")
    func lengthInCharacters() throws {
        let server = try ServerProcess(model: .blocking, ["--fault", "length-in-characters"])
        #expect(try Self.client(server).call(Request(method: "ping", params: "abc")).result == "abc")
        #expect {
            try Self.client(server).call(Request(method: "ping", params: "héllo"))
        } throws: { error in
            (error as? ClientError)?.code == .badJSON
        }
        #expect(server.stop() == 0)
    }

    @Test("single-read: the first part of a request in two writes is answered as if it were the whole frame")
    func singleRead() throws {
        let server = try ServerProcess(model: .threaded, ["--fault", "single-read"])
        let connection = try server.connect()
        let frame = FrameEncoder().frame(Request(method: "ping", params: "x").body())
        // Only the prefix and six body octets are sent: a correct server waits for the rest and answers
        // nothing; this one takes its one read as the frame and refuses the six octets at once.
        try connection.send(Array(frame[..<10]))
        let reply = try connection.read(count: 1, timeoutMilliseconds: 5_000)
        #expect(reply.responses.first?.errorResult?.code == "invalid-json", "\(reply)")
        let fresh = try server.connect()
        try fresh.send(Request(method: "ping", params: "still serving"))
        #expect(try fresh.read(count: 1).responses.first?.result == "still serving", "the server kept serving other connections")
        #expect(server.stop() == 0)
    }

    @Test("reorder-pipelined: two pings in one write come back reversed")
    func reorder() throws {
        let server = try ServerProcess(model: .eventLoop, ["--fault", "reorder-pipelined"])
        let client = try Self.client(server)
        try client.send([Request(method: "ping", params: 1), Request(method: "ping", params: 2)])
        #expect(try [client.receive().result, client.receive().result] == [2, 1])
        #expect(server.stop() == 0)
    }

    @Test("no-error-reply: an unknown method closes the connection")
    func noErrorReply() throws {
        let server = try ServerProcess(model: .forking, ["--fault", "no-error-reply"])
        #expect {
            try Self.client(server).call(Request(method: "frob", params: nil))
        } throws: { error in
            (error as? ClientError)?.code == .closed
        }
        #expect(server.stop() == 0)
    }

    @Test("nan-output: a non-integral number comes back as NaN, which is not JSON")
    func nanOutput() throws {
        let server = try ServerProcess(model: .coroutine, ["--fault", "nan-output"])
        #expect {
            try Self.client(server).call(Request(method: "ping", params: [.number(JSONNumber("0.5")!)]))
        } throws: { error in
            (error as? ClientError)?.code == .badJSON && (error as? ClientError)?.rule == "body.no-nonfinite"
        }
        #expect(server.stop() == 0)
    }

    @Test("limit-off-by-one: a body of exactly the limit is refused")
    func limitOffByOne() throws {
        let server = try ServerProcess(model: .prefork, ["--fault", "limit-off-by-one", "--max-frame", "65536"])
        let overhead = Request(method: "ping", params: "").body().count
        let request = Request(method: "ping", params: .string(String(repeating: "x", count: 65_536 - overhead)))
        let response = try Self.client(server).call(request)
        #expect(response.errorResult?.code == "frame-too-large")
        #expect(server.stop() == 0)
    }

    @Test("split-writes: the prefix arrives alone, the body only after Nagle lets it go")
    func splitWrites() throws {
        // A fresh connection starts in quick-ACK mode, so early replies may still arrive whole: count, over
        // ten calls, the replies whose first read held the 4-octet prefix alone.
        for (arguments, split) in [([] as [String], false), (["--fault", "split-writes"], true)] {
            let server = try ServerProcess(model: .blocking, arguments)
            let connection = try server.connect()
            var prefixAlone = 0
            for _ in 0..<30 {
                try connection.send(Request(method: "ping", params: "nagle"))
                #expect(try connection.socket.waitUntilReadable(timeoutMilliseconds: 2_000))
                var first = ByteBuffer()
                _ = try connection.socket.read(into: &first)
                if first.readableBytes == 4 { prefixAlone += 1 }
                connection.buffer.writeBuffer(&first)
                _ = try connection.read(count: 1)
            }
            #expect((prefixAlone > 0) == split, "\(prefixAlone) of 30 replies began with the prefix alone")
            connection.close()
            #expect(server.stop() == 0)
        }
    }
}

import Foundation
import LPJWire
import NIOCore

extension CaseCatalog {
    /// Whether responses leave in one write: a server that writes the prefix alone meets Nagle's algorithm
    /// and the client's delayed ACK, and every call stalls for tens of milliseconds (`frame.single-write`).
    static let timingCases: [CheckCase] = [
        CheckCase("timing.single-write", "Forty sequential pings (past the quick-ACK start of a connection): does any response's first read hold the 4-octet prefix alone?",
                  covers: [.singleWrite], extraMilliseconds: 4_000) { context in
            let connection = try context.connect()
            defer { connection.close() }
            var prefixAlone = 0
            var slowest = 0.0
            for index in 0..<40 {
                let start = Date()
                try connection.send(Request(method: "ping", params: .number(JSONNumber(index))))
                guard try connection.socket.waitUntilReadable(timeoutMilliseconds: context.target.timeoutMilliseconds) else {
                    return .broke(.oneResponse, "no response to sequential ping \(index + 1) within \(context.target.timeoutMilliseconds) ms")
                }
                var first = ByteBuffer()
                _ = try connection.socket.read(into: &first)
                if first.readableBytes == 4 { prefixAlone += 1 }
                let reply = connection.continueReading(first, count: 1, timeoutMilliseconds: context.target.timeoutMilliseconds)
                slowest = max(slowest, Date().timeIntervalSince(start) * 1000)
                if reply.responses.first?.out != "pong" {
                    return context.judge(reply, expected: [.pong(.number(JSONNumber(index)))], connection: connection, delivery: .oneWrite(connection.sent))
                }
            }
            if prefixAlone > 0 {
                return .broke(.singleWrite, "\(prefixAlone) of 40 responses arrived as a 4-octet prefix first, the body later (slowest call \(Int(slowest)) ms)",
                              details: ["likely cause: prefix and body written in two writes; with Nagle on, the body waits for the client's delayed ACK (about 40 ms on Linux)"])
            }
            return .passed("every response arrived whole (slowest call \(Int(slowest)) ms)")
        },
    ]
}

import LPJWire
import NIOCore
import Testing

@testable import LPJServer

/// What an `event-loop` connection keeps between reads: an idle connection is multiplied by every
/// client that stays connected and sends nothing, so it holds nothing it can make again on the next read.
@Suite("engine: what an idle connection holds")
struct EngineIdleTests {
    @Test("an answered connection keeps no step queue, and one made for a wait is dropped once drained")
    func noQueueWhileIdle() throws {
        let server = try EmbeddedServer()
        let steps = try #require(server.handler.steps as? SerialSteps)
        #expect(steps.queueCapacity == 0, "before any request")
        try server.send((0..<32).flatMap { EngineTests.ping($0) })
        #expect(try server.responses().count == 32)
        #expect(steps.queueCapacity == 0, "after 32 pipelined pings were answered")
        try server.send(
            EngineTests.frame(#"{"in":"sleep","params":{"ms":10}}"#) + EngineTests.ping(1) + EngineTests.ping(2))
        #expect(try server.responses().isEmpty)
        #expect(steps.queueCapacity >= 2, "the two pings wait behind the sleep")
        server.advance(milliseconds: 10)
        #expect(try server.responses().map(\.out) == ["slept", "pong", "pong"])
        #expect(steps.queueCapacity == 0, "after the wait")
    }

    @Test("a connection keeps the server's logger, not a copy naming its peer")
    func noLoggerOfItsOwn() throws {
        let server = try EmbeddedServer()
        try server.send(EngineTests.ping(1))
        #expect(try server.responses().count == 1)
        #expect(server.handler.keptLogger[metadataKey: "peer"] == nil)
    }

    @Test("a connection's engine holds the server's configuration by reference, not a copy of its own")
    func configurationByReference() {
        #expect(MemoryLayout<MethodTable>.size == MemoryLayout<AnyObject>.size)
        #expect(MemoryLayout<ServerConnection>.size < MemoryLayout<ServerConfiguration>.size)
    }

    @Test("a connection's first receive buffer is small: NIO keeps it for the next read, idle or not")
    func smallFirstReceiveBuffer() {
        var allocator = EventLoopHost.receiveAllocator
        #expect(allocator.nextBufferSize() == 256)
        // A full read doubles the next one, up to 64 KiB: a pipelining client is read in large reads.
        for _ in 0..<8 { _ = allocator.record(actualReadBytes: allocator.nextBufferSize()!) }
        #expect(allocator.nextBufferSize() == 65_536)
    }
}

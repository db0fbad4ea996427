import LPJSockets
import NIOCore
import Testing

@testable import LPJCheck

/// `LoopbackPeerReads` sees, from the kernel's socket table, whether the other end of a loopback
/// connection has read what was sent to it: the runner's split cases wait on it between pieces.
@Suite struct LoopbackPeerReadsTests {
    @Test("octets sent and not yet read are counted, and none once the peer has read them", arguments: ["127.0.0.1", "::1"])
    func countsUnreadOctets(host: String) throws {
        let listener = try Socket.listen(host: host, port: 0)
        let client = try Socket.connect(host: host, port: listener.localPort, timeoutMilliseconds: 2_000)
        let server = try #require(try listener.accept())
        #expect(LoopbackPeerReads.unread(by: server) == 0)
        try server.writeAll([1, 2, 3, 4, 5])
        // Loopback delivers within the write; the bound only covers a slow softirq.
        var unread = LoopbackPeerReads.unread(by: server)
        for _ in 0..<1_000 where unread != 5 { unread = LoopbackPeerReads.unread(by: server) }
        #expect(unread == 5)
        #expect(!LoopbackPeerReads.waitUntilRead(by: server, minimumMilliseconds: 0, boundMilliseconds: 20), "nothing was read yet")
        var buffer = ByteBuffer()
        var got = 0
        while got < 5 { got += try client.read(into: &buffer, maximum: 5 - got) ?? 0 }
        #expect(LoopbackPeerReads.waitUntilRead(by: server, minimumMilliseconds: 0, boundMilliseconds: 2_000))
        #expect(LoopbackPeerReads.unread(by: server) == 0)
        client.close()
        server.close()
        listener.close()
    }
}

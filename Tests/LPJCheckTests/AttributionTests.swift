import LPJWire
import Testing

@testable import LPJCheck

/// How the runner names what a broken stream or a misconfigured byte order shows, from the octets alone.
@Suite("Attribution from the wire")
struct AttributionTests {
    static func frame(_ text: String, _ order: ByteOrder = .little) -> [UInt8] {
        FrameEncoder(byteOrder: order).frame(Array(text.utf8))
    }

    static func refusal(_ code: String, _ message: String) -> Response {
        Response(out: "error", result: .object(["code": .string(code), "message": .string(message)]))
    }

    @Test("prefixes of ready frames written before their bodies are read as interleaved frames")
    func interleavedFrames() throws {
        let frames = [#"{"out":"pong","result":1}"#, #"{"out":"pong","result":22}"#, #"{"out":"pong","result":333}"#].map { Self.frame($0) }
        let interleaved = frames.flatMap { $0.prefix(4) } + frames.flatMap { $0.dropFirst(4) }
        let found = try #require(FrameWalk.interleavedPrefixesThenBodies(interleaved, at: 0, order: .little, limit: 1 << 20))
        #expect(found.frames == 3)
        #expect(found.octets == interleaved.count)
        let violation = try #require(ResponseInspection.interleavedViolation(interleaved, at: 0, order: .little, which: "response 1"))
        #expect(violation.requirement == .inOrderContiguous)
        // One good frame first: the interleaving starts at its end.
        let later = Self.frame(#"{"out":"pong","result":0}"#) + interleaved
        #expect(FrameWalk.interleavedPrefixesThenBodies(later, at: later.count - interleaved.count, order: .little, limit: 1 << 20)?.frames == 3)
    }

    @Test("contiguous frames, an 8-octet prefix and a body cut short are not taken for interleaving")
    func notInterleaved() {
        let body = Array(#"{"out":"pong","result":1}"#.utf8)
        let contiguous = Self.frame(#"{"out":"pong","result":1}"#) + Self.frame(#"{"out":"pong","result":2}"#)
        #expect(FrameWalk.interleavedPrefixesThenBodies(contiguous, at: 0, order: .little, limit: 1 << 20) == nil)
        let wide = [UInt8(body.count), 0, 0, 0, 0, 0, 0, 0] + body
        #expect(FrameWalk.interleavedPrefixesThenBodies(wide, at: 0, order: .little, limit: 1 << 20) == nil)
        let cut = Self.frame(#"{"out":"pong","result":1}"#).dropLast(3)
        #expect(FrameWalk.interleavedPrefixesThenBodies(Array(cut), at: 0, order: .little, limit: 1 << 20) == nil)
    }

    @Test("frame-too-large naming a prefix's other-order reading is a prefix read in the wrong order")
    func misreadPrefix() throws {
        let prefix = FrameEncoder(byteOrder: .big).prefix(forLength: 36)  // 00 00 00 24
        let refusal = Self.refusal("frame-too-large", "length 603979776 exceeds limit 1048576")
        let big = try #require(PrefixMisreading.violation(refusal, prefix: prefix, position: 1, order: .big, detects: false))
        #expect(big.requirement == .bigEveryPrefix)
        let auto = try #require(PrefixMisreading.violation(refusal, prefix: prefix, position: 1, order: .big, detects: true))
        #expect(auto.requirement == .autoWholeConnection)
        // A refusal naming another length, or another error, says nothing about the byte order.
        #expect(
            PrefixMisreading.violation(
                Self.refusal("frame-too-large", "length 6039797760 exceeds limit"), prefix: prefix, position: 1, order: .big, detects: false) == nil)
        #expect(PrefixMisreading.violation(Self.refusal("invalid-json", "603979776"), prefix: prefix, position: 1, order: .big, detects: false) == nil)
    }

    @Test("the configured byte order decides which requirement a server that does not speak it breaks")
    func configuredByteOrder() {
        var target = CheckTarget(host: "127.0.0.1", port: 1, byteOrder: .big)
        for (mode, requirement) in [
            (ByteOrderMode.little, RequirementID.littleSupportConfigured), (.big, .bigEveryPrefix),
            (.native, .nativeResolve), (.auto, .autoFirstFrameOnly),
        ] {
            target.configuredByteOrder = mode
            let configured = CaseCatalog.configuredMode(target)
            #expect(configured.mode == mode)
            #expect(CaseCatalog.configuredRequirement(configured, target: target) == requirement)
        }
        // Not configured: a statement of "auto" is the server's own configuration; else what it answers.
        target.configuredByteOrder = nil
        #expect(CaseCatalog.configuredMode(target).mode == .big)
        target.description = .object(["byteOrder": .string("auto")])
        #expect(CaseCatalog.configuredMode(target).mode == .auto)
    }
}

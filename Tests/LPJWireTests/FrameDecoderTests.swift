import LPJRandom
import LPJWire
import NIOCore
import NIOTestUtils
import Testing

@Suite("FrameDecoder")
struct FrameDecoderTests {
    /// The legacy CPython 2.7 ping, 37 octets of body.
    static let legacyBody = Array(#"{"params": "ireader 0", "in": "ping"}"#.utf8)
    static let legacyFrame: [UInt8] =
        [
            0x25, 0x00, 0x00, 0x00,  // length 37, little-endian
        ] + legacyBody

    /// Every frame of `stream`, fed in the pieces `splits` cut it into, plus what EOF does.
    static func decodeAll(_ pieces: [[UInt8]], configuration: FrameConfiguration = .init()) throws -> [[UInt8]] {
        var decoder = FrameDecoder(configuration: configuration)
        var buffer = ByteBuffer()
        var bodies: [[UInt8]] = []
        for piece in pieces {
            buffer.writeBytes(piece)
            while let body = try decoder.decode(buffer: &buffer) { bodies.append(Array(body.readableBytesView)) }
        }
        while let body = try decoder.decodeLast(buffer: &buffer, seenEOF: true) { bodies.append(Array(body.readableBytesView)) }
        return bodies
    }

    @Test("the legacy ping decodes to its 37-octet body")
    func legacyPing() throws {
        #expect(try Self.decodeAll([Self.legacyFrame]) == [Self.legacyBody])
    }

    @Test("NIO's verifier: one byte at a time, all at once, and in random splits (frame.reads-are-partial)")
    func verifier() throws {
        let frames: [[UInt8]] = [
            Self.legacyBody,
            [],
            Array(#"{"in":"ping","params":"héllo 😀"}"#.utf8),
            Array(repeating: UInt8(ascii: "x"), count: 5_000),
        ]
        let pairs = frames.map { body -> (ByteBuffer, [ByteBuffer]) in
            (ByteBuffer(bytes: FrameEncoder().frame(body)), [ByteBuffer(bytes: body)])
        }
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: pairs) { FrameDecoder() }
        let bigEndian = frames.map { body -> (ByteBuffer, [ByteBuffer]) in
            (ByteBuffer(bytes: FrameEncoder(byteOrder: .big).frame(body)), [ByteBuffer(bytes: body)])
        }
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: bigEndian) {
            FrameDecoder(configuration: FrameConfiguration(byteOrder: .big))
        }
        // Auto mode: the first prefix decides, here big-endian, and every later frame follows it. The
        // verifier may start a fresh decoder at any frame, so the ambiguous empty frame (which
        // would decide little-endian) is left out.
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: bigEndian.filter { $0.0.readableBytes > 4 }) {
            FrameDecoder(configuration: FrameConfiguration(byteOrder: .auto))
        }
    }

    @Test("a split at every offset of a three-frame stream gives the same frames")
    func everySplit() throws {
        let bodies = (1...3).map { Array(#"{"in":"ping","params":\#($0)}"#.utf8) }
        let stream = bodies.flatMap { FrameEncoder().frame($0) }
        for cut in 0...stream.count {
            #expect(try Self.decodeAll([Array(stream[..<cut]), Array(stream[cut...])]) == bodies, "cut at \(cut)")
        }
        #expect(try Self.decodeAll(stream.map { [$0] }) == bodies)
    }

    @Test("seeded random splits")
    func randomSplits() throws {
        var generator = SplitMix64(seed: 0x1b9_5eed)
        let bodies = (0..<50).map { index in Array(String(repeating: "é", count: index * 7).utf8) }
        let stream = bodies.flatMap { FrameEncoder().frame($0) }
        for _ in 0..<200 {
            var pieces: [[UInt8]] = []
            var start = 0
            while start < stream.count {
                let length = Int(generator.next() % 97) + 1
                pieces.append(Array(stream[start..<min(start + length, stream.count)]))
                start += length
            }
            #expect(try Self.decodeAll(pieces) == bodies)
        }
    }

    @Test("a zero-length frame is a frame (frame.zero-length)")
    func zeroLength() throws {
        #expect(try Self.decodeAll([[0, 0, 0, 0, 0, 0, 0, 0]]) == [[], []])
    }

    @Test("a body of exactly the limit is accepted; limit + 1 is refused at the prefix")
    func limitIsInclusive() throws {
        let configuration = FrameConfiguration(maxBodyLength: 100)
        #expect(try Self.decodeAll([FrameEncoder().frame([UInt8](repeating: 0x20, count: 100))], configuration: configuration).count == 1)
        #expect {
            try Self.decodeAll([FrameEncoder().prefix(forLength: 101)], configuration: configuration)
        } throws: { error in
            let error = error as! WireError
            return error.code == .frameTooLarge && error.rule == "frame.oversize-close" && error.offset == 0
        }
    }

    /// A prefix claiming gigabytes, and the receiver's limit it breaks: the default 1 MiB, or a
    /// 2 GiB limit passed by one octet. Claims this large are above anything else the test process
    /// allocates, so the peak of mapped memory shows whether the decoder allocated them.
    static let hostilePrefixes: [(prefix: [UInt8], limit: Int)] = [
        ([0xff, 0xff, 0xff, 0xff], FrameConfiguration.defaultMaxBodyLength),
        ([0x00, 0x00, 0x00, 0x80], FrameConfiguration.defaultMaxBodyLength),
        ([0x01, 0x00, 0x00, 0x80], 1 << 31),
    ]

    @Test(
        "hostile lengths are refused from the prefix alone, with nothing allocated for the claim (frame.limit-before-allocation)",
        arguments: hostilePrefixes)
    func hostileLength(prefix: [UInt8], limit: Int) throws {
        let claimed = Int(ByteOrder.little.value(prefix[0], prefix[1], prefix[2], prefix[3]))
        let peakBefore = try #require(MappedMemoryPeak.octets())
        try #require(peakBefore < claimed / 2, "the process already mapped \(peakBefore) octets at once: the claim cannot be observed")
        var decoder = FrameDecoder(configuration: FrameConfiguration(maxBodyLength: limit))
        var buffer = ByteBuffer(bytes: prefix + Array(repeating: 0x20, count: 10))
        let capacity = buffer.capacity
        #expect(throws: WireError.self) { try decoder.decode(buffer: &buffer) }
        let peakAfter = try #require(MappedMemoryPeak.octets())
        #expect(peakAfter < claimed, "mapped memory peaked at \(peakAfter) octets for a claim of \(claimed)")
        #expect(buffer.capacity == capacity, "the caller's buffer was grown for the claim")
        #expect(buffer.readerIndex == 0, "nothing consumed past the refused prefix")
        // After a frame-level fault the decoder is finished: more bytes produce nothing.
        buffer.writeBytes(FrameEncoder().frame(Self.legacyBody))
        #expect(try decoder.decode(buffer: &buffer) == nil)
    }

    @Test("a claim within the limit allocates nothing for the body while its octets arrive; the body is a view of what was read")
    func claimWithinLimit() throws {
        let claimed = 3 << 30
        let peakBefore = try #require(MappedMemoryPeak.octets())
        try #require(peakBefore < claimed / 2, "the process already mapped \(peakBefore) octets at once: the claim cannot be observed")
        var decoder = FrameDecoder(configuration: FrameConfiguration(maxBodyLength: FrameConfiguration.largestEncodableLength))
        var buffer = ByteBuffer(bytes: FrameEncoder().prefix(forLength: claimed) + Array(repeating: 0x20, count: 10))
        #expect(try decoder.decode(buffer: &buffer) == nil)
        #expect(decoder.isInsideFrame)
        let peakAfter = try #require(MappedMemoryPeak.octets())
        #expect(peakAfter < claimed / 2, "mapped memory peaked at \(peakAfter) octets while waiting for a \(claimed)-octet body")
        // A whole small frame: the body shares the read buffer's storage (no copy of the claimed size).
        var small = FrameDecoder()
        var read = ByteBuffer(bytes: FrameEncoder().frame(Self.legacyBody))
        let body = try #require(try small.decode(buffer: &read))
        let readStart = read.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) } - UInt(read.readerIndex)
        let bodyStart = body.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) }
        #expect(bodyStart == readStart + 4, "the body was copied out of the octets read")
    }

    @Test("the frame-too-large message names the likely cause (order.mismatch-diagnosis)")
    func diagnosisInError() throws {
        var decoder = FrameDecoder()
        var bigEndian = ByteBuffer(bytes: FrameEncoder(byteOrder: .big).frame(Self.legacyBody))
        #expect {
            try decoder.decode(buffer: &bigEndian)
        } throws: { error in
            "\(error)".contains("read big-endian it is 37")
        }
        var textDecoder = FrameDecoder()
        var text = ByteBuffer(string: #"{"in":"ping","params":1}"#)
        #expect {
            try textDecoder.decode(buffer: &text)
        } throws: { error in
            "\(error)".contains("text written into the stream") && "\(error)".contains(#"{"in"#)
        }
    }

    @Test("EOF inside a prefix and inside a body are truncated frames with offsets (conn.eof-inside-frame)")
    func truncation() throws {
        #expect {
            try Self.decodeAll([Self.legacyFrame + [0x25, 0x00]])
        } throws: { error in
            let error = error as! WireError
            return error.code == .truncatedFrame && error.rule == "conn.eof-inside-frame" && error.offset == 43
                && error.message.contains("2 of 4")
        }
        #expect {
            try Self.decodeAll([Array(Self.legacyFrame.dropLast(7))])
        } throws: { error in
            let error = error as! WireError
            return error.code == .truncatedFrame && error.offset == 34 && error.message.contains("30 of 37")
        }
    }

    @Test("auto mode decides from the first prefix and keeps that order (order.auto-algorithm)")
    func autoKeepsOrder() throws {
        let configuration = FrameConfiguration(byteOrder: .auto)
        let big = FrameEncoder(byteOrder: .big)
        var decoder = FrameDecoder(configuration: configuration)
        var buffer = ByteBuffer(bytes: big.frame(Self.legacyBody) + big.frame(Self.legacyBody))
        #expect(try decoder.decode(buffer: &buffer).map { Array($0.readableBytesView) } == Self.legacyBody)
        #expect(decoder.byteOrder == .big)
        #expect(decoder.byteOrderWasAmbiguous == false)
        #expect(try decoder.decode(buffer: &buffer).map { Array($0.readableBytesView) } == Self.legacyBody)
    }

    @Test("native mode is the host's order (order.native-is-legacy)")
    func nativeIsHost() {
        #expect(FrameDecoder(configuration: FrameConfiguration(byteOrder: .native)).byteOrder == ByteOrder.host)
        var one = UInt32(1)
        let hostIsLittle = withUnsafeBytes(of: &one) { $0[0] == 1 }
        #expect(ByteOrder.host == (hostIsLittle ? .little : .big))
    }
}

@Suite("ByteOrderDetection")
struct ByteOrderDetectionTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var prefix: [UInt8]
        var order: ByteOrder
        var ambiguous: Bool
        var testDescription: String { prefix.map { String($0, radix: 16) }.joined(separator: " ") }
    }

    @Test(
        "order.auto-algorithm, case by case",
        arguments: [
            Case(prefix: [0x25, 0x00, 0x00, 0x00], order: .little, ambiguous: false),  // 37 little; big reading 620 M
            Case(prefix: [0x00, 0x00, 0x00, 0x25], order: .big, ambiguous: false),  // 37 big
            Case(prefix: [0x00, 0x00, 0x00, 0x00], order: .little, ambiguous: false),  // readings agree
            Case(prefix: [0x01, 0x00, 0x00, 0x01], order: .little, ambiguous: false),  // agree, and over the limit
            Case(prefix: [0x00, 0x00, 0x01, 0x00], order: .little, ambiguous: true),  // 65,536 little or 256 big
            Case(prefix: [0x00, 0x01, 0x00, 0x00], order: .little, ambiguous: true),  // 256 little or 65,536 big
            Case(prefix: [0xff, 0xff, 0xff, 0x7f], order: .little, ambiguous: false),  // over the limit both ways
        ])
    func detect(_ testCase: Case) {
        let p = testCase.prefix
        let detection = ByteOrderDetection.detect(p[0], p[1], p[2], p[3], limit: FrameConfiguration.defaultMaxBodyLength)
        #expect(detection.order == testCase.order)
        #expect(detection.isAmbiguous == testCase.ambiguous)
    }

    @Test("with a limit under 16 MiB, ambiguity happens exactly for prefixes 00 xx yy 00 with two differing readings")
    func ambiguousShape() {
        var generator = SplitMix64(seed: 42)
        for _ in 0..<20_000 {
            let bits = generator.next()
            var p = (0..<4).map { UInt8(truncatingIfNeeded: bits >> UInt64($0 * 8)) }
            if bits & 0x1_0000_0000 != 0 { p[0] = 0; p[3] = 0 }
            let detection = ByteOrderDetection.detect(p[0], p[1], p[2], p[3], limit: FrameConfiguration.defaultMaxBodyLength)
            let little = ByteOrder.little.value(p[0], p[1], p[2], p[3])
            let big = ByteOrder.big.value(p[0], p[1], p[2], p[3])
            let shape = p[0] == 0 && p[3] == 0 && little != big && little <= 1_048_576 && big <= 1_048_576
            #expect(detection.isAmbiguous == shape, "\(p)")
        }
    }
}

@Suite("conn.isolation at the codec")
struct DecoderIsolationTests {
    /// Two connections' decoders used in turn, as one event loop does: connection A's frame arrives in
    /// two halves, and between them connection B's decoder takes a hostile stream (oversized, a
    /// truncated prefix, an ambiguous auto-detection, a body without a prefix, a big-endian peer). A's
    /// frame, whose prefix is still incomplete at that point, must come out whole and unchanged; it would
    /// not if any decoding state were shared (a static buffer, a byte order detected once per process).
    @Test("one connection's oversized, truncated or ambiguous stream, decoded between the halves of another's frame, leaves that frame unchanged")
    func decodersAreIndependent() throws {
        let configuration = FrameConfiguration(byteOrder: .auto)
        let good = FrameEncoder().frame(FrameDecoderTests.legacyBody)
        let bigEndianPeer: [UInt8] = [0x00, 0x00, 0x00, 0x02, 0x7b, 0x7d]
        for hostile in [bigEndianPeer, [0xff, 0xff, 0xff, 0xff], [0x00, 0x00, 0x01, 0x00, 0x7b], [0x25], Array("{\"in\"".utf8)] as [[UInt8]] {
            var connectionA = FrameDecoder(configuration: configuration)
            var bufferA = ByteBuffer(bytes: good[..<2])
            #expect(try connectionA.decode(buffer: &bufferA) == nil)
            var connectionB = FrameDecoder(configuration: configuration)
            var bufferB = ByteBuffer(bytes: hostile)
            _ = try? connectionB.decode(buffer: &bufferB)
            _ = try? connectionB.decodeLast(buffer: &bufferB, seenEOF: true)
            bufferA.writeBytes(good[2...])
            let body = try connectionA.decode(buffer: &bufferA)
            #expect(body.map { Array($0.readableBytesView) } == FrameDecoderTests.legacyBody, "after \(hostile)")
            #expect(connectionA.byteOrder == .little, "A's detected byte order is its own")
        }
    }
}

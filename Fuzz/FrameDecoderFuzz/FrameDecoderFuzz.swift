import LPJFuzzReplay
import LPJWire
import NIOCore

// libFuzzer target for the frame decoder.
//
//     input: [split seed: 1 octet][stream: the rest]
//
// The stream is fed to a FrameDecoder (limit 65,536 octets, byte order chosen by the seed: little, big
// or auto) in pieces whose sizes come from the seed, the way TCP may cut it; then EOF. A decoder must
// never crash, never return a body over the limit, and never hold more than the limit plus one
// prefix of unread input once it has decided the frame is too large. Built two ways:
//
//     swift build -c release --product lpj-fuzz-frame -Xswiftc -sanitize=fuzzer,address -Xswiftc -DLPJ_FUZZ
//         (libFuzzer drives it; see Fuzz/run.sh)
//     swift build --product lpj-fuzz-frame      (a replay tool: lpj-fuzz-frame FILE... runs each file once)

let maxBody = 65_536

func decodeStream(_ input: UnsafeRawBufferPointer) {
    guard let seed = input.first else { return }
    let stream = UnsafeRawBufferPointer(rebasing: input.dropFirst())
    let mode: ByteOrderMode = [.little, .big, .auto][Int(seed % 3)]
    var decoder = FrameDecoder(configuration: FrameConfiguration(byteOrder: mode, maxBodyLength: maxBody))
    var buffer = ByteBuffer()
    let pieceSize = 1 + Int(seed / 3)
    var offset = 0
    do {
        while offset < stream.count {
            let end = min(offset + pieceSize, stream.count)
            buffer.writeBytes(UnsafeRawBufferPointer(rebasing: stream[offset..<end]))
            offset = end
            while let body = try decoder.decode(buffer: &buffer) {
                precondition(body.readableBytes <= maxBody, "a body of \(body.readableBytes) octets passed a \(maxBody)-octet limit")
            }
        }
        while let body = try decoder.decodeLast(buffer: &buffer, seenEOF: true) {
            precondition(body.readableBytes <= maxBody, "a body of \(body.readableBytes) octets passed a \(maxBody)-octet limit at EOF")
        }
    } catch is WireError {
        // A refusal with a rule is the expected outcome for hostile input.
    } catch {
        preconditionFailure("the decoder threw something other than a WireError: \(error)")
    }
}

/// One input, as libFuzzer hands it over.
func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    decodeStream(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

@main
struct FuzzTarget {
    static func main() throws { try runFuzzTarget(fuzzOneInput) }
}

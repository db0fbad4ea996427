import LPJRandom
import LPJWire

/// Inputs a server must survive: the request fixtures mutated, noise, and valid pings, from a seeded
/// generator so any run can be replayed.
///
///     flip octets │ cut anywhere │ a random (often huge) prefix │ two frames, the second cut │
///     noise │ a framed body of noise │ a valid ping │ the fixture as it is
public struct HostileInput {
    public var generator: SplitMix64
    /// Little-endian request frames to start from (the golden fixtures' wire bytes).
    public var frames: [[UInt8]]

    public init(seed: UInt64, frames: [[UInt8]]) {
        precondition(!frames.isEmpty, "HostileInput needs frames to mutate")
        self.generator = SplitMix64(seed: seed)
        self.frames = frames
    }

    public mutating func next() -> [UInt8] {
        var bytes = frames.randomElement(using: &generator)!
        switch Int.random(in: 0..<8, using: &generator) {
        case 0:
            for _ in 0..<Int.random(in: 1...4, using: &generator) where !bytes.isEmpty {
                bytes[Int.random(in: 0..<bytes.count, using: &generator)] ^= UInt8.random(in: 1...255, using: &generator)
            }
        case 1:
            bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &generator)))
        case 2:
            let prefix = (0..<4).map { _ in UInt8.random(in: 0...255, using: &generator) }
            bytes = prefix + bytes.dropFirst(min(4, bytes.count))
        case 3:
            let second = frames.randomElement(using: &generator)!
            bytes += second.prefix(Int.random(in: 0...second.count, using: &generator))
        case 4:
            bytes = noise(upTo: 300)
        case 5:
            bytes = FrameEncoder(byteOrder: .little).frame(noise(upTo: 200))
        case 6:
            let params: JSONValue = .array(
                (0..<Int.random(in: 0...5, using: &generator)).map { _ in
                    .number(JSONNumber(Int.random(in: -1000...1000, using: &generator)))
                })
            bytes = FrameEncoder(byteOrder: .little).frame(Request(method: "ping", params: params).body())
        default:
            break
        }
        return bytes
    }

    private mutating func noise(upTo count: Int) -> [UInt8] {
        (0..<Int.random(in: 0...count, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }
}

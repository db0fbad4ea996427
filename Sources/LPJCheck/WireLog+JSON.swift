import Foundation
import LPJWire

/// A `WireLog` in the JSON report, and back (for `lpj replay --report`):
///
///     {"connection": 1, "events": [
///       {"kind": "connected", "milliseconds": 0.112, "octetsHex": "", "octetCount": 0},
///       {"kind": "sent", "milliseconds": 0.431, "octetsHex": "0f0000007b22696e223a2270696e67227d", "octetCount": 19}, ...]}
///
/// `octetsHex` is the kept octets in lowercase hex, two digits each; `octetCount` is how many the event
/// carried, more than `octetsHex` holds when the connection's 64 KiB were already kept.
/// `milliseconds` has three decimals (microseconds).
extension WireLog {
    public var json: JSONValue {
        .object([
            "connection": .number(JSONNumber(connection)),
            "events": .array(events.map(\.json)),
        ])
    }

    /// The log from its JSON form; nil when a member is missing or malformed.
    public init?(json: JSONValue) {
        guard let object = json.objectValue, let connection = object["connection"]?.intValue,
            case .array(let items)? = object["events"]
        else { return nil }
        var events: [WireEvent] = []
        for item in items {
            guard let event = WireEvent(json: item) else { return nil }
            events.append(event)
        }
        self.init(connection: connection, events: events)
    }
}

extension WireEvent {
    public var json: JSONValue {
        .object([
            "kind": .string(kind.rawValue),
            "milliseconds": .number(JSONNumber(String(format: "%.3f", milliseconds)) ?? JSONNumber(Int(milliseconds))),
            "octetsHex": .string(Self.hex(octets)),
            "octetCount": .number(JSONNumber(octetCount)),
        ])
    }

    public init?(json: JSONValue) {
        guard let object = json.objectValue, let kind = object["kind"]?.stringValue.flatMap(Kind.init(rawValue:)),
            let milliseconds = object["milliseconds"]?.numberValue.flatMap({ Double($0.text) }),
            let octets = object["octetsHex"]?.stringValue.flatMap(Self.octets(hex:)),
            let octetCount = object["octetCount"]?.intValue, octetCount >= octets.count
        else { return nil }
        self.init(kind: kind, milliseconds: milliseconds, octets: octets, octetCount: octetCount)
    }

    /// `octets` as lowercase hex, two digits each, nothing between.
    static func hex(_ octets: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        text.reserveCapacity(octets.count * 2)
        for octet in octets {
            text.append(digits[Int(octet >> 4)])
            text.append(digits[Int(octet & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The octets of lowercase or uppercase hex with two digits each; nil for anything else.
    static func octets(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        func value(_ digit: UInt8) -> UInt8? {
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return digit - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return digit - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return digit - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        var octets: [UInt8] = []
        octets.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = value(digits[index]), let low = value(digits[index + 1]) else { return nil }
            octets.append(high << 4 | low)
            index += 2
        }
        return octets
    }
}

extension JSONValue {
    /// The number as an `Int`, when it is a whole number that fits.
    var intValue: Int? { numberValue.flatMap { Int($0.text) } }
}

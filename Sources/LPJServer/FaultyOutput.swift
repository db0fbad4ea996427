import Foundation
import LPJWire

/// Bodies only a deliberately broken server writes.
enum FaultyOutput {
    /// `--fault nan-output`: the response with every non-integral number written as `NaN`, the way
    /// CPython's `json.dumps` writes `float('nan')`. Integral numbers stay, so plain pings still pass.
    static func nanBody(_ response: Response) -> [UInt8] {
        var text = String(decoding: response.body(), as: UTF8.self)
        for number in numbers(in: response.result) where number.doubleValue.rounded() != number.doubleValue {
            if let range = text.range(of: number.text) { text.replaceSubrange(range, with: "NaN") }
        }
        return Array(text.utf8)
    }

    private static func numbers(in value: JSONValue) -> [JSONNumber] {
        switch value {
        case .number(let number): return [number]
        case .array(let items): return items.flatMap(numbers)
        case .object(let object): return object.members.flatMap { numbers(in: $0.value) }
        default: return []
        }
    }
}

import LPJFuzzReplay
import LPJWire

// libFuzzer target for the message codec.
//
//     input: one frame body, any octets
//
// The body goes through the strict JSON parser and, when it parses, through Request and Response. Every
// value that parses must survive the writer: writing it compactly and parsing that again gives the
// same value (`msg.value-equality`), and so does the CPython 2.7 style. A parser must never crash or
// recurse past its depth limit, whatever the input. Built two ways, like lpj-fuzz-frame.

func parseBody(_ input: UnsafeRawBufferPointer) {
    let bytes = [UInt8](input)
    let options = JSONParser.Options(maxDepth: 64)
    let value: JSONValue
    do {
        value = try JSONParser.parse(bytes, options: options)
    } catch is WireError {
        return
    } catch {
        preconditionFailure("the parser threw something other than a WireError: \(error)")
    }
    _ = try? Request(json: value)
    _ = try? Response(json: value)
    for style in [JSONWriter.Style.compact, .legacyPython, .pretty] {
        let written = JSONWriter.bytes(value, style: style)
        guard let again = try? JSONParser.parse(written, options: options) else {
            preconditionFailure("the writer's \(style) output does not parse: \(String(decoding: written, as: UTF8.self))")
        }
        precondition(again.isSameValue(as: value), "a \(style) round trip changed the value: \(String(decoding: written, as: UTF8.self))")
    }
}

/// One input, as libFuzzer hands it over.
func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    parseBody(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

@main
struct FuzzTarget {
    static func main() throws { try runFuzzTarget(fuzzOneInput) }
}

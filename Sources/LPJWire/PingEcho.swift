import NIOCore

/// The response to a `ping` written straight from the request's octets, with no value tree in between.
///
///     {"params": [1, "a", {"b" : null}], "x": 2, "in": "ping"}
///     ──▶ {"out":"pong","result":[1,"a",{"b":null}]}
///
/// One pass checks the whole body; then the frame is written in one go, with `params` copied without
/// its insignificant whitespace. It answers only the bodies it can judge completely on that pass:
/// printable ASCII and JSON whitespace, no escape (`\`) anywhere, every container within the depth limit
/// and 64 levels, exactly one `in`, whose value is the string `ping`, and exactly one `params`. For
/// those, `JSONParser` accepts the body, `Request` reads it as a `ping`, and `JSONWriter` writes
/// `Response(out: "pong", result: params)` as exactly the octets written here: a string without escapes
/// or octets from 0x80 up is written as it was read, a number keeps its text, members keep their order
/// and their duplicates.
///
/// Every other body (invalid JSON, any other request, UTF-8 beyond ASCII, an escape, a duplicate `in`)
/// makes it answer nothing: the caller then takes the general path, which gives the error its code,
/// rule and offset. So it never rejects anything; it only skips building values for what it can prove
/// valid.
public enum PingEcho {
    /// Appends the frame of the pong for the request `body` (prefix in `byteOrder`, then the body) to
    /// `output` in one write and returns `true`; returns `false`, with nothing appended, when the body
    /// needs the general path. `maxDepth` is the parser's limit (`body.nesting-limit`).
    public static func writeResponseFrame(
        for body: ByteBuffer, maxDepth: Int, byteOrder: ByteOrder, to output: inout ByteBuffer
    ) -> Bool {
        body.withUnsafeReadableBytes { bytes in
            var scan = PingScan(bytes: bytes)
            guard let params = scan.pingParams(maxDepth: maxDepth) else { return false }
            let head: StaticString = #"{"out":"pong","result":"#
            // The compact copy of `params` is never longer than `params`.
            output.writeWithUnsafeMutableBytes(minimumWritableBytes: 4 + head.utf8CodeUnitCount + params.count + 1) { frame in
                var length = head.utf8CodeUnitCount
                frame.baseAddress!.advanced(by: 4).copyMemory(from: head.utf8Start, byteCount: length)
                length += scan.copyCompact(params, to: frame.baseAddress!.advanced(by: 4 + length))
                frame[4 + length] = UInt8(ascii: "}")
                length += 1
                let prefix = UInt32(length)
                withUnsafeBytes(of: byteOrder == .little ? prefix.littleEndian : prefix.bigEndian) {
                    frame.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: 4)
                }
                return 4 + length
            }
            return true
        }
    }
}

/// The cursor of `PingEcho` over one body. Every method returns `nil` or `false` for what it cannot
/// prove valid, and the scan stops there.
private struct PingScan {
    let bytes: UnsafeRawBufferPointer
    var index = 0

    /// The deepest nesting followed here, whatever the parser's limit (the open containers are bits of
    /// one word).
    static let deepestFollowed = 64

    init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// The range of the `params` value of a whole body that is a valid `ping` request.
    mutating func pingParams(maxDepth: Int) -> Range<Int>? {
        skipWhitespace()
        guard take(UInt8(ascii: "{")) else { return nil }
        var method: Range<Int>?
        var params: Range<Int>?
        repeat {
            skipWhitespace()
            guard let name = string() else { return nil }
            skipWhitespace()
            guard take(UInt8(ascii: ":")) else { return nil }
            skipWhitespace()
            let start = index
            guard value(depthOutside: 1, maxDepth: maxDepth) else { return nil }
            if isText(name, "in") {
                guard method == nil else { return nil }
                method = start..<index
            } else if isText(name, "params") {
                guard params == nil else { return nil }
                params = start..<index
            }
            skipWhitespace()
        } while take(UInt8(ascii: ","))
        guard take(UInt8(ascii: "}")) else { return nil }
        skipWhitespace()
        guard index == bytes.count, let method, isText(method, #""ping""#), let params else { return nil }
        return params
    }

    /// One value with the cursor on its first octet, nested containers included (without recursion):
    /// `depthOutside` containers hold it. Leaves the cursor after it.
    private mutating func value(depthOutside: Int, maxDepth: Int) -> Bool {
        // Bit n of `objects` tells whether the container at level n + 1 (from the innermost) is an object.
        var objects: UInt64 = 0
        var level = 0
        while true {
            // A value starts here.
            guard index < bytes.count else { return false }
            switch bytes[index] {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                let isObject = bytes[index] == UInt8(ascii: "{")
                guard level < Self.deepestFollowed, depthOutside + level + 1 <= maxDepth else { return false }
                objects = objects << 1 | (isObject ? 1 : 0)
                level += 1
                index += 1
                skipWhitespace()
                if take(isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                    objects >>= 1
                    level -= 1
                } else {
                    if isObject, !memberName() { return false }
                    continue
                }
            case UInt8(ascii: "\""):
                guard string() != nil else { return false }
            case UInt8(ascii: "t"):
                guard literal("true") else { return false }
            case UInt8(ascii: "f"):
                guard literal("false") else { return false }
            case UInt8(ascii: "n"):
                guard literal("null") else { return false }
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                guard number() else { return false }
            default:
                return false
            }
            // A value ended here: close the containers that end with it, or go on to the next item.
            while true {
                guard level > 0 else { return true }
                skipWhitespace()
                let isObject = objects & 1 == 1
                if take(UInt8(ascii: ",")) {
                    skipWhitespace()
                    if isObject, !memberName() { return false }
                    break
                }
                guard take(isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) else { return false }
                objects >>= 1
                level -= 1
            }
        }
    }

    /// `"name" :` and the whitespace after it, with the cursor on the opening quote.
    private mutating func memberName() -> Bool {
        guard string() != nil else { return false }
        skipWhitespace()
        guard take(UInt8(ascii: ":")) else { return false }
        skipWhitespace()
        return true
    }

    /// A string of printable ASCII without escapes, cursor on its opening quote; the range of its
    /// content, and the cursor after its closing quote.
    private mutating func string() -> Range<Int>? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return start..<(index - 1)
            }
            guard byte >= 0x20, byte < 0x80, byte != UInt8(ascii: "\\") else { return nil }
            index += 1
        }
        return nil
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?` (RFC 8259).
    private mutating func number() -> Bool {
        _ = take(UInt8(ascii: "-"))
        if take(UInt8(ascii: "0")) {
            if index < bytes.count, isDigit(bytes[index]) { return false }
        } else if !digits() {
            return false
        }
        if take(UInt8(ascii: ".")), !digits() { return false }
        if take(UInt8(ascii: "e")) || take(UInt8(ascii: "E")) {
            if !take(UInt8(ascii: "+")) { _ = take(UInt8(ascii: "-")) }
            if !digits() { return false }
        }
        return true
    }

    /// One digit or more; whether there was one.
    private mutating func digits() -> Bool {
        let start = index
        while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        return index > start
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private mutating func literal(_ text: StaticString) -> Bool {
        let end = index + text.utf8CodeUnitCount
        guard end <= bytes.count, isText(index..<end, text) else { return false }
        index = end
        return true
    }

    /// Whether the octets of `range` are those of `text`.
    private func isText(_ range: Range<Int>, _ text: StaticString) -> Bool {
        guard range.count == text.utf8CodeUnitCount else { return false }
        return text.withUTF8Buffer { expected in
            for offset in 0..<expected.count where bytes[range.lowerBound + offset] != expected[offset] { return false }
            return true
        }
    }

    private mutating func take(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    private mutating func skipWhitespace() {
        while index < bytes.count, Self.isWhitespace(bytes[index]) { index += 1 }
    }

    /// The four octets of JSON whitespace: space, tab, line feed, carriage return.
    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    /// Copies the value at `range` to `destination` without the whitespace between its tokens, and
    /// returns how many octets it copied. Strings hold no escapes here, so every `"` opens or closes one.
    func copyCompact(_ range: Range<Int>, to destination: UnsafeMutableRawPointer) -> Int {
        var copied = 0
        var runStart = range.lowerBound
        var inString = false
        func copyRun(upTo end: Int) {
            guard runStart < end else { return }
            destination.advanced(by: copied).copyMemory(from: bytes.baseAddress!.advanced(by: runStart), byteCount: end - runStart)
            copied += end - runStart
        }
        for at in range {
            let byte = bytes[at]
            if byte == UInt8(ascii: "\"") {
                inString.toggle()
            } else if !inString, Self.isWhitespace(byte) {
                copyRun(upTo: at)
                runStart = at + 1
            }
        }
        copyRun(upTo: range.upperBound)
        return copied
    }
}

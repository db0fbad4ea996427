/// Finds the error point of a body (spec Section 4.1) octet by octet, without the reference parser.
///
///     {"in":"ping","params":"\ud83d"}
///                            │     └ 29: the error point, the first octet that cannot continue the body
///                            └ 23: the interrupted token, the escape that needs a low surrogate after it
///
/// The scanner is a pushdown automaton for "the beginning of some body that passes steps 1 to 3": UTF-8
/// inside strings, JSON everywhere, paired surrogate escapes, no BOM or NaN (neither can begin a value),
/// and at most `maxDepth` open arrays and objects. It stops at the first octet it cannot take; that is the
/// error point. The token it was inside then, if unfinished, is the interrupted token.
struct ErrorPointScanner {
    /// The error point and the first octet of the interrupted token, if there is one.
    struct Stop: Equatable {
        var errorPoint: Int
        var interruptedToken: Int?
    }

    private enum Container { case array, object }

    private enum Number {
        case minus, zero, integer, dot, fraction, exponent, exponentSign, exponentDigits
        var isComplete: Bool { self == .zero || self == .integer || self == .fraction || self == .exponentDigits }
    }

    private enum InString: Equatable {
        case plain
        /// Inside a multi-octet UTF-8 sequence: octets still to come, and the range the next one must be in.
        case sequence(start: Int, remaining: Int, next: ClosedRange<UInt8>)
        /// After a `\`.
        case escape(start: Int)
        /// Inside `\uXXXX`: the escape's start, digits so far, their value, and the start of the pair when this
        /// is the low half.
        case unicode(start: Int, digits: Int, value: UInt32, pair: Int?)
        /// After a high surrogate escape: `\` (step 0), then `u` (step 1) of the low half must follow.
        case awaitingLowHalf(pair: Int, step: Int)

        /// The first octet of the innermost unfinished token inside the string, if any.
        var tokenStart: Int? {
            switch self {
            case .plain: return nil
            case .sequence(let start, _, _), .escape(let start): return start
            case .unicode(let start, _, _, let pair): return pair ?? start
            case .awaitingLowHalf(let pair, _): return pair
            }
        }
    }

    private enum Mode {
        case value(closeAllowed: Bool)
        case name(closeAllowed: Bool)
        case colon
        case afterValue
        case string(start: Int, isName: Bool, InString)
        case literal(start: Int, word: [UInt8], matched: Int)
        case number(start: Int, Number)
    }

    /// Where `body` stops being the beginning of an acceptable body; `nil` when it is an acceptable body.
    static func scan(_ body: [UInt8], maxDepth: Int) -> Stop? {
        var open: [Container] = []
        var mode = Mode.value(closeAllowed: false)
        var index = 0
        while index < body.count {
            let octet = body[index]
            let isSpace = octet == 0x20 || octet == 0x09 || octet == 0x0A || octet == 0x0D
            switch mode {
            case .value(let closeAllowed):
                if isSpace { break }
                switch octet {
                case UInt8(ascii: "\""): mode = .string(start: index, isName: false, .plain)
                case UInt8(ascii: "t"): mode = .literal(start: index, word: Array("true".utf8), matched: 1)
                case UInt8(ascii: "f"): mode = .literal(start: index, word: Array("false".utf8), matched: 1)
                case UInt8(ascii: "n"): mode = .literal(start: index, word: Array("null".utf8), matched: 1)
                case UInt8(ascii: "-"): mode = .number(start: index, .minus)
                case UInt8(ascii: "0"): mode = .number(start: index, .zero)
                case UInt8(ascii: "1")...UInt8(ascii: "9"): mode = .number(start: index, .integer)
                case UInt8(ascii: "["), UInt8(ascii: "{"):
                    guard open.count < maxDepth else { return Stop(errorPoint: index) }
                    open.append(octet == UInt8(ascii: "[") ? .array : .object)
                    mode = octet == UInt8(ascii: "[") ? .value(closeAllowed: true) : .name(closeAllowed: true)
                case UInt8(ascii: "]") where closeAllowed:
                    open.removeLast()
                    mode = .afterValue
                default: return Stop(errorPoint: index)
                }
            case .name(let closeAllowed):
                if isSpace { break }
                if octet == UInt8(ascii: "\"") {
                    mode = .string(start: index, isName: true, .plain)
                } else if octet == UInt8(ascii: "}"), closeAllowed {
                    open.removeLast()
                    mode = .afterValue
                } else {
                    return Stop(errorPoint: index)
                }
            case .colon:
                if isSpace { break }
                guard octet == UInt8(ascii: ":") else { return Stop(errorPoint: index) }
                mode = .value(closeAllowed: false)
            case .afterValue:
                if isSpace { break }
                switch (open.last, octet) {
                case (.array?, UInt8(ascii: ",")): mode = .value(closeAllowed: false)
                case (.object?, UInt8(ascii: ",")): mode = .name(closeAllowed: false)
                case (.array?, UInt8(ascii: "]")), (.object?, UInt8(ascii: "}")): open.removeLast()
                default: return Stop(errorPoint: index)
                }
            case .literal(let start, let word, let matched):
                guard octet == word[matched] else { return Stop(errorPoint: index, interruptedToken: start) }
                mode = matched + 1 == word.count ? .afterValue : .literal(start: start, word: word, matched: matched + 1)
            case .number(let start, let state):
                if let next = Self.number(state, then: octet) {
                    mode = .number(start: start, next)
                } else if state.isComplete {
                    mode = .afterValue
                    continue  // the octet after a complete number is read again, as what follows a value
                } else {
                    return Stop(errorPoint: index, interruptedToken: start)
                }
            case .string(let start, let isName, let inside):
                switch Self.string(inside, octet, at: index) {
                case .continues(let next): mode = .string(start: start, isName: isName, next)
                case .closes: mode = isName ? .colon : .afterValue
                case .fails: return Stop(errorPoint: index, interruptedToken: inside.tokenStart ?? start)
                }
            }
            index += 1
        }
        switch mode {
        case .afterValue where open.isEmpty: return nil
        case .number(_, let state) where open.isEmpty && state.isComplete: return nil
        case .literal(let start, _, _): return Stop(errorPoint: body.count, interruptedToken: start)
        case .number(let start, let state): return Stop(errorPoint: body.count, interruptedToken: state.isComplete ? nil : start)
        case .string(let start, _, let inside): return Stop(errorPoint: body.count, interruptedToken: inside.tokenStart ?? start)
        default: return Stop(errorPoint: body.count)
        }
    }

    /// The number state after `octet`, or `nil` when `octet` does not continue the number.
    private static func number(_ state: Number, then octet: UInt8) -> Number? {
        let digit = octet >= UInt8(ascii: "0") && octet <= UInt8(ascii: "9")
        let e = octet == UInt8(ascii: "e") || octet == UInt8(ascii: "E")
        switch state {
        case .minus: return octet == UInt8(ascii: "0") ? .zero : digit ? .integer : nil
        case .zero: return octet == UInt8(ascii: ".") ? .dot : e ? .exponent : nil
        case .integer: return digit ? .integer : octet == UInt8(ascii: ".") ? .dot : e ? .exponent : nil
        case .dot, .fraction: return digit ? .fraction : (state == .fraction && e) ? .exponent : nil
        case .exponent: return octet == UInt8(ascii: "+") || octet == UInt8(ascii: "-") ? .exponentSign : digit ? .exponentDigits : nil
        case .exponentSign, .exponentDigits: return digit ? .exponentDigits : nil
        }
    }

    private enum StringStep {
        case continues(InString)
        case closes, fails
    }

    /// One octet inside a string.
    private static func string(_ inside: InString, _ octet: UInt8, at index: Int) -> StringStep {
        switch inside {
        case .plain:
            if octet == UInt8(ascii: "\"") { return .closes }
            if octet == UInt8(ascii: "\\") { return .continues(.escape(start: index)) }
            if octet < 0x20 { return .fails }
            if octet < 0x80 { return .continues(.plain) }
            guard let lead = UTF8Defect.lead(octet) else { return .fails }
            return .continues(.sequence(start: index, remaining: lead.length - 1, next: lead.second))
        case .sequence(let start, let remaining, let next):
            guard next.contains(octet) else { return .fails }
            return .continues(remaining == 1 ? .plain : .sequence(start: start, remaining: remaining - 1, next: 0x80...0xBF))
        case .escape(let start):
            if Array(#""\/bfnrt"#.utf8).contains(octet) { return .continues(.plain) }
            return octet == UInt8(ascii: "u") ? .continues(.unicode(start: start, digits: 0, value: 0, pair: nil)) : .fails
        case .unicode(let start, let digits, let value, let pair):
            guard let digit = hexDigit(octet) else { return .fails }
            let value = value << 4 | digit
            let digits = digits + 1
            if pair != nil, digits == 1, value != 0xD { return .fails }  // the low half starts \uD
            if digits == 2, pair == nil, (0xDC...0xDF).contains(value) { return .fails }  // no escape starts low
            if digits == 2, pair != nil, !(0xDC...0xDF).contains(value) { return .fails }  // the low half is low
            guard digits == 4 else { return .continues(.unicode(start: start, digits: digits, value: value, pair: pair)) }
            return .continues(pair == nil && (0xD800...0xDBFF).contains(value) ? .awaitingLowHalf(pair: start, step: 0) : .plain)
        case .awaitingLowHalf(let pair, let step):
            if step == 0 { return octet == UInt8(ascii: "\\") ? .continues(.awaitingLowHalf(pair: pair, step: 1)) : .fails }
            return octet == UInt8(ascii: "u") ? .continues(.unicode(start: index - 1, digits: 0, value: 0, pair: pair)) : .fails
        }
    }

    private static func hexDigit(_ octet: UInt8) -> UInt32? {
        switch octet {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(octet - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(octet - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(octet - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }
}

extension ErrorPointScanner.Stop {
    init(errorPoint: Int) { self.init(errorPoint: errorPoint, interruptedToken: nil) }
}

import LPJWire

/// A ping holding numbers that binary64 cannot hold finitely (`1e400`, `-1e400`), answered with an error.
/// Spec Section 5.2 and `msg.ping.echo`: a representation that cannot hold such a number may answer an
/// error response instead of an echo, as it documents (`body.numbers.documented`) — never `invalid-json`
/// (`body.numbers.no-reject`: the body is valid) nor `invalid-params` (`msg.ping.no-invalid-params`).
enum UnholdableNumbers {
    /// Whether `value` holds a number that binary64 cannot hold finitely: one whose nearest binary64
    /// value is an infinity.
    static func held(in value: JSONValue) -> Bool {
        var pending = [value]
        while let next = pending.popLast() {
            switch next {
            case .number(let number) where number.doubleValue.isInfinite: return true
            case .array(let items): pending += items
            case .object(let object): pending += object.members.map(\.value)
            default: continue
            }
        }
        return false
    }

    /// What an error answer to such a ping breaks: `invalid-json` and `invalid-params` their items;
    /// another code leaves the numbers unechoed (`msg.ping-echo-exact`, a warning), or is false to a stated
    /// representation that holds them (`text`, `decimal`: `msg.describe.choices-true`). Nil for a success,
    /// which the echo's own checks judge.
    static func violation(_ response: Response, statedNumbers: String?) -> Violation? {
        guard let error = response.errorResult else { return nil }
        let what = "a ping holding numbers beyond binary64 (1e400) answered \(error)"
        switch error.code {
        case WireError.Code.invalidJSON.rawValue:
            return Violation(.numbersNotRejected, "\(what): a number's magnitude never makes a body invalid JSON")
        case WireError.Code.invalidParams.rawValue:
            return Violation(.pingNoInvalidParams, "\(what): ping has no invalid params")
        default:
            if let statedNumbers, statedNumbers == "text" || statedNumbers == "decimal" {
                return Violation(.describeStatedChoices, "\(what), but lpj.describe states numbers \"\(statedNumbers)\", which holds them")
            }
            return Violation(
                .echoExact,
                "\(what): a representation that cannot hold them (binary64) may answer so when it documents it, but they are not echoed")
        }
    }
}

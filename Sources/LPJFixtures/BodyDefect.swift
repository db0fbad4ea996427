import LPJWire

/// What is wrong with a body that fails steps 1 to 3 of spec Section 4, and the offsets a receiver may
/// report for it (spec Section 4.1), derived from the octets alone:
///
///     body                                   code           offsets
///     {"in":"ping","params":"caf e9 "}       invalid-utf8   [26, 27]   S, U of the ill-formed sequence
///     {"params": -Infinity, "in": "ping"}    invalid-json   [11, 12]   the interrupted number, the error point
///     {"in":"ping","params":[1,]}            invalid-json   [25]       the error point
///
/// The generator lists these offsets in the manifest and checks that the reference parser reports one of
/// them, with the same code.
public struct BodyDefect: Equatable, Sendable {
    /// `invalid-utf8` or `invalid-json`.
    public var code: WireError.Code
    /// The accepted offsets, ascending: one, or the two natural readings.
    public var offsets: [Int]

    public init(code: WireError.Code, offsets: [Int]) {
        self.code = code
        self.offsets = offsets
    }

    /// The defect of `body` for a receiver with depth limit `maxDepth`, or `nil` when the body passes steps 1
    /// to 3 (it may still fail later steps: not an object, no `in`, ...).
    public static func find(in body: [UInt8], maxDepth: Int = JSONParser.Options.defaultMaxDepth) -> BodyDefect? {
        guard let stop = ErrorPointScanner.scan(body, maxDepth: maxDepth) else { return nil }
        // A UTF-8 defect begins at S, a JSON defect at its error point; a tie goes to invalid-utf8.
        if let sequence = UTF8Defect.first(in: body), sequence.start <= stop.errorPoint {
            return BodyDefect(code: .invalidUTF8, offsets: Set([sequence.start, sequence.end]).sorted())
        }
        return BodyDefect(code: .invalidJSON, offsets: Set([stop.errorPoint] + [stop.interruptedToken].compactMap { $0 }).sorted())
    }
}

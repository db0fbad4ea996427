/// The first ill-formed UTF-8 sequence of a body (spec Section 4.1): where it starts, *S*, and its end
/// point, *U*, the first octet from *S* on that cannot continue a well-formed sequence begun at *S*.
///
///     7b 22 ed a0 80 22 7d        ed a0 80: an encoded surrogate
///           └ S = 2  └ U = 3      (a0 cannot follow ed)
struct UTF8Defect: Equatable {
    var start: Int
    var end: Int

    /// The first ill-formed sequence of `body`, or `nil` when it is well-formed UTF-8 ([UNICODE] Table 3-7).
    static func first(in body: [UInt8]) -> UTF8Defect? {
        var index = 0
        while index < body.count {
            let octet = body[index]
            if octet < 0x80 {
                index += 1
                continue
            }
            guard let lead = lead(octet) else { return UTF8Defect(start: index, end: index) }
            var next = lead.second
            for offset in 1..<lead.length {
                guard index + offset < body.count else { return UTF8Defect(start: index, end: body.count) }
                guard next.contains(body[index + offset]) else { return UTF8Defect(start: index, end: index + offset) }
                next = 0x80...0xBF
            }
            index += lead.length
        }
        return nil
    }

    /// The length of the sequence a lead octet begins and the range its second octet must be in; `nil` for
    /// octets that cannot begin a sequence (continuation octets, `c0`, `c1`, `f5` to `ff`).
    static func lead(_ octet: UInt8) -> (length: Int, second: ClosedRange<UInt8>)? {
        switch octet {
        case 0xC2...0xDF: return (2, 0x80...0xBF)
        case 0xE0: return (3, 0xA0...0xBF)
        case 0xE1...0xEC, 0xEE...0xEF: return (3, 0x80...0xBF)
        case 0xED: return (3, 0x80...0x9F)
        case 0xF0: return (4, 0x90...0xBF)
        case 0xF1...0xF3: return (4, 0x80...0xBF)
        case 0xF4: return (4, 0x80...0x8F)
        default: return nil
        }
    }
}

/// A deliberate bug the server can be started with (`lpj serve --fault NAME`), each one a mistake real
/// peers make, so that a conformance checker can be shown to catch it.
public enum ServerFault: String, CaseIterable, Sendable {
    case bigEndianLength = "big-endian-length"
    case lengthInCharacters = "length-in-characters"
    case singleRead = "single-read"
    case reorderPipelined = "reorder-pipelined"
    case noErrorReply = "no-error-reply"
    case nanOutput = "nan-output"
    case limitOffByOne = "limit-off-by-one"
    case splitWrites = "split-writes"
    case crashOnShortRead = "crash-on-short-read"

    /// One line on the bug, for `--help` and the docs.
    public var summary: String {
        switch self {
        case .bigEndianLength:
            return "writes response prefixes byte-swapped: big-endian while reading little-endian, and the reverse (breaks order.same-both-directions)"
        case .lengthInCharacters: return "counts characters, not octets, in response prefixes (breaks frame.length-counts-octets)"
        case .singleRead: return "takes each read as one whole frame, like recv(4) then recv(n) once (breaks frame.reads-are-partial)"
        case .reorderPipelined: return "answers the requests of one read in reverse order (breaks conn.in-order)"
        case .noErrorReply: return "closes the connection instead of answering an unknown method, as legacy servers do (breaks msg.unknown-method)"
        case .nanOutput: return "echoes non-integral numbers as NaN, as Python's json.dumps allows (breaks body.no-nonfinite)"
        case .limitOffByOne: return "refuses a body of exactly the limit (breaks frame.max-size-configurable's inclusive limit)"
        case .splitWrites: return "writes prefix and body in two writes with Nagle on (breaks frame.single-write: delayed-ACK stalls)"
        case .crashOnShortRead: return "dies when a read ends inside a prefix, as struct.unpack on a short recv(4) does (breaks conn.eof-inside-frame)"
        }
    }
}

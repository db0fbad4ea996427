/// The order in which the two members of a message envelope are written. Receivers ignore it
/// (`msg.member-order`); senders that must match legacy bytes exactly need it.
public enum EnvelopeOrder: String, Hashable, Sendable, CaseIterable {
    /// `{"in": ..., "params": ...}` and `{"out": ..., "result": ...}`.
    case method
    /// `{"params": ..., "in": ...}` and `{"result": ..., "out": ...}`: what CPython 2.7's `json.dumps` writes,
    /// because of the order its dict hashes the two names.
    case cpython27
}

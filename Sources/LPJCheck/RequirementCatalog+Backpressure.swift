/// The requirements of reading on while a connection cannot keep up (Section 7.2), of extension work that
/// must not hold other connections up, and of the relay's refused upstreams (Section 8).
extension RequirementID {
    // MARK: Memory per connection (Section 7.2)
    public static let bufferBoundUnprocessed: RequirementID = "sec.buffer-bound.unprocessed"
    public static let bufferBoundUnwritten: RequirementID = "sec.buffer-bound.unwritten"

    // MARK: Extensions (Section 8)
    public static let relayNotBlocking: RequirementID = "ext.relay.not-blocking"
    public static let relayRefusedUpstream: RequirementID = "ext.relay.refused-upstream"
    public static let relayDocumentationRefused: RequirementID = "ext.relay.documentation-refused"

    /// The constants above, for `RequirementCatalog.cited`.
    static let backpressure: [RequirementID] = [
        bufferBoundUnprocessed, bufferBoundUnwritten, relayNotBlocking, relayRefusedUpstream, relayDocumentationRefused,
    ]
}

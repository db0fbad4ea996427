/// The requirements of time bounds and recommended defaults: what a server states about its bounds in
/// `lpj.describe`, what it does when a frame or a reader stalls, and what it does unconfigured.
extension RequirementID {
    // MARK: Slow senders and slow readers (Section 7.3)
    public static let slowSenderBound: RequirementID = "sec.slow-sender.bound"
    public static let slowSenderDefault: RequirementID = "sec.slow-sender.default"
    public static let slowSenderNoResponse: RequirementID = "sec.slow-sender.no-response"
    public static let slowSenderEarlierResponses: RequirementID = "sec.slow-sender.earlier-responses"
    public static let slowReaderBound: RequirementID = "sec.slow-reader.bound"
    public static let slowReaderMinimum: RequirementID = "sec.slow-reader.minimum"

    // MARK: Recommended defaults (judged only under --defaults)
    public static let idleDefault: RequirementID = "conn.idle-timeout.default"
    public static let maxSizeDefault: RequirementID = "frame.max-size-configurable.default"
    public static let littleSupport: RequirementID = "order.little-default.support"

    /// The constants above, for `RequirementCatalog.cited`.
    static let bounds: [RequirementID] = [
        slowSenderBound, slowSenderDefault, slowSenderNoResponse, slowSenderEarlierResponses, slowReaderBound, slowReaderMinimum,
        idleDefault, maxSizeDefault, littleSupport,
    ]
}

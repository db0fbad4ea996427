/// Requirements the runner names only after reading how a stream broke or how a configuration was
/// resolved: a frame written inside another, a "native" setting that chose the wrong order.
extension RequirementID {
    public static let inOrderContiguous: RequirementID = "conn.in-order.contiguous"
    public static let nativeResolve: RequirementID = "order.native-is-legacy.resolve"
    public static let littleSupportConfigured: RequirementID = "order.little-default.support"
}

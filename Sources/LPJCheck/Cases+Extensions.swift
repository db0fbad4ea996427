import LPJWire

extension CaseCatalog {
    /// The reference extensions, when the server lists them: `sleep` and `relay`.
    static let extensionCases: [CheckCase] = []
}

import ArgumentParser
import LPJServer

extension ServerModel {
    /// The models named in a `--models` list (`event-loop,coroutine`), or every model for `nil`.
    static func parseList(_ list: String?) throws -> [ServerModel] {
        guard let list else { return allCases }
        return try list.split(separator: ",").map { name in
            guard let model = ServerModel(rawValue: String(name)) else {
                throw ValidationError("unknown model \(name); the models are \(allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return model
        }
    }
}

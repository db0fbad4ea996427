import Foundation

/// Runs each file named in `paths` (or every file in a named folder) once through `target`: how a fuzz
/// target built without libFuzzer replays a corpus or a crash input.
public func replayFiles(_ paths: some Sequence<String>, through target: (UnsafeRawBufferPointer) -> Void) throws {
    var count = 0
    for path in paths {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw ReplayError(description: "no such file: \(path)")
        }
        let files = isFolder.boolValue
            ? try FileManager.default.contentsOfDirectory(atPath: path).sorted().map { "\(path)/\($0)" }
            : [path]
        for file in files {
            let data = try Data(contentsOf: URL(fileURLWithPath: file))
            data.withUnsafeBytes { target($0) }
            count += 1
        }
    }
    print("replayed \(count) inputs: no crash")
}

public struct ReplayError: Error, CustomStringConvertible {
    public var description: String
}

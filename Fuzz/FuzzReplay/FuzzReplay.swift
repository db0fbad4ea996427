import Foundation

#if LPJ_FUZZ
import CLibFuzzer
#endif

/// The entry of a fuzz target: built with `-sanitize=fuzzer -DLPJ_FUZZ`, hands the command line to
/// libFuzzer, which calls `target` once per input; built plainly, replays each file named on the
/// command line (or every file in a named folder) once through `target`.
public func runFuzzTarget(_ target: @escaping @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) throws -> Never {
    #if LPJ_FUZZ
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv, target))
    #else
    try replayFiles(CommandLine.arguments.dropFirst()) { bytes in
        _ = target(bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count)
    }
    exit(0)
    #endif
}

/// Runs each file named in `paths` (or every file in a named folder) once through `target`.
public func replayFiles(_ paths: some Sequence<String>, through target: (UnsafeRawBufferPointer) -> Void) throws {
    var count = 0
    for path in paths {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw ReplayError(description: "no such file: \(path)")
        }
        let files =
            isFolder.boolValue
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

import Foundation

/// `lpj serve --port 0 ARGUMENTS` started as a child process: its port, read from the listening line,
/// and a clean stop. The embedded `lpj check`, `lpj bench` and the test suites start servers this way.
public final class SpawnedServer {
    public let process = Process()
    public let port: Int
    /// Signalled once, when the process has exited.
    private let exited = DispatchSemaphore(value: 0)

    /// The server's standard error, when the caller asked to read it; otherwise it is inherited.
    public let standardError: Pipe?

    /// Starts `executable serve --port 0 ARGUMENTS` and waits (up to 10 s) for its listening line.
    public convenience init(executable: URL, arguments: [String], capturingStandardError: Bool = false) throws {
        try self.init(command: executable, arguments: ["serve", "--port", "0"] + arguments, capturingStandardError: capturingStandardError)
    }

    /// Starts any server that prints `listening on HOST:PORT` on its first line of standard output (the
    /// C baseline does) and waits up to 10 s for that line.
    public init(command executable: URL, arguments: [String], capturingStandardError: Bool = false) throws {
        process.executableURL = executable
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        standardError = capturingStandardError ? Pipe() : nil
        if let standardError { process.standardError = standardError }
        process.terminationHandler = { [exited] _ in exited.signal() }
        try process.run()
        var text = ""
        let deadline = Date().addingTimeInterval(10)
        while !text.contains("\n"), Date() < deadline {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        guard let range = text.range(of: #"listening on (\[[0-9A-Fa-f:.]+\]|[^\s:\[\]]+):\d+"#, options: .regularExpression),
            let port = Int(text[range].split(separator: ":").last!)
        else {
            process.terminate()
            throw SpawnError(description: "\(executable.lastPathComponent) \(arguments.joined(separator: " ")) printed no listening line: \(text)")
        }
        self.port = port
    }

    public var pid: Int32 { process.processIdentifier }

    /// Sends SIGTERM and waits up to 10 s, then SIGKILL: the exit status. A child started from a thread
    /// that blocks SIGTERM inherits the block and never sees the signal; the kill ends it anyway.
    @discardableResult
    public func stop() -> Int32 {
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        if exited.wait(timeout: .now() + 10) == .timedOut { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return process.terminationStatus
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// Why a server could not be started.
    public struct SpawnError: Error, CustomStringConvertible {
        public var description: String
    }
}

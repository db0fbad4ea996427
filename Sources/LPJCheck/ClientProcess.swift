import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A client under test: `/bin/sh -c COMMAND` in a process group of its own, standard input from
/// `/dev/null`, standard output and standard error to files (a client printing a 512 KiB response must
/// never block on a full pipe), `SIGPIPE` at its default. `kill` ends the whole group, so a shell and
/// the client it started go together.
final class ClientProcess {
    /// How a client process ended.
    enum Ending: Equatable, CustomStringConvertible {
        case exited(Int32)
        case signalled(Int32)

        var description: String {
            switch self {
            case .exited(let status): return "exit \(status)"
            case .signalled(let signal): return "killed by signal \(signal)\(ClientProcess.signalName(signal).map { " (\($0))" } ?? "")"
            }
        }
    }

    let pid: pid_t
    private let outputPath: String
    private let errorPath: String
    private(set) var ending: Ending?

    /// Starts `command` under `/bin/sh -c`. Throws when the shell itself cannot be started.
    init(command: String) throws {
        let directory = FileManager.default.temporaryDirectory.path
        let unique = UUID().uuidString
        outputPath = "\(directory)/lpj-check-client-\(unique).out"
        errorPath = "\(directory)/lpj-check-client-\(unique).err"

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errorPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &unblocked)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let arguments: [UnsafeMutablePointer<CChar>?] = ["/bin/sh", "-c", command].map { (word: String) in strdup(word) }
        defer { for argument in arguments { free(argument) } }
        var argv: [UnsafeMutablePointer<CChar>?] = arguments + [nil]
        var child: pid_t = 0
        let result = posix_spawn(&child, "/bin/sh", &actions, &attributes, &argv, environ)
        guard result == 0 else { throw ClientProcessError(description: "could not start /bin/sh: \(String(cString: strerror(result)))") }
        pid = child
    }

    deinit {
        if ending == nil { kill() }
        unlink(outputPath)
        unlink(errorPath)
    }

    /// Whether the process has ended (and reaps it when it has).
    var hasEnded: Bool {
        if ending != nil { return true }
        var status: Int32 = 0
        guard waitpid(pid, &status, WNOHANG) == pid else { return false }
        ending = Self.ending(status)
        return true
    }

    /// Waits until the process ends or `milliseconds` pass: whether it ended.
    func wait(milliseconds: Int) -> Bool {
        let deadline = Date().addingTimeInterval(Double(milliseconds) / 1_000)
        while !hasEnded {
            if Date() >= deadline { return false }
            usleep(2_000)
        }
        return true
    }

    /// Kills the process group with `SIGKILL` and reaps the process.
    func kill() {
        guard ending == nil else { return }
        _ = Glibc.kill(-pid, SIGKILL)
        _ = Glibc.kill(pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        ending = Self.ending(status)
    }

    /// What the client wrote to standard output (at most `limit` octets).
    func standardOutput(limit: Int = 16 << 20) -> [UInt8] { Self.read(outputPath, limit: limit) }

    /// What the client wrote to standard error, as text (at most 64 KiB).
    func standardError() -> String { String(decoding: Self.read(errorPath, limit: 65_536), as: UTF8.self) }

    private static func read(_ path: String, limit: Int) -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? handle.close() }
        return Array((try? handle.read(upToCount: limit)) ?? Data())
    }

    private static func ending(_ status: Int32) -> Ending {
        let low = status & 0x7f
        return low == 0 ? .exited((status >> 8) & 0xff) : .signalled(low)
    }

    static func signalName(_ signal: Int32) -> String? {
        [
            SIGSEGV: "SIGSEGV", SIGABRT: "SIGABRT", SIGKILL: "SIGKILL", SIGTERM: "SIGTERM", SIGPIPE: "SIGPIPE", SIGBUS: "SIGBUS",
            SIGILL: "SIGILL", SIGFPE: "SIGFPE", SIGTRAP: "SIGTRAP", SIGINT: "SIGINT",
        ][signal]
    }
}

/// The client's command could not be started at all.
struct ClientProcessError: Error, CustomStringConvertible {
    var description: String
}

import Foundation

/// A process and its children, read from /proc: what the soak, the flood and the idle-memory measurement
/// report, and what the process-model tests check (no zombies, no stray workers).
public enum ProcessTree {
    public struct Child: Sendable, CustomStringConvertible {
        public var pid: Int32
        /// The state letter of /proc/PID/stat: `Z` for a zombie.
        public var state: String
        public var description: String { "\(pid) \(state)" }
    }

    /// Children of `pid` with their states.
    public static func children(of pid: Int32) -> [Child] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> Child? in
            guard let child = Int32(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return nil }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 2, Int32(fields[1]) == pid else { return nil }
            return Child(pid: child, state: String(fields[0]))
        }
    }

    /// VmRSS of `pid` alone, in octets.
    public static func residentBytes(of pid: Int32) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
            let kilobytes = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        else {
            throw ProcessTreeError(description: "no VmRSS in /proc/\(pid)/status")
        }
        return kilobytes * 1024
    }

    /// Open descriptors of `pid` alone.
    public static func descriptorCount(of pid: Int32) -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? 0
    }

    /// VmRSS of `pid` and its children, in octets.
    public static func resident(_ pid: Int32) -> Int {
        ([pid] + children(of: pid).map(\.pid)).reduce(0) { $0 + ((try? residentBytes(of: $1)) ?? 0) }
    }

    /// Open descriptors of `pid` and its children.
    public static func descriptors(_ pid: Int32) -> Int {
        ([pid] + children(of: pid).map(\.pid)).reduce(0) { $0 + descriptorCount(of: $1) }
    }

    /// CPU seconds (user + system) of `pid`, all its threads and its reaped children, and of its live
    /// children likewise: field 14 to 17 of /proc/PID/stat, in clock ticks.
    public static func cpuSeconds(_ pid: Int32) -> Double {
        let ticks = ([pid] + children(of: pid).map(\.pid)).reduce(0) { total, pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return total }
            // After the name: state is field 3, so utime, stime, cutime and cstime (14 to 17) are 11 to 14 here.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 14 else { return total }
            return total + fields[11...14].reduce(0) { $0 + (Int($1) ?? 0) }
        }
        return Double(ticks) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}

/// A /proc file without the line asked for.
public struct ProcessTreeError: Error, CustomStringConvertible {
    public var description: String
}

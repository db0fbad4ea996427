import Foundation
import LPJSockets
import LPJWire

/// What one load run measured.
public struct BenchResult: Sendable {
    public var configuration: BenchConfiguration
    /// Seconds actually measured (the duration, as the loop's clock saw it).
    public var seconds: Double
    /// Responses received and checked during the measured seconds, good or bad.
    public var responses: Int
    /// Of those, responses that failed the check (error responses, wrong result, undecodable).
    public var errors: Int
    /// Requests still unanswered when the run ended and the drain time ran out.
    public var unanswered: Int
    /// Connections lost before the end of the run.
    public var connectionsLost: Int
    /// The first few problems, for the report.
    public var problems: [String]
    /// Latency percentiles in microseconds: from writing a request to reading its response.
    public var p50: Double, p90: Double, p99: Double, max: Double

    /// Checked, correct responses per second.
    public var requestsPerSecond: Double { seconds > 0 ? Double(responses - errors) / seconds : 0 }

    /// Whether every response passed its check and nothing was lost.
    public var isClean: Bool { errors == 0 && unanswered == 0 && connectionsLost == 0 && responses > 0 }

    /// One line of JSON, field names in snake case like the C load generator's.
    public var json: String {
        let problemsJSON = problems.map { JSONWriter.string(.string($0)) }.joined(separator: ",")
        return "{\"tool\":\"lpj bench\",\"host\":\(JSONWriter.string(.string(configuration.host))),\"port\":\(configuration.port),"
            + "\"method\":\(JSONWriter.string(.string(configuration.method))),"
            + "\"connections\":\(configuration.connections),\"depth\":\(configuration.depth),"
            + "\"seconds\":\(Self.fixed(seconds, 3)),\"responses\":\(responses),\"errors\":\(errors),"
            + "\"unanswered\":\(unanswered),\"connections_lost\":\(connectionsLost),"
            + "\"requests_per_second\":\(Self.fixed(requestsPerSecond, 1)),"
            + "\"latency_us\":{\"p50\":\(Self.fixed(p50, 1)),\"p90\":\(Self.fixed(p90, 1)),\"p99\":\(Self.fixed(p99, 1)),\"max\":\(Self.fixed(max, 1))},"
            + "\"problems\":[\(problemsJSON)]}"
    }

    /// A short summary for people.
    public var summary: String {
        var lines = [
            "lpj bench \(HostPort(host: configuration.host, port: configuration.port)): \(configuration.method), \(configuration.connections) connections × depth \(configuration.depth), \(Self.fixed(seconds, 1)) s",
            "  requests/s  \(Self.fixed(requestsPerSecond, 0))   (\(responses) responses, \(errors) errors, \(unanswered) unanswered, \(connectionsLost) connections lost)",
            "  latency     p50 \(Self.micros(p50))   p90 \(Self.micros(p90))   p99 \(Self.micros(p99))   max \(Self.micros(max))",
        ]
        for problem in problems { lines.append("  problem: \(problem)") }
        return lines.joined(separator: "\n")
    }

    public static func fixed(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }

    public static func micros(_ value: Double) -> String {
        value >= 1000 ? "\(fixed(value / 1000, 2)) ms" : "\(fixed(value, 0)) µs"
    }
}

/// A once-a-second view of a run in progress.
public struct BenchProgress: Sendable {
    public var elapsedSeconds: Double
    public var isWarmingUp: Bool
    public var responses: Int
    public var errors: Int
    /// Responses in the last second.
    public var lastSecond: Int

    public var line: String {
        let phase = isWarmingUp ? "warm-up" : "measuring"
        return "\(phase) \(BenchResult.fixed(elapsedSeconds, 0)) s: \(responses) responses, \(errors) errors, \(lastSecond) in the last second"
    }
}

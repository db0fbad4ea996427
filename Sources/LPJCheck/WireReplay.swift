import Foundation
import LPJSockets
import LPJWire
import NIOCore

/// Repeats what a case did on the wire, from its `WireLog`s: every connection opened, every write with
/// the same octets in the same boundaries, every half-close and close, each at the time the log gives
/// it since the case began; and reads whatever comes back meanwhile, logging it as a case's run would.
///
/// One thread runs one timeline: the actions of all connections merged in time order, so connections
/// that overlapped in the case overlap in the replay, and one that followed another follows it. Between
/// actions every open connection is read. An action the case took after receiving N octets on its
/// connection also waits for N octets (or the server's close, or `quietMilliseconds` of silence), so a
/// close does not overtake the answer it followed; the time such a wait adds delays every later action
/// alike, keeping the pauses between them. After the last action reading goes on until every connection
/// is closed by the server or `quietMilliseconds` pass without octets.
///
/// Octets the report did not keep (past 64 KiB per direction) cannot be repeated: such a write sends the
/// octets kept, and `shortened` says how many writes were cut.
public struct WireReplay {
    public var host: String
    public var port: Int
    public var logs: [WireLog]
    /// How long to keep reading after the last action while nothing comes.
    public var quietMilliseconds: Int

    public init(host: String, port: Int, logs: [WireLog], quietMilliseconds: Int = 2_000) {
        self.host = host
        self.port = port
        self.logs = logs
        self.quietMilliseconds = quietMilliseconds
    }

    /// What the replay did and got: a log per connection, in the same numbering.
    public struct Outcome {
        public var wire: [WireLog]
        /// Writes whose octets the report kept only in part (sent shortened).
        public var shortened: Int
        /// Connections that could not be opened, with why.
        public var failures: [String]
    }

    /// One thing the checker did, at `milliseconds`.
    struct Action {
        var milliseconds: Double
        var connection: Int
        var event: WireEvent
        /// Octets the connection had received when the case took this action.
        var receivedBefore: Int
    }

    /// The checker's own events of every log, in time order (connection order for equal times).
    var timeline: [Action] {
        logs.flatMap { log in
            var received = 0
            return log.events.compactMap { event -> Action? in
                if event.kind == .received { received += event.octetCount }
                guard [.connected, .sent, .halfClosed, .closed].contains(event.kind) else { return nil }
                return Action(milliseconds: event.milliseconds, connection: log.connection, event: event, receivedBefore: received)
            }
        }.enumerated().sorted { ($0.element.milliseconds, $0.offset) < ($1.element.milliseconds, $1.offset) }.map(\.element)
    }

    public func run() -> Outcome {
        let (outcome, wire) = WireRecorder.record { play() }
        var result = outcome
        result.wire = wire
        return result
    }

    private func play() -> Outcome {
        var outcome = Outcome(wire: [], shortened: 0, failures: [])
        var open: [Int: ProbeConnection] = [:]
        var ended: Set<Int> = []
        var received: [Int: Int] = [:]
        var lateness = 0.0
        let start = ContinuousClock.now
        func elapsed() -> Double {
            let time = ContinuousClock.now - start
            return Double(time.components.seconds) * 1_000 + Double(time.components.attoseconds) / 1e15
        }
        for action in timeline {
            readUntil(milliseconds: action.milliseconds + lateness, elapsed: elapsed, open: &open, ended: &ended, received: &received)
            var quietEnd = elapsed() + Double(quietMilliseconds)
            while (received[action.connection] ?? 0) < action.receivedBefore, open[action.connection] != nil,
                !ended.contains(action.connection), elapsed() < quietEnd
            {
                if readUntil(milliseconds: quietEnd, elapsed: elapsed, open: &open, ended: &ended, received: &received, returnOnData: true) {
                    quietEnd = elapsed() + Double(quietMilliseconds)
                }
            }
            lateness = max(lateness, elapsed() - action.milliseconds)
            switch action.event.kind {
            case .connected:
                do {
                    open[action.connection] = try ProbeConnection(
                        host: host, port: port, byteOrder: .little, timeoutMilliseconds: 2_000, responseLimit: 1 << 20)
                } catch {
                    outcome.failures.append("connection \(action.connection): \(error)")
                }
            case .sent:
                guard let connection = open[action.connection], !ended.contains(action.connection) else { continue }
                if action.event.octets.count < action.event.octetCount { outcome.shortened += 1 }
                do { try connection.write(action.event.octets, timeoutMilliseconds: 2_000) } catch { ended.insert(action.connection) }
            case .halfClosed:
                open[action.connection]?.halfClose()
            case .closed:
                open.removeValue(forKey: action.connection)?.close()
            default:
                break
            }
        }
        // Then read on until the server closes everything or falls quiet.
        var quietEnd = elapsed() + Double(quietMilliseconds)
        while !open.keys.allSatisfy(ended.contains), elapsed() < quietEnd {
            if readUntil(milliseconds: quietEnd, elapsed: elapsed, open: &open, ended: &ended, received: &received, returnOnData: true) {
                quietEnd = elapsed() + Double(quietMilliseconds)
            }
        }
        for connection in open.values { connection.close() }
        return outcome
    }

    /// Reads every open connection until `milliseconds` into the replay (or, with `returnOnData`, until
    /// something was read); whether anything was read.
    @discardableResult
    private func readUntil(
        milliseconds: Double, elapsed: () -> Double, open: inout [Int: ProbeConnection], ended: inout Set<Int>,
        received: inout [Int: Int], returnOnData: Bool = false
    ) -> Bool {
        var readAnything = false
        while true {
            let live = open.filter { !ended.contains($0.key) }.sorted { $0.key < $1.key }
            let remaining = milliseconds - elapsed()
            guard remaining > 0 else { return readAnything }
            guard !live.isEmpty else { usleep(UInt32(min(remaining, 100) * 1_000)); continue }
            var descriptors = live.map { pollfd(fd: $0.value.socket.descriptor, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&descriptors, nfds_t(descriptors.count), Int32(max(1, min(remaining, 1_000_000).rounded(.up))))
            guard ready > 0 else { continue }
            for (index, entry) in live.enumerated() where descriptors[index].revents != 0 {
                var buffer = ByteBuffer()
                let count: Int?
                do { count = try entry.value.readSome(into: &buffer, maximum: 65_536) } catch { ended.insert(entry.key); continue }
                guard let count else { continue }
                if count > 0 {
                    readAnything = true
                    received[entry.key, default: 0] += count
                } else {
                    ended.insert(entry.key)
                }
            }
            if readAnything, returnOnData { return true }
        }
    }
}

import Foundation
import LPJProcess
import LPJServer
import LPJWire
import Testing

/// Process hygiene of the forking models, read from /proc: no zombies, no stray workers.
@Suite("Process models", .serialized)
struct ProcessModelTests {
    /// The pids whose parent is `parent`, with their state letter (Z = zombie).
    static func children(of parent: Int32) -> [ProcessTree.Child] { ProcessTree.children(of: parent) }

    static func waitUntil(_ seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(20_000)  // polling an observed condition (/proc), bounded by the deadline
        }
        return condition()
    }

    @Test("forking: every connection's child is reaped, none is left a zombie, none outlives the server")
    func forkingReapsChildren() throws {
        let server = try ServerProcess(model: .forking)
        for index in 0..<20 {
            let connection = try server.connect()
            try connection.send(Request(method: "ping", params: .number(JSONNumber(index))))
            #expect(try connection.read(count: 1).responses.count == 1)
            connection.close()
        }
        #expect(Self.waitUntil(2) { Self.children(of: server.pid).isEmpty }, "\(Self.children(of: server.pid))")
        let open = try server.connect()
        try open.send(Request(method: "ping", params: 1))
        _ = try open.read(count: 1)
        #expect(Self.children(of: server.pid).count == 1)
        let pid = server.pid
        open.close()
        #expect(server.stop() == 0)
        #expect(Self.children(of: pid).isEmpty)
    }

    @Test(
        "prefork models: a worker killed with SIGKILL is replaced, and the others keep serving",
        arguments: [ServerModel.prefork, .preforkEventLoop])
    func workerReplaced(model: ServerModel) throws {
        let server = try ServerProcess(model: model, ["--workers", "3"])
        #expect(Self.waitUntil(3) { Self.children(of: server.pid).count == 3 })
        let victim = Self.children(of: server.pid)[0].pid
        kill(victim, SIGKILL)
        #expect(
            Self.waitUntil(3) {
                let now = Self.children(of: server.pid)
                return now.count == 3 && !now.contains { $0.pid == victim } && !now.contains { $0.state == "Z" }
            }, "\(Self.children(of: server.pid))")
        for index in 0..<10 {
            let connection = try server.connect()
            try connection.send(Request(method: "ping", params: .number(JSONNumber(index))))
            #expect(try connection.read(count: 1).responses.first?.out == "pong")
            connection.close()
        }
        let pid = server.pid
        #expect(server.stop() == 0)
        #expect(Self.children(of: pid).isEmpty)
    }

    @Test("prefork models: workers exit when the parent dies", arguments: [ServerModel.prefork, .preforkEventLoop])
    func workersFollowParent(model: ServerModel) throws {
        let server = try ServerProcess(model: model, ["--workers", "2"])
        #expect(Self.waitUntil(3) { Self.children(of: server.pid).count == 2 })
        let workers = Self.children(of: server.pid).map(\.pid)
        kill(server.pid, SIGKILL)
        server.process.waitUntilExit()
        #expect(Self.waitUntil(5) { workers.allSatisfy { kill($0, 0) != 0 } }, "workers \(workers) outlived their parent")
    }
}

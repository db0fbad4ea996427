import Foundation
import LPJBench
import LPJServer
import Testing

/// Every list of models outside the server is generated from `ServerModel`: scripts and the benchmark
/// sweep read `lpj serve --list-models`.
@Suite("Model list")
struct ModelListTests {
    @Test("lpj serve --list-models prints every model, one a line, and the sweep reads it")
    func listModels() {
        let names = BenchSweep.listModels(ServerProcess.executable)
        #expect(names == ServerModel.allCases.map(\.rawValue))
        let swept = BenchSweep(lpj: ServerProcess.executable, baselineDirectory: URL(fileURLWithPath: "/c")).targets.map(\.name)
        for model in ServerModel.allCases {
            #expect(swept.contains { $0 == model.rawValue || $0.hasPrefix(model.rawValue + " (") }, "\(model) not swept")
        }
    }

    @Test("the prefork models, and only they, take --workers")
    func capabilities() {
        let workers = ServerModel.allCases.filter(\.capabilities.usesWorkers)
        #expect(workers == [.prefork, .preforkEventLoop])
        #expect(ServerModel.allCases.filter { !$0.isConcurrent } == [.blocking])
        #expect(ServerModel.allCases.filter(\.capabilities.runsMicroThreads) == [.coroutine])
    }
}

// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "lpj",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "lpj", targets: ["lpj"]),
        .library(name: "LPJWire", targets: ["LPJWire"]),
        .library(name: "LPJFixtures", targets: ["LPJFixtures"]),
        .library(name: "LPJClient", targets: ["LPJClient"]),
        .library(name: "LPJServer", targets: ["LPJServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    ],
    targets: [
        // The wire codec: framing, JSON, messages. No I/O.
        .target(
            name: "LPJWire",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")]
        ),
        // The golden fixtures: one generator, one verifier, the manifest model.
        .target(
            name: "LPJFixtures",
            dependencies: ["LPJWire", .product(name: "NIOCore", package: "swift-nio")]
        ),
        // Blocking POSIX sockets for the blocking server models and the blocking client.
        .target(
            name: "LPJSockets",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")]
        ),
        // The Swift client: blocking, and pipelining on SwiftNIO.
        .target(
            name: "LPJClient",
            dependencies: [
                "LPJWire", "LPJSockets",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // The conformance runner: cases, probe, reports.
        .target(
            name: "LPJCheck",
            dependencies: [
                "LPJWire", "LPJSockets", "LPJFixtures", "LPJRandom", "LPJSpec",
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // Starting servers as child processes and reading process trees from /proc: for lpj check's
        // embedded mode, lpj bench and the tests.
        .target(name: "LPJProcess"),
        // The spec's requirement inventory: the item parser and the generated table. No dependencies.
        .target(name: "LPJSpec"),
        // A seeded generator, so random schedules replay.
        .target(name: "LPJRandom"),
        // Hierarchical timing wheels (50 ms / 1 s / 1 min). No dependencies.
        .target(name: "LPJTimers"),
        // fork and prctl, which Swift's Glibc module does not offer.
        .target(name: "CLPJSystem"),
        // The reference server in every model.
        .target(
            name: "LPJServer",
            dependencies: [
                "LPJWire", "LPJSockets", "LPJClient", "LPJTimers", "CLPJSystem",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Load generation and the benchmark sweep: lpj bench.
        .target(
            name: "LPJBench",
            dependencies: [
                "LPJWire", "LPJSockets", "LPJProcess", "LPJRandom", "LPJFixtures",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "lpj",
            dependencies: [
                "LPJBench",
                "LPJWire",
                "LPJFixtures",
                "LPJClient",
                "LPJServer",
                "LPJCheck",
                "LPJProcess",
                "LPJSpec",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The timing wheel against a binary heap: swift run -c release lpj-bench-timers.
        .executableTarget(
            name: "lpj-bench-timers",
            dependencies: ["LPJTimers", "LPJRandom"],
            path: "benchmarks/timers"
        ),
        // libFuzzer targets for the frame decoder and the message codec (Fuzz/run.sh); without
        // -DLPJ_FUZZ each builds as a tool that replays inputs once.
        .target(name: "CLibFuzzer", path: "Fuzz/CLibFuzzer"),
        .target(name: "LPJFuzzReplay", dependencies: ["CLibFuzzer"], path: "Fuzz/FuzzReplay"),
        .executableTarget(
            name: "lpj-fuzz-frame",
            dependencies: ["LPJWire", "LPJFuzzReplay", .product(name: "NIOCore", package: "swift-nio")],
            path: "Fuzz/FrameDecoderFuzz"
        ),
        .executableTarget(
            name: "lpj-fuzz-message",
            dependencies: ["LPJWire", "LPJFuzzReplay"],
            path: "Fuzz/MessageFuzz"
        ),
        .testTarget(
            name: "LPJWireTests",
            dependencies: [
                "LPJWire", "LPJRandom",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "LPJServerTests",
            dependencies: [
                "LPJServer", "LPJClient", "LPJSockets", "LPJWire", "LPJFixtures", "LPJBench", "LPJProcess", "LPJRandom",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "LPJCheckTests",
            dependencies: ["LPJCheck", "LPJProcess", "LPJServer", "LPJWire"]
        ),
        .testTarget(
            name: "LPJTimersTests",
            dependencies: ["LPJTimers", "LPJRandom"]
        ),
        .testTarget(
            name: "LPJBenchTests",
            dependencies: ["LPJBench", "LPJProcess", "LPJWire", "LPJSockets"]
        ),
        .testTarget(
            name: "LPJFixturesTests",
            dependencies: ["LPJFixtures", "LPJWire"]
        ),
        .testTarget(
            name: "LPJSpecTests",
            dependencies: ["LPJSpec"]
        ),
    ]
)

// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "lpj",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "lpj", targets: ["lpj"]),
        .library(name: "LPJWire", targets: ["LPJWire"]),
        .library(name: "LPJFixtures", targets: ["LPJFixtures"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
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
        .executableTarget(
            name: "lpj",
            dependencies: [
                "LPJWire",
                "LPJFixtures",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "LPJWireTests",
            dependencies: [
                "LPJWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "LPJFixturesTests",
            dependencies: ["LPJFixtures", "LPJWire"]
        ),
    ]
)

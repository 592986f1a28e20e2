// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "KVTable",
    // UInt128 (exact 38-digit numbers) and Synchronization.Mutex need macOS 15.
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "KVTable", targets: ["KVTable"]),
        .library(name: "Analytics", targets: ["Analytics"]),
        .library(name: "KVTableDynamoDB", targets: ["KVTableDynamoDB"]),
        .library(name: "KVTableRemote", targets: ["KVTableRemote"]),
        .library(name: "KVTableServer", targets: ["KVTableServer"]),
        .executable(name: "kvtable", targets: ["kvtable"]),
        .executable(name: "kvtable-bench", targets: ["Benchmarks"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.1.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.4.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.0.0"..<"5.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.20.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.60.0"),
        // `make docs`: the DocC catalogs, built with `swift package generate-documentation`.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.4.0"),
    ],
    targets: [
        // The only native dependency: LMDB from the system (`liblmdb-dev`).
        .systemLibrary(
            name: "CLMDB",
            pkgConfig: "lmdb",
            providers: [.apt(["liblmdb-dev"]), .brew(["lmdb"])]
        ),
        // zlib, for the server's compressed request bodies (`Content-Encoding: gzip`).
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]
        ),
        .target(
            name: "KVTable",
            dependencies: [
                "CLMDB",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "Analytics",
            dependencies: [
                "KVTable",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The DynamoDB dialect, shared by the server, the CLI and (next) the remote engine:
        // DynamoDB's error shapes, typed trees printed back to expression strings, and AWS
        // Signature Version 4 (signing and verifying).
        .target(
            name: "KVTableDynamoDB",
            dependencies: [
                "KVTable",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The remote engine: the same table API over DynamoDB's JSON protocol (AWS DynamoDB,
        // ScyllaDB Alternator, `kvtable serve`, moto).
        .target(
            name: "KVTableRemote",
            dependencies: [
                "KVTable",
                "KVTableDynamoDB",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // DynamoDB's JSON protocol over HTTP: the operations (Protocol/) and the server (HTTP/,
        // HTTP/1.1 on SwiftNIO, reads answered on the event loop).
        .target(
            name: "KVTableServer",
            dependencies: [
                "KVTable",
                "KVTableDynamoDB",
                "CZlib",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "kvtable",
            dependencies: [
                "KVTable",
                "KVTableServer",
                "KVTableDynamoDB",
                "KVTableRemote",
                "Analytics",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // SQLite, for the benchmark's baseline only (`libsqlite3-dev`).
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"]), .brew(["sqlite"])]
        ),
        .executableTarget(
            name: "Benchmarks",
            dependencies: [
                "KVTable",
                "KVTableDynamoDB",
                "KVTableRemote",
                "KVTableServer",
                "Analytics",
                "CLMDB",
                "CSQLite",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The child process of the crash-recovery test: durable concurrent writers, killed
        // with SIGKILL again and again (Tests/KVTableTests/CrashRecoveryTests.swift).
        .executableTarget(
            name: "CrashWriter",
            dependencies: ["KVTable"],
            path: "Tests/CrashWriter"
        ),
        .testTarget(
            name: "KVTableTests",
            dependencies: ["KVTable", "CrashWriter"]
        ),
        .testTarget(
            name: "KVTableDynamoDBTests",
            dependencies: ["KVTableDynamoDB", "KVTable"]
        ),
        .testTarget(
            name: "KVTableRemoteTests",
            dependencies: [
                "KVTableRemote", "KVTableServer", "KVTableDynamoDB", "KVTable",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        .testTarget(
            name: "KVTableServerTests",
            dependencies: ["KVTableServer", "KVTable"]
        ),
        .testTarget(
            name: "AnalyticsTests",
            dependencies: [
                "Analytics", "KVTable",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)

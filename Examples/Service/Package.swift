// swift-tools-version:6.0
import PackageDescription

// A small server built on KVTable the way a user's would be: it depends on the library by path,
// uses only its public API (its tests import nothing `@testable` from KVTable), and runs on
// Hummingbird. Built and tested in CI (`make examples` at the repository root).
let package = Package(
    name: "FilesService",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "files-service", targets: ["files-service"]),
    ],
    dependencies: [
        .package(name: "KVTable", path: "../.."),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
    ],
    targets: [
        .target(
            name: "FilesService",
            dependencies: [
                .product(name: "KVTable", package: "KVTable"),
                .product(name: "Analytics", package: "KVTable"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        .executableTarget(
            name: "files-service",
            dependencies: [
                "FilesService",
                .product(name: "KVTable", package: "KVTable"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "FilesServiceTests",
            dependencies: [
                "FilesService",
                .product(name: "KVTable", package: "KVTable"),
                .product(name: "Analytics", package: "KVTable"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)

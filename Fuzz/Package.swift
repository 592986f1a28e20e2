// swift-tools-version:6.0
// Coverage-guided fuzzing of KVTable's parsers with libFuzzer (`-sanitize=fuzzer`), in a package
// of its own so that the main package never links an executable without a `main`.
//
//     ../scripts/fuzz.sh expression-parser 5      # or: make fuzz FUZZER=expression-parser MINUTES=5
//
// Each target is one function, `LLVMFuzzerTestOneInput`, that feeds libFuzzer's bytes to one
// parser and checks what holds for every input it accepts (see each file). A crash, a failed
// check or an AddressSanitizer report stops the run and leaves the input as `crash-<hash>`.
import PackageDescription

let package = Package(
    name: "KVTableFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "KVTable", path: "..")],
    targets: [
        // ExpressionParser: condition, filter, key-condition, update and projection expressions.
        .executableTarget(name: "FuzzExpressionParser", dependencies: [.product(name: "KVTable", package: "KVTable")]),
        // JSONValue.parse and DynamoDB JSON (requests' items and values).
        .executableTarget(name: "FuzzRequestJSON", dependencies: [.product(name: "KVTable", package: "KVTable")]),
        // ItemCodec: stored item bytes, as read back from a store file.
        .executableTarget(name: "FuzzItemCodec", dependencies: [.product(name: "KVTable", package: "KVTable")]),
    ],
    swiftLanguageModes: [.v6]
)

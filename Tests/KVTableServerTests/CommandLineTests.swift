import Foundation
import Testing
@testable import KVTable

/// The `kvtable` executable, run as a user runs it.
@Suite("kvtable command line")
struct CommandLineTests {
    /// The built `kvtable` next to this test bundle (`swift build --build-tests` builds both).
    static func binary() throws -> URL {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("kvtable"),
            Bundle.main.bundleURL.appendingPathComponent("kvtable"),
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("kvtable"),
        ]
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "kvtable not built; looked at \(candidates.map(\.path))"])
        }
        return found
    }

    /// Runs `kvtable arguments…`; returns the exit status and standard output.
    static func run(_ arguments: [String], input: String? = nil) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = try binary()
        // Its own working directory: a suite that runs meanwhile may change the process's (the
        // README example does) and remove it, and a spawn into a removed directory fails.
        process.currentDirectoryURL = FileManager.default.temporaryDirectory
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        let inputPipe = Pipe()
        if input != nil { process.standardInput = inputPipe }
        try process.run()
        if let input {
            inputPipe.fileHandleForWriting.write(Data(input.utf8))
            try inputPipe.fileHandleForWriting.close()
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static func makeStore(in directory: URL) async throws -> String {
        let path = directory.appendingPathComponent("cli.kvt").path
        let store = try KVStore.open(path: path, configuration: LMDBConfiguration(durability: .noSync))
        defer { store.close() }
        let table = try await store.createTable(.singleTable(name: "App"))
        for i in 0..<5 {
            try await table.putItem(["PK": .s("U#\(i)"), "SK": "P", "GSI1PK": "all", "GSI1SK": .s("\(i)")])
        }
        return path
    }

    @Test("verify passes a consistent store and exits non-zero on a corrupted index entry")
    func verify() async throws {
        let directory = try makeDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = try await Self.makeStore(in: directory)
        let clean = try Self.run(["verify", "--path", path])
        #expect(clean == (0, "App: ok\n"))

        do {   // Damage one index entry behind the table's back.
            let store = try KVStore.open(path: path)
            let table = try store.table("App")
            let layout = table.layout
            let entry = layout.indexKey(of: ["PK": "U#3", "SK": "P", "GSI1PK": "all", "GSI1SK": "3"], in: try layout.index(named: "GSI1"))!
            try await table.context.storage.write { writer in
                try writer.put(ItemCodec.encode(["PK": "U#3", "SK": "P", "stale": true]), forKey: entry)
            }
            store.close()
        }
        let (status, output) = try Self.run(["verify", "--path", path])
        #expect(status == 1)
        #expect(output.contains("App: 1 problems"))
        #expect(output.contains("App / GSI1: stale entry for {PK={\"S\":\"U#3\"}, SK={\"S\":\"P\"}}"))
    }

    @Test("get, put, query, scan, stats, export, import, sweep and backup")
    func commands() async throws {
        let directory = try makeDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = try await Self.makeStore(in: directory)

        #expect(try Self.run(["put", "--path", path, "--table", "App", "--item", #"{"PK": {"S": "U#9"}, "SK": {"S": "P"}, "n": {"N": "1.0"}}"#,
                              "--condition", "attribute_not_exists(PK)"]).0 == 0)
        let again = try Self.run(["put", "--path", path, "--table", "App", "--item", #"{"PK": {"S": "U#9"}, "SK": {"S": "P"}}"#,
                                  "--condition", "attribute_not_exists(PK)"])
        #expect(again.0 != 0 && again.1.contains("ConditionalCheckFailedException"))
        #expect(try Self.run(["get", "--path", path, "--table", "App", "--key", #"{"PK": {"S": "U#9"}, "SK": {"S": "P"}}"#])
            == (0, #"{"PK":{"S":"U#9"},"SK":{"S":"P"},"n":{"N":"1"}}"# + "\n"))
        let query = try Self.run(["query", "--path", path, "--table", "App", "--index", "GSI1",
                                  "--key-condition", "GSI1PK = :g AND GSI1SK >= :s", "--projection", "PK",
                                  "--values", #"{":g": {"S": "all"}, ":s": {"S": "3"}}"#])
        #expect(query == (0, #"{"PK":{"S":"U#3"}}"# + "\n" + #"{"PK":{"S":"U#4"}}"# + "\n"))
        let reserved = try Self.run(["query", "--path", path, "--table", "App", "--key-condition", "PK = :p AND name = :p",
                                     "--values", #"{":p": {"S": "x"}}"#])
        #expect(reserved.0 != 0 && reserved.1.contains("reserved keyword: name"))
        #expect(try Self.run(["scan", "--path", path, "--table", "App", "--filter", "attribute_exists(n)"]).1
            == #"{"PK":{"S":"U#9"},"SK":{"S":"P"},"n":{"N":"1"}}"# + "\n")

        let stats = try Self.run(["stats", "--path", path])
        #expect(stats.0 == 0)
        #expect(stats.1.contains("App: 6 items") && stats.1.contains("GSI1: 5 entries") && stats.1.contains("map: "))

        let exported = directory.appendingPathComponent("app.jsonl").path
        #expect(try Self.run(["export", "--path", path, "--table", "App", "--output", exported]) == (0, "exported 6 items\n"))
        let copy = directory.appendingPathComponent("copy.kvt").path
        do {
            let store = try KVStore.open(path: copy)
            _ = try await store.createTable(.singleTable(name: "App"))
            store.close()
        }
        #expect(try Self.run(["import", "--path", copy, "--table", "App", "--input", exported]) == (0, "imported 6 items\n"))
        #expect(try Self.run(["verify", "--path", copy]) == (0, "App: ok\n"))
        let bad = try Self.run(["import", "--path", copy, "--table", "App"], input: "{\"PK\": 1}\n")
        #expect(bad.0 != 0 && bad.1.contains("line 1"))

        #expect(try Self.run(["sweep", "--path", path]) == (0, "deleted 0 expired items\n"))
        let backup = directory.appendingPathComponent("backup.kvt").path
        let backedUp = try Self.run(["backup", "--path", path, "--to", backup])
        #expect(backedUp.0 == 0 && backedUp.1.hasPrefix("backed up to \(backup)"))
        #expect(try Self.run(["tables", "--path", backup]).1.hasPrefix("App\tkeys: PK (S), SK (S)\tindexes: GSI1, GSI2, GSI3, GSI7"))
        #expect(try Self.run(["stats", "--path", directory.appendingPathComponent("missing.kvt").path]).0 != 0)
    }

    func makeDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kvtable-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }
}

import ArgumentParser
import Foundation
@_spi(Benchmarks) import KVTable

/// `kvtable-bench`: KVTable's read and write paths against raw LMDB and SQLite, measured side by
/// side in one run on the same data. Always build it with `-c release`.
@main
struct BenchmarkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kvtable-bench",
        abstract: "Latency and throughput of KVTable next to raw LMDB and SQLite, on the same data.")

    @Option(help: "Items in the dataset (users × 100 files, GSI1 populated).")
    var items: Int = 1_000_000

    @Flag(help: "A smoke run: about 20,000 items and a short time per scenario.")
    var quick = false

    @Option(help: "Write the measurements as JSON to this file.")
    var json: String?

    @Option(help: "Run only these scenarios, comma-separated (see --list).")
    var scenario: String?

    /// The scenarios asked for; nil for all.
    private var selected: Set<String>? {
        scenario.map { Set($0.split(separator: ",").map { String($0) }) }
    }

    @Flag(help: "List the scenarios and exit.")
    var list = false

    @Option(help: "Directory for the store files (default: a new temporary directory, removed afterwards).")
    var path: String?

    @Option(help: "Seconds each engine runs in each scenario (default 2, or 0.25 with --quick).")
    var seconds: Double?

    func validate() throws {
        guard items >= 1000 else { throw ValidationError("--items must be at least 1000") }
        for name in selected ?? [] where !Scenario.all.contains(where: { $0.name == name }) {
            throw ValidationError("Unknown scenario \(name); --list shows them")
        }
    }

    func run() async throws {
        if list {
            for scenario in Scenario.all { print("\(scenario.name)\t\(scenario.summary)") }
            return
        }
        #if DEBUG
        print("warning: this is a debug build; measure with `swift run -c release kvtable-bench`\n")
        #endif
        let count = quick ? 20_000 : items
        let budget = Budget(duration: .milliseconds(Int((seconds ?? (quick ? 0.25 : 2)) * 1000)),
                            maxOperations: quick ? 200_000 : 5_000_000)
        let directory = try path.map { URL(fileURLWithPath: $0) } ?? makeTemporaryDirectory()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { if path == nil { try? FileManager.default.removeItem(at: directory) } }

        print("kvtable-bench: \(count) items, \(budget.duration) per engine per scenario, files in \(directory.path)")
        let bench = try await Bench.build(count: count, directory: directory, needsMemory: selected.map { $0.contains(where: Scenario.needsMemory) } ?? true)
        var results: [Measurement] = []
        let selected = self.selected
        for scenario in Scenario.all where selected?.contains(scenario.name) ?? true {
            let measured = try await scenario.run(bench, budget)
            for measurement in measured { Report.printRow(measurement) }
            results += measured
        }
        Report.printSummary(results)
        if selected?.contains("get-hit") ?? true {
            try MemoryCheck.run(bench, reads: quick ? 200_000 : 10_000_000)
        }
        if let json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(results).write(to: URL(fileURLWithPath: json))
            print("\nwrote \(results.count) measurements to \(json)")
        }
        await bench.close()
    }

    private func makeTemporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kvtable-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }
}

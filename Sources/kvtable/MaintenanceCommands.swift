import ArgumentParser
import Foundation
import KVTable

/// `kvtable stats`: item and index entry counts per table, file and map sizes.
struct StatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stats", abstract: "Print item and index entry counts, file and map sizes.")

    @OptionGroup var store: StoreOptions

    func run() async throws {
        let store = try self.store.open()
        defer { store.close() }
        if let sizes = store.fileSizes() {
            print("file: \(sizes.fileBytes) bytes, map: \(sizes.mapBytes) bytes, in use: \(sizes.usedBytes) bytes")
        }
        for name in store.tableNames() {
            let statistics = try store.table(name).statistics()
            print("\(name): \(statistics.itemCount) items, \(statistics.itemBytes) bytes, \(statistics.expiryEntryCount) TTL entries")
            for (index, count) in statistics.indexEntryCounts.sorted(by: { $0.key < $1.key }) {
                print("  \(index): \(count) entries")
            }
        }
    }
}

/// `kvtable export`: a table's items as DynamoDB JSON lines.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Write every item of a table as DynamoDB JSON lines (expired, unswept items included).")

    @OptionGroup var store: EngineOptions
    @Option(help: "The table.") var table: String
    @Option(help: "Output file (default: standard output).") var output: String?

    func run() async throws {
        try await self.store.withStore { store in try await export(from: try await store.table(self.table)) }
    }

    private func export(from table: any ItemTable) async throws {
        let sink: FileHandle
        if let output {
            guard FileManager.default.createFile(atPath: output, contents: nil, attributes: [.posixPermissions: 0o600]) else {
                throw ValidationError("Cannot create \(output)")
            }
            sink = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        } else {
            sink = FileHandle.standardOutput
        }
        defer { try? sink.close() }
        var scan = Scan(limit: 1000, includeExpired: true)
        var count = 0
        repeat {
            let page = try await table.scan(scan)
            var chunk = ""
            for item in page.items { chunk += CommandLineJSON.line(item) + "\n" }
            try sink.write(contentsOf: Data(chunk.utf8))
            count += page.items.count
            scan.startAfter = page.nextCursor
        } while scan.startAfter != nil
        if output != nil { print("exported \(count) items") }
    }
}

/// `kvtable import`: DynamoDB JSON lines into an existing table.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Put items from DynamoDB JSON lines into an existing table (1000 per transaction).")

    @OptionGroup var store: EngineOptions
    @Option(help: "The table.") var table: String
    @Option(help: "Input file (default: standard input).") var input: String?

    func run() async throws {
        try await self.store.withStore { store in try await importItems(into: try await store.table(self.table)) }
    }

    private func importItems(into table: any ItemTable) async throws {
        var lines = try LineReader(path: input)
        var batch: [WriteRequest] = []
        var count = 0
        let progress = Progress("imported")
        while true {
            let line = try lines.next()
            if let line {
                do {
                    batch.append(.put(try CommandLineJSON.item(line, option: "line \(lines.lineNumber)")))
                } catch {
                    throw ValidationError("line \(lines.lineNumber): \(error)")
                }
            }
            if batch.count == 1000 || (line == nil && !batch.isEmpty) {
                try await table.batchWrite(batch)
                count += batch.count
                progress.advance(by: batch.count)
                batch.removeAll(keepingCapacity: true)
            }
            if line == nil { break }
        }
        progress.finish()
        print("imported \(count) items")
    }
}

/// `kvtable sweep`: deletes expired items now.
struct SweepCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sweep", abstract: "Delete every item whose TTL has passed, in every table.")

    @OptionGroup var store: StoreOptions

    func run() async throws {
        let store = try self.store.open()
        defer { store.close() }
        print("deleted \(try await store.sweepExpired(batchSize: 1000)) expired items")
    }
}

/// `kvtable backup`: a compacting copy.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup", abstract: "Write a compacted copy of the store to a new file (safe while the store is in use).")

    @OptionGroup var store: StoreOptions
    @Option(help: "The new file to write.") var to: String

    func run() async throws {
        let store = try self.store.open()
        defer { store.close() }
        try store.backup(to: to)
        let size = (try? FileManager.default.attributesOfItem(atPath: to)[.size] as? Int) ?? 0
        print("backed up to \(to) (\(size) bytes)")
    }
}

/// `kvtable verify`: every index entry against its item and back; exits 1 on any mismatch.
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify", abstract: "Check every index entry against its item and every item against its index entries.")

    @OptionGroup var store: StoreOptions

    func run() async throws {
        let store = try self.store.open()
        defer { store.close() }
        var problems: [IndexProblem] = []
        for name in store.tableNames() {
            let found = try store.table(name).verifyIndexes()
            print("\(name): \(found.isEmpty ? "ok" : "\(found.count) problems")")
            problems += found
        }
        for problem in problems { print(problem) }
        if !problems.isEmpty { throw ExitCode(1) }
    }
}

import ArgumentParser
import Foundation
import KVTable

/// `kvtable copy SOURCE DESTINATION`: a table from a store file or endpoint to another — how a
/// service moves to DynamoDB when it outgrows one machine, and how it takes a local copy back.
struct CopyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy",
        abstract: "Copy a table between store files and DynamoDB-protocol endpoints, then check the counts.",
        discussion: """
            SOURCE and DESTINATION are each a store file or an http(s):// endpoint (credentials \
            from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY). The destination table is created with \
            the source's schema (and TTL attribute) when missing. Items are read in pages and written in batches; \
            every write is a put of the source item, so running the copy again after an \
            interruption completes it. Expired items are not copied. Ends with a count of both \
            sides; exits 1 when they differ.
            """)

    @Argument(help: "The store file or endpoint URL to read.") var source: String
    @Argument(help: "The store file or endpoint URL to write (a missing store file is created).") var destination: String
    @Option(help: "The table to copy.") var table: String
    @Option(help: "The destination table's name (default: the same).") var destinationTable: String?
    @Option(help: "The region of an endpoint side (default: AWS_REGION, then us-east-1).") var region: String?
    @Option(help: "Items per page read from the source.") var pageSize = 1000

    func validate() throws {
        guard pageSize > 0 else { throw ValidationError("--page-size must be positive") }
        guard source != destination || (destinationTable ?? table) != table else {
            throw ValidationError("The source and destination are the same table")
        }
    }

    func run() async throws {
        let (copied, counts) = try await EngineOptions.withStore(at: source, region: region, durability: .durable, create: false) { source in
            try await EngineOptions.withStore(at: destination, region: region, durability: .durable, create: true) { destination in
                try await copy(from: source, to: destination)
            }
        }
        let target = destinationTable ?? table
        print("copied \(copied.count) items from \(source) \(table) to \(destination) \(target) in \(copied.elapsed) (\(Int(copied.rate)) items/s); source holds \(counts.source), destination \(counts.destination)")
        if counts.source != counts.destination { throw ExitCode(1) }
    }

    private func copy(from source: any ItemStore, to destination: any ItemStore) async throws -> (Progress, (source: Int, destination: Int)) {
        let from = try await source.table(table)
        let target = destinationTable ?? table
        let to: any ItemTable
        if try await destination.tableNames().contains(target) {
            to = try await destination.table(target)
            guard to.schema.keySchema == from.schema.keySchema else {
                throw ValidationError("\(target) exists with another key schema than \(table)")
            }
        } else {
            var schema = from.schema
            schema.name = target
            _ = try await destination.createTable(schema)
            if let ttl = from.timeToLiveAttribute {
                try await destination.updateTimeToLive(table: target, attribute: ttl)
            }
            to = try await destination.table(target)
        }
        let total = try await Self.count(from)
        let progress = Progress("copied", total: total)
        var scan = Scan(limit: pageSize)
        repeat {
            let page = try await from.scan(scan)
            // Batches of 25, as DynamoDB's BatchWriteItem takes them (the remote engine
            // resubmits unprocessed requests; a local batch is one transaction).
            var start = 0
            while start < page.items.count {
                let batch = page.items[start..<min(start + 25, page.items.count)]
                try await to.batchWrite(batch.map { .put($0) })
                start += batch.count
                progress.advance(by: batch.count)
            }
            scan.startAfter = page.nextCursor
        } while scan.startAfter != nil
        progress.finish()
        return (progress, (total, try await Self.count(to)))
    }

    /// The live items of a table, counted by a count-only scan.
    static func count(_ table: any ItemTable) async throws -> Int {
        var scan = Scan(countOnly: true)
        var total = 0
        repeat {
            let page = try await table.scan(scan)
            total += page.count
            scan.startAfter = page.nextCursor
        } while scan.startAfter != nil
        return total
    }
}

import ArgumentParser
import Foundation
import KVTable

/// `kvtable demo`: builds a single-table store with users, their files and events, runs the
/// queries such an application makes, and prints results with timings.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Create a sample single-table store, query it, and print results with timings."
    )

    @Option(help: "Store file to create (must not exist). Default: a new file in the temporary directory.")
    var path: String?

    @Option(help: "Number of users to create.")
    var users: Int = 200

    @Option(help: "Files per user.")
    var filesPerUser: Int = 20

    func validate() throws {
        guard users >= 1, filesPerUser >= 1 else { throw ValidationError("--users and --files-per-user must be at least 1") }
        if let path, FileManager.default.fileExists(atPath: path) {
            throw ValidationError("\(path) exists; the demo only creates new stores")
        }
    }

    func run() async throws {
        let storePath = path ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("kvtable-demo-\(ProcessInfo.processInfo.processIdentifier).kvt").path
        let store = try KVStore.open(path: storePath)
        defer {
            store.close()
            if path == nil {
                try? FileManager.default.removeItem(atPath: storePath)
                try? FileManager.default.removeItem(atPath: storePath + "-lock")
            }
        }
        print("KVTable demo — store file: \(storePath)\(path == nil ? " (removed at exit)" : "")\n")
        let table = try await store.createTable(.singleTable(name: "App"))
        let sample = DemoData(users: users, filesPerUser: filesPerUser)

        // Writes: users with a unique-email marker, files, events — concurrently, group-committed.
        let writeStart = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for user in 0..<users {
                group.addTask {
                    for item in sample.items(forUser: user) { try await table.putItem(item) }
                    try await table.putItem(sample.emailMarker(forUser: user), condition: .notExists("PK"))
                }
            }
            try await group.waitForAll()
        }
        let written = users * (2 + filesPerUser + DemoData.eventsPerUser)
        let writeTime = ContinuousClock.now - writeStart
        print("Wrote \(written) items (durable, group-committed from \(users) concurrent tasks) in \(format(writeTime)) — \(Int(Double(written) / seconds(writeTime))) items/s\n")

        // A second account with a taken e-mail fails its condition.
        do {
            try await table.putItem(sample.emailMarker(forUser: 7), condition: .notExists("PK"))
        } catch KVTableError.conditionalCheckFailed {
            print("Unique e-mail: registering \(sample.email(forUser: 7)) again → ConditionalCheckFailed, as it should\n")
        }

        let userKey: Item = ["PK": .s(DemoData.userPK(42)), "SK": "PROFILE"]
        let profile = try await table.getItem(userKey)
        print("getItem \(DemoData.userPK(42)) / PROFILE → name: \(profile?["name"]?.stringValue ?? "?"), email: \(profile?["email"]?.stringValue ?? "?")")
        timed("getItem (sync read path)", iterations: 20_000) {
            _ = try table.read { try $0.getItem(userKey) }
        }

        let newest = Query(partitionKey: .s(DemoData.userPK(42)), sortKey: .beginsWith("FILE#"), ascending: false, limit: 5)
        let files = try await table.query(newest)
        print("\nNewest 5 files of \(DemoData.userPK(42)):")
        for file in files.items {
            print("  \(file["uploaded_at"]?.stringValue ?? "")  \(file["filename"]?.stringValue ?? "")  \(file["size"]?.numberValue?.description ?? "") bytes")
        }
        timed("query: newest 5 files of a user", iterations: 5_000) { _ = try table.read { try $0.query(newest) } }

        let day = DemoData.day(3)
        let byDate = Query(indexName: "GSI1", partitionKey: .s("UPLOADS#\(day)"), limit: 10)
        let dayPage = try await table.query(byDate)
        print("\nUploads on \(day) via GSI1 (first \(dayPage.count)): \(dayPage.items.compactMap { $0["filename"]?.stringValue }.prefix(3).joined(separator: ", "))…")
        timed("GSI1 query: 10 uploads of a day", iterations: 5_000) { _ = try table.read { try $0.query(byDate) } }

        let eventsCount = Query(indexName: "GSI2", partitionKey: .s("EVENTS#\(day)"), countOnly: true)
        let count = try await table.query(eventsCount).count
        print("\nEvents on \(day) (GSI2, count only): \(count)")
        timed("GSI2 count-only query of a day", iterations: 500) { _ = try table.read { try $0.query(eventsCount) } }

        let errors = Query(indexName: "GSI2", partitionKey: .s("EVENTS#\(day)"), filter: .attribute("has_errors") == true)
        let errorPage = try await table.query(errors)
        print("Download sessions with errors on \(day): \(errorPage.count) of \(errorPage.scannedCount)")

        var pages = 0
        var cursor: PageCursor?
        var seen = 0
        repeat {
            let page = try await table.query(Query(partitionKey: .s(DemoData.userPK(42)), limit: 8, startAfter: cursor))
            seen += page.count
            pages += 1
            cursor = page.nextCursor
        } while cursor != nil
        print("\nPaged through \(DemoData.userPK(42))'s partition: \(seen) items in \(pages) pages of 8")

        try await AnalyticsDemo(store: store, table: table, users: users).run()
    }

    private func timed(_ label: String, iterations: Int, _ body: () throws -> Void) {
        var samples: [Duration] = []
        samples.reserveCapacity(iterations)
        do {
            for _ in 0..<iterations {
                let start = ContinuousClock.now
                try body()
                samples.append(ContinuousClock.now - start)
            }
        } catch {
            print("  \(label): failed: \(error)")
            return
        }
        samples.sort()
        let p50 = samples[samples.count / 2]
        let p99 = samples[min(samples.count - 1, samples.count * 99 / 100)]
        print("  ⏱ \(label): p50 \(format(p50)), p99 \(format(p99)) over \(iterations) runs")
    }
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

func format(_ duration: Duration) -> String {
    let s = seconds(duration)
    if s < 1e-3 { return String(format: "%.1f µs", s * 1e6) }
    if s < 1 { return String(format: "%.1f ms", s * 1e3) }
    return String(format: "%.2f s", s)
}

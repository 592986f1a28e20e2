import Analytics
import ArgumentParser
import Foundation
import KVTable

/// `kvtable track-events`: analytics events from DynamoDB JSON lines, tracked in batches.
struct TrackEventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "track-events",
        abstract: "Track analytics events given as DynamoDB JSON lines, in batches, each with its metrics.",
        discussion: """
            One event per line: {"userId": {"S": "u1"}, "eventType": {"S": "page_view"}, \
            "sessionId": {"S": "s1"}, "metadata": {"M": {"userAgent": {"S": "curl"}, \
            "ipAddress": {"S": "203.0.113.9"}, "platform": {"S": "web"}}}}, with optional "eventData" \
            (M), "timestamp" (S, ISO-8601) and "eventId" (S; an event whose id is stored already is \
            not counted again, so a rerun after a crash is safe). Each batch is stored with all its \
            metrics in one transaction: an interrupted run leaves whole batches, never part of one. \
            Invalid events are reported on standard error with their line and skipped; the command \
            then exits with status 1.
            """)

    @OptionGroup var store: StoreOptions
    @Option(help: "The analytics table (created as a single table when absent).") var table: String = "Analytics"
    @Option(help: "Input file (default: standard input).") var input: String?
    @Option(help: "Events per batch (1 to 10,000).") var batchSize: Int = 1000

    func validate() throws {
        guard (1...10_000).contains(batchSize) else { throw ValidationError("--batch-size must be 1 to 10,000, not \(batchSize)") }
    }

    func run() async throws {
        let store = try self.store.open(create: true)
        defer { store.close() }
        let table: Table
        if store.tableNames().contains(self.table) {
            table = try store.table(self.table)
        } else {
            table = try await store.createTable(.singleTable(name: self.table))
        }
        let analytics = Analytics(store: store, table: table)
        try await analytics.enableEventExpiry()
        var lines = try LineReader(path: input)
        let progress = Progress("events")
        var batch: [AnalyticsEvent] = []
        var batchLines: [Int] = []
        var (stored, duplicates, rejected) = (0, 0, 0)
        while true {
            let line = try lines.next()
            if let line {
                batch.append(try Self.event(line, line: lines.lineNumber))
                batchLines.append(lines.lineNumber)
            }
            if batch.count == batchSize || (line == nil && !batch.isEmpty) {
                let result = try await analytics.trackEventBatch(batch)
                stored += result.stored.count
                duplicates += result.duplicates.count
                rejected += result.rejected.count
                for rejection in result.rejected {
                    FileHandle.standardError.write(Data("line \(batchLines[rejection.index]): \(rejection.error)\n".utf8))
                }
                if let size = lines.size, lines.bytesRead > 0 {
                    progress.estimateTotal(Int(Double(size) / Double(lines.bytesRead) * Double(progress.count + batch.count)))
                }
                progress.advance(by: batch.count)
                batch.removeAll(keepingCapacity: true)
                batchLines.removeAll(keepingCapacity: true)
            }
            if line == nil { break }
        }
        progress.finish()
        print("tracked \(stored) events (\(duplicates) already stored, \(rejected) invalid) in \(progress.elapsed) (\(Int(progress.rate)) events/s)")
        if rejected > 0 { throw ExitCode(1) }
    }

    /// The event on line `number`; a line that is not such an event stops the run (nothing of
    /// the current batch is stored) with an error naming the line.
    static func event(_ text: String, line number: Int) throws -> AnalyticsEvent {
        let item = try CommandLineJSON.item(text, option: "line \(number)")
        func string(_ name: String, in item: Item, of owner: String = "the event", required: Bool = true) throws -> String? {
            switch item[name] {
            case .s(let value)?: return value
            case nil where !required: return nil
            case nil: throw ValidationError("line \(number): \(owner) has no \(name)")
            default: throw ValidationError("line \(number): \(name) must be a string (S)")
            }
        }
        guard case .m(let metadata)? = item["metadata"] else {
            throw ValidationError("line \(number): metadata must be a map (M) with userAgent, ipAddress and platform")
        }
        let metadataItem = Item(metadata)
        var eventData: [String: AttributeValue]?
        switch item["eventData"] {
        case .m(let data)?: eventData = data
        case nil: eventData = nil
        default: throw ValidationError("line \(number): eventData must be a map (M)")
        }
        var timestamp: Date?
        if let text = try string("timestamp", in: item, required: false) {
            guard let date = ISO8601DateFormatter.events.date(from: text) ?? ISO8601DateFormatter().date(from: text) else {
                throw ValidationError("line \(number): timestamp must be ISO-8601, such as 2026-12-01T09:30:00.000Z, not \(text)")
            }
            timestamp = date
        }
        let known: Set<String> = ["userId", "eventType", "sessionId", "metadata", "eventData", "timestamp", "eventId"]
        if let unknown = item.keys.sorted().first(where: { !known.contains($0) }) {
            throw ValidationError("line \(number): unknown attribute \(unknown) (an event has \(known.sorted().joined(separator: ", ")))")
        }
        return AnalyticsEvent(
            userId: try string("userId", in: item)!, eventType: try string("eventType", in: item)!,
            sessionId: try string("sessionId", in: item)!,
            metadata: .init(userAgent: try string("userAgent", in: metadataItem, of: "metadata")!,
                            ipAddress: try string("ipAddress", in: metadataItem, of: "metadata")!,
                            platform: try string("platform", in: metadataItem, of: "metadata")!),
            eventData: eventData, timestamp: timestamp, id: try string("eventId", in: item, required: false))
    }
}

extension ISO8601DateFormatter {
    /// ISO-8601 with milliseconds, as events are exported.
    nonisolated(unsafe) static let events: ISO8601DateFormatter = {   // read-only after creation; ISO8601DateFormatter is thread-safe for reads
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }()
}

import Foundation
import Testing
import KVTable
@testable import Analytics

/// `kill -9` in the middle of bulk ingest: `kvtable track-events` (``Analytics/trackEventBatch(_:allOrNothing:)``
/// in durable batches) is killed at growing delays, again and again, then run to the end.
@Suite("Crash in the middle of a bulk batch", .serialized)
struct CrashRecoveryTests {
    static let batchSize = 250
    static let eventCount = 6_000

    /// The events, in file order, with ids that say their position (…-8000-{n in hex}).
    static func events(now: Date) -> [AnalyticsEvent] {
        var random = SplitMix(seed: 11)
        let types = [EventType.pageView, EventType.featureUse, EventType.contentCreate, EventType.aiRequest, EventType.error]
        return (0..<eventCount).map { n in
            let type = types[random.below(types.count)]
            var data: [String: AttributeValue] = [:]
            if type == EventType.featureUse { data["feature"] = .s(["search", "share"][random.below(2)]) }
            if type == EventType.aiRequest { data["tokens"] = .number(random.below(500)); data["cost"] = try! .number("0.0\(random.below(90) + 10)") }
            let user = random.below(300)
            return event("u\(user)", type, session: "u\(user)-s\(n / 700)",
                         at: now.addingTimeInterval(-Double(random.below(6 * 3600))),
                         id: String(format: "00000000-0000-4000-8000-%012x", n), data: data)
        }
    }

    static func line(_ event: AnalyticsEvent) -> String {
        var item: Item = [
            "eventId": .s(event.id!), "userId": .s(event.userId), "eventType": .s(event.eventType), "sessionId": .s(event.sessionId),
            "timestamp": .s(ISO8601DateFormatter.withMilliseconds.string(from: event.timestamp!)),
            "metadata": .m(["userAgent": .s(event.metadata.userAgent), "ipAddress": .s(event.metadata.ipAddress), "platform": .s(event.metadata.platform)]),
        ]
        if let data = event.eventData, !data.isEmpty { item["eventData"] = .m(data) }
        return item.dynamoDBJSON.text
    }

    @Test("each kill leaves whole batches with exactly their metrics; the rerun completes without counting twice")
    func killDuringIngest() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("events.kvt").path
        let input = directory.appendingPathComponent("events.jsonl")
        // Whole milliseconds: the file's timestamps are written with millisecond precision, and
        // the formatter rounds to the nearest one, so an event less than half a millisecond
        // before an hour would be stored in the next hour while the checks below (which use the
        // unrounded time) expect it in this one.
        let now = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 * 1000).rounded(.down) / 1000)
        let events = Self.events(now: now)
        try events.map(Self.line).joined(separator: "\n").write(to: input, atomically: true, encoding: .utf8)
        let arguments = ["track-events", "--path", path, "--table", "App", "--input", input.path, "--batch-size", "\(Self.batchSize)"]

        // First find a delay at which the kill lands between the first batch and the last, on a
        // fresh store each time (how long a run takes depends on the machine and its load).
        var delay = 0.3, early = 0.0
        var late: Double?
        var midway: Int?
        for _ in 0..<12 where midway == nil {
            for file in [path, path + "-lock"] { try? FileManager.default.removeItem(atPath: file) }
            let killed = try await run(arguments, killingAfter: delay)
            let stored = try await Self.expectWholeBatches(at: path, events: events, now: now)
            if !killed { late = delay } else if stored == 0 { early = delay } else { midway = stored }
            if midway == nil { delay = late.map { (early + $0) / 2 } ?? delay * 2 }
        }
        let partial = try #require(midway, "a kill landed between the first batch and the last")
        #expect(partial > 0 && partial < events.count)

        // Then kill the reruns, later each time, until one completes: each resumes the last.
        var finished = false
        for _ in 0..<40 where !finished {
            finished = try await !run(arguments, killingAfter: delay)
            _ = try await Self.expectWholeBatches(at: path, events: events, now: now)
            delay *= 1.3
        }
        #expect(finished)
        #expect(try await Self.expectWholeBatches(at: path, events: events, now: now) == events.count)
    }

    @Test("track-events: an invalid event is reported by line and skipped (exit 1); a line that is not an event stops the run")
    func trackEventsFailures() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("track-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("events.kvt").path
        let now = Date()
        var good = Self.events(now: now).prefix(3).map(Self.line)
        good.insert(Self.line(event("u1", at: now, id: "not-a-uuid")), at: 1)   // line 2: a valid line, an invalid event
        let input = directory.appendingPathComponent("events.jsonl")
        try good.joined(separator: "\n").write(to: input, atomically: true, encoding: .utf8)
        let (status, output) = try await runCapturing(["track-events", "--path", path, "--input", input.path])
        #expect(status == 1)
        #expect(output.contains("line 2: "), "\(output)")
        #expect(output.contains("tracked 3 events (0 already stored, 1 invalid)"), "\(output)")

        for (text, message) in [
            ("{\"userId\": {\"S\": \"u1\"}}", "line 1: metadata must be a map (M)"),
            ("not json", "line 1 must be a DynamoDB JSON object"),
            (Self.line(Self.events(now: now)[0]).replacingOccurrences(of: "\"platform\"", with: "\"os\""), "line 1: metadata has no platform"),
            (Self.line(Self.events(now: now)[0]).replacingOccurrences(of: "\"sessionId\"", with: "\"session\""), "line 1: unknown attribute session"),
        ] {
            try text.write(to: input, atomically: true, encoding: .utf8)
            let (status, output) = try await runCapturing(["track-events", "--path", path, "--table", "Other", "--input", input.path])
            #expect(status != 0 && output.contains(message), "\(text): \(output)")
        }
        let store = try KVStore.open(path: path, configuration: LMDBConfiguration(durability: .noSync))
        defer { store.close() }
        #expect(try await store.table("Other").scan().count == 0, "a line that is not an event stores nothing of its batch")
        #expect(try await store.table("Analytics").scan(Scan(countOnly: true)).count > 3)
    }

    /// Checks the store after a kill: the events stored are the first whole batches of the file
    /// and every hour's counters and every day's distinct users are those of exactly these
    /// events; `kvtable verify` finds every index entry in step. Returns how many are stored.
    static func expectWholeBatches(at path: String, events: [AnalyticsEvent], now: Date) async throws -> Int {
        guard FileManager.default.fileExists(atPath: path) else { return 0 }
        let verify = try await run(["verify", "--path", path], killingAfter: nil)
        #expect(verify == false, "kvtable verify after the kill")

        let store = try KVStore.open(path: path, configuration: LMDBConfiguration(durability: .noSync))
        defer { store.close() }
        guard store.tableNames().contains("App") else { return 0 }
        let analytics = Analytics(store: store, table: try store.table("App"))
        var storedIds = Set<String>()
        try await analytics.exportEvents(from: now.addingTimeInterval(-7 * 3600), to: now.addingTimeInterval(1), format: .jsonLines) { line in
            let start = line.range(of: "\"eventId\":\"")!.upperBound
            storedIds.insert(String(line[start...].prefix { $0 != "\"" }).lowercased())
        }
        let count = storedIds.count
        #expect(count % batchSize == 0, "whole batches only: \(count) events stored")
        #expect(storedIds == Set(events.prefix(count).map { $0.id! }), "the stored events are the file's first \(count)")

        let stored = Array(events.prefix(count))
        let zone = TimeZone(identifier: "UTC")!
        var hours = Set<Date>()
        for event in stored { hours.insert(PeriodCalendar(timeZone: zone).period(.hourly, containing: event.timestamp!).start) }
        for hour in hours {
            let inHour = stored.filter { $0.timestamp! >= hour && $0.timestamp! < hour.addingTimeInterval(3600) }
            var counters = try await analytics.hourCounters(at: hour)
            counters["activeUsers"] = nil
            #expect(counters == (try Analytics.bruteForce(inHour)), "counters of the hour from \(hour)")
        }
        for day in Set(stored.map { PeriodCalendar(timeZone: zone).period(.daily, containing: $0.timestamp!).start }) {
            let users = Set(stored.filter { $0.timestamp! >= day && $0.timestamp! < day.addingTimeInterval(86_400) }.map(\.userId))
            #expect(try await analytics.activeUsers(.daily, at: day) == users.count, "distinct users of the day from \(day)")
        }
        return count
    }
}

/// Runs `kvtable arguments…`; with `killingAfter`, sends it SIGKILL once that many seconds have
/// passed. Returns whether it was killed; a run that ends by itself must exit with status 0.
/// Waits without blocking a thread (other suites run meanwhile).
func run(_ arguments: [String], killingAfter delay: Double?) async throws -> Bool {
    let (process, exited) = try launch(arguments, output: FileHandle.nullDevice)
    if let delay {
        let deadline = Date().addingTimeInterval(delay)
        while process.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(5)) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
        }
    }
    for await _ in exited {}
    // Killed is what happened, not what was attempted: the run may end by itself just before
    // the signal arrives.
    let killed = process.terminationReason == .uncaughtSignal
    if !killed {
        #expect(process.terminationStatus == 0, "kvtable \(arguments[0]) exited with status \(process.terminationStatus)")
    }
    return killed
}

/// Runs `kvtable arguments…` to the end; returns its exit status and its output (standard output
/// and error together).
func runCapturing(_ arguments: [String]) async throws -> (Int32, String) {
    let output = Pipe()
    let (process, exited) = try launch(arguments, output: output)
    let data = output.fileHandleForReading.readDataToEndOfFile()
    for await _ in exited {}
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// Starts `kvtable arguments…` with standard output and error to `output`; the stream ends
/// when the process has exited.
private func launch(_ arguments: [String], output: Any) throws -> (Process, AsyncStream<Void>) {
    let process = Process()
    process.executableURL = try kvtableBinary()
    // Its own working directory: a suite that runs meanwhile may change the process's (the
    // README example does) and remove it, and a spawn into a removed directory fails.
    process.currentDirectoryURL = FileManager.default.temporaryDirectory
    process.arguments = arguments
    process.standardOutput = output
    process.standardError = output
    let exited = AsyncStream<Void>.makeStream()
    process.terminationHandler = { _ in exited.continuation.finish() }
    try process.run()
    return (process, exited.stream)
}

/// The built `kvtable` next to this test bundle (`swift build --build-tests` builds both).
func kvtableBinary() throws -> URL {
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

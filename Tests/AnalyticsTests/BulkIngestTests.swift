import Foundation
import KVTable
import Testing
@testable import Analytics

/// The bulk ingest path against a brute-force count over the same seeded random events:
/// several days, zones with half-hour offsets and DST changes, duplicates inside a batch and
/// across batches (with other timestamps), late events, batches of uneven sizes, then erasure.
@Suite("Bulk ingest equals brute force")
struct BulkIngestTests {
    /// 2027-03-05 08:00 UTC: the range covers New York's and Adelaide's DST changes (March 14,
    /// April 4) and a month boundary.
    static let base = Date(timeIntervalSince1970: 1_804_233_600)

    struct Sent {
        var events: [AnalyticsEvent]
        /// The event each id stands for: its first copy in sending order.
        var stored: [String: AnalyticsEvent]
    }

    /// Events over 40 days, each with an id; about one in eight is a re-send of an earlier id
    /// with another timestamp (a retry), in the same or a later batch. Sessions belong to one
    /// user each (erasure removes a user's sessions).
    static func randomEvents(count: Int, seed: UInt64) throws -> Sent {
        var random = SplitMix(seed: seed)
        let types = Array(EventType.standard).sorted()
        var events: [AnalyticsEvent] = []
        var stored: [String: AnalyticsEvent] = [:]
        for n in 0..<count {
            if !events.isEmpty, random.below(8) == 0 {
                var retry = events[random.below(events.count)]
                retry.timestamp = retry.timestamp!.addingTimeInterval(Double(random.below(7200)) - 3600)
                events.append(retry)
                continue
            }
            let type = types[random.below(types.count)]
            let data = try randomEventData(type, &random)
            // Whole milliseconds, as stored.
            let at = base.addingTimeInterval(Double(random.below(40 * 86_400_000)) / 1000)
            let id = UUIDv7.make(at: at).uuidString.lowercased()
            let user = "user-\(random.below(12))"
            let e = event(user, type, session: "\(user)-s\(n % 4)", at: at, id: id, data: data)
            events.append(e)
            stored[id] = e
        }
        return Sent(events: events, stored: stored)
    }

    @Test("Every metric of the bulk path equals brute force, before and after erasing a user",
          arguments: [Backend.lmdb, .memory], ["UTC", "Australia/Adelaide", "America/New_York", "Asia/Kolkata"])
    func bulkMatchesBruteForce(backend: Backend, zone: String) async throws {
        var configuration = AnalyticsConfiguration()
        configuration.timeZone = TimeZone(identifier: zone)!
        let fixture = try await AnalyticsFixture(backend, configuration: configuration)
        let analytics = fixture.analytics
        let sent = try Self.randomEvents(count: 900, seed: 5 &+ UInt64(zone.utf8.count))

        // Uneven batches, shuffled (late events everywhere).
        var random = SplitMix(seed: 3)
        let shuffled = sent.events.shuffled(using: &random)
        var position = 0
        var storedIDs = Set<String>()
        for size in [1, 7, 500, 1, 250, 141] where position < shuffled.count {
            let batch = Array(shuffled[position..<min(position + size, shuffled.count)])
            position += batch.count
            let result = try await analytics.trackEventBatch(batch)
            for e in result.stored { #expect(storedIDs.insert(e.id!).inserted, "stored twice: \(e.id!)") }
            #expect(result.stored.count + result.duplicates.count == batch.count)
        }
        // Which copy of a duplicated id was stored depends on arrival order: the first to arrive.
        var winners: [String: AnalyticsEvent] = [:]
        for e in shuffled where winners[e.id!] == nil { winners[e.id!] = e }
        #expect(Set(winners.keys) == storedIDs)
        try await Self.expectMetrics(analytics, equal: Array(winners.values), zone: configuration.timeZone, "before erasure")

        let erased = try await analytics.eraseUser("user-3")
        #expect(erased == winners.values.filter { $0.userId == "user-3" }.count)
        try await Self.expectMetrics(analytics, equal: winners.values.filter { $0.userId != "user-3" }, zone: configuration.timeZone, "after erasure")
    }

    /// Hour counters, distinct users per day/week/month, new users, sessions and recalculated
    /// daily rollups, each against a count over `events`.
    static func expectMetrics(_ analytics: Analytics, equal events: [AnalyticsEvent], zone: TimeZone, _ stage: String) async throws {
        func buckets(_ e: AnalyticsEvent) -> TimeBuckets { TimeBuckets(e.timestamp!, in: zone) }
        let byHour = Dictionary(grouping: events) { buckets($0).hour }
        for (_, group) in byHour {
            var expected = try Analytics.bruteForce(group)
            expected = expected.filter { $0.value != .zero }
            let counters = try await analytics.hourCounters(at: group[0].timestamp!).filter { $0.value != .zero }
            #expect(counters == expected, "hour \(buckets(group[0]).hour)")
        }
        for e in events.prefix(60) {
            for (period, key) in [(Granularity.daily, \TimeBuckets.day), (.weekly, \.week), (.monthly, \.month)] {
                let expected = Set(events.filter { buckets($0)[keyPath: key] == buckets(e)[keyPath: key] }.map(\.userId)).count
                #expect(try await analytics.activeUsers(period, at: e.timestamp!) == expected, "\(period) \(buckets(e)[keyPath: key])")
            }
            let firsts = Dictionary(grouping: events, by: \.userId).mapValues { buckets($0.min { $0.timestamp! < $1.timestamp! }!).day }
            #expect(try await analytics.newUsers(on: e.timestamp!) == firsts.values.filter { $0 == buckets(e).day }.count)
        }
        let start = base.addingTimeInterval(-2 * 86_400), end = base.addingTimeInterval(43 * 86_400)
        let spans = Dictionary(grouping: events, by: \.sessionId).mapValues { ($0.map(\.timestamp!).min()!, $0.map(\.timestamp!).max()!) }
        for point in try await analytics.getPlatformMetrics(start: start, end: end) {
            let starting = spans.values.filter { $0.0 >= point.period.start && $0.0 < point.period.end }
            #expect(point.values["sessions"]?.intValue ?? 0 == starting.count, "sessions on \(point.period.key), \(stage)")
        }
        // The one-pass recalculation agrees with the fresh counters, period by period.
        for record in try await analytics.recalculate(metricType: "events", granularity: .daily, from: start, to: end) {
            let period = PeriodCalendar(timeZone: zone).period(.daily, containing: ISO8601DateFormatter.withMilliseconds.date(from: record.timestamp)!)
            let inPeriod = events.filter { $0.timestamp! >= period.start && $0.timestamp! < period.end }
            #expect(record.metrics["total"]?.intValue ?? 0 == inPeriod.count, "recalculated events on \(period.key)")
        }
    }

    @Test("A bulk batch that fails after its writes leaves nothing: no event, no marker, no counter", arguments: Backend.allCases)
    func atomic(backend: Backend) async throws {
        let fixture = try await AnalyticsFixture(backend)
        let analytics = fixture.analytics
        let now = Date()
        let batch = try (0..<300).map { n -> (event: AnalyticsEvent, item: Item) in
            let e = try EventPreparation.prepare(event("u\(n % 17)", session: "s\(n % 5)", at: now.addingTimeInterval(-Double(n))),
                                                 now: now, configuration: analytics.configuration)
            return (e, try EventLayout.itemBuilder(for: e, retention: analytics.configuration.eventRetention, now: now).build())
        }
        struct Crash: Error {}
        let table = analytics.table, configuration = analytics.configuration
        await #expect(throws: Crash.self) {
            try await fixture.store.write { tx in
                _ = try Analytics.store(batch, in: table, transaction: tx, configuration: configuration, now: now)
                throw Crash()
            }
        }
        #expect(try await table.scan().count == 0)
        // The same batch, not interrupted, stores all of it.
        let stored = try await fixture.store.write { tx in
            try Analytics.store(batch, in: table, transaction: tx, configuration: configuration, now: now).0.count
        }
        #expect(stored == 300)
        #expect(try await analytics.hourCounters(at: now).isEmpty == false)
    }
}

extension ISO8601DateFormatter {
    nonisolated(unsafe) static let withMilliseconds: ISO8601DateFormatter = {   // read-only after creation
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }()
}

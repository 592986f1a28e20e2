import Foundation
import KVTable
import Testing
@testable import Analytics

@Suite("Tracking and fresh metrics")
struct TrackingTests {
    static let base = Date(timeIntervalSince1970: 1_800_000_000)   // 2027-01-15 08:00 UTC

    @Test("Storing an event id twice is a no-op", arguments: Backend.allCases)
    func idempotency(backend: Backend) async throws {
        let fixture = try await AnalyticsFixture(backend)
        let analytics = fixture.analytics
        let first = try await analytics.trackEvent(event(at: Self.base))
        let again = try await analytics.trackEvent(event("someone-else", at: Self.base.addingTimeInterval(99), id: first.id))
        #expect(again == first)   // the stored event comes back unchanged
        let batch = try await analytics.trackEventBatch([event(at: Self.base, id: first.id), event(at: Self.base, id: first.id?.uppercased())])
        #expect(batch.stored.isEmpty && batch.duplicates.count == 2)
        #expect(try await analytics.hourCounters(at: Self.base)["events"] == 1)
        #expect(try await analytics.activeUsers(.daily, at: Self.base) == 1)
        #expect(try await analytics.journey(of: "u1").events.map(\.id) == [first.id])
    }

    @Test("A batch stores the valid events and reports the invalid ones by position", arguments: Backend.allCases)
    func batches(backend: Backend) async throws {
        let fixture = try await AnalyticsFixture(backend)
        let analytics = fixture.analytics
        let result = try await analytics.trackEventBatch([event(at: Self.base), event(""), event("u2", at: Self.base), event("u3", "nope")])
        #expect(result.stored.map(\.userId) == ["u1", "u2"])
        #expect(result.rejected.map(\.index) == [1, 3])
        #expect(result.rejected.map(\.error.field) == ["userId", "eventType"])
        do {
            _ = try await analytics.trackEventBatch([event("u4", at: Self.base), event("")], allOrNothing: true)
            Issue.record("an all-or-nothing batch with an invalid event must throw")
        } catch let error as Analytics.BatchRejected {
            #expect(error.rejected.map(\.index) == [1])
        }
        #expect(try await analytics.activeUsers(.daily, at: Self.base) == 2)   // u4 was not stored
        await #expect(throws: InvalidEvent(field: "userId", reason: "is required and must not be empty")) {
            try await analytics.trackEvent(event(""))
        }
    }

    @Test("Every fresh metric equals a brute-force recomputation from the raw events", arguments: Backend.allCases, ["UTC", "America/New_York"])
    func metricsMatchBruteForce(backend: Backend, zone: String) async throws {
        var configuration = AnalyticsConfiguration()
        configuration.timeZone = TimeZone(identifier: zone)!
        let fixture = try await AnalyticsFixture(backend, configuration: configuration)
        let analytics = fixture.analytics

        let events = try Self.randomEvents()
        for chunk in stride(from: 0, to: events.count, by: 50) {
            let result = try await analytics.trackEventBatch(Array(events[chunk..<min(chunk + 50, events.count)]))
            #expect(result.stored.count == min(50, events.count - chunk))
        }

        // Brute force from the raw events.
        func buckets(_ e: AnalyticsEvent) -> TimeBuckets { TimeBuckets(e.timestamp!, in: configuration.timeZone) }
        var hourly: [String: [String: ExactDecimal]] = [:]
        func add(_ hour: String, _ name: String, _ amount: ExactDecimal) {
            hourly[hour, default: [:]][name] = try! (hourly[hour]?[name] ?? .zero).adding(amount)
        }
        for e in events {
            let hour = buckets(e).hour
            add(hour, "events", 1)
            add(hour, "events:\(e.eventType)", 1)
            switch e.eventType {
            case EventType.featureUse: add(hour, "features:\(e.eventData!["feature"]!.stringValue!)", 1)
            case EventType.contentCreate:
                add(hour, "content", 1)
                add(hour, "content:\(e.eventData!["contentType"]!.stringValue!)", 1)
            case EventType.aiRequest:
                add(hour, "ai:requests", 1)
                add(hour, "ai:tokens", e.eventData!["tokens"]!.numberValue!)
                add(hour, "ai:cost", e.eventData!["cost"]!.numberValue!)
            case EventType.error: add(hour, "errors", 1)
            default: break
            }
        }
        for e in events {
            #expect(try await analytics.hourCounters(at: e.timestamp!) == hourly[buckets(e).hour]!)
        }
        for period in [Granularity.daily, .weekly, .monthly] {
            for e in events {
                let key = { (x: AnalyticsEvent) -> String in
                    switch period { case .daily: buckets(x).day; case .weekly: buckets(x).week; default: buckets(x).month }
                }
                let expected = Set(events.filter { key($0) == key(e) }.map(\.userId)).count
                #expect(try await analytics.activeUsers(period, at: e.timestamp!) == expected, "\(period) of \(key(e))")
            }
        }
        let firstDays = Dictionary(grouping: events, by: \.userId).mapValues { buckets($0.min { $0.timestamp! < $1.timestamp! }!).day }
        for e in events {
            let day = buckets(e).day
            #expect(try await analytics.newUsers(on: e.timestamp!) == firstDays.values.filter { $0 == day }.count, "new users on \(day)")
        }
    }

    /// A randomised data set: users, sessions, days (across a month and a week boundary),
    /// every event type, in random order so that many events arrive late.
    static func randomEvents(count: Int = 400) throws -> [AnalyticsEvent] {
        var random = SplitMix(seed: 11)
        let types = Array(EventType.standard).sorted()
        var events: [AnalyticsEvent] = []
        for n in 0..<count {
            let user = "user#\(random.below(9))"   // '#' in an id must not break keys
            let type = types[random.below(types.count)]
            let at = base.addingTimeInterval(Double(random.below(45 * 24 * 3600)))
            let data = try randomEventData(type, &random)
            events.append(event(user, type, session: "s\(n % 37)", at: at, data: data))
        }
        return events
    }

    @Test("Aggregations, engagement, feature usage and sessions equal brute force", arguments: Backend.allCases, ["UTC", "Asia/Kolkata"])
    func queriesMatchBruteForce(backend: Backend, zone: String) async throws {
        var configuration = AnalyticsConfiguration()
        configuration.timeZone = TimeZone(identifier: zone)!
        let fixture = try await AnalyticsFixture(backend, configuration: configuration)
        let analytics = fixture.analytics
        let events = try Self.randomEvents(count: 300)
        try await analytics.trackEventBatch(events.reversed())   // late everywhere
        let calendar = PeriodCalendar(timeZone: configuration.timeZone)
        let start = Self.base.addingTimeInterval(-86_400)
        let end = Self.base.addingTimeInterval(47 * 86_400)

        for granularity in [Granularity.daily, .weekly, .monthly] {
            let points = try await analytics.aggregate(granularity, from: start, to: end)
            for point in points {
                let inPeriod = events.filter { $0.timestamp! >= point.period.start && $0.timestamp! < point.period.end }
                #expect(point.values["events"]?.intValue ?? 0 == inPeriod.count, "\(granularity) \(point.period.key)")
                #expect(point.values["activeUsers"]?.intValue ?? 0 == Set(inPeriod.map(\.userId)).count, "\(granularity) \(point.period.key)")
                let tokens = inPeriod.compactMap { $0.eventData?["tokens"]?.numberValue?.intValue }.reduce(0, +)
                #expect(point.values["ai:tokens"]?.intValue ?? 0 == tokens)
            }
        }

        let usage = try await analytics.getFeatureUsage(start: start, end: end)
        let expectedUsage = Dictionary(grouping: events.filter { $0.eventType == EventType.featureUse }) { $0.eventData!["feature"]!.stringValue! }
            .mapValues { ExactDecimal($0.count) }
        #expect(usage == expectedUsage)

        let engagement = try await analytics.getUserEngagement(start: Self.base, end: Self.base.addingTimeInterval(40 * 86_400))
        for (day, users) in engagement.rollingSevenDayActiveUsers.map({ ($0.period, $0.users) }) {
            let dayPeriod = calendar.periods(.daily, from: Self.base, to: end).first { $0.key == day }!
            let windowStart = calendar.day(dayPeriod.start, offset: -6)
            let expected = Set(events.filter { $0.timestamp! >= windowStart && $0.timestamp! < dayPeriod.end }.map(\.userId)).count
            #expect(users == expected, "rolling 7 ending \(day)")
        }
        for (day, users) in engagement.rollingThirtyDayActiveUsers.map({ ($0.period, $0.users) }) {
            let dayPeriod = calendar.periods(.daily, from: Self.base, to: end).first { $0.key == day }!
            let windowStart = calendar.day(dayPeriod.start, offset: -29)
            #expect(users == Set(events.filter { $0.timestamp! >= windowStart && $0.timestamp! < dayPeriod.end }.map(\.userId)).count)
        }
        #expect(engagement.dailyActiveUsers.count == 41)   // 40 × 24 h from 08:00 touch 41 calendar days
        // Named results compare and hash as values (every field counts).
        var changed = engagement
        changed.rollingThirtyDayActiveUsers[3].users += 1
        #expect(changed != engagement)
        #expect(Set([engagement, changed, engagement]).count == 2)

        // Sessions: first to last event of each session id, filed under the day of its first event.
        let spans = Dictionary(grouping: events, by: \.sessionId).mapValues { group in
            (group.map(\.timestamp!).min()!, group.map(\.timestamp!).max()!)
        }
        for point in try await analytics.getPlatformMetrics(start: start, end: end) {
            let starting = spans.values.filter { $0.0 >= point.period.start && $0.0 < point.period.end }
            #expect(point.values["sessions"]?.intValue ?? 0 == starting.count, "sessions on \(point.period.key)")
            if !starting.isEmpty {
                let average = starting.map { $0.1.timeIntervalSince($0.0) }.reduce(0, +) / Double(starting.count)
                let reported = Double(point.values["averageSessionSeconds"]!.description)!
                #expect(abs(reported - average) < 0.002)
            }
            let firstEvents = Dictionary(grouping: events, by: \.userId).mapValues { $0.map(\.timestamp!).min()! }
            #expect(point.values["totalUsers"]?.intValue == firstEvents.values.filter { $0 < point.period.end }.count)
        }
        // The user numbering kept between calls never changes an answer: the same call again,
        // and a call after new users arrived, count as a first call would.
        #expect(try await analytics.getUserEngagement(start: Self.base, end: Self.base.addingTimeInterval(40 * 86_400)) == engagement)
        let late = (0..<5).map { event("newcomer-\($0)", at: Self.base.addingTimeInterval(39 * 86_400 + Double($0))) }
        try await analytics.trackEventBatch(late)
        let after = try await analytics.getUserEngagement(start: Self.base, end: Self.base.addingTimeInterval(40 * 86_400))
        let fresh = try await Analytics(store: analytics.store, table: analytics.table, configuration: configuration).getUserEngagement(
            start: Self.base, end: Self.base.addingTimeInterval(40 * 86_400))
        #expect(after == fresh)
        #expect(after.rollingThirtyDayActiveUsers.last!.users == engagement.rollingThirtyDayActiveUsers.last!.users + 5)
    }

    @Test("Creating an Analytics changes nothing; enableEventExpiry enables TTL on ttl once, and refuses another TTL attribute")
    func eventExpiryIsExplicit() async throws {
        let store = KVStore.inMemory()
        let table = try await store.createTable(.singleTable(name: "App"))
        let analytics = Analytics(store: store, table: table)
        #expect(try store.table("App").timeToLiveAttribute == nil)
        try await analytics.enableEventExpiry()
        try await analytics.enableEventExpiry()   // idempotent
        #expect(try store.table("App").timeToLiveAttribute == Analytics.expiryAttribute)

        let other = try await store.createTable(.singleTable(name: "Other"))
        try await store.updateTimeToLive(table: "Other", attribute: "expiresAt")
        let refused = Analytics(store: store, table: try store.table("Other"))
        await #expect(throws: KVTableError.validation("TimeToLive is already enabled on attribute 'expiresAt' of table Other; analytics events expire through 'ttl'")) {
            try await refused.enableEventExpiry()
        }
        #expect(try store.table("Other").timeToLiveAttribute == "expiresAt")
        _ = other
    }

    @Test("activeUsers takes the module's Granularity; hourly distinct users are not counted and say so")
    func activeUsersGranularity() async throws {
        let fixture = try await AnalyticsFixture(.memory)
        let analytics = fixture.analytics
        try await analytics.trackEventBatch([event("a", at: Self.base), event("b", at: Self.base), event("a", at: Self.base.addingTimeInterval(86_400))])
        #expect(try await analytics.activeUsers(.daily, at: Self.base) == 2)
        #expect(try await analytics.activeUsers(.monthly, at: Self.base) == 2)
        #expect(try await analytics.activeUsers(.daily, at: Self.base.addingTimeInterval(-86_400)) == 0)
        await #expect(throws: KVTableError.validation("Distinct users are counted per day, week and month, not per hour")) {
            try await analytics.activeUsers(.hourly, at: Self.base)
        }
    }

    @Test("A user's journey is in time order, paginated", arguments: Backend.allCases)
    func journey(backend: Backend) async throws {
        let fixture = try await AnalyticsFixture(backend)
        let analytics = fixture.analytics
        let times = (0..<7).map { Self.base.addingTimeInterval(Double($0) * 86_400) }
        try await analytics.trackEventBatch(times.reversed().map { event("ada", at: $0) } + [event("bob", at: Self.base)])
        let first = try await analytics.journey(of: "ada", limit: 4)
        let rest = try await analytics.journey(of: "ada", limit: 4, after: first.nextCursor)
        #expect(first.events.count == 4 && first.nextCursor != nil)
        #expect((first.events + rest.events).map(\.timestamp) == times)
        #expect(rest.nextCursor == nil)
    }
}

struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}

import Foundation
import KVTable
import Testing
@testable import Analytics

@Suite("Rollups")
struct RollupTests {
    /// 2027-01-15 08:00 UTC, a Friday.
    static let base = Date(timeIntervalSince1970: 1_800_000_000)

    static func make(_ backend: Backend) async throws -> (AnalyticsFixture, ManualTimeSource) {
        let time = ManualTimeSource(now: base)
        return (try await AnalyticsFixture(backend, time: time), time)
    }

    @Test("Rollups from fresh counters equal recalculation from raw events, in the SPEC §1.2 layout", arguments: Backend.allCases)
    func rollupsMatchRecalculation(backend: Backend) async throws {
        let (fixture, time) = try await Self.make(backend)
        let analytics = fixture.analytics
        let events = try TrackingTests.randomEvents(count: 200).map { e -> AnalyticsEvent in
            var e = e
            e.timestamp = Self.base.addingTimeInterval(-e.timestamp!.timeIntervalSince(TrackingTests.base) / 10)   // the 4.5 days before now
            e.sessionId = "\(e.userId)@\(TimeBuckets(e.timestamp!, in: TimeZone(identifier: "UTC")!).day)"   // sessions within a day
            return e
        }
        try await analytics.trackEventBatch(events)
        time.advance(by: .seconds(3600))

        for granularity in [Granularity.hourly, .daily, .weekly, .monthly] {
            let date = Self.base.addingTimeInterval(-2 * 86_400)
            let fresh = try await analytics.rollup(granularity, containing: date)
            let rebuilt = try await analytics.recalculate(granularity: granularity, from: date, to: date.addingTimeInterval(1))
            #expect(fresh.map(\.metricType) == rebuilt.map(\.metricType))
            for (a, b) in zip(fresh, rebuilt) {
                #expect(a.metrics == b.metrics, "\(granularity) \(a.metricType)")
                #expect(b.version == a.version + 1)
            }
        }
        // The stored layout: keys and both indexes.
        let day = PeriodCalendar(timeZone: TimeZone(identifier: "UTC")!).period(.daily, containing: Self.base.addingTimeInterval(-2 * 86_400))
        let stamp = EventLayout.iso8601(day.start)
        let item = try #require(try await fixture.analytics.table.getItem(["PK": "ANALYTICS#events#daily", "SK": .s(stamp)]))
        #expect(item["GSI1PK"] == "ANALYTICS" && item["GSI1SK"] == .s("daily#\(stamp)#events"))
        #expect(item["GSI2PK"] == "ANALYTICS_TYPE#events" && item["GSI2SK"] == .s(stamp))
        #expect(item["EntityType"] == "MetricRecord" && item["ttl"] != nil)
        let monthly = try #require(try await analytics.getMetrics(metricType: "users", granularity: .monthly, start: day.start.addingTimeInterval(-40 * 86_400), end: Self.base).last)
        #expect(monthly.ttl == nil)   // monthly records are kept forever

        let users = try await analytics.getMetrics(metricType: "users", granularity: .daily, start: day.start, end: day.end, names: ["active"])
        let inDay = events.filter { $0.timestamp! >= day.start && $0.timestamp! < day.end }
        #expect(users.map { $0.metrics } == [["active": ExactDecimal(Set(inDay.map(\.userId)).count)]])

        // The SPEC §1.3 daily aggregate at METRICS#{date} / DAILY.
        let daily = try #require(try await analytics.dailyAggregate(on: day.start))
        #expect(daily["PK"] == .s("METRICS#\(day.key)") && daily["SK"] == "DAILY")
        #expect(daily["dau"] == .n(ExactDecimal(Set(inDay.map(\.userId)).count)))
        let features = Dictionary(grouping: inDay.filter { $0.eventType == EventType.featureUse }) { $0.eventData!["feature"]!.stringValue! }
        #expect(daily["featureUsage"] == .m(features.mapValues { .n(ExactDecimal($0.count)) }))
        let content = inDay.filter { $0.eventType == EventType.contentCreate }.count
        #expect(daily["contentCreated"]?.description.contains("\"total\":{\"N\":\"\(content)\"}") == true)
        let week = PeriodCalendar(timeZone: TimeZone(identifier: "UTC")!).period(.weekly, containing: day.start)
        let inWeek = events.filter { $0.timestamp! >= week.start && $0.timestamp! < week.end }
        #expect(daily["wau"] == .n(ExactDecimal(Set(inWeek.map(\.userId)).count)))
    }

    @Test("A late event marks its closed periods stale; the next run recomputes them", arguments: Backend.allCases)
    func lateEvents(backend: Backend) async throws {
        let (fixture, time) = try await Self.make(backend)
        let analytics = fixture.analytics
        try await analytics.trackEvent(event("ada", at: Self.base.addingTimeInterval(60)))
        time.advance(by: .seconds(2 * 86_400))
        let before = try await analytics.rollup(.daily, containing: Self.base)
        #expect(before.first { $0.metricType == "events" }?.metrics["total"] == 1)

        try await analytics.trackEvent(event("bob", at: Self.base.addingTimeInterval(120)))   // late, for a closed day
        #expect(try await analytics.rollupStalePeriods() == 2)   // its hour and day are closed; its week and month are not
        let day = PeriodCalendar(timeZone: TimeZone(identifier: "UTC")!).period(.daily, containing: Self.base)
        let after = try await analytics.getMetrics(metricType: "events", granularity: .daily, start: day.start, end: day.end)
        #expect(after.first?.metrics["total"] == 2 && after.first?.version == 2)
        let users = try await analytics.getMetrics(metricType: "users", granularity: .daily, start: day.start, end: day.end)
        #expect(users.first?.metrics["active"] == 2)
        #expect(try await analytics.rollupStalePeriods() == 0)   // marks cleared
    }

    @Test("The schedule: hourly on the hour, daily 00:05, weekly Monday 00:10, monthly on the 1st 00:15")
    func schedule() throws {
        let schedule = RollupSchedule(timeZone: TimeZone(identifier: "UTC")!)
        let utc = { (text: String) in try Date(text, strategy: Date.ISO8601FormatStyle()) }
        var (fire, jobs) = schedule.next(after: try utc("2027-01-15T08:20:00Z"))
        #expect(fire == (try utc("2027-01-15T09:00:00Z")) && jobs.map(\.0) == [.hourly])
        #expect(jobs.first.map { PeriodCalendar(timeZone: schedule.timeZone).period(.hourly, containing: $0.1).key } == "2027-01-15T08")
        (fire, jobs) = schedule.next(after: try utc("2027-01-16T00:00:00Z"))
        #expect(fire == (try utc("2027-01-16T00:05:00Z")) && jobs.map(\.0) == [.daily])
        #expect(PeriodCalendar(timeZone: schedule.timeZone).period(.daily, containing: jobs[0].1).key == "2027-01-15")
        (fire, jobs) = schedule.next(after: try utc("2027-01-18T00:07:00Z"))   // a Monday
        #expect(fire == (try utc("2027-01-18T00:10:00Z")) && jobs.map(\.0) == [.weekly])
        #expect(PeriodCalendar(timeZone: schedule.timeZone).period(.weekly, containing: jobs[0].1).key == "2027-W02")
        (fire, jobs) = schedule.next(after: try utc("2027-02-01T00:12:00Z"))
        #expect(fire == (try utc("2027-02-01T00:15:00Z")) && jobs.map(\.0) == [.monthly])
        #expect(PeriodCalendar(timeZone: schedule.timeZone).period(.monthly, containing: jobs[0].1).key == "2027-01")
    }

    @Test("The scheduler service rolls up the previous hour on the injected clock", arguments: Backend.allCases)
    func schedulerService(backend: Backend) async throws {
        let (fixture, time) = try await Self.make(backend)
        let analytics = fixture.analytics
        try await analytics.trackEvent(event("ada", at: Self.base.addingTimeInterval(60)))
        let service = Task { try await RollupScheduler(analytics: analytics).run() }
        for _ in 0..<2000 where time.sleeperCount == 0 { try await Task.sleep(for: .milliseconds(1)) }
        time.advance(by: .seconds(3600))   // 09:00: roll 08:00–09:00
        var records: [MetricRecord] = []
        for _ in 0..<2000 where records.isEmpty {
            records = try await analytics.getMetrics(metricType: "events", granularity: .hourly, start: Self.base, end: Self.base.addingTimeInterval(3600))
            try await Task.sleep(for: .milliseconds(1))
        }
        #expect(records.first?.metrics["total"] == 1)
        service.cancel()
        try await service.value
    }
}

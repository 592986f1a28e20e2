import Foundation
import KVTable
import Testing
@testable import Analytics

@Suite("Privacy")
struct PrivacyTests {
    @Test("Erasing a user deletes their events and corrects every counter and rollup", arguments: Backend.allCases)
    func erasure(backend: Backend) async throws {
        let time = ManualTimeSource(now: TrackingTests.base.addingTimeInterval(50 * 86_400))
        let fixture = try await AnalyticsFixture(backend, time: time)
        let analytics = fixture.analytics
        let events = try TrackingTests.randomEvents(count: 300)
        try await analytics.trackEventBatch(events)
        let victim = "user#3"
        let range = (TrackingTests.base, TrackingTests.base.addingTimeInterval(46 * 86_400))
        // Rollups written before the erasure must be corrected too.
        for day in PeriodCalendar(timeZone: TimeZone(identifier: "UTC")!).periods(.daily, from: range.0, to: range.1) {
            try await analytics.rollup(.daily, containing: day.start)
        }
        let queue = EventQueue(analytics: analytics)
        queue.queueEvent(event(victim))
        queue.queueEvent(event("someone"))

        let erased = try await analytics.eraseUser(victim)
        #expect(erased == events.filter { $0.userId == victim }.count)
        #expect(queue.erase(userId: victim) == 1 && queue.queuedCount == 1)

        let remaining = events.filter { $0.userId != victim }
        #expect(try await analytics.journey(of: victim).events.isEmpty)
        func nonZero(_ values: [String: ExactDecimal]) -> [String: ExactDecimal] { values.filter { !$0.value.isZero } }
        for point in try await analytics.aggregate(.daily, from: range.0, to: range.1) {
            let inDay = remaining.filter { $0.timestamp! >= point.period.start && $0.timestamp! < point.period.end }
            var expected = try Analytics.bruteForce(inDay)
            if !inDay.isEmpty { expected["activeUsers"] = ExactDecimal(Set(inDay.map(\.userId)).count) }
            var got = nonZero(point.values)
            got["newUsers"] = nil
            #expect(got == nonZero(expected), "\(point.period.key)")
        }
        let records = try await analytics.getMetrics(metricType: "users", granularity: .daily, start: range.0, end: range.1)
        for record in records {
            let start = try Date(record.timestamp, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
            let inDay = remaining.filter { $0.timestamp! >= start && $0.timestamp! < start.addingTimeInterval(86_400) }
            #expect(record.metrics["active"]?.intValue ?? 0 == Set(inDay.map(\.userId)).count, "rollup \(record.timestamp)")
        }
        let firstDays = Dictionary(grouping: remaining, by: \.userId).mapValues { TimeBuckets($0.map(\.timestamp!).min()!, in: TimeZone(identifier: "UTC")!).day }
        for day in Set(firstDays.values) {
            let date = try Date("\(day)T12:00:00Z", strategy: Date.ISO8601FormatStyle())
            #expect(try await analytics.newUsers(on: date) == firstDays.values.filter { $0 == day }.count)
        }
        #expect(try await analytics.eraseUser(victim) == 0)
    }
}

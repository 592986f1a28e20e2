import Analytics
import Foundation
import KVTable

/// The analytics part of `kvtable demo`: a day of product events tracked through the queue and
/// in batches, then the dashboard a product team would look at.
struct AnalyticsDemo {
    let store: KVStore
    let table: Table
    let users: Int

    func run() async throws {
        print("\n── Analytics ──────────────────────────────────────────────")
        let analytics = Analytics(store: store, table: table)
        try await analytics.enableEventExpiry()
        let now = Date()
        let dayStart = now.addingTimeInterval(-24 * 3600)
        var random = SystemRandomNumberGenerator()
        let features = ["search", "export", "share", "playlist"]
        let events: [AnalyticsEvent] = (0..<5000).map { n in
            let user = "user-\(Int.random(in: 0..<users, using: &random))"
            let at = dayStart.addingTimeInterval(Double.random(in: 0..<24 * 3600, using: &random))
            let type = [EventType.pageView, EventType.pageView, EventType.featureUse, EventType.contentCreate,
                        EventType.aiRequest, EventType.error].randomElement(using: &random)!
            var data: [String: AttributeValue] = [:]
            switch type {
            case EventType.featureUse: data["feature"] = .s(features.randomElement(using: &random)!)
            case EventType.contentCreate: data["contentType"] = .s(["album", "track"].randomElement(using: &random)!)
            case EventType.aiRequest:
                data["tokens"] = .number(Int.random(in: 50..<4000, using: &random))
                data["cost"] = (try? .number("0.00\(Int.random(in: 1..<99, using: &random))")) ?? 0
            default: break
            }
            return AnalyticsEvent(userId: user, eventType: type, sessionId: "\(user)-s\(n % 7)",
                                  metadata: .init(userAgent: "Mozilla/5.0", ipAddress: "198.51.100.\(n % 250)", platform: n % 3 == 0 ? "ios" : "web"),
                                  eventData: data, timestamp: at)
        }

        let clock = ContinuousClock()
        var start = clock.now
        let batch = try await analytics.trackEventBatch(Array(events[..<4000]))
        let batchTime = clock.now - start
        print("trackEventBatch: \(batch.stored.count) events with their metrics in \(format(batchTime)) — \(Int(Double(batch.stored.count) / seconds(batchTime))) events/s (durable)")

        let queue = EventQueue(analytics: analytics)
        start = clock.now
        for event in events[4000...] { queue.queueEvent(event) }
        let queued = clock.now - start
        let report = await queue.flush()
        print("queueEvent: \(events.count - 4000) events queued in \(format(queued)) (never blocks; flushed in batches of 25); "
              + "flush() stored the last \(report.stored), \(queue.queuedCount) left, \(queue.droppedCount) dropped")

        let snapshot = try await analytics.realtimeSnapshot()
        start = clock.now
        _ = try await analytics.realtimeSnapshot()
        print("\nReal-time (read in \(format(clock.now - start))): this hour \(snapshot.hour.values["events"] ?? 0) events, today \(snapshot.day.values["events"] ?? 0) events, \(snapshot.activeUsersToday) active users today")

        let hours = try await analytics.aggregate(.hourly, from: dayStart, to: now, names: { $0 == "events" })
        let peak = max(1, hours.map { $0.values["events"]?.intValue ?? 0 }.max() ?? 1)
        print("\nEvents per hour, last 24 h:")
        for point in hours.suffix(24) {
            let count = point.values["events"]?.intValue ?? 0
            print("  \(point.period.key.suffix(5))  \(String(repeating: "█", count: count * 40 / peak)) \(count)")
        }

        let engagement = try await analytics.getUserEngagement(start: dayStart, end: now)
        print("\nEngagement: DAU \(engagement.dailyActiveUsers.map { "\($0.period): \($0.users)" }.joined(separator: ", ")); rolling 7-day \(engagement.rollingSevenDayActiveUsers.last?.users ?? 0); rolling 30-day \(engagement.rollingThirtyDayActiveUsers.last?.users ?? 0)")
        let usage = try await analytics.getFeatureUsage(start: dayStart, end: now)
        print("Feature usage: " + usage.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        let ai = try await analytics.aggregate(.daily, from: dayStart, to: now, names: { $0.hasPrefix("ai:") })
        var requests = ExactDecimal.zero, tokens = ExactDecimal.zero, cost = ExactDecimal.zero
        for point in ai {
            requests = try requests.adding(point.values["ai:requests"] ?? .zero)
            tokens = try tokens.adding(point.values["ai:tokens"] ?? .zero)
            cost = try cost.adding(point.values["ai:cost"] ?? .zero)
        }
        print("AI usage: \(requests) requests, \(tokens) tokens, $\(cost) (exact decimal sums)")

        start = clock.now
        let rollups = try await analytics.rollup(.daily, containing: dayStart)
        print("\nDaily rollup of \(rollups.first.map { String($0.timestamp.prefix(10)) } ?? "?") written in \(format(clock.now - start)): "
              + rollups.map { "\($0.metricType) \($0.metrics.count) metrics" }.joined(separator: ", "))
        var lines = 0
        try await analytics.exportEvents(from: dayStart, to: now, format: .jsonLines) { _ in lines += 1 }
        print("Export: \(lines) events as JSON Lines, streamed page by page")
    }
}

import Foundation
import KVTable
import Logging
import ServiceLifecycle
import Testing
import Analytics

// The code of Sources/Analytics/Analytics.docc/Analytics.md, as written there
// (DocumentationExampleTests checks that every catalog block appears verbatim in a test source).
func analyticsArticleExample(store: KVStore, event: AnalyticsEvent, logger: Logger, monthAgo: Date, today: Date) async throws
    -> (AnalyticsEvent, ServiceGroup, RealtimeSnapshot, UserEngagement, [MetricRecord]) {
    let analytics = Analytics(store: store, table: try store.table("App"))
    try await analytics.enableEventExpiry()        // once: raw events expire after eventRetention

    // Durable before it returns, with its metrics:
    let stored = try await analytics.trackEvent(AnalyticsEvent(
        userId: "u1", eventType: EventType.featureUse, sessionId: "s1",
        metadata: .init(userAgent: "Safari", ipAddress: "203.0.113.9", platform: "web"),
        eventData: ["feature": "search"]))

    // Fire and forget, from a request handler:
    let queue = EventQueue(analytics: analytics)
    queue.queueEvent(event)                        // never blocks, never throws

    // Background work, as swift-service-lifecycle services:
    let group = ServiceGroup(services: [queue, RollupScheduler(analytics: analytics),
                                        TimeToLiveSweeper(store: store)],
                             gracefulShutdownSignals: [.sigterm], logger: logger)

    // Reads:
    let now = try await analytics.realtimeSnapshot()          // this hour and today, two reads
    let engagement = try await analytics.getUserEngagement(start: monthAgo, end: today)
    let daily = try await analytics.getMetrics(metricType: "users", granularity: .daily, start: monthAgo, end: today)
    return (stored, group, now, engagement, daily)
}

@Test("The Analytics article's example runs: the tracked event shows in the real-time snapshot")
func analyticsArticleExampleRuns() async throws {
    let store = KVStore.inMemory()
    _ = try await store.createTable(.singleTable(name: "App"))
    let today = Date()
    let (stored, _, now, _, _) = try await analyticsArticleExample(
        store: store, event: event("u2", at: today), logger: Logger(label: "test"),
        monthAgo: today.addingTimeInterval(-30 * 86_400), today: today)
    #expect(stored.userId == "u1" && now.day.values["events:feature_use"] == 1)
    #expect(try store.table("App").timeToLiveAttribute == Analytics.expiryAttribute)
}

import Foundation
import KVTable
import Testing
@testable import Analytics

@Suite("Reports and export")
struct ReportsAndExportTests {
    static let base = TrackingTests.base

    @Test("Export round trip: JSON Lines and CSV hold every event exactly", arguments: Backend.allCases)
    func exportRoundTrip(backend: Backend) async throws {
        let fixture = try await AnalyticsFixture(backend)
        let analytics = fixture.analytics
        let tricky: [String: AttributeValue] = ["title": "Say \"hi\", then\nleave", "n": try .number("12.500"), "ok": true,
                                                "list": ["a", 1], "map": ["x": "ü"]]
        var events = (0..<30).map { event("u\($0 % 4)", at: Self.base.addingTimeInterval(Double($0) * 7000), data: $0 % 3 == 0 ? tricky : nil) }
        events = try await analytics.trackEventBatch(events).stored

        var lines: [String] = []
        try await analytics.exportEvents(from: Self.base, to: Self.base.addingTimeInterval(30 * 7000), format: .jsonLines) { lines.append($0) }
        #expect(lines.count == 30 && lines.allSatisfy { $0.hasSuffix("\n") })
        for (line, original) in zip(lines, events) {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            #expect(object["eventId"] as? String == original.id)
            #expect(object["userId"] as? String == original.userId)
            #expect(object["timestamp"] as? String == EventLayout.iso8601(original.timestamp!))
            #expect((object["metadata"] as? [String: Any])?["ipAddress"] as? String == "203.0.113.0")
            if original.eventData != nil {
                let data = object["eventData"] as! [String: Any]
                #expect(data["title"] as? String == "Say \"hi\", then\nleave")
                #expect(line.contains("\"n\":12.5"))   // exact digits, canonical
            }
        }

        var csv = ""
        try await analytics.exportEvents(from: Self.base, to: Self.base.addingTimeInterval(30 * 7000), format: .csv) { csv += $0 }
        let rows = Self.parseCSV(csv)
        #expect(rows.first == ["eventId", "userId", "eventType", "sessionId", "timestamp", "userAgent", "ipAddress", "platform", "eventData"])
        #expect(rows.count == 31)
        for (row, original) in zip(rows.dropFirst(), events) {
            #expect(row[0] == original.id && row[1] == original.userId && row[4] == EventLayout.iso8601(original.timestamp!))
            if original.eventData != nil { #expect(row[8].contains("Say \\\"hi\\\", then\\nleave")) }
        }

        // Metrics export: long-form CSV and JSON Lines of stored rollups.
        try await analytics.rollup(.daily, containing: Self.base)
        var metricLines: [String] = []
        try await analytics.exportMetrics(metricType: "events", granularity: .daily, from: Self.base.addingTimeInterval(-86_400),
                                          to: Self.base.addingTimeInterval(86_400), format: .csv) { metricLines.append($0) }
        #expect(metricLines.first == "metricType,granularity,timestamp,endTimestamp,metric,value\r\n")
        #expect(metricLines.contains { $0.contains(",total,") })
    }

    /// RFC 4180 parsing, for the round trip.
    static func parseCSV(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var chars = Array(text)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if quoted {
                if c == "\"" {
                    if i + 1 < chars.count && chars[i + 1] == "\"" { field.append("\""); i += 1 } else { quoted = false }
                } else { field.append(c) }
            } else if c == "\"" { quoted = true }
            else if c == "," { row.append(field); field = "" }
            else if c == "\r\n" || c == "\n" { row.append(field); rows.append(row); row = []; field = "" }
            else { field.append(c) }
            i += 1
        }
        chars.removeAll()
        return rows
    }

    @Test("A cached metric expires after its ttl (rounded up to a second) even when the table has no TTL enabled")
    func metricsCacheWithoutTableTTL() async throws {
        let time = ManualTimeSource(now: Self.base.addingTimeInterval(0.5))
        let store = KVStore.inMemory(time: time)
        let analytics = Analytics(store: store, table: try await store.createTable(.singleTable(name: "App")))
        #expect(analytics.table.timeToLiveAttribute == nil)
        try await analytics.cacheMetric("short", value: 1, ttl: .milliseconds(200))   // 0.7 s → expires at 1 s
        try await analytics.cacheMetric("long", value: 2, ttl: .seconds(60))
        #expect(try await analytics.cachedMetric("short")?.value == 1)
        time.advance(by: .milliseconds(400))   // 0.9 s: not yet (never early)
        #expect(try await analytics.cachedMetric("short")?.value == 1)
        time.advance(by: .milliseconds(100))   // 1.0 s
        #expect(try await analytics.cachedMetric("short") == nil)
        #expect(try await analytics.cachedMetric("long")?.value == 2)
        #expect(try await analytics.cachedMetric("absent") == nil)
    }

    @Test("Events of a date newest first; visit statistics; campaign metrics; the metrics cache", arguments: Backend.allCases)
    func reports(backend: Backend) async throws {
        let time = ManualTimeSource(now: Self.base)
        var configuration = AnalyticsConfiguration()
        configuration.eventTypes.formUnion(Analytics.campaignEventTypes)
        let fixture = try await AnalyticsFixture(backend, configuration: configuration, time: time)
        let analytics = fixture.analytics
        try await analytics.trackEventBatch([
            event("a", at: Self.base.addingTimeInterval(0), data: ["titles": ["Song A", "Song B"]]),
            event("b", at: Self.base.addingTimeInterval(60), data: ["titles": ["Song A"], "has_errors": true]),
            event("a", EventType.error, at: Self.base.addingTimeInterval(3600), data: ["title": "Song C"]),
            event("c", "impression", at: Self.base.addingTimeInterval(10), data: ["campaignId": "spring"]),
            event("c", "impression", at: Self.base.addingTimeInterval(20), data: ["campaignId": "spring"]),
            event("c", "click", at: Self.base.addingTimeInterval(30), data: ["campaignId": "spring"]),
            event("c", "conversion", at: Self.base.addingTimeInterval(40), data: ["campaignId": "spring", "revenue": try .number("19.99")]),
        ])
        let newest = try await analytics.events(onUTCDay: Self.base, limit: 3)
        #expect(newest.events.map(\.timestamp!) == [3600, 60, 40].map { Self.base.addingTimeInterval($0) })
        let rest = try await analytics.events(onUTCDay: Self.base, limit: 3, startAfter: newest.nextCursor)
        #expect(rest.events.map(\.timestamp!) == [30, 20, 10].map { Self.base.addingTimeInterval($0) })
        let after = try await analytics.events(onUTCDay: Self.base.addingTimeInterval(3600), after: Self.base.addingTimeInterval(40))
        #expect(after.events.map(\.timestamp!) == [3600, 60].map { Self.base.addingTimeInterval($0) } && after.nextCursor == nil)
        #expect(try await analytics.events(onUTCDay: Self.base.addingTimeInterval(-86_400)).events.isEmpty)

        let visits = try await analytics.visitStatistics(from: Self.base, to: Self.base.addingTimeInterval(7200), topTitles: 2)
        #expect(visits.topTitles == [.init(title: "Song A", count: 2), .init(title: "Song B", count: 1)])
        #expect(visits.uniqueVisitors == 3 && visits.total == 7 && visits.successes == 5)
        #expect(abs(visits.successRate - 5.0 / 7.0) < 1e-12)
        #expect(visits.peakHours == [.init(hour: 8, count: 6), .init(hour: 9, count: 1)])

        let campaigns = try await analytics.campaignMetrics(from: Self.base, to: Self.base.addingTimeInterval(7200), granularity: .daily)
        #expect(campaigns.count == 1)
        #expect(campaigns[0].impressions == 2 && campaigns[0].clicks == 1 && campaigns[0].conversions == 1)
        #expect(campaigns[0].revenue == ExactDecimal("19.99") && campaigns[0].clickThroughRate == 0.5 && campaigns[0].conversionRate == 1)

        try await analytics.cacheMetric("activeNow", value: 42, ttl: .seconds(60))
        #expect(try await analytics.cachedMetric("activeNow")?.value == 42)
        time.advance(by: .seconds(61))
        #expect(try await analytics.cachedMetric("activeNow") == nil)
        let snapshot = try await analytics.realtimeSnapshot()
        #expect(snapshot.hour.period.key == "2027-01-15T08" && snapshot.hour.values["events"] == 6)
        #expect(snapshot.day.values["events"] == 7 && snapshot.activeUsersToday == 3)
    }
}

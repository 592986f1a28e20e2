import Foundation
import KVTable

/// Visit statistics over a range (SPEC §1.1).
public struct VisitStatistics: Sendable, Hashable {
    /// The most frequent titles (from `eventData.titles`, a list, or `eventData.title`), most
    /// frequent first, ties by title.
    public var topTitles: [TitleCount]
    /// Distinct `userId`s.
    public var uniqueVisitors: Int
    /// Events that succeeded (not of type `error` and without `eventData.has_errors == true`).
    public var successes: Int
    /// All events of the range: the success rate's denominator.
    public var total: Int
    /// successes ÷ total (0 when there are no events).
    public var successRate: Double
    /// Events per hour of day (0–23, in the analytics time zone), busiest first.
    public var peakHours: [HourCount]

    /// One title of ``VisitStatistics/topTitles`` and how often it occurs.
    public struct TitleCount: Sendable, Hashable {
        /// The title.
        public var title: String
        /// How many times it occurs in the range's events.
        public var count: Int
    }

    /// One hour of day of ``VisitStatistics/peakHours`` and its events.
    public struct HourCount: Sendable, Hashable {
        /// The hour of day, 0–23, in the analytics time zone.
        public var hour: Int
        /// Events in that hour of day, over every day of the range.
        public var count: Int
    }
}

/// One campaign's results in one period (SPEC §1.4).
public struct CampaignMetrics: Sendable, Hashable {
    /// The campaign: the `eventData.campaignId` of its events.
    public var campaignId: String
    /// The period the figures cover.
    public var period: MetricPeriod
    /// `impression` events.
    public var impressions: Int
    /// `click` events.
    public var clicks: Int
    /// `conversion` events.
    public var conversions: Int
    /// Sum of `eventData.revenue` of conversions.
    public var revenue: ExactDecimal
    /// clicks ÷ impressions (nil without impressions).
    public var clickThroughRate: Double?
    /// conversions ÷ clicks (nil without clicks).
    public var conversionRate: Double?
}

/// A cached metric value (SPEC §1.2 `METRICS_CACHE`).
public struct CachedMetric: Sendable, Hashable {
    /// The cache key (the item's `SK`).
    public var key: String
    /// The cached value.
    public var value: ExactDecimal
    /// When ``Analytics/cacheMetric(_:value:ttl:)`` stored it, by the store's clock.
    public var lastUpdated: Date
}

extension Analytics {
    /// The event types of ad campaigns, for ``campaignMetrics(from:to:granularity:)``; add them
    /// to ``AnalyticsConfiguration/eventTypes`` to track ad events.
    public static let campaignEventTypes: Set<String> = ["impression", "click", "conversion"]

    /// The events of the UTC calendar day containing `day`, newest first, optionally only
    /// those after a time, a page at a time.
    ///
    /// Raw events are partitioned by UTC date whatever ``AnalyticsConfiguration/timeZone`` is,
    /// so that a partition never depends on configuration.
    public func events(onUTCDay day: Date, after: Date? = nil, limit: Int = 100,
                       startAfter cursor: PageCursor? = nil) async throws -> EventPage {
        let condition: SortKeyCondition = after.map { .greaterThan(.s("EVENT#\(EventLayout.paddedMillis($0))~")) } ?? .beginsWith("EVENT#")
        let page = try await table.query(Query(partitionKey: .s("ANALYTICS#\(TimeBuckets.utcDay(day))"), sortKey: condition,
                                               ascending: false, limit: limit, startAfter: cursor))
        return EventPage(events: page.items.compactMap(EventLayout.event(from:)), nextCursor: page.nextCursor)
    }

    /// Top titles, unique visitors, success rate and peak hours of the events in `[start, end)`.
    public func visitStatistics(from start: Date, to end: Date, topTitles: Int = 10) async throws -> VisitStatistics {
        let events = try await rawEvents(from: start, to: end)
        var titles: [String: Int] = [:]
        var hours = [Int](repeating: 0, count: 24)
        var successes = 0
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = configuration.timeZone
        for event in events {
            let data = event.eventData ?? [:]
            if case .l(let list)? = data["titles"] {
                for case .s(let title) in list { titles[title, default: 0] += 1 }
            } else if case .s(let title)? = data["title"] {
                titles[title, default: 0] += 1
            }
            if event.eventType != EventType.error && data["has_errors"] != .bool(true) { successes += 1 }
            hours[calendar.component(.hour, from: event.timestamp!)] += 1
        }
        let top = titles.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(topTitles)
        return VisitStatistics(
            topTitles: top.map { .init(title: $0.key, count: $0.value) },
            uniqueVisitors: Set(events.map(\.userId)).count,
            successes: successes, total: events.count,
            successRate: events.isEmpty ? 0 : Double(successes) / Double(events.count),
            peakHours: hours.enumerated().filter { $0.element > 0 }
                .sorted { $0.element != $1.element ? $0.element > $1.element : $0.offset < $1.offset }
                .map { .init(hour: $0.offset, count: $0.element) })
    }

    /// Impressions, clicks, conversions and revenue per campaign (`eventData.campaignId`) and
    /// period, with CTR = clicks ÷ impressions and conversion rate = conversions ÷ clicks.
    public func campaignMetrics(from start: Date, to end: Date, granularity: Granularity) async throws -> [CampaignMetrics] {
        var results: [String: CampaignMetrics] = [:]
        for event in try await rawEvents(from: start, to: end) where Self.campaignEventTypes.contains(event.eventType) {
            guard let campaign = event.eventData?["campaignId"]?.stringValue else { continue }
            let period = calendar.period(granularity, containing: event.timestamp!)
            let key = "\(campaign)\u{0}\(period.key)"
            var metrics = results[key] ?? CampaignMetrics(campaignId: campaign, period: period, impressions: 0, clicks: 0,
                                                         conversions: 0, revenue: .zero, clickThroughRate: nil, conversionRate: nil)
            switch event.eventType {
            case "impression": metrics.impressions += 1
            case "click": metrics.clicks += 1
            default:
                metrics.conversions += 1
                if case .n(let revenue)? = event.eventData?["revenue"] { metrics.revenue = try metrics.revenue.adding(revenue) }
            }
            metrics.clickThroughRate = metrics.impressions > 0 ? Double(metrics.clicks) / Double(metrics.impressions) : nil
            metrics.conversionRate = metrics.clicks > 0 ? Double(metrics.conversions) / Double(metrics.clicks) : nil
            results[key] = metrics
        }
        return results.values.sorted { ($0.campaignId, $0.period.start) < ($1.campaignId, $1.period.start) }
    }

    /// Stores a value in the real-time metrics cache (`PK = METRICS_CACHE`, `SK = {key}`) for
    /// `ttl`, rounded up to a whole second (DynamoDB's TTL unit); after that
    /// ``cachedMetric(_:)`` reads it as absent, whether or not TTL is enabled on the table
    /// (``enableEventExpiry()``; with it, the sweeper also deletes it).
    public func cacheMetric(_ key: String, value: ExactDecimal, ttl: Duration) async throws {
        let now = store.time.now()
        let seconds = Double(ttl.components.seconds) + Double(ttl.components.attoseconds) / 1e18
        let expiry = Int((now.timeIntervalSince1970 + seconds).rounded(.up))
        try await table.putItem(["PK": "METRICS_CACHE", "SK": .s(key), "value": .n(value),
                                 "lastUpdated": .s(EventLayout.iso8601(now)),
                                 EventLayout.ttlAttribute: .number(expiry)])
    }

    /// A cached value, or nil when absent or expired.
    public func cachedMetric(_ key: String) async throws -> CachedMetric? {
        guard let item = try await table.getItem(["PK": "METRICS_CACHE", "SK": .s(key)]),
              case .n(let value)? = item["value"], let updated = item["lastUpdated"]?.stringValue,
              let date = try? Date(updated, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) else { return nil }
        // Checked here too: without TTL on the table, reads do not hide expired items.
        if case .n(let expiry)? = item[EventLayout.ttlAttribute], expiry <= store.time.epochSeconds { return nil }
        return CachedMetric(key: key, value: value, lastUpdated: date)
    }
}

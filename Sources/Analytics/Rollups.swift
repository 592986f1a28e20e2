import Foundation
import KVTable

/// A pre-computed rollup record (SPEC §1.2):
/// `PK = ANALYTICS#{metricType}#{granularity}`, `SK = {timestamp}`,
/// `GSI1 = ANALYTICS / {granularity}#{timestamp}#{metricType}` (all metrics of a time range),
/// `GSI2 = ANALYTICS_TYPE#{metricType} / {timestamp}` (one metric type over time).
public struct MetricRecord: Entity, Hashable {
    public static let entityType = "MetricRecord"
    public static let key = KeyTemplate(partition: "ANALYTICS#{metricType}#{granularity}", sort: "{timestamp}")
    public static let indexKeys = [
        "GSI1": KeyTemplate(partition: "ANALYTICS", sort: "{granularity}#{timestamp}#{metricType}"),
        "GSI2": KeyTemplate(partition: "ANALYTICS_TYPE#{metricType}", sort: "{timestamp}"),
    ]

    /// `events`, `features`, `content`, `ai`, `errors`, `users` or `sessions`.
    public var metricType: String
    /// The length of the period: an hour, a day, an ISO week or a month.
    public var granularity: Granularity
    /// Start of the period, ISO-8601 UTC with milliseconds.
    public var timestamp: String
    /// End of the period (exclusive), ISO-8601 UTC with milliseconds.
    public var endTimestamp: String
    /// The values by name, such as `total` (events, content, errors), `page_view` (an event
    /// type), `active` and `new` (users), `count` and `averageSeconds` (sessions).
    public var metrics: [String: ExactDecimal]
    /// When the record was computed, by the store's clock.
    public var calculatedAt: Date
    /// Bumped every time the record is recomputed.
    public var version: Int
    /// Expiry (epoch seconds) per the retention of its granularity; nil keeps it forever.
    public var ttl: Int?
}

/// The metric types a rollup writes, and which counters feed each.
enum RollupMetrics {
    static let types = ["events", "features", "content", "ai", "errors", "users", "sessions"]

    /// Splits a period's values into per-type metric maps.
    static func split(_ values: [String: ExactDecimal]) -> [String: [String: ExactDecimal]] {
        var result: [String: [String: ExactDecimal]] = [:]
        for (name, value) in values {
            switch name {
            case "events": result["events", default: [:]]["total"] = value
            case "content": result["content", default: [:]]["total"] = value
            case "errors": result["errors", default: [:]]["total"] = value
            case "activeUsers": result["users", default: [:]]["active"] = value
            case "newUsers": result["users", default: [:]]["new"] = value
            case "totalUsers": result["users", default: [:]]["total"] = value
            case "sessions": result["sessions", default: [:]]["count"] = value
            case "averageSessionSeconds": result["sessions", default: [:]]["averageSeconds"] = value
            default:
                if let colon = name.firstIndex(of: ":") {
                    let family = String(name[..<colon])
                    let member = String(name[name.index(after: colon)...])
                    let type = family == "events" ? "events" : family
                    result[type, default: [:]][member] = value
                }
            }
        }
        return result
    }
}

extension Analytics {
    /// Computes the rollup records of the period of `granularity` containing `date` from the
    /// fresh counters and stores them (replacing earlier versions). Distinct counts come from
    /// the period's own counters, never from smaller buckets.
    @discardableResult
    public func rollup(_ granularity: Granularity, containing date: Date) async throws -> [MetricRecord] {
        let period = calendar.period(granularity, containing: date)
        var values = try await aggregate(granularity, from: period.start, to: period.start.addingTimeInterval(1)).first?.values ?? [:]
        if granularity != .hourly {
            values.merge(try await sessionFigures(days: period.days)) { $1 }
            values["newUsers"] = values["newUsers"] ?? .zero
            if granularity != .daily {
                // New users are additive over days.
                var new = ExactDecimal.zero
                for day in period.days {
                    let counters = try await table.getItem(EventLayout.counters("DAY", day)).map(Self.numbers) ?? [:]
                    new = try new.adding(counters["newUsers"] ?? .zero)
                }
                values["newUsers"] = new
            }
        }
        values["totalUsers"] = ExactDecimal(try await totalUsers(before: period.end))
        let records = try await store(values, for: period)
        if granularity == .daily { try await storeDailyAggregate(values, for: period) }
        return records
    }

    /// The daily aggregate of SPEC §1.3 at `PK = METRICS#{date}`, `SK = DAILY`: active users
    /// (DAU), total users, new signups, WAU (of the ISO week the day ends), average session
    /// duration, feature usage by feature, content created (total and by type) and AI usage.
    private func storeDailyAggregate(_ values: [String: ExactDecimal], for period: MetricPeriod) async throws {
        let week = calendar.period(.weekly, containing: period.start)
        let weekly = try await table.getItem(EventLayout.counters("WEEK", week.key)).map(Self.numbers) ?? [:]
        func family(_ prefix: String) -> AttributeValue {
            .m(Dictionary(uniqueKeysWithValues: values.filter { $0.key.hasPrefix(prefix) }
                .map { (String($0.key.dropFirst(prefix.count)), AttributeValue.n($0.value)) }))
        }
        let zero = ExactDecimal.zero
        var item: Item = [
            "PK": .s("METRICS#\(period.key)"), "SK": "DAILY", "EntityType": "DailyMetrics",
            "date": .s(period.key),
            "activeUsers": .n(values["activeUsers"] ?? zero), "dau": .n(values["activeUsers"] ?? zero),
            "wau": .n(weekly["activeUsers"] ?? zero),
            "totalUsers": .n(values["totalUsers"] ?? zero), "newSignups": .n(values["newUsers"] ?? zero),
            "featureUsage": family("features:"),
            "contentCreated": .m(["total": .n(values["content"] ?? zero), "byType": family("content:")]),
            "aiUsage": .m(["requests": .n(values["ai:requests"] ?? zero), "tokens": .n(values["ai:tokens"] ?? zero),
                           "cost": .n(values["ai:cost"] ?? zero)]),
            "calculatedAt": .s(EventLayout.iso8601(store.time.now())),
        ]
        if let average = values["averageSessionSeconds"] { item["averageSessionDuration"] = .n(average) }
        if let retention = configuration.rollupRetention[.daily] ?? nil {
            item[EventLayout.ttlAttribute] = .number(Int(period.end.timeIntervalSince1970) + Int(retention.components.seconds))
        }
        try await table.putItem(item)
    }

    /// The daily aggregate of SPEC §1.3 for the day containing `date` (written by the daily
    /// rollup), or nil before the day has been rolled up.
    public func dailyAggregate(on date: Date) async throws -> Item? {
        try await table.getItem(["PK": .s("METRICS#\(calendar.period(.daily, containing: date).key)"), "SK": "DAILY"])
    }

    /// Rebuilds the rollup records of every period of `granularity` overlapping
    /// `[start, end)` from the raw events, for one metric type or all of them. New and total
    /// users come from each user's first-seen record; sessions from the raw events of the
    /// period and the day around it (a session is taken to last less than a day).
    ///
    /// One pass over the events as stored bytes, in one snapshot (on two cores), computes every
    /// metric of every period (`Recalculation`); then the records are written.
    @discardableResult
    public func recalculate(metricType: String? = nil, granularity: Granularity, from start: Date, to end: Date) async throws -> [MetricRecord] {
        let periods = calendar.periods(granularity, from: start, to: end)
        let pass = try Recalculation.run(periods, in: table)
        var records: [MetricRecord] = []
        for (index, period) in periods.enumerated() {
            records += try await store(try pass.values(ofPeriod: index), for: period, only: metricType)
        }
        return records
    }

    /// Stored rollup records of one metric type and granularity whose periods start in
    /// `[start, end)`, keeping only the metric `names` given (all when nil).
    public func getMetrics(metricType: String, granularity: Granularity, start: Date, end: Date,
                           names: [String]? = nil) async throws -> [MetricRecord] {
        var records: [MetricRecord] = []
        var cursor: PageCursor?
        repeat {
            let page = try await table.queryEntities(
                Query(partitionKey: .s("ANALYTICS#\(KeyTemplate.escape(metricType))#\(granularity.rawValue)"),
                      sortKey: .between(.s(EventLayout.iso8601(start)), .s(EventLayout.iso8601(end.addingTimeInterval(-0.001)))),
                      startAfter: cursor),
                as: [MetricRecord.self])
            records += page.entities(of: MetricRecord.self)
            cursor = page.nextCursor
        } while cursor != nil
        guard let names else { return records }
        return records.map { record in
            var filtered = record
            filtered.metrics = record.metrics.filter { names.contains($0.key) }
            return filtered
        }
    }

    // MARK: Building blocks

    private func store(_ values: [String: ExactDecimal], for period: MetricPeriod, only metricType: String? = nil) async throws -> [MetricRecord] {
        let now = store.time.now()
        let retention = configuration.rollupRetention[period.granularity] ?? nil
        var records: [MetricRecord] = []
        let byType = RollupMetrics.split(values)
        for type in RollupMetrics.types where metricType == nil || metricType == type {
            let metrics = byType[type] ?? [:]
            if period.granularity == .hourly, type == "users" || type == "sessions", metrics.isEmpty { continue }
            let timestamp = EventLayout.iso8601(period.start)
            let previous = try await table.get(MetricRecord.self, ["metricType": .s(type), "granularity": .s(period.granularity.rawValue),
                                                                   "timestamp": .s(timestamp)])
            let record = MetricRecord(
                metricType: type, granularity: period.granularity, timestamp: timestamp,
                endTimestamp: EventLayout.iso8601(period.end), metrics: metrics, calculatedAt: now,
                version: (previous?.version ?? 0) + 1,
                ttl: retention.map { Int(period.end.timeIntervalSince1970) + Int($0.components.seconds) })
            try await table.put(record)
            records.append(record)
        }
        return records
    }

    /// Raw events with timestamps in `[start, end)`, read from their UTC day partitions.
    func rawEvents(from start: Date, to end: Date) async throws -> [AnalyticsEvent] {
        var events: [AnalyticsEvent] = []
        try await forEachRawEvent(from: start, to: end) { events.append($0) }
        return events
    }

    /// Visits the raw events with timestamps in `[start, end)`, oldest first, a page at a time
    /// (constant memory).
    func forEachRawEvent(from start: Date, to end: Date, _ visit: (AnalyticsEvent) async throws -> Void) async throws {
        let utc = PeriodCalendar(timeZone: TimeZone(identifier: "UTC")!)
        for day in utc.periods(.daily, from: start, to: end) {
            var cursor: PageCursor?
            repeat {
                let page = try await table.query(Query(
                    partitionKey: .s("ANALYTICS#\(day.key)"),
                    sortKey: .between(.s("EVENT#\(EventLayout.paddedMillis(max(start, day.start)))"),
                                      .s("EVENT#\(EventLayout.paddedMillis(min(end, day.end).addingTimeInterval(-0.001)))~")),
                    limit: 1000, startAfter: cursor))
                for event in page.items.compactMap(EventLayout.event(from:)) where event.timestamp! >= start && event.timestamp! < end {
                    try await visit(event)
                }
                cursor = page.nextCursor
            } while cursor != nil
        }
    }
}

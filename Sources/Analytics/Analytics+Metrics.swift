import Foundation
import KVTable

/// One bucket of an aggregation: its period and its values.
public struct MetricsPoint: Sendable, Hashable {
    /// The bucket: its granularity, bounds and key.
    public var period: MetricPeriod
    /// The bucket's metrics by name (`events`, `events:page_view`, `activeUsers`, …).
    public var values: [String: ExactDecimal]
}

/// The real-time view: the current hour and day as the counters stand now.
public struct RealtimeSnapshot: Sendable, Hashable {
    /// The counters of the current hour (by the store's clock, in the analytics time zone).
    public var hour: MetricsPoint
    /// The current day's running totals and distinct counts.
    public var day: MetricsPoint
    /// Distinct users of the current day so far (the day's `activeUsers`; 0 before any event).
    public var activeUsersToday: Int
}

/// The queries over fresh metrics. All additive metrics come from one mechanism,
/// ``Analytics/aggregate(_:from:to:names:)``, which sums hour counters into buckets; distinct
/// counts come from the per-period counters and markers and are never summed.
extension Analytics {
    var calendar: PeriodCalendar { PeriodCalendar(timeZone: configuration.timeZone) }

    /// Sums the additive counters (see `FreshMetrics`) into buckets of `granularity` over
    /// `[start, end)`, keeping only the counters `names` accepts; for day, week and month
    /// buckets it adds the exact `activeUsers` of the period and, for days, `newUsers`.
    public func aggregate(_ granularity: Granularity, from start: Date, to end: Date,
                          names: (@Sendable (String) -> Bool)? = nil) async throws -> [MetricsPoint] {
        let periods = calendar.periods(granularity, from: start, to: end)
        var hoursByDay: [String: [String: [String: ExactDecimal]]] = [:]   // day → hour → counters
        for day in Set(periods.flatMap(\.days)) {
            let page = try await table.query(Query(partitionKey: EventLayout.hourPartition(day: day)))
            for item in page.items { hoursByDay[day, default: [:]][item["SK"]!.stringValue!] = Self.numbers(item) }
        }
        var points: [MetricsPoint] = []
        for period in periods {
            var values: [String: ExactDecimal] = [:]
            for day in period.days {
                for (hourKey, counters) in hoursByDay[day] ?? [:] {
                    if granularity == .hourly, "\(day)T\(hourKey.suffix(2))" != period.key { continue }
                    for (name, value) in counters where names?(name) ?? true {
                        values[name] = try (values[name] ?? .zero).adding(value)
                    }
                }
            }
            if granularity != .hourly {
                let kind = Self.periodKind(granularity)
                let distinct = try await table.getItem(EventLayout.counters(kind, period.key)).map(Self.numbers) ?? [:]
                for (name, value) in distinct where names?(name) ?? true { values[name] = value }
            }
            points.append(MetricsPoint(period: period, values: values))
        }
        return points
    }

    /// Per day of `[start, end)`: every counter, distinct and new users, and session figures —
    /// the daily aggregates of SPEC §1.3.
    public func getPlatformMetrics(start: Date, end: Date) async throws -> [MetricsPoint] {
        var points = try await aggregate(.daily, from: start, to: end)
        for index in points.indices {
            let sessions = try await sessionFigures(days: points[index].period.days)
            points[index].values.merge(sessions) { $1 }
            points[index].values["totalUsers"] = ExactDecimal(try await totalUsers(before: points[index].period.end))
        }
        return points
    }

    /// How often each feature was used in `[start, end)`, from `feature_use` events.
    public func getFeatureUsage(start: Date, end: Date) async throws -> [String: ExactDecimal] {
        var totals: [String: ExactDecimal] = [:]
        for point in try await aggregate(.daily, from: start, to: end, names: { $0.hasPrefix("features:") }) {
            for (name, value) in point.values where name.hasPrefix("features:") {
                totals[String(name.dropFirst("features:".count))] = try (totals[String(name.dropFirst("features:".count))] ?? .zero).adding(value)
            }
        }
        return totals
    }

    /// The current hour and day, as the counters stand: two reads in one snapshot — the hour's
    /// counters and the day's running totals and distinct counts (the dashboard's hot path).
    ///
    /// Both items are visited in place (`TableReader.withItem(_:includeExpired:_:)`): only
    /// their numbers are decoded, and their names are `String`s made once (`NameTable`);
    /// the hour's keys and periods are worked out once per hour (`RealtimeFrame`).
    public func realtimeSnapshot() async throws -> RealtimeSnapshot {
        let frame = RealtimeFrame.cached(store.time.now(), in: configuration.timeZone)
        var names = counterNames.take() ?? NameTable()
        defer { counterNames.keep(names) }
        let (hour, day) = try table.read { reader in
            (try Self.numbers(of: frame.hourKey, in: reader, names: &names), try Self.numbers(of: frame.dayKey, in: reader, names: &names))
        }
        return RealtimeSnapshot(hour: MetricsPoint(period: frame.hour, values: hour),
                                day: MetricsPoint(period: frame.day, values: day),
                                activeUsersToday: day["activeUsers"]?.intValue ?? 0)
    }

    /// The numbers of the counter item at `key`, visited in place ([:] when there is none).
    private static func numbers(of key: Item, in reader: TableReader, names: inout NameTable) throws -> [String: ExactDecimal] {
        try reader.withItem(key) { counters in
            var values = [String: ExactDecimal](minimumCapacity: counters.count)
            counters.forEachNumber { name, value in values[names.name(ofUTF8: name)] = value }
            return values
        } ?? [:]
    }

    // MARK: Building blocks

    static func periodKind(_ granularity: Granularity) -> String {
        switch granularity {
        case .hourly: return "HOUR"
        case .daily: return "DAY"
        case .weekly: return "WEEK"
        case .monthly: return "MONTH"
        }
    }

    static func numbers(_ item: Item) -> [String: ExactDecimal] {
        var values = [String: ExactDecimal](minimumCapacity: item.count)
        item.forEach { name, value in
            if case .n(let n) = value, name != "PK", name != "SK" { values[name] = n }
        }
        return values
    }

    /// `sessions` and `averageSessionSeconds` of the sessions that started on these days.
    func sessionFigures(days: [String]) async throws -> [String: ExactDecimal] {
        var count = 0
        var totalMillis = 0
        for day in days {
            var cursor: PageCursor?
            repeat {
                let page = try await table.query(Query(partitionKey: EventLayout.sessionPartition(day: day), limit: 1000, startAfter: cursor))
                for item in page.items {
                    guard let first = item["first"]?.numberValue?.intValue, let last = item["last"]?.numberValue?.intValue else { continue }
                    count += 1
                    totalMillis += last - first
                }
                cursor = page.nextCursor
            } while cursor != nil
        }
        var figures: [String: ExactDecimal] = ["sessions": ExactDecimal(count)]
        if count > 0 {
            // Average in seconds, to the millisecond: totalMillis / count / 1000.
            figures["averageSessionSeconds"] = try ExactDecimal(String(format: "%.3f", Double(totalMillis) / Double(count) / 1000))
        }
        return figures
    }

    /// Users whose first event is before `date`.
    func totalUsers(before date: Date) async throws -> Int {
        var total = 0
        var cursor: PageCursor?
        let limit = ExactDecimal(Int(EventLayout.millis(date)))
        repeat {
            let page = try await table.query(Query(partitionKey: "METRICS#FIRSTSEEN", limit: 1000,
                                                   filter: .attribute("at") < .value(.n(limit)), countOnly: true, startAfter: cursor))
            total += page.count
            cursor = page.nextCursor
        } while cursor != nil
        return total
    }
}

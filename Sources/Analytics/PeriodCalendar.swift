import Foundation

/// How metrics are bucketed in time.
public enum Granularity: String, Sendable, Hashable, CaseIterable, Codable {
    /// Clock hours.
    case hourly
    /// Calendar days.
    case daily
    /// ISO weeks, starting on Monday.
    case weekly
    /// Calendar months.
    case monthly
}

/// One bucket of time in the configured time zone: its bounds and the key strings of the
/// hours and days it covers.
public struct MetricPeriod: Sendable, Hashable {
    /// The kind of bucket: an hour, a day, an ISO week or a month.
    public let granularity: Granularity
    /// Inclusive start.
    public let start: Date
    /// Exclusive end.
    public let end: Date
    /// The bucket's key: `2026-11-22T14`, `2026-11-22`, `2026-W47` or `2026-11`.
    public let key: String
    let timeZone: TimeZone

    /// Day keys (`yyyy-MM-dd`) the period covers (computed on use: a month has 30 of them).
    var days: [String] {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = timeZone
        var days: [String] = []
        var day = calendar.startOfDay(for: start)
        while day < end {
            days.append(TimeBuckets(day, in: timeZone).day)
            day = calendar.date(byAdding: .day, value: 1, to: day)!
        }
        return days
    }
}

/// Calendar arithmetic for buckets, in one time zone (ISO-8601 calendar: weeks start Monday).
struct PeriodCalendar: Sendable {
    let timeZone: TimeZone

    private var calendar: Calendar {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = timeZone
        return calendar
    }

    /// The period of `granularity` that contains `date`.
    func period(_ granularity: Granularity, containing date: Date) -> MetricPeriod {
        if granularity == .hourly {
            // Hours by arithmetic (the hot path): the local hour containing `date`.
            let end = TimeBuckets.hourEnd(date, in: timeZone)
            return MetricPeriod(granularity: .hourly, start: end.addingTimeInterval(-3600), end: end,
                                key: TimeBuckets.cached(date, in: timeZone).hour, timeZone: timeZone)
        }
        // Days, weeks and months are Foundation calendar arithmetic (DST, ISO weeks), a few
        // microseconds each, and the real-time and ingest paths ask for the same few periods
        // over and over: remember them by local day. Every instant of one local day lies in the
        // same day, week and month, so the cache can never answer wrongly; it is bounded.
        let offset = timeZone.offsetSeconds(at: date)
        let cacheKey = PeriodCacheKey(timeZone: timeZone.identifier, granularity: granularity,
                                      localDay: CivilTime.floorDivide(Int(date.timeIntervalSince1970.rounded(.down)) + offset, 86_400))
        return Self.cache.value(for: cacheKey) { computePeriod(granularity, containing: date) }
    }

    private struct PeriodCacheKey: Hashable {
        let timeZone: String
        let granularity: Granularity
        let localDay: Int
    }

    private static let cache = BoundedCache<PeriodCacheKey, MetricPeriod>()

    private func computePeriod(_ granularity: Granularity, containing date: Date) -> MetricPeriod {
        let calendar = self.calendar
        let start: Date
        let end: Date
        switch granularity {
        case .hourly:
            preconditionFailure("handled above")
        case .daily:
            start = calendar.startOfDay(for: date)
            end = calendar.date(byAdding: .day, value: 1, to: start)!
        case .weekly:
            start = calendar.dateInterval(of: .weekOfYear, for: date)!.start
            end = calendar.date(byAdding: .day, value: 7, to: start)!
        case .monthly:
            start = calendar.dateInterval(of: .month, for: date)!.start
            end = calendar.date(byAdding: .month, value: 1, to: start)!
        }
        let buckets = TimeBuckets(start, in: timeZone)
        let key: String
        switch granularity {
        case .hourly: key = buckets.hour
        case .daily: key = buckets.day
        case .weekly: key = buckets.week
        case .monthly: key = buckets.month
        }
        return MetricPeriod(granularity: granularity, start: start, end: end, key: key, timeZone: timeZone)
    }

    /// Every period of `granularity` that overlaps `[start, end)`, in order.
    func periods(_ granularity: Granularity, from start: Date, to end: Date) -> [MetricPeriod] {
        var result: [MetricPeriod] = []
        var cursor = period(granularity, containing: start)
        while cursor.start < end {
            result.append(cursor)
            cursor = period(granularity, containing: cursor.end)
        }
        return result
    }

    /// The day `offset` days after the one containing `date`.
    func day(_ date: Date, offset: Int) -> Date {
        calendar.date(byAdding: .day, value: offset, to: calendar.startOfDay(for: date))!
    }
}

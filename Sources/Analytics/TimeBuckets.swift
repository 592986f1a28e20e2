import Foundation
import KVTable

/// The hour, day, ISO week and month an instant falls in, in one time zone, as the strings
/// used in keys: `2026-11-22T14`, `2026-11-22`, `2026-W47`, `2026-11`.
struct TimeBuckets: Sendable {
    let hour: String
    let day: String
    let week: String
    let month: String

    init(_ date: Date, in timeZone: TimeZone) {
        let c = CivilTime(date, offsetSeconds: timeZone.offsetSeconds(at: date))
        day = "\(CivilTime.pad(c.year, 4))-\(CivilTime.pad(c.month, 2))-\(CivilTime.pad(c.day, 2))"
        hour = "\(day)T\(CivilTime.pad(c.hour, 2))"
        week = "\(CivilTime.pad(c.isoWeekYear, 4))-W\(CivilTime.pad(c.isoWeek, 2))"
        month = "\(CivilTime.pad(c.year, 4))-\(CivilTime.pad(c.month, 2))"
    }

    /// ``init(_:in:)`` remembered by local hour: the real-time reads ask for the buckets of
    /// "now" on every call. Every instant of one local hour has the same buckets (a repeated
    /// hour at a DST change included: its local date and hour are the same), so the cache can
    /// never answer wrongly; it is bounded.
    static func cached(_ date: Date, in timeZone: TimeZone) -> TimeBuckets {
        cache.value(for: LocalHour(date, in: timeZone)) { TimeBuckets(date, in: timeZone) }
    }

    private static let cache = BoundedCache<LocalHour, TimeBuckets>()

    /// The end of the local hour containing `date` (for "is this event late?").
    static func hourEnd(_ date: Date, in timeZone: TimeZone) -> Date {
        let offset = timeZone.offsetSeconds(at: date)
        let local = Int(date.timeIntervalSince1970.rounded(.down)) + offset
        return Date(timeIntervalSince1970: Double((CivilTime.floorDivide(local, 3600) + 1) * 3600 - offset))
    }

    /// The UTC date of an instant: the partition of raw events.
    static func utcDay(_ date: Date) -> String {
        let c = CivilTime(date, offsetSeconds: 0)
        return "\(CivilTime.pad(c.year, 4))-\(CivilTime.pad(c.month, 2))-\(CivilTime.pad(c.day, 2))"
    }
}

/// What ``Analytics/realtimeSnapshot()`` needs of "now", worked out once per local hour: the
/// keys of the hour's and the day's counter items and the two periods.
struct RealtimeFrame: Sendable {
    let hourKey: Item
    let dayKey: Item
    let hour: MetricPeriod
    let day: MetricPeriod

    init(_ date: Date, in timeZone: TimeZone) {
        let buckets = TimeBuckets.cached(date, in: timeZone)
        let calendar = PeriodCalendar(timeZone: timeZone)
        hourKey = EventLayout.hourCounters(buckets)
        dayKey = EventLayout.counters("DAY", buckets.day)
        hour = calendar.period(.hourly, containing: date)
        day = calendar.period(.daily, containing: date)
    }

    /// ``init(_:in:)`` remembered by local hour, as ``TimeBuckets/cached(_:in:)`` is (every
    /// instant of one local hour has the same frame).
    static func cached(_ date: Date, in timeZone: TimeZone) -> RealtimeFrame {
        cache.value(for: LocalHour(date, in: timeZone)) { RealtimeFrame(date, in: timeZone) }
    }

    private static let cache = BoundedCache<LocalHour, RealtimeFrame>()
}

/// The local hour an instant falls in, in one time zone: the key of the per-hour caches
/// (``TimeBuckets/cached(_:in:)``, ``RealtimeFrame/cached(_:in:)``).
struct LocalHour: Hashable, Sendable {
    let timeZone: String
    let hour: Int

    init(_ date: Date, in timeZone: TimeZone) {
        let local = Int(date.timeIntervalSince1970.rounded(.down)) + timeZone.offsetSeconds(at: date)
        self.timeZone = timeZone.identifier
        self.hour = CivilTime.floorDivide(local, 3600)
    }
}

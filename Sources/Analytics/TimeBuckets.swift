import Foundation

/// The hour, day, ISO week and month an instant falls in, in one time zone, as the strings
/// used in keys: `2026-11-22T14`, `2026-11-22`, `2026-W47`, `2026-11`.
struct TimeBuckets: Sendable {
    let hour: String
    let day: String
    let week: String
    let month: String

    init(_ date: Date, in timeZone: TimeZone) {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .yearForWeekOfYear, .weekOfYear], from: date)
        func pad(_ n: Int?, _ width: Int) -> String {
            let digits = String(n ?? 0)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        day = "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2))"
        hour = "\(day)T\(pad(c.hour, 2))"
        week = "\(pad(c.yearForWeekOfYear, 4))-W\(pad(c.weekOfYear, 2))"
        month = "\(pad(c.year, 4))-\(pad(c.month, 2))"
    }

    /// The UTC date of an instant: the partition of raw events.
    static func utcDay(_ date: Date) -> String {
        TimeBuckets(date, in: TimeZone(identifier: "UTC")!).day
    }
}

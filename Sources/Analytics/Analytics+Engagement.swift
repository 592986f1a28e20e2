import Foundation
import KVTable

/// The distinct users of one period: a day (`2026-12-01`), an ISO week (`2026-W49`) or a month
/// (`2026-12`), in the analytics time zone.
public struct ActiveUsers: Sendable, Hashable {
    /// The period's key.
    public var period: String
    /// Its distinct users.
    public var users: Int

    /// The distinct users of the period with key `period`.
    public init(period: String, users: Int) {
        self.period = period
        self.users = users
    }
}

/// Daily, weekly and monthly active users over a range (SPEC §1.3 `getUserEngagement`).
public struct UserEngagement: Sendable, Hashable {
    /// Distinct users of each calendar day in the range.
    public var dailyActiveUsers: [ActiveUsers]
    /// Distinct users of each calendar ISO week (Monday start) that overlaps the range.
    public var weeklyActiveUsersByCalendarWeek: [ActiveUsers]
    /// Distinct users of each calendar month that overlaps the range.
    public var monthlyActiveUsersByCalendarMonth: [ActiveUsers]
    /// For each day of the range (`period` is the day): distinct users of the 7 days ending that day.
    public var rollingSevenDayActiveUsers: [ActiveUsers]
    /// For each day of the range (`period` is the day): distinct users of the 30 days ending that day.
    public var rollingThirtyDayActiveUsers: [ActiveUsers]
}

extension Analytics {
    /// DAU per day; WAU and MAU both by calendar period and rolling over 7 and 30 days.
    ///
    /// Exact: every distinct-user marker of the range's days (and of the 29 days before, for
    /// the rolling windows) is read, in one snapshot, and its user numbered from the marker's
    /// key bytes in place (`StringInterner`), so that the sliding windows count in arrays.
    /// The numbering is kept for the next call (`Reusable`): numbering a user seen before is
    /// a lookup, a new one also copies its bytes and fills a slot, so a dashboard asking again
    /// mostly looks up. Any numbering gives the same result. It is bounded: past four times
    /// the busiest month's users (or 2²⁰, whichever is larger) it is dropped and started again.
    public func getUserEngagement(start: Date, end: Date) async throws -> UserEngagement {
        let (days, weeks, months, window) = engagementWindow(start: start, end: end)
        let (usersByDay, userCount, weekly, monthly) = try table.read { reader in
            func activeUsers(_ granularity: Granularity, _ periods: [MetricPeriod]) throws -> [Int] {
                try periods.map { period in
                    try reader.getItem(EventLayout.counters(Self.periodKind(granularity), period.key))?["activeUsers"]?
                        .numberValue?.intValue ?? 0
                }
            }
            let (weekly, monthly) = (try activeUsers(.weekly, weeks), try activeUsers(.monthly, months))
            let busiest = monthly.max() ?? 0
            var numbers = userNumbering.take().flatMap { $0.count <= max(4 * busiest, 1 << 20) ? $0 : nil }
                ?? StringInterner(capacity: min(busiest, 1 << 20))
            defer { userNumbering.keep(numbers) }
            let users = try window.map { day -> [Int32] in
                var users: [Int32] = []
                try reader.forEachItem(Query(partitionKey: EventLayout.activePartition("DAY", day.key))) { marker in
                    // The marker's sort key (`USER#…`) stands for the user; hashed in place.
                    if let number = marker.withUTF8(ofString: "SK", { numbers.number(ofUTF8: $0) }) {
                        users.append(Int32(number))
                    }
                }
                return users
            }
            return (users, numbers.count, weekly, monthly)
        }
        let offset = window.count - days.count
        let seven = Self.rolling(usersByDay, users: userCount, length: 7)
        let thirty = Self.rolling(usersByDay, users: userCount, length: 30)
        return UserEngagement(
            dailyActiveUsers: days.indices.map { ActiveUsers(period: days[$0].key, users: usersByDay[offset + $0].count) },
            weeklyActiveUsersByCalendarWeek: zip(weeks, weekly).map { ActiveUsers(period: $0.key, users: $1) },
            monthlyActiveUsersByCalendarMonth: zip(months, monthly).map { ActiveUsers(period: $0.key, users: $1) },
            rollingSevenDayActiveUsers: days.indices.map { ActiveUsers(period: days[$0].key, users: seven[offset + $0]) },
            rollingThirtyDayActiveUsers: days.indices.map { ActiveUsers(period: days[$0].key, users: thirty[offset + $0]) })
    }

    /// The range's days, weeks and months, and the days whose markers are read: the range's
    /// days and the 29 before them (the rolling windows reach back that far).
    func engagementWindow(start: Date, end: Date) -> (days: [MetricPeriod], weeks: [MetricPeriod], months: [MetricPeriod], window: [MetricPeriod]) {
        let days = calendar.periods(.daily, from: start, to: end)
        let window = days.first.map { calendar.periods(.daily, from: calendar.day($0.start, offset: -29), to: end) } ?? []
        return (days, calendar.periods(.weekly, from: start, to: end), calendar.periods(.monthly, from: start, to: end), window)
    }

    /// For each day of `usersByDay`, the distinct users of the `length` days ending that day,
    /// by sliding the window one day at a time (each day's users are added once, removed once).
    private static func rolling(_ usersByDay: [[Int32]], users: Int, length: Int) -> [Int] {
        var daysActive = [Int32](repeating: 0, count: users)
        var distinct = 0
        var result: [Int] = []
        result.reserveCapacity(usersByDay.count)
        for index in usersByDay.indices {
            for user in usersByDay[index] {
                if daysActive[Int(user)] == 0 { distinct += 1 }
                daysActive[Int(user)] += 1
            }
            if index >= length {
                for user in usersByDay[index - length] {
                    daysActive[Int(user)] -= 1
                    if daysActive[Int(user)] == 0 { distinct -= 1 }
                }
            }
            result.append(distinct)
        }
        return result
    }
}

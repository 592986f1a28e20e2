import Foundation
import KVTable

/// One bucket of an aggregation: its period and its values.
public struct MetricsPoint: Sendable, Hashable {
    public var period: MetricPeriod
    public var values: [String: ExactDecimal]
}

/// The real-time view: the current hour and day as the counters stand now.
public struct RealtimeSnapshot: Sendable, Hashable {
    public var hour: MetricsPoint
    public var day: MetricsPoint
    public var activeUsersToday: Int
}

/// Daily, weekly and monthly active users over a range (SPEC §1.3 `getUserEngagement`).
public struct UserEngagement: Sendable, Hashable {
    /// Distinct users of each calendar day in the range.
    public var dailyActiveUsers: [(day: String, users: Int)]
    /// Distinct users of each calendar ISO week (Monday start) that overlaps the range.
    public var weeklyActiveUsersByCalendarWeek: [(week: String, users: Int)]
    /// Distinct users of each calendar month that overlaps the range.
    public var monthlyActiveUsersByCalendarMonth: [(month: String, users: Int)]
    /// For each day of the range: distinct users of the 7 days ending that day.
    public var rollingSevenDayActiveUsers: [(day: String, users: Int)]
    /// For each day of the range: distinct users of the 30 days ending that day.
    public var rollingThirtyDayActiveUsers: [(day: String, users: Int)]

    public static func == (lhs: UserEngagement, rhs: UserEngagement) -> Bool {
        lhs.dailyActiveUsers.elementsEqual(rhs.dailyActiveUsers, by: ==)
            && lhs.weeklyActiveUsersByCalendarWeek.elementsEqual(rhs.weeklyActiveUsersByCalendarWeek, by: ==)
            && lhs.monthlyActiveUsersByCalendarMonth.elementsEqual(rhs.monthlyActiveUsersByCalendarMonth, by: ==)
            && lhs.rollingSevenDayActiveUsers.elementsEqual(rhs.rollingSevenDayActiveUsers, by: ==)
            && lhs.rollingThirtyDayActiveUsers.elementsEqual(rhs.rollingThirtyDayActiveUsers, by: ==)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(dailyActiveUsers.count)
    }
}

/// The queries over fresh metrics. All additive metrics come from one mechanism,
/// ``Analytics/aggregate(_:from:to:names:)``, which sums hour counters into buckets; distinct
/// counts come from the per-period counters and markers and are never summed.
extension Analytics {
    var calendar: PeriodCalendar { PeriodCalendar(timeZone: configuration.timeZone) }

    /// Sums the additive counters (see ``FreshMetrics``) into buckets of `granularity` over
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

    /// DAU per day; WAU and MAU both by calendar period and rolling over 7 and 30 days.
    public func getUserEngagement(start: Date, end: Date) async throws -> UserEngagement {
        let days = calendar.periods(.daily, from: start, to: end)
        let weeks = calendar.periods(.weekly, from: start, to: end)
        let months = calendar.periods(.monthly, from: start, to: end)
        // Rolling windows reach 29 days back before the range: the window's last days are the
        // range's days.
        let window = days.first.map { calendar.periods(.daily, from: calendar.day($0.start, offset: -29), to: end) } ?? []
        // Users are numbered as they are read, so that the sliding windows below count in
        // arrays rather than hashing names again and again.
        let (usersByDay, userCount, weekly, monthly) = try table.read { reader in
            func activeUsers(_ granularity: Granularity, _ periods: [MetricPeriod]) throws -> [Int] {
                try periods.map { period in
                    try reader.getItem(EventLayout.counters(Self.periodKind(granularity), period.key))?["activeUsers"]?
                        .numberValue?.intValue ?? 0
                }
            }
            let (weekly, monthly) = (try activeUsers(.weekly, weeks), try activeUsers(.monthly, months))
            // Room from the start for about as many users as the busiest month had (the table
            // grows if the window holds more).
            var numbers = StringInterner(capacity: min(monthly.max() ?? 0, 1 << 20))
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
        // Distinct users of the `length` window days ending at each day of the range, by
        // sliding the window one day at a time (each day's users are added once, removed once).
        func rolling(_ length: Int) -> [(day: String, users: Int)] {
            var daysActive = [Int32](repeating: 0, count: userCount)
            var distinct = 0
            var result: [(day: String, users: Int)] = []
            for index in window.indices {
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
                if index >= offset { result.append((window[index].key, distinct)) }
            }
            return result
        }
        return UserEngagement(
            dailyActiveUsers: days.indices.map { (days[$0].key, usersByDay[offset + $0].count) },
            weeklyActiveUsersByCalendarWeek: zip(weeks, weekly).map { ($0.key, $1) },
            monthlyActiveUsersByCalendarMonth: zip(months, monthly).map { ($0.key, $1) },
            rollingSevenDayActiveUsers: rolling(7),
            rollingThirtyDayActiveUsers: rolling(30))
    }

    /// The current hour and day, as the counters stand: two reads in one snapshot — the hour's
    /// counters and the day's running totals and distinct counts (the dashboard's hot path).
    public func realtimeSnapshot() async throws -> RealtimeSnapshot {
        let now = store.time.now()
        let buckets = TimeBuckets.cached(now, in: configuration.timeZone)
        let hourPeriod = calendar.period(.hourly, containing: now)
        let dayPeriod = calendar.period(.daily, containing: now)
        return try table.read { reader in
            let hour = try reader.getItem(EventLayout.hourCounters(buckets)).map(Self.numbers) ?? [:]
            let day = try reader.getItem(EventLayout.counters("DAY", buckets.day)).map(Self.numbers) ?? [:]
            return RealtimeSnapshot(hour: MetricsPoint(period: hourPeriod, values: hour),
                                    day: MetricsPoint(period: dayPeriod, values: day),
                                    activeUsersToday: day["activeUsers"]?.intValue ?? 0)
        }
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

    /// The users with a marker in one distinct-user partition.
    /// The users (marker sort keys) of one distinct-user partition, in one snapshot.
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

import Foundation
import KVTable

/// The counters kept fresh in the same transaction as each new event (SPEC §5), so no
/// dashboard waits for a job:
///
/// - per hour (and as running totals per day): `events`, `events:{type}`, `features:{feature}` (from `feature_use`'s
///   `eventData.feature`), `content` and `content:{contentType}` (from `content_create`),
///   `ai:requests`, `ai:tokens`, `ai:cost` (from `ai_request`'s `eventData.tokens` / `cost`),
///   and `errors`;
/// - exact distinct users per day, ISO week and month (`activeUsers`), from one marker item
///   per user and period — distinct counts are never summed from smaller buckets;
/// - new users per day (`newUsers`): a user's first event ever, moved when an earlier event
///   arrives late;
/// - sessions: the first and last event time of each `sessionId`, filed under the day of its
///   first event (moved when an earlier event arrives late), for average session duration.
///
/// A batch is folded in memory first — one counter update per hour it touches, one marker check
/// per user and period, one update per session and per user's first-seen record — so a batch
/// of thousands of events costs a few hundred writes, not tens of thousands.
enum FreshMetrics {
    static func record(_ events: [AnalyticsEvent], in table: Table, transaction tx: StoreTransaction,
                       timeZone: TimeZone, now: Date) throws {
        guard !events.isEmpty else { return }
        let calendar = PeriodCalendar(timeZone: timeZone)
        var bucketsByLocalHour: [Int: TimeBuckets] = [:]
        func buckets(_ date: Date) -> TimeBuckets {
            let local = Int(date.timeIntervalSince1970.rounded(.down)) + timeZone.secondsFromGMT(for: date)
            let hour = Int((Double(local) / 3600).rounded(.down))
            if let cached = bucketsByLocalHour[hour] { return cached }
            let computed = TimeBuckets(date, in: timeZone)
            bucketsByLocalHour[hour] = computed
            return computed
        }

        var hourly: [String: (TimeBuckets, [String: ExactDecimal])] = [:]
        var daily: [String: [String: ExactDecimal]] = [:]   // running day totals, for the real-time view
        var active = Set<[String]>()   // [kind, period, user]
        var firstSeen: [String: (millis: Int, day: String)] = [:]
        var sessions: [String: (first: Int, last: Int, day: String, user: String)] = [:]
        var stale = Set<MetricPeriod>()
        for event in events {
            let b = buckets(event.timestamp!)
            var counters = hourly[b.hour]?.1 ?? [:]
            var dayCounters = daily[b.day] ?? [:]
            for (name, amount) in contributions(of: event) {
                counters[name] = try (counters[name] ?? .zero).adding(amount)
                dayCounters[name] = try (dayCounters[name] ?? .zero).adding(amount)
            }
            hourly[b.hour] = (b, counters)
            daily[b.day] = dayCounters
            active.insert(["DAY", b.day, event.userId])
            active.insert(["WEEK", b.week, event.userId])
            active.insert(["MONTH", b.month, event.userId])
            let millis = Int(EventLayout.millis(event.timestamp!))
            if firstSeen[event.userId].map({ millis < $0.millis }) ?? true { firstSeen[event.userId] = (millis, b.day) }
            if var span = sessions[event.sessionId] {
                if millis < span.first { span.first = millis; span.day = b.day }
                span.last = max(span.last, millis)
                sessions[event.sessionId] = span
            } else {
                sessions[event.sessionId] = (millis, millis, b.day, event.userId)
            }
            // A late event changes periods whose rollups may be written already. (Nearly every
            // event is in the current hour, where nothing is closed yet.)
            if TimeBuckets.hourEnd(event.timestamp!, in: timeZone) <= now {
                for granularity in Granularity.allCases {
                    let period = calendar.period(granularity, containing: event.timestamp!)
                    if period.end <= now { stale.insert(period) }
                }
            }
        }

        for (_, (b, counters)) in hourly {
            try tx.updateItem(table, EventLayout.hourCounters(b),
                              Update(counters.sorted { $0.key < $1.key }.map { .add(.name($0.key), .n($0.value)) }))
        }
        for (day, counters) in daily {
            try tx.updateItem(table, EventLayout.counters("DAY", day),
                              Update(counters.sorted { $0.key < $1.key }.map { .add(.name($0.key), .n($0.value)) }))
        }
        // Count new markers per period, then add each count once.
        var newActive: [[String]: Int] = [:]
        for entry in active {
            let (kind, period, user) = (entry[0], entry[1], entry[2])
            let marker = EventLayout.activeMarker(kind, period, user: user)
            if try tx.getItem(table, marker) == nil {
                try tx.putItem(table, marker)
                newActive[[kind, period], default: 0] += 1
            }
        }
        for (period, count) in newActive {
            try tx.updateItem(table, EventLayout.counters(period[0], period[1]), [.add("activeUsers", .number(count))])
        }
        var newUsers: [String: Int] = [:]   // day → change
        for (user, first) in firstSeen {
            try recordFirstSeen(user: user, millis: first.millis, day: first.day, in: table, transaction: tx, newUsers: &newUsers)
        }
        for (day, change) in newUsers where change != 0 {
            try tx.updateItem(table, EventLayout.counters("DAY", day), [.add("newUsers", .number(change))])
        }
        for (id, span) in sessions {
            try recordSession(id: id, span: span, in: table, transaction: tx)
        }
        for period in stale {
            // Each mark counts its markings, so clearing one that was marked again meanwhile
            // fails and it stays marked.
            try tx.updateItem(table, DirtyPeriods.key(period), [
                .add("markings", 1),
                .set("granularity", .value(.s(period.granularity.rawValue))),
                .set("start", .value(.s(EventLayout.iso8601(period.start)))),
            ])
        }
    }

    /// A user's first event ever: counted as a new user on its day, moved when an earlier event
    /// arrives late.
    private static func recordFirstSeen(user: String, millis: Int, day: String, in table: Table,
                                        transaction tx: StoreTransaction, newUsers: inout [String: Int]) throws {
        let key = EventLayout.firstSeen(user: user)
        if let first = try tx.getItem(table, key) {
            guard let earlier = first["at"]?.numberValue?.intValue, earlier > millis,
                  let oldDay = first["day"]?.stringValue else { return }
            newUsers[oldDay, default: 0] -= 1
        }
        var marker = key
        marker["at"] = .number(millis)
        marker["day"] = .s(day)
        try tx.putItem(table, marker)
        newUsers[day, default: 0] += 1
    }

    /// Widens a session's span; a session is filed under the day of its first event.
    private static func recordSession(id: String, span: (first: Int, last: Int, day: String, user: String),
                                      in table: Table, transaction tx: StoreTransaction) throws {
        let pointerKey = EventLayout.sessionPointer(id: id)
        var (first, last, startDay) = (span.first, span.last, span.day)
        if let pointer = try tx.getItem(table, pointerKey),
           let knownFirst = pointer["first"]?.numberValue?.intValue, let knownLast = pointer["last"]?.numberValue?.intValue,
           let knownDay = pointer["day"]?.stringValue {
            if first >= knownFirst && last <= knownLast { return }   // inside the known span
            if first >= knownFirst { startDay = knownDay }
            first = min(knownFirst, first)
            last = max(knownLast, last)
            if startDay != knownDay {
                try tx.deleteItem(table, EventLayout.session(day: knownDay, id: id))
            }
        }
        var pointer = pointerKey
        pointer["first"] = .number(first)
        pointer["last"] = .number(last)
        pointer["day"] = .s(startDay)
        try tx.putItem(table, pointer)
        var session = EventLayout.session(day: startDay, id: id)
        session["sessionId"] = .s(id)
        session["userId"] = .s(span.user)
        session["first"] = .number(first)
        session["last"] = .number(last)
        try tx.putItem(table, session)
    }

    /// What one event adds to its hour's counters.
    static func contributions(of event: AnalyticsEvent) -> [(String, ExactDecimal)] {
        var result: [(String, ExactDecimal)] = [("events", 1), ("events:\(event.eventType)", 1)]
        let data = event.eventData ?? [:]
        switch event.eventType {
        case EventType.featureUse:
            result.append(("features:\(data["feature"]?.stringValue ?? "unknown")", 1))
        case EventType.contentCreate:
            result.append(("content", 1))
            result.append(("content:\(data["contentType"]?.stringValue ?? "unknown")", 1))
        case EventType.aiRequest:
            result.append(("ai:requests", 1))
            if case .n(let tokens)? = data["tokens"] { result.append(("ai:tokens", tokens)) }
            if case .n(let cost)? = data["cost"] { result.append(("ai:cost", cost)) }
        case EventType.error:
            result.append(("errors", 1))
        default:
            break
        }
        return result
    }

    /// The hour-counter update of one event; `sign` −1 takes it back out (erasure).
    static func hourlyUpdate(_ event: AnalyticsEvent, sign: Int) -> Update {
        Update(contributions(of: event).map { name, amount in .add(.name(name), .n(sign < 0 ? amount.negated : amount)) })
    }
}

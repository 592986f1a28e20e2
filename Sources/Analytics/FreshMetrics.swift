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
        // Everything that depends only on an event's local hour, worked out once per hour the
        // batch touches: its buckets, and the closed periods a late event in it makes stale.
        var hours: [Int: (buckets: TimeBuckets, stale: [MetricPeriod])] = [:]
        func hour(_ date: Date) -> (buckets: TimeBuckets, stale: [MetricPeriod]) {
            let local = Int(date.timeIntervalSince1970.rounded(.down)) + timeZone.secondsFromGMT(for: date)
            let key = CivilTime.floorDivide(local, 3600)
            if let cached = hours[key] { return cached }
            var stale: [MetricPeriod] = []
            // A late event changes periods whose rollups may be written already. (Nearly every
            // event is in the current hour, where nothing is closed yet.)
            if TimeBuckets.hourEnd(date, in: timeZone) <= now {
                for granularity in Granularity.allCases {
                    let period = calendar.period(granularity, containing: date)
                    if period.end <= now { stale.append(period) }
                }
            }
            let computed = (TimeBuckets(date, in: timeZone), stale)
            hours[key] = computed
            return computed
        }

        // Counts are folded as integers (only token and cost sums are decimals): one counter
        // update per hour and day touched.
        var hourly: [String: (TimeBuckets, Counters)] = [:]
        var daily: [String: Counters] = [:]   // running day totals, for the real-time view
        var active = Set<ActiveMarker>()
        var firstSeen: [String: (millis: Int, day: String)] = [:]
        var sessions: [String: (first: Int, last: Int, day: String, user: String)] = [:]
        for event in events {
            let b = hour(event.timestamp!).buckets
            var counters = hourly[b.hour]?.1 ?? Counters()
            try counters.add(event)
            hourly[b.hour] = (b, counters)
            try daily[b.day, default: Counters()].add(event)
            active.insert(ActiveMarker(kind: "DAY", period: b.day, user: event.userId))
            active.insert(ActiveMarker(kind: "WEEK", period: b.week, user: event.userId))
            active.insert(ActiveMarker(kind: "MONTH", period: b.month, user: event.userId))
            let millis = Int(EventLayout.millis(event.timestamp!))
            if firstSeen[event.userId].map({ millis < $0.millis }) ?? true { firstSeen[event.userId] = (millis, b.day) }
            if var span = sessions[event.sessionId] {
                if millis < span.first { span.first = millis; span.day = b.day }
                span.last = max(span.last, millis)
                sessions[event.sessionId] = span
            } else {
                sessions[event.sessionId] = (millis, millis, b.day, event.userId)
            }
        }
        var stale = Set<MetricPeriod>()
        for (_, hour) in hours { stale.formUnion(hour.stale) }

        for (_, (b, counters)) in hourly.sorted(by: { $0.key < $1.key }) {
            try tx.updateItem(table, EventLayout.hourCounters(b), counters.update)
        }
        for (day, counters) in daily.sorted(by: { $0.key < $1.key }) {
            try tx.updateItem(table, EventLayout.counters("DAY", day), counters.update)
        }
        // Inserting a marker is the distinct check: one sorted pass over the batch's markers.
        // Count the new ones per period, then add each count once.
        let markers = Array(active)
        let isNew = try tx.insertItems(table, try markers.map { try EventLayout.activeMarker($0.kind, $0.period, user: $0.user) })
        var newActive: [[String]: Int] = [:]
        for (marker, new) in zip(markers, isNew) where new {
            newActive[[marker.kind, marker.period], default: 0] += 1
        }
        for (period, count) in newActive.sorted(by: { ($0.key[0], $0.key[1]) < ($1.key[0], $1.key[1]) }) {
            try tx.updateItem(table, EventLayout.counters(period[0], period[1]), [.add("activeUsers", .number(count))])
        }
        var newUsers: [String: Int] = [:]   // day → change
        try recordFirstSeen(firstSeen, in: table, transaction: tx, newUsers: &newUsers)
        for (day, change) in newUsers.sorted(by: { $0.key < $1.key }) where change != 0 {
            try tx.updateItem(table, EventLayout.counters("DAY", day), [.add("newUsers", .number(change))])
        }
        try recordSessions(sessions, in: table, transaction: tx)
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

    private struct ActiveMarker: Hashable {
        let kind: String
        let period: String
        let user: String
    }

    /// A batch's additive counters for one hour or day: integer counts by name, decimal sums
    /// for AI tokens and cost.
    struct Counters {
        private var counts: [String: Int] = [:]
        private var sums: [String: ExactDecimal] = [:]

        mutating func add(_ event: AnalyticsEvent) throws {
            for (name, amount) in contributions(of: event) {
                if let count = amount.intValue, name != "ai:tokens", name != "ai:cost" {
                    counts[name, default: 0] += count
                } else {
                    sums[name] = try (sums[name] ?? .zero).adding(amount)
                }
            }
        }

        /// One `ADD` per counter, in name order.
        var update: Update {
            var actions: [(String, ExactDecimal)] = counts.map { ($0.key, ExactDecimal($0.value)) }
            actions += sums.map { ($0.key, $0.value) }
            return Update(actions.sorted { $0.0 < $1.0 }.map { .add(.name($0.0), .n($0.1)) })
        }
    }

    /// Each user's first event ever: counted as a new user on its day, moved when an earlier
    /// event arrives late. The batch's users are read in key order and only new or earlier
    /// first events are written, in one bulk put.
    private static func recordFirstSeen(_ firstSeen: [String: (millis: Int, day: String)], in table: Table,
                                        transaction tx: StoreTransaction, newUsers: inout [String: Int]) throws {
        var records: [Item] = []
        for (user, first) in firstSeen.sorted(by: { $0.key < $1.key }) {
            if let known = try tx.getItem(table, EventLayout.firstSeen(user: user)) {
                guard let earlier = known["at"]?.numberValue?.intValue, earlier > first.millis,
                      let oldDay = known["day"]?.stringValue else { continue }
                newUsers[oldDay, default: 0] -= 1
            }
            var record = ItemBuilder(capacity: 4)
            record.set("PK", "METRICS#FIRSTSEEN")
            record.set("SK", .s("USER#\(KeyTemplate.escape(user))"))
            record.set("at", .number(first.millis))
            record.set("day", .s(first.day))
            records.append(try record.build())
            newUsers[first.day, default: 0] += 1
        }
        try tx.putItems(table, records)
    }

    /// Widens each session's span; a session is filed under the day of its first event. The
    /// pointers are read in key order; what changed is written in one bulk put.
    private static func recordSessions(_ sessions: [String: (first: Int, last: Int, day: String, user: String)],
                                       in table: Table, transaction tx: StoreTransaction) throws {
        var writes: [Item] = []
        for (id, span) in sessions.sorted(by: { $0.key < $1.key }) {
            var (first, last, startDay) = (span.first, span.last, span.day)
            if let pointer = try tx.getItem(table, EventLayout.sessionPointer(id: id)),
               let knownFirst = pointer["first"]?.numberValue?.intValue, let knownLast = pointer["last"]?.numberValue?.intValue,
               let knownDay = pointer["day"]?.stringValue {
                if first >= knownFirst && last <= knownLast { continue }   // inside the known span
                if first >= knownFirst { startDay = knownDay }
                first = min(knownFirst, first)
                last = max(knownLast, last)
                if startDay != knownDay {
                    try tx.deleteItem(table, EventLayout.session(day: knownDay, id: id))
                }
            }
            let escaped = KeyTemplate.escape(id)
            var pointer = ItemBuilder(capacity: 5)
            pointer.set("PK", .s("METRICS#SESSION#\(escaped)"))
            pointer.set("SK", "SESSION")
            pointer.set("day", .s(startDay))
            pointer.set("first", .number(first))
            pointer.set("last", .number(last))
            var session = ItemBuilder(capacity: 6)
            session.set("PK", .s("METRICS#SESSIONS#\(startDay)"))
            session.set("SK", .s("SESSION#\(escaped)"))
            session.set("first", .number(first))
            session.set("last", .number(last))
            session.set("sessionId", .s(id))
            session.set("userId", .s(span.user))
            writes.append(try pointer.build())
            writes.append(try session.build())
        }
        try tx.putItems(table, writes)
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

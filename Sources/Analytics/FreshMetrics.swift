import Foundation
import KVTable

/// The counters kept fresh in the same transaction as each new event (SPEC §5), so no
/// dashboard waits for a job:
///
/// - per hour: `events`, `events:{type}`, `features:{feature}` (from `feature_use`'s
///   `eventData.feature`), `content` and `content:{contentType}` (from `content_create`),
///   `ai:requests`, `ai:tokens`, `ai:cost` (from `ai_request`'s `eventData.tokens` / `cost`),
///   and `errors`;
/// - exact distinct users per day, ISO week and month (`activeUsers`), from one marker item
///   per user and period — distinct counts are never summed from smaller buckets;
/// - new users per day (`newUsers`): a user's first event ever, moved when an earlier event
///   arrives late;
/// - sessions: the first and last event time of each `sessionId`, filed under the day of its
///   first event (moved when an earlier event arrives late), for average session duration.
enum FreshMetrics {
    static func record(_ event: AnalyticsEvent, in table: Table, transaction tx: StoreTransaction,
                       timeZone: TimeZone, now: Date) throws {
        let buckets = TimeBuckets(event.timestamp!, in: timeZone)
        try markClosedPeriodsDirty(event, in: table, transaction: tx, timeZone: timeZone, now: now)
        try tx.updateItem(table, EventLayout.hourCounters(buckets), hourlyUpdate(event, sign: 1))
        try recordSession(event, day: buckets.day, in: table, transaction: tx)

        for (kind, period) in [("DAY", buckets.day), ("WEEK", buckets.week), ("MONTH", buckets.month)] {
            let marker = EventLayout.activeMarker(kind, period, user: event.userId)
            if try tx.getItem(table, marker) == nil {
                try tx.putItem(table, marker)
                try tx.updateItem(table, EventLayout.counters(kind, period), [.add("activeUsers", 1)])
            }
        }

        let firstSeenKey = EventLayout.firstSeen(user: event.userId)
        let millis = EventLayout.millis(event.timestamp!)
        if let first = try tx.getItem(table, firstSeenKey) {
            guard let earlier = first["at"]?.numberValue?.intValue, Int64(earlier) > millis,
                  let oldDay = first["day"]?.stringValue else { return }
            // A late event is the user's true first: move the new-user count to its day.
            try tx.updateItem(table, EventLayout.counters("DAY", oldDay), [.add("newUsers", -1)])
        }
        var marker = firstSeenKey
        marker["at"] = .n(ExactDecimal(Int(millis)))
        marker["day"] = .s(buckets.day)
        try tx.putItem(table, marker)
        try tx.updateItem(table, EventLayout.counters("DAY", buckets.day), [.add("newUsers", 1)])
    }

    /// A late event changes periods whose rollups may already be written: mark them, so the
    /// scheduler recomputes them. Each mark counts its markings, so clearing one that was marked
    /// again meanwhile fails and it stays marked.
    private static func markClosedPeriodsDirty(_ event: AnalyticsEvent, in table: Table, transaction tx: StoreTransaction,
                                               timeZone: TimeZone, now: Date) throws {
        let calendar = PeriodCalendar(timeZone: timeZone)
        for granularity in Granularity.allCases {
            let period = calendar.period(granularity, containing: event.timestamp!)
            guard period.end <= now else { continue }
            try tx.updateItem(table, DirtyPeriods.key(period), [
                .add("markings", 1),
                .set("granularity", .value(.s(granularity.rawValue))),
                .set("start", .value(.s(EventLayout.iso8601(period.start)))),
            ])
        }
    }

    private static func recordSession(_ event: AnalyticsEvent, day: String, in table: Table,
                                      transaction tx: StoreTransaction) throws {
        let millis = Int(EventLayout.millis(event.timestamp!))
        let pointerKey = EventLayout.sessionPointer(id: event.sessionId)
        var first = millis, last = millis, startDay = day
        if let pointer = try tx.getItem(table, pointerKey),
           let knownFirst = pointer["first"]?.numberValue?.intValue, let knownLast = pointer["last"]?.numberValue?.intValue,
           let knownDay = pointer["day"]?.stringValue {
            if millis >= knownFirst && millis <= knownLast { return }   // inside the known span
            first = min(knownFirst, millis)
            last = max(knownLast, millis)
            startDay = millis < knownFirst ? day : knownDay
            if startDay != knownDay {
                try tx.deleteItem(table, EventLayout.session(day: knownDay, id: event.sessionId))
            }
        }
        var pointer = pointerKey
        pointer["first"] = .number(first)
        pointer["last"] = .number(last)
        pointer["day"] = .s(startDay)
        try tx.putItem(table, pointer)
        var session = EventLayout.session(day: startDay, id: event.sessionId)
        session["sessionId"] = .s(event.sessionId)
        session["userId"] = .s(event.userId)
        session["first"] = .number(first)
        session["last"] = .number(last)
        try tx.putItem(table, session)
    }

    /// The hour-counter update of one event; `sign` −1 takes it back out (erasure).
    static func hourlyUpdate(_ event: AnalyticsEvent, sign: Int) -> Update {
        let one = ExactDecimal(sign)
        func amount(_ n: ExactDecimal) -> AttributeValue { .n(sign < 0 ? n.negated : n) }
        var actions: [UpdateAction] = [
            .add("events", .n(one)),
            .add(.name("events:\(event.eventType)"), .n(one)),
        ]
        let data = event.eventData ?? [:]
        switch event.eventType {
        case EventType.featureUse:
            actions.append(.add(.name("features:\(data["feature"]?.stringValue ?? "unknown")"), .n(one)))
        case EventType.contentCreate:
            actions.append(.add("content", .n(one)))
            actions.append(.add(.name("content:\(data["contentType"]?.stringValue ?? "unknown")"), .n(one)))
        case EventType.aiRequest:
            actions.append(.add(.name("ai:requests"), .n(one)))
            if case .n(let tokens)? = data["tokens"] { actions.append(.add(.name("ai:tokens"), amount(tokens))) }
            if case .n(let cost)? = data["cost"] { actions.append(.add(.name("ai:cost"), amount(cost))) }
        case EventType.error:
            actions.append(.add("errors", .n(one)))
        default:
            break
        }
        return Update(actions)
    }
}

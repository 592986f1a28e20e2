import Foundation
import KVTable

/// Where analytics data lives in the single table (SPEC §1.3), and how events become items.
///
/// | item | PK | SK |
/// |---|---|---|
/// | event | `ANALYTICS#{UTC date}` | `EVENT#{timestampMillis}#{eventId}` (GSI1: `USER#{userId}` / `EVENT#{timestampMillis}`) |
/// | hour counters | `METRICS#HOURS#{day}` | `HOUR#{HH}` |
/// | day / week / month counters | `METRICS#DAY#{day}` … | `COUNTERS` |
/// | distinct-user marker | `METRICS#ACTIVE#{DAY|WEEK|MONTH}#{period}` | `USER#{userId}` |
/// | a user's first event | `METRICS#FIRSTSEEN` | `USER#{userId}` |
/// | a session | `METRICS#SESSIONS#{day of its first event}` | `SESSION#{sessionId}` |
/// | where a session is | `METRICS#SESSION#{sessionId}` | `SESSION` |
/// | event id → event (idempotency) | `EVENTID#{eventId}` | `EVENT` |
///
/// Values placed in keys are escaped like entity key templates (`#` → `%23`, `%` → `%25`).
enum EventLayout {
    static let entityType = "AnalyticsEvent"
    static let ttlAttribute = "ttl"

    static func millis(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded(.down)) }

    static func paddedMillis(_ date: Date) -> String {
        let digits = String(millis(date))
        return String(repeating: "0", count: max(0, 13 - digits.count)) + digits
    }

    static func key(of event: AnalyticsEvent) -> Item {
        ["PK": .s("ANALYTICS#\(TimeBuckets.utcDay(event.timestamp!))"),
         "SK": .s("EVENT#\(paddedMillis(event.timestamp!))#\(event.id!)")]
    }

    /// The event as stored, built straight into its stored form (no dictionary per event).
    static func itemBuilder(for event: AnalyticsEvent, retention: Duration, now: Date) -> ItemBuilder {
        let timestamp = event.timestamp!
        let padded = paddedMillis(timestamp)
        // Set in name order (UTF-8 bytes), so that building sorts nothing.
        var item = ItemBuilder(capacity: 16)
        item.set("EntityType", .s(entityType))
        item.set("GSI1PK", .s("USER#\(KeyTemplate.escape(event.userId))"))
        item.set("GSI1SK", .s("EVENT#\(padded)"))
        item.set("PK", .s("ANALYTICS#\(TimeBuckets.utcDay(timestamp))"))
        item.set("SK", .s("EVENT#\(padded)#\(event.id!)"))
        let created = AttributeValue.s(iso8601(now))
        item.set("createdAt", created)
        if let data = event.eventData { item.set("eventData", .m(data)) }
        item.set("eventId", .s(event.id!))
        item.set("eventType", .s(event.eventType))
        item.set("metadata", .m(["userAgent": .s(event.metadata.userAgent), "ipAddress": .s(event.metadata.ipAddress),
                                 "platform": .s(event.metadata.platform)]))
        item.set("sessionId", .s(event.sessionId))
        item.set("timestamp", .s(iso8601(timestamp)))
        item.set("timestampMillis", .n(ExactDecimal(Int(millis(timestamp)))))
        item.set(ttlAttribute, .n(ExactDecimal(Int(timestamp.timeIntervalSince1970) + Int(retention.components.seconds))))
        item.set("updatedAt", created)
        item.set("userId", .s(event.userId))
        return item
    }

    static func event(from item: Item) -> AnalyticsEvent? {
        guard case .s(let id)? = item["eventId"], case .s(let userId)? = item["userId"],
              case .s(let type)? = item["eventType"], case .s(let session)? = item["sessionId"],
              let millis = item["timestampMillis"]?.numberValue?.intValue,
              case .m(let metadata)? = item["metadata"] else { return nil }
        var data: [String: AttributeValue]?
        if case .m(let map)? = item["eventData"] { data = map }
        return AnalyticsEvent(
            userId: userId, eventType: type, sessionId: session,
            metadata: .init(userAgent: metadata["userAgent"]?.stringValue ?? "", ipAddress: metadata["ipAddress"]?.stringValue ?? "",
                            platform: metadata["platform"]?.stringValue ?? ""),
            eventData: data, timestamp: Date(timeIntervalSince1970: Double(millis) / 1000), id: id)
    }

    static func iso8601(_ date: Date) -> String {
        CivilTime(date, offsetSeconds: 0).iso8601
    }

    /// The marker that makes an event id unique, whatever timestamp a retry carries; it
    /// expires with the event.
    static func idMarker(_ event: AnalyticsEvent, retention: Duration) throws -> Item {
        let id = event.id!, timestamp = event.timestamp!
        var marker = ItemBuilder(capacity: 5)
        marker.set("PK", .s("EVENTID#\(id)"))
        marker.set("SK", "EVENT")
        marker.set("eventPK", .s("ANALYTICS#\(TimeBuckets.utcDay(timestamp))"))
        marker.set("eventSK", .s("EVENT#\(paddedMillis(timestamp))#\(id)"))
        marker.set(ttlAttribute, .n(ExactDecimal(Int(timestamp.timeIntervalSince1970) + Int(retention.components.seconds))))
        return try marker.build()
    }

    static func idMarkerKey(_ id: String) -> Item {
        ["PK": .s("EVENTID#\(id)"), "SK": "EVENT"]
    }

    // MARK: Metrics items

    /// Hour counters live in their day's partition, so a day's hours are one query.
    static func hourCounters(_ buckets: TimeBuckets) -> Item {
        ["PK": .s("METRICS#HOURS#\(buckets.day)"), "SK": .s("HOUR#\(buckets.hour.suffix(2))")]
    }

    static func hourPartition(day: String) -> AttributeValue {
        .s("METRICS#HOURS#\(day)")
    }

    static func session(day: String, id: String) -> Item {
        ["PK": .s("METRICS#SESSIONS#\(day)"), "SK": .s("SESSION#\(KeyTemplate.escape(id))")]
    }

    static func sessionPartition(day: String) -> AttributeValue {
        .s("METRICS#SESSIONS#\(day)")
    }

    static func sessionPointer(id: String) -> Item {
        ["PK": .s("METRICS#SESSION#\(KeyTemplate.escape(id))"), "SK": "SESSION"]
    }

    static func activePartition(_ kind: String, _ period: String) -> AttributeValue {
        .s("METRICS#ACTIVE#\(kind)#\(period)")
    }

    static func counters(_ kind: String, _ period: String) -> Item {
        ["PK": .s("METRICS#\(kind)#\(period)"), "SK": "COUNTERS"]
    }

    static func activeMarker(_ kind: String, _ period: String, user: String) throws -> Item {
        var marker = ItemBuilder(capacity: 2)
        marker.set("PK", .s("METRICS#ACTIVE#\(kind)#\(period)"))
        marker.set("SK", .s("USER#\(KeyTemplate.escape(user))"))
        return try marker.build()
    }

    static func firstSeen(user: String) -> Item {
        ["PK": "METRICS#FIRSTSEEN", "SK": .s("USER#\(KeyTemplate.escape(user))")]
    }
}

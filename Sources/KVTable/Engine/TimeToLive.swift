/// DynamoDB's time-to-live rule, written once for every engine: an item expires when its TTL
/// attribute holds a number of epoch seconds below the current time, but not more than
/// ``maximumAge`` below it — DynamoDB never expires an item whose expiry time lies more than
/// five years in the past, and neither does KVTable. No TTL attribute, or a non-number in it, never expires.
public enum TimeToLive {
    /// Five years (5 × 365 days) in seconds: an expiry time further in the past than this is
    /// ignored, as DynamoDB ignores it.
    public static let maximumAge: ExactDecimal = 157_680_000

    /// The oldest expiry time that still expires at `now`.
    static func oldestExpiry(now: ExactDecimal) -> ExactDecimal {
        // Exact: `now` is a clock reading in epoch seconds, far inside DynamoDB's number range.
        (try? now.subtracting(maximumAge)) ?? now
    }

    /// Whether `item` has expired at `now` (epoch seconds) under the TTL `attribute`.
    public static func isExpired(_ item: Item, attribute: String?, now: ExactDecimal) -> Bool {
        guard let attribute, case .n(let expiry)? = item[attribute] else { return false }
        return isExpired(expiry: expiry, now: now)
    }

    /// The rule itself, for a TTL number already found (nil: no number, never expires).
    static func isExpired(expiry: ExactDecimal?, now: ExactDecimal) -> Bool {
        guard let expiry else { return false }
        return expiry < now && expiry >= oldestExpiry(now: now)
    }

    /// The same rule as a condition, for engines that evaluate it where the items are
    /// (a remote engine's filters and conditions).
    public static func expiredCondition(attribute: String, now: ExactDecimal) -> Condition {
        .hasType(.name(attribute), .number) && .attribute(.name(attribute)) < .value(.n(now))
            && .attribute(.name(attribute)) >= .value(.n(oldestExpiry(now: now)))
    }
}

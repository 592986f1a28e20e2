/// DynamoDB's time-to-live rule, written once for every engine: an item expires when its TTL
/// attribute holds a number of epoch seconds below the current time; no TTL attribute, or a
/// non-number in it, never expires.
public enum TimeToLive {
    /// Whether `item` has expired at `now` (epoch seconds) under the TTL `attribute`.
    public static func isExpired(_ item: Item, attribute: String?, now: ExactDecimal) -> Bool {
        guard let attribute, case .n(let expiry)? = item[attribute] else { return false }
        return isExpired(expiry: expiry, now: now)
    }

    /// The rule itself, for a TTL number already found (nil: no number, never expires).
    static func isExpired(expiry: ExactDecimal?, now: ExactDecimal) -> Bool {
        guard let expiry else { return false }
        return expiry < now
    }

    /// The same rule as a condition, for engines that evaluate it where the items are
    /// (a remote engine's filters and conditions).
    public static func expiredCondition(attribute: String, now: ExactDecimal) -> Condition {
        .hasType(.name(attribute), .number) && .attribute(.name(attribute)) < .value(.n(now))
    }
}

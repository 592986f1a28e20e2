import Foundation

/// How ``Analytics`` validates, anonymises, buckets and keeps events.
public struct AnalyticsConfiguration: Sendable {
    /// Accepted event types; the five of SPEC §1.3 by default.
    public var eventTypes: Set<String> = EventType.standard
    /// How long raw events are kept (their TTL); 90 days by default.
    public var eventRetention: Duration = .seconds(90 * 24 * 3600)
    /// What is stored of `metadata.ipAddress`; truncated by default.
    public var ipAddresses: IPAddressPolicy = .truncate
    /// The time zone of hour, day, week and month buckets; UTC by default. (Event partitions,
    /// `ANALYTICS#{date}`, are always UTC dates.)
    public var timeZone: TimeZone = TimeZone(identifier: "UTC")!
    /// The largest event accepted, in DynamoDB item bytes; 32 KB.
    public var maximumEventSize = 32 * 1024
    /// The deepest nesting of lists and maps in `eventData`.
    public var maximumNesting = 8
    /// How long rollup records are kept, by granularity (nil: forever): hourly 30 days, daily
    /// and weekly one year, monthly forever.
    public var rollupRetention: [Granularity: Duration?] = [
        .hourly: .seconds(30 * 86_400), .daily: .seconds(365 * 86_400),
        .weekly: .seconds(365 * 86_400), .monthly: nil,
    ]

    /// The defaults: the five standard event types, events kept 90 days, IP addresses
    /// truncated, UTC buckets, events of at most 32 KB nested at most 8 levels deep.
    public init() {}
}

/// What is stored of an event's IP address — decided before anything is stored.
public enum IPAddressPolicy: Sendable, Hashable {
    /// The address as given.
    case keep
    /// IPv4 cut to its /24 (`203.0.113.0`), IPv6 to its /48 (`2001:db8:85a3::`).
    case truncate
    /// A keyed hash with a salt that rotates daily: `h:` and 32 hex digits of
    /// HMAC-SHA256(salt, address), where salt = HMAC-SHA256(secret, UTC date of the event).
    /// The same address gives the same value within a day (unique visitors still count) and
    /// unrelated values across days; without the secret it cannot be reversed by enumeration.
    case hash(secret: String)
}

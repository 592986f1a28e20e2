import Foundation
import KVTable

/// One tracked event (SPEC §1.3).
///
/// `id` and `timestamp` are optional on input: ``Analytics`` gives a new event a UUIDv7 id and
/// the current time of its clock. Once stored, an event is immutable; storing the same id again
/// is a no-op, so retries never double-count.
public struct AnalyticsEvent: Sendable, Hashable {
    /// A UUIDv7 (time-ordered) id; generated when nil.
    public var id: String?
    public var userId: String
    /// One of the accepted event types (``AnalyticsConfiguration/eventTypes``).
    public var eventType: String
    public var sessionId: String
    /// UTC, kept to the millisecond; the tracker's clock when nil.
    public var timestamp: Date?
    public var metadata: Metadata
    /// Free-form data, sanitised before storage (see ``EventSanitizer``).
    public var eventData: [String: AttributeValue]?

    /// Where the event came from; every field is required and non-empty.
    public struct Metadata: Sendable, Hashable {
        public var userAgent: String
        public var ipAddress: String
        public var platform: String

        public init(userAgent: String, ipAddress: String, platform: String) {
            self.userAgent = userAgent
            self.ipAddress = ipAddress
            self.platform = platform
        }
    }

    public init(userId: String, eventType: String, sessionId: String, metadata: Metadata,
                eventData: [String: AttributeValue]? = nil, timestamp: Date? = nil, id: String? = nil) {
        self.userId = userId
        self.eventType = eventType
        self.sessionId = sessionId
        self.metadata = metadata
        self.eventData = eventData
        self.timestamp = timestamp
        self.id = id
    }
}

/// The five event types of SPEC §1.3 (the accepted set is configurable).
public enum EventType {
    public static let pageView = "page_view"
    public static let featureUse = "feature_use"
    public static let contentCreate = "content_create"
    public static let aiRequest = "ai_request"
    public static let error = "error"

    public static let standard: Set<String> = [pageView, featureUse, contentCreate, aiRequest, error]
}

/// Why an event was rejected: the field and what is wrong with it.
public struct InvalidEvent: Error, Sendable, Hashable, CustomStringConvertible {
    public let field: String
    public let reason: String

    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }

    public var description: String { "Invalid event: \(field): \(reason)" }
}

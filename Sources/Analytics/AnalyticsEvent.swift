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
    /// Who did it: required, trimmed of surrounding whitespace, at most 1,024 UTF-8 bytes.
    public var userId: String
    /// One of the accepted event types (``AnalyticsConfiguration/eventTypes``).
    public var eventType: String
    /// The session it belongs to (for session counts and durations): required, trimmed, at most
    /// 1,024 UTF-8 bytes.
    public var sessionId: String
    /// UTC, kept to the millisecond; the tracker's clock when nil.
    public var timestamp: Date?
    /// Where the event came from.
    public var metadata: Metadata
    /// Free-form data, sanitised before storage (see `EventSanitizer`).
    public var eventData: [String: AttributeValue]?

    /// Where the event came from; every field is required and non-empty.
    public struct Metadata: Sendable, Hashable {
        /// The client's user agent.
        public var userAgent: String
        /// The client's IP address; stored as ``AnalyticsConfiguration/ipAddresses`` says (truncated
        /// by default).
        public var ipAddress: String
        /// The client's platform, free-form (`web`, say).
        public var platform: String

        /// An event's origin; its fields are trimmed and checked when the event is tracked or queued.
        public init(userAgent: String, ipAddress: String, platform: String) {
            self.userAgent = userAgent
            self.ipAddress = ipAddress
            self.platform = platform
        }
    }

    /// An event to track; leave `timestamp` and `id` nil to have them set when it is tracked or
    /// queued.
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
    /// `page_view`: a page was viewed.
    public static let pageView = "page_view"
    /// `feature_use`: a feature was used; `eventData.feature` names it.
    public static let featureUse = "feature_use"
    /// `content_create`: content was created; `eventData.contentType` gives its type.
    public static let contentCreate = "content_create"
    /// `ai_request`: a request to an AI model; its `eventData.tokens` and `cost` are summed.
    public static let aiRequest = "ai_request"
    /// `error`: something failed (counted in `errors`; never a success in ``VisitStatistics``).
    public static let error = "error"

    /// The five types above: the default of ``AnalyticsConfiguration/eventTypes``.
    public static let standard: Set<String> = [pageView, featureUse, contentCreate, aiRequest, error]
}

/// Why an event was rejected: the field and what is wrong with it.
public struct InvalidEvent: Error, Sendable, Hashable, CustomStringConvertible {
    /// The field at fault, as a path: `userId`, `metadata.ipAddress`, `eventData.tags[3]`, or
    /// `event` for the whole event.
    public let field: String
    /// What is wrong with it (`is required and must not be empty`, say).
    public let reason: String

    /// An error naming `field` and what is wrong with it.
    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }

    public var description: String { "Invalid event: \(field): \(reason)" }
}

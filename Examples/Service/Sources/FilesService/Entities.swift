import Foundation
import KVTable

/// A user: one item per user in the single table, its e-mail address unique among users.
///
/// | PK | SK | GSI3 |
/// |---|---|---|
/// | `USER#{userId}` | `PROFILE` | `USERS` / `{createdAt}#{userId}` (every user, by sign-up) |
public struct User: Entity, Equatable {
    public static let entityType = "User"
    public static let key = KeyTemplate(partition: "USER#{userId}", sort: "PROFILE")
    public static let indexKeys = ["GSI3": KeyTemplate(partition: "USERS", sort: "{createdAt}#{userId}")]
    public static let uniqueAttributes = ["email"]

    public var userId: String
    public var email: String
    public var name: String
    public var createdAt: Date

    /// The typed key: a user is found by id.
    public struct Key: EntityKey {
        public typealias Entity = User
        public var userId: String
    }
}

/// An audio file a user uploaded, in the user's own partition, so that "my files, newest
/// first" is one query and no request can reach another user's files by id.
///
/// | PK | SK |
/// |---|---|
/// | `USER#{userId}` | `FILE#{fileId}` (file ids sort by upload time) |
public struct AudioFile: Entity, Equatable {
    public static let entityType = "AudioFile"
    public static let key = KeyTemplate(partition: "USER#{userId}", sort: "FILE#{fileId}")

    public var userId: String
    public var fileId: String
    public var filename: String
    public var sizeBytes: Int
    public var uploadedAt: Date

    /// The typed key: a file is found by its owner and its id.
    public struct Key: EntityKey {
        public typealias Entity = AudioFile
        public var userId: String
        public var fileId: String
    }
}

/// Identifiers that sort by creation time: 13 digits of Unix milliseconds, then a random part
/// (so ids made in the same millisecond differ, and a descending query reads newest first).
enum TimeOrderedID {
    static func make(at date: Date) -> String {
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        let digits = String(millis)
        return String(repeating: "0", count: max(0, 13 - digits.count)) + digits + "-"
            + UUID().uuidString.prefix(8).lowercased()
    }
}

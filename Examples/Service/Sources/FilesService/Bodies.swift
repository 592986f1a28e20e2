import Foundation
import Hummingbird

// The JSON the API reads and writes. Kept apart from the entities, so that the stored layout
// and the wire format can change independently.

/// `POST /users`.
public struct NewUser: Codable, Sendable {
    public var email: String
    public var name: String

    public init(email: String, name: String) {
        self.email = email
        self.name = name
    }
}

/// `POST /users/{userId}/files`.
public struct NewFile: Codable, Sendable {
    public var filename: String
    public var sizeBytes: Int

    public init(filename: String, sizeBytes: Int) {
        self.filename = filename
        self.sizeBytes = sizeBytes
    }
}

/// A user, as the API shows it.
public struct UserBody: ResponseCodable, Equatable {
    public var userId: String
    public var email: String
    public var name: String
    /// Unix time in milliseconds (the precision KVTable stores dates with, rounded as it rounds).
    public var createdAt: Int64

    init(_ user: User) {
        userId = user.userId
        email = user.email
        name = user.name
        createdAt = Int64((user.createdAt.timeIntervalSince1970 * 1000).rounded())
    }
}

/// A file, as the API shows it.
public struct FileBody: ResponseCodable, Equatable {
    public var fileId: String
    public var filename: String
    public var sizeBytes: Int

    init(_ file: AudioFile) {
        fileId = file.fileId
        filename = file.filename
        sizeBytes = file.sizeBytes
    }
}

/// A page of files; `nextCursor` goes back as `?cursor=` for the next one.
public struct FilePage: ResponseCodable, Equatable {
    public var files: [FileBody]
    public var nextCursor: String?
}

/// `GET /analytics/today`.
public struct TodayBody: ResponseCodable, Equatable {
    /// Events stored today (in the analytics time zone, UTC by default).
    public var events: Int
    /// Distinct users today.
    public var activeUsers: Int

    public init(events: Int, activeUsers: Int) {
        self.events = events
        self.activeUsers = activeUsers
    }
}

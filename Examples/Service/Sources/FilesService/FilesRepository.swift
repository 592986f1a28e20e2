import Foundation
import KVTable

/// The service's data access, written against KVTable's engine protocol: the same code runs on
/// the embedded LMDB store, in memory in the tests, and on DynamoDB (through `KVTableRemote`).
public struct FilesRepository<Table: ItemTable>: Sendable {
    public let table: Table

    public init(table: Table) {
        self.table = table
    }

    /// Why a request cannot be done, independent of HTTP.
    public enum Failure: Error, Equatable {
        /// Another user already has this e-mail address.
        case emailTaken
        /// No such user.
        case unknownUser
        /// The input is not acceptable; the message says why.
        case invalid(String)
    }

    /// Creates a user. The e-mail address is unique: KVTable stores a marker item for it in
    /// the same transaction as the user, so two concurrent sign-ups cannot both succeed.
    public func createUser(email: String, name: String, at now: Date) async throws -> User {
        let email = email.trimmingCharacters(in: .whitespaces).lowercased()
        guard email.contains("@"), email.count <= 254 else { throw Failure.invalid("email must be an e-mail address") }
        guard !name.isEmpty, name.count <= 200 else { throw Failure.invalid("name must be 1 to 200 characters") }
        let user = User(userId: TimeOrderedID.make(at: now), email: email, name: name, createdAt: now)
        do {
            try await table.put(user)
        } catch KVTableError.uniqueConstraintViolation {
            throw Failure.emailTaken
        }
        return user
    }

    /// The user with this id, or nil.
    public func user(_ userId: String) async throws -> User? {
        try await table.get(User.Key(userId: userId))
    }

    /// Stores a file record for an existing user.
    public func addFile(of userId: String, filename: String, sizeBytes: Int, at now: Date) async throws -> AudioFile {
        guard !filename.isEmpty, filename.utf8.count <= 1024 else { throw Failure.invalid("filename must be 1 to 1024 bytes") }
        guard sizeBytes >= 0 else { throw Failure.invalid("sizeBytes must not be negative") }
        guard try await user(userId) != nil else { throw Failure.unknownUser }
        let file = AudioFile(userId: userId, fileId: TimeOrderedID.make(at: now), filename: filename,
                             sizeBytes: sizeBytes, uploadedAt: now)
        try await table.put(file, condition: .notExists("PK"))   // a new id never replaces a file
        return file
    }

    /// A user's files, newest first, a page at a time.
    public func files(of userId: String, limit: Int, after cursor: PageCursor?) async throws -> (files: [AudioFile], next: PageCursor?) {
        let page = try await table.queryEntities(
            Query(partitionKey: try AudioFile.partitionKey(["userId": .s(userId)]), sortKey: .beginsWith("FILE#"),
                  ascending: false, limit: limit, startAfter: cursor),
            as: [AudioFile.self])
        return (page.entities(of: AudioFile.self), page.nextCursor)
    }

    /// One of a user's files. The key holds the owner, so another user's file id finds nothing.
    public func file(_ fileId: String, of userId: String) async throws -> AudioFile? {
        try await table.get(AudioFile.Key(userId: userId, fileId: fileId))
    }
}

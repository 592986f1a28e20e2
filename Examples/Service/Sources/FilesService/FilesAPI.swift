import Analytics
import Foundation
import HTTPTypes
import Hummingbird
import KVTable
import Logging
import ServiceLifecycle

/// The HTTP API of the files service, on a KVTable store:
///
/// | route | what |
/// |---|---|
/// | `POST /users` `{"email", "name"}` | sign up: 201 with the user; 409 when the e-mail address is taken |
/// | `GET /users/{userId}` | a user's profile: 200, or 404 |
/// | `POST /users/{userId}/files` `{"filename", "sizeBytes"}` | the owner adds a file: 201; 403 for anyone else |
/// | `GET /users/{userId}/files?limit=&cursor=` | the owner's files, newest first, a page at a time |
/// | `GET /users/{userId}/files/{fileId}` | one of the owner's files: 200, or 404 |
/// | `GET /analytics/today` | today's event count and distinct users, from the fresh metrics |
///
/// The requester is named by the `X-User-Id` header — a stand-in for real authentication, which
/// a production service puts in a middleware; the access rule is the same: only the owner reads
/// or adds files. Every successful request is tracked through the analytics ``events`` queue,
/// which never blocks the request.
public struct FilesAPI: Sendable {
    public let store: KVStore
    public let repository: FilesRepository<Table>
    public let analytics: Analytics
    /// Tracks requests in batches; run it as a service (``services``) or `flush()` it.
    public let events: EventQueue

    /// The single table the service keeps everything in.
    public static let tableName = "Files"

    /// Opens the service's table in `store`, creating it (with event expiry) the first time.
    public static func open(store: KVStore, logger: Logger = Logger(label: "files-service")) async throws -> FilesAPI {
        let table: Table
        if store.tableNames().contains(tableName) {
            table = try store.table(tableName)
        } else {
            table = try await store.createTable(.singleTable(name: tableName))
        }
        let analytics = Analytics(store: store, table: table)
        try await analytics.enableEventExpiry()
        return FilesAPI(store: store, repository: FilesRepository(table: table), analytics: analytics,
                        events: EventQueue(analytics: analytics, logger: logger))
    }

    /// The background work to run beside the server: the event queue and the TTL sweeper.
    public var services: [any Service] {
        [events, TimeToLiveSweeper(store: store)]
    }

    /// The routes.
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: FailureMiddleware())
        let api = self

        router.post("users") { request, context -> EditedResponse<UserBody> in
            let input = try await request.decode(as: NewUser.self, context: context)
            let user = try await api.repository.createUser(email: input.email, name: input.name, at: api.now)
            api.track(request, user: user.userId, feature: "sign_up")
            return EditedResponse(status: .created, response: UserBody(user))
        }

        router.get("users/:userId") { request, context -> UserBody in
            let userId = try context.parameters.require("userId")
            guard let user = try await api.repository.user(userId) else { throw HTTPError(.notFound, message: "No user \(userId)") }
            return UserBody(user)
        }

        router.post("users/:userId/files") { request, context -> EditedResponse<FileBody> in
            let owner = try Self.owner(request, context)
            let input = try await request.decode(as: NewFile.self, context: context)
            let file = try await api.repository.addFile(of: owner, filename: input.filename, sizeBytes: input.sizeBytes, at: api.now)
            api.track(request, user: owner, feature: "upload")
            return EditedResponse(status: .created, response: FileBody(file))
        }

        router.get("users/:userId/files") { request, context -> FilePage in
            let owner = try Self.owner(request, context)
            let limit = request.uri.queryParameters.get("limit", as: Int.self) ?? 20
            guard (1...100).contains(limit) else { throw HTTPError(.badRequest, message: "limit must be 1 to 100") }
            let cursor = try request.uri.queryParameters.get("cursor").map { token in
                do { return try PageCursor(token: token) } catch { throw HTTPError(.badRequest, message: "cursor is not one this service gave out") }
            }
            let page = try await api.repository.files(of: owner, limit: limit, after: cursor)
            api.track(request, user: owner, feature: "list_files")
            return FilePage(files: page.files.map(FileBody.init), nextCursor: page.next?.token)
        }

        router.get("users/:userId/files/:fileId") { request, context -> FileBody in
            let owner = try Self.owner(request, context)
            let fileId = try context.parameters.require("fileId")
            guard let file = try await api.repository.file(fileId, of: owner) else { throw HTTPError(.notFound, message: "No file \(fileId)") }
            return FileBody(file)
        }

        router.get("analytics/today") { _, _ -> TodayBody in
            let snapshot = try await api.analytics.realtimeSnapshot()
            return TodayBody(events: snapshot.day.values["events"]?.intValue ?? 0, activeUsers: snapshot.activeUsersToday)
        }
        return router
    }

    var now: Date { store.time.now() }

    /// The `userId` of the path, when the requester (`X-User-Id`) is that user.
    static func owner(_ request: Request, _ context: BasicRequestContext) throws -> String {
        let userId = try context.parameters.require("userId")
        guard let requester = request.headers[.userID], !requester.isEmpty else {
            throw HTTPError(.unauthorized, message: "Name the requester in X-User-Id")
        }
        guard requester == userId else { throw HTTPError(.forbidden, message: "Only the owner may see or add these files") }
        return userId
    }

    /// Queues an analytics event for a request; never blocks and never fails the request.
    func track(_ request: Request, user: String, feature: String) {
        events.queueEvent(AnalyticsEvent(
            userId: user, eventType: EventType.featureUse,
            sessionId: request.headers[.sessionID] ?? "api",
            metadata: .init(userAgent: request.headers[.userAgent] ?? "unknown",
                            // Behind a proxy, the client's address is the first of X-Forwarded-For.
                            ipAddress: request.headers[.forwardedFor]?.split(separator: ",").first
                                .map { $0.trimmingCharacters(in: .whitespaces) } ?? "0.0.0.0",
                            platform: "api"),
            eventData: ["feature": .s(feature)]))
    }
}

extension HTTPField.Name {
    static let userID = Self("X-User-Id")!
    static let sessionID = Self("X-Session-Id")!
    static let forwardedFor = Self("X-Forwarded-For")!
}

/// Turns the repository's failures into HTTP errors.
struct FailureMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let failure as FilesRepository<Table>.Failure {
            switch failure {
            case .emailTaken: throw HTTPError(.conflict, message: "That e-mail address is taken")
            case .unknownUser: throw HTTPError(.notFound, message: "No such user")
            case .invalid(let why): throw HTTPError(.badRequest, message: why)
            }
        } catch let error as KVTableError where error.code == "ValidationException" {
            throw HTTPError(.badRequest, message: error.message)
        }
    }
}

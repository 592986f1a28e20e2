import FilesService
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KVTable
import Testing

// The service as a client sees it: HTTP requests against the router, on an in-memory store.
// Only KVTable's public API is used (no `@testable import`).

@Suite("Files service")
struct FilesServiceTests {
    static func api() async throws -> FilesAPI {
        try await FilesAPI.open(store: KVStore.inMemory())
    }

    static func json(_ value: some Encodable) throws -> ByteBuffer {
        ByteBuffer(bytes: try JSONEncoder().encode(value))
    }

    static func decode<T: Decodable>(_ type: T.Type, _ response: TestResponse) throws -> T {
        try JSONDecoder().decode(type, from: Data(String(buffer: response.body).utf8))
    }

    static func headers(user: String?) -> HTTPFields {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let user { headers[HTTPField.Name("X-User-Id")!] = user }
        return headers
    }

    @Test("Sign-up: a user per e-mail address (case-insensitive); a taken or invalid address changes nothing")
    func signUp() async throws {
        let api = try await Self.api()
        try await Application(router: api.router()).test(.router) { client in
            let ada = try await client.execute(uri: "/users", method: .post, headers: Self.headers(user: nil),
                                               body: try Self.json(NewUser(email: "ada@example.com", name: "Ada"))) { response in
                #expect(response.status == .created)
                return try Self.decode(UserBody.self, response)
            }
            #expect(ada.email == "ada@example.com" && ada.name == "Ada")
            try await client.execute(uri: "/users", method: .post, headers: Self.headers(user: nil),
                                     body: try Self.json(NewUser(email: " ADA@example.com", name: "Eve"))) { response in
                #expect(response.status == .conflict)
            }
            try await client.execute(uri: "/users", method: .post, headers: Self.headers(user: nil),
                                     body: try Self.json(NewUser(email: "not-an-address", name: "Bob"))) { response in
                #expect(response.status == .badRequest)
            }
            try await client.execute(uri: "/users", method: .post, headers: Self.headers(user: nil),
                                     body: ByteBuffer(string: #"{"email": 3}"#)) { response in
                #expect(response.status == .badRequest)
            }
            try await client.execute(uri: "/users/\(ada.userId)", method: .get) { response in
                #expect(response.status == .ok)
                let stored = try Self.decode(UserBody.self, response)
                #expect(stored == ada)
            }
            try await client.execute(uri: "/users/nobody", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
        // Exactly one user is stored (GSI3 lists every user).
        let users = try await api.repository.table.query(Query(indexName: "GSI3", partitionKey: "USERS", countOnly: true))
        #expect(users.count == 1)
    }

    @Test("Files: only the owner adds and reads them; newest first, a page at a time; another user's file id finds nothing")
    func filesAndAccess() async throws {
        let api = try await Self.api()
        let ada = try await api.repository.createUser(email: "ada@example.com", name: "Ada", at: Date())
        let bob = try await api.repository.createUser(email: "bob@example.com", name: "Bob", at: Date())
        try await Application(router: api.router()).test(.router) { client in
            var uploaded: [FileBody] = []
            for n in 0..<5 {
                uploaded.append(try await client.execute(uri: "/users/\(ada.userId)/files", method: .post, headers: Self.headers(user: ada.userId),
                                                         body: try Self.json(NewFile(filename: "take-\(n).flac", sizeBytes: 1000 + n))) { response in
                    #expect(response.status == .created)
                    return try Self.decode(FileBody.self, response)
                })
                try await Task.sleep(for: .milliseconds(2))   // distinct upload times
            }
            // Someone else, or no one, may neither add nor read Ada's files.
            try await client.execute(uri: "/users/\(ada.userId)/files", method: .post, headers: Self.headers(user: bob.userId),
                                     body: try Self.json(NewFile(filename: "intruder.flac", sizeBytes: 1))) { response in
                #expect(response.status == .forbidden)
            }
            try await client.execute(uri: "/users/\(ada.userId)/files", method: .get, headers: Self.headers(user: nil)) { response in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(uri: "/users/\(ada.userId)/files/\(uploaded[0].fileId)", method: .get, headers: Self.headers(user: bob.userId)) { response in
                #expect(response.status == .forbidden)
            }
            // Bob asking for Ada's file id under his own account finds nothing: the key holds the owner.
            try await client.execute(uri: "/users/\(bob.userId)/files/\(uploaded[0].fileId)", method: .get, headers: Self.headers(user: bob.userId)) { response in
                #expect(response.status == .notFound)
            }
            let fourth = try await client.execute(uri: "/users/\(ada.userId)/files/\(uploaded[3].fileId)", method: .get,
                                                  headers: Self.headers(user: ada.userId)) { try Self.decode(FileBody.self, $0) }
            #expect(fourth == uploaded[3])

            // Newest first, two at a time.
            var seen: [FileBody] = []
            var cursor: String?
            repeat {
                let query = "limit=2" + (cursor.map { "&cursor=\($0)" } ?? "")
                let page = try await client.execute(uri: "/users/\(ada.userId)/files?\(query)", method: .get, headers: Self.headers(user: ada.userId)) { response in
                    #expect(response.status == .ok)
                    return try Self.decode(FilePage.self, response)
                }
                #expect(page.files.count <= 2)
                seen += page.files
                cursor = page.nextCursor
            } while cursor != nil
            #expect(seen == uploaded.reversed())

            try await client.execute(uri: "/users/\(ada.userId)/files?limit=0", method: .get, headers: Self.headers(user: ada.userId)) { response in
                #expect(response.status == .badRequest)
            }
            try await client.execute(uri: "/users/\(ada.userId)/files?cursor=garbage", method: .get, headers: Self.headers(user: ada.userId)) { response in
                #expect(response.status == .badRequest)
            }
            try await client.execute(uri: "/users/nobody/files", method: .post, headers: Self.headers(user: "nobody"),
                                     body: try Self.json(NewFile(filename: "x.flac", sizeBytes: 1))) { response in
                #expect(response.status == .notFound)
            }
        }
        #expect(try await api.repository.files(of: bob.userId, limit: 10, after: nil).files.isEmpty)
    }

    @Test("Requests are tracked through the analytics queue: after a flush, today's metrics count them")
    func analyticsThroughTheQueue() async throws {
        let api = try await Self.api()
        try await Application(router: api.router()).test(.router) { client in
            for email in ["ada@example.com", "bob@example.com"] {
                try await client.execute(uri: "/users", method: .post, headers: Self.headers(user: nil),
                                         body: try Self.json(NewUser(email: email, name: "Someone"))) { response in
                    #expect(response.status == .created)
                }
            }
            let before = try await client.execute(uri: "/analytics/today", method: .get) { try Self.decode(TodayBody.self, $0) }
            #expect(before == TodayBody(events: 0, activeUsers: 0))   // queued, not yet stored

            let report = await api.events.flush()
            #expect(report.stored == 2 && report.failed == 0 && report.error == nil)
            let after = try await client.execute(uri: "/analytics/today", method: .get) { try Self.decode(TodayBody.self, $0) }
            #expect(after == TodayBody(events: 2, activeUsers: 2))
        }
    }
}

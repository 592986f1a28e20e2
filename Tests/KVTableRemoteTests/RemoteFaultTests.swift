import Foundation
import HTTPTypes
import Hummingbird
import KVTable
import KVTableDynamoDB
import KVTableRemote
import KVTableServer
import Logging
import Synchronization
import Testing

/// The remote engine against a loopback server that misbehaves on purpose: throttling, 5xx,
/// unprocessed batch items, garbage, silence — and against nothing at all.
@Suite("Remote engine: retries and faults")
struct RemoteFaultTests {
    /// What the faulty server does with request number `n` (1-based) of an operation:
    /// answer itself, or hand the request to the real service.
    enum Reply: Sendable {
        case error(status: Int, type: String)
        case raw(status: Int, body: String)
        case delay(Duration)
        case forward
        /// Forward, then set one member of the answer (`UnprocessedItems`, say).
        case forwardSetting(String, JSONValue)
    }

    /// A server whose answers `script` decides, in front of a real in-memory store.
    final class FaultyServer: Sendable {
        let service: DynamoDBService
        let store: KVStore
        let counts = Mutex<[String: Int]>([:])
        let script: @Sendable (_ operation: String, _ n: Int, _ body: [UInt8]) -> (Reply, [UInt8])
        private let server: Mutex<TestServer?> = Mutex(nil)

        init(script: @escaping @Sendable (_ operation: String, _ n: Int, _ body: [UInt8]) -> (Reply, [UInt8])) {
            store = KVStore.inMemory()
            service = DynamoDBService(store: store)
            self.script = script
        }

        func start() async throws -> RemoteStore {
            let running = try await TestServer.start { onListening in
                let router = Router()
                router.post("/") { request, _ -> Response in
                    var request = request
                    let body = Array(buffer: try await request.collectBody(upTo: 16 << 20))
                    let target = request.headers[HTTPField.Name("X-Amz-Target")!] ?? ""
                    let operation = String(target.split(separator: ".").last ?? "")
                    let n = self.counts.withLock { counts in
                        counts[operation, default: 0] += 1
                        return counts[operation]!
                    }
                    let (reply, forwardedBody) = self.script(operation, n, body)
                    switch reply {
                    case .error(let status, let type):
                        return Self.response(status, #"{"__type":"com.amazonaws.dynamodb.v20120810#\#(type)","message":"injected \#(type)"}"#)
                    case .raw(let status, let text):
                        return Self.response(status, text)
                    case .delay(let duration):
                        try await Task.sleep(for: duration)
                        return Self.response(200, "{}")
                    case .forward:
                        let answer = await self.service.handle(target: target, body: forwardedBody)
                        return Self.response(answer.status, String(decoding: answer.body, as: UTF8.self))
                    case .forwardSetting(let member, let value):
                        let answer = await self.service.handle(target: target, body: forwardedBody)
                        guard case .object(var members)? = try? JSONValue.parse(answer.body) else {
                            return Self.response(500, "{}")
                        }
                        members[member] = value
                        return Self.response(answer.status, JSONValue.object(members).text)
                    }
                }
                var logger = Logger(label: "kvtable.faulty-server")
                logger.logLevel = .critical
                return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                                   onServerRunning: { await onListening($0.localAddress?.port ?? 0) }, logger: logger)
            }
            server.withLock { $0 = running }
            return try RemoteStore(configuration: Self.configuration(running.endpoint))
        }

        func stop() async {
            if let running = server.withLock({ $0 }) { await running.stop() }
            store.close()
        }

        func count(_ operation: String) -> Int { counts.withLock { $0[operation] ?? 0 } }

        static func configuration(_ endpoint: String, attempts: Int = 5, requestTimeout: Duration = .seconds(10)) -> RemoteConfiguration {
            RemoteConfiguration(endpoint: endpoint, region: "us-east-1", credentials: Engine.credentials,
                                connectTimeout: .seconds(2), requestTimeout: requestTimeout,
                                retry: RetryPolicy(maximumAttempts: attempts, baseDelay: .milliseconds(1), maximumDelay: .milliseconds(5)))
        }

        static func response(_ status: Int, _ body: String) -> Response {
            Response(status: .init(code: status), headers: [.contentType: "application/x-amz-json-1.0"],
                     body: .init(byteBuffer: ByteBuffer(string: body)))
        }
    }

    static func withServer(_ script: @escaping @Sendable (String, Int, [UInt8]) -> (Reply, [UInt8]),
                           _ body: (FaultyServer, RemoteStore) async throws -> Void) async throws {
        let server = FaultyServer(script: script)
        let store = try await server.start()
        do { try await body(server, store) } catch {
            try? await store.close()
            await server.stop()
            throw error
        }
        try? await store.close()
        await server.stop()
    }

    static let table = TableSchema.singleTable(name: "Faults")

    @Test("throttling and 5xx are retried for reads; the call succeeds within the attempt bound")
    func readsAreRetried() async throws {
        try await Self.withServer({ operation, n, body in
            guard operation == "GetItem" else { return (.forward, body) }
            switch n {
            case 1: return (.error(status: 400, type: "ThrottlingException"), body)
            case 2: return (.error(status: 400, type: "ProvisionedThroughputExceededException"), body)
            case 3: return (.error(status: 500, type: "InternalServerError"), body)
            default: return (.forward, body)
            }
        }) { server, store in
            let table = try await store.createTable(Self.table)
            try await table.putItem(["PK": "a", "SK": "b", "v": 1])
            #expect(try await table.getItem(["PK": "a", "SK": "b"])?["v"] == 1)
            #expect(server.count("GetItem") == 4)
        }
    }

    @Test("a conditional write is retried on throttling but not on a 5xx, whose replay could change its outcome")
    func unsafeWritesAreNotRetriedOn5xx() async throws {
        try await Self.withServer({ operation, n, body in
            guard operation == "PutItem" else { return (.forward, body) }
            switch n {
            case 1: return (.error(status: 400, type: "RequestLimitExceeded"), body)
            case 2: return (.error(status: 500, type: "InternalServerError"), body)
            default: return (.forward, body)
            }
        }) { server, store in
            let table = try await store.createTable(Self.table)
            await #expect(throws: RemoteError.service(operation: "PutItem", type: "InternalServerError",
                                                      message: "injected InternalServerError", status: 500)) {
                try await table.putItem(["PK": "a", "SK": "b"], condition: .notExists("PK"))
            }
            #expect(server.count("PutItem") == 2)
            try await table.putItem(["PK": "a", "SK": "b"])   // unconditional: replay-safe
            #expect(server.count("PutItem") == 3)
        }
    }

    @Test("a non-retryable error surfaces at once, as the local engine's error")
    func validationIsNotRetried() async throws {
        try await Self.withServer({ _, _, body in (.forward, body) }) { server, store in
            let table = try await store.createTable(Self.table)
            await #expect(throws: KVTableError.self) { try await table.putItem(["PK": "only"]) }
            #expect(server.count("PutItem") == 1)
        }
    }

    @Test("retries stop at the attempt bound")
    func attemptsAreBounded() async throws {
        try await Self.withServer({ operation, _, body in
            operation == "Scan" ? (.error(status: 400, type: "ThrottlingException"), body) : (.forward, body)
        }) { server, store in
            let table = try await store.createTable(Self.table)
            await #expect(throws: RemoteError.self) { try await table.scan() }
            #expect(server.count("Scan") == 5)
        }
    }

    @Test("unprocessed batch items and keys are resubmitted until none is left")
    func unprocessedAreResubmitted() async throws {
        try await Self.withServer({ operation, n, body in
            // The first answer of each batch operation processes only the first request.
            guard n == 1, operation == "BatchWriteItem" || operation == "BatchGetItem",
                  case .object(let request)? = try? JSONValue.parse(body),
                  case .object(let tables)? = request["RequestItems"], let (name, entry) = tables.first else {
                return (.forward, body)
            }
            if operation == "BatchWriteItem", case .array(let writes) = entry, writes.count > 1 {
                let first = JSONValue.object(["RequestItems": .object([name: .array([writes[0]])])])
                return (.forwardSetting("UnprocessedItems", .object([name: .array(Array(writes.dropFirst()))])), first.serialized())
            }
            if operation == "BatchGetItem", case .object(var get) = entry, case .array(let keys)? = get["Keys"], keys.count > 1 {
                get["Keys"] = .array([keys[0]])
                let first = JSONValue.object(["RequestItems": .object([name: .object(get)])])
                get["Keys"] = .array(Array(keys.dropFirst()))
                return (.forwardSetting("UnprocessedKeys", .object([name: .object(get)])), first.serialized())
            }
            return (.forward, body)
        }) { server, store in
            let table = try await store.createTable(Self.table)
            let items: [Item] = (0..<30).map { ["PK": "p", "SK": .s(String(format: "%02d", $0))] }
            try await table.batchWrite(items.map { .put($0) })
            #expect(try await table.scan(Scan(countOnly: true)).count == 30)
            #expect(server.count("BatchWriteItem") == 3)   // 25 (1 processed), the other 24, then 5
            let found = try await table.batchGet(items.map { ["PK": $0["PK"]!, "SK": $0["SK"]!] })
            #expect(found == items)
            #expect(server.count("BatchGetItem") == 2)
        }
    }

    @Test("a malformed answer is a typed error and is not retried")
    func malformedAnswer() async throws {
        try await Self.withServer({ operation, _, body in
            operation == "GetItem" ? (.raw(status: 200, body: "<html>not json</html>"), body) : (.forward, body)
        }) { server, store in
            let table = try await store.createTable(Self.table)
            do {
                _ = try await table.getItem(["PK": "a", "SK": "b"])
                Issue.record("a malformed answer was accepted")
            } catch let error as RemoteError {
                guard case .malformedResponse(let operation, _) = error else { Issue.record("\(error)"); return }
                #expect(operation == "GetItem")
            }
            #expect(server.count("GetItem") == 1)
        }
    }

    @Test("a request that takes too long is a timeout")
    func requestTimeout() async throws {
        try await Self.withServer({ operation, _, body in
            operation == "GetItem" ? (.delay(.seconds(5)), body) : (.forward, body)
        }) { server, store in
            _ = try await store.createTable(Self.table)
            // 1 s per attempt: long enough for the other requests on a loaded machine, far
            // shorter than the server's 5 s delay.
            let impatient = try RemoteStore(configuration: FaultyServer.configuration(
                store.client.configuration.endpoint, attempts: 2, requestTimeout: .seconds(1)))
            let started = ContinuousClock.now
            await #expect(throws: RemoteError.timeout(endpoint: store.client.configuration.endpoint, operation: "GetItem")) {
                try await impatient.table("Faults").getItem(["PK": "a", "SK": "b"])
            }
            #expect(ContinuousClock.now - started < .seconds(4.5))
            #expect(server.count("GetItem") == 2)
            try await impatient.close()
        }
    }

    @Test("a store released without close() closes its connections itself (no trap)")
    func releasedWithoutClose() async throws {
        try await Self.withServer({ _, _, body in (.forward, body) }) { _, store in
            do {
                let forgotten = try RemoteStore(configuration: FaultyServer.configuration(store.client.configuration.endpoint))
                #expect(try await forgotten.tableNames().isEmpty)
            }   // released here: async-http-client traps in debug builds unless it was shut down
            #expect(try await store.tableNames().isEmpty)
        }
    }

    @Test("an unreachable endpoint is a typed error, not a hang")
    func unreachable() async throws {
        // Port 1 on loopback: nothing listens there.
        let store = try RemoteStore(configuration: FaultyServer.configuration("http://127.0.0.1:1", attempts: 2))
        do {
            _ = try await store.tableNames()
            Issue.record("an unreachable endpoint answered")
        } catch let error as RemoteError {
            guard case .unreachable(let endpoint, let operation, _) = error else { Issue.record("\(error)"); return }
            #expect(endpoint == "http://127.0.0.1:1" && operation == "ListTables")
        }
        try await store.close()
    }

    @Test("missing credentials and bad endpoints are typed errors")
    func configurationErrors() throws {
        #expect(throws: RemoteError.self) { try RemoteConfiguration.aws(region: "us-east-1", environment: [:]) }
        #expect(throws: RemoteError.self) {
            try RemoteConfiguration.aws(environment: ["AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b"])   // no region
        }
        let aws = try RemoteConfiguration.aws(environment: ["AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b", "AWS_REGION": "eu-west-1"])
        #expect(aws.endpoint == "https://dynamodb.eu-west-1.amazonaws.com" && aws.region == "eu-west-1")
        for endpoint in ["ftp://host", "not a url", "http://"] {
            #expect(throws: RemoteError.invalidEndpoint(endpoint)) {
                try RemoteStore(configuration: FaultyServer.configuration(endpoint))
            }
        }
    }

    @Test("backoff: capped exponential with full jitter")
    func backoff() {
        let policy = RetryPolicy(maximumAttempts: 10, baseDelay: .milliseconds(10), maximumDelay: .milliseconds(100))
        var random = SystemRandomNumberGenerator()
        for retry in 0..<10 {
            let cap = min(Duration.milliseconds(100), .milliseconds(10 * (1 << retry)))
            for _ in 0..<50 {
                let delay = policy.delay(beforeRetry: retry, using: &random)
                #expect(delay >= .zero && delay <= cap)
            }
        }
    }
}

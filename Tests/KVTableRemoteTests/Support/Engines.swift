import Foundation
import Hummingbird
import ServiceLifecycle
import KVTable
import KVTableDynamoDB
import KVTableRemote
import KVTableServer
import Logging
import Synchronization

/// The engines the conformance suite runs on: the two local backends, the remote engine against
/// KVTable's own server (started in-process on a free loopback port), and — when
/// `KVTABLE_MOTO_ENDPOINT` names a running `moto_server`, as CI arranges — against moto.
enum Engine: String, Sendable, CustomStringConvertible {
    case lmdb, memory, remote, moto

    var description: String { rawValue }

    static var all: [Engine] {
        [.lmdb, .memory, .remote] + (Engine.motoEndpoint == nil ? [] : [.moto])
    }

    /// The engines that follow DynamoDB where moto does not: moto creates the item of a
    /// remove-only update, stores attribute names DynamoDB rejects and answers a local index
    /// only from its projection (checked against moto 5 here).
    static var faithful: [Engine] { all.filter { $0 != .moto } }

    static var motoEndpoint: String? {
        ProcessInfo.processInfo.environment["KVTABLE_MOTO_ENDPOINT"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The credentials the test server checks and the remote engine signs with.
    static let credentials = AWSCredentials(accessKeyID: "AKIDKVTABLETEST", secretAccessKey: "kvtable-test-secret")
}

/// One test's store on one engine, closed by ``close()``.
final class EngineFixture: Sendable {
    let engine: Engine
    let store: any ItemStore
    let time: ManualTimeSource
    /// Prefix for table names: moto's server is shared by every test of the run.
    let prefix: String
    private let cleanup: @Sendable () async -> Void

    private init(engine: Engine, store: any ItemStore, time: ManualTimeSource, prefix: String,
                 cleanup: @escaping @Sendable () async -> Void) {
        self.engine = engine
        self.store = store
        self.time = time
        self.prefix = prefix
        self.cleanup = cleanup
    }

    static func make(_ engine: Engine) async throws -> EngineFixture {
        let time = ManualTimeSource(now: Date())
        switch engine {
        case .memory:
            let store = KVStore.inMemory(time: time)
            return EngineFixture(engine: engine, store: store, time: time, prefix: "T") { store.close() }
        case .lmdb:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kvtable-remote-tests-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let store = try KVStore.open(path: directory.appendingPathComponent("store.kvt").path,
                                         configuration: LMDBConfiguration(durability: .noSync, initialMapSize: 8 << 20), time: time)
            return EngineFixture(engine: engine, store: store, time: time, prefix: "T") {
                store.close()
                try? FileManager.default.removeItem(at: directory)
            }
        case .remote:
            let local = KVStore.inMemory(time: time)
            let server = try await TestServer.start(service: DynamoDBService(store: local),
                                                    credentials: [Engine.credentials])
            let store = try RemoteStore(configuration: RemoteConfiguration(
                endpoint: server.endpoint, region: "us-east-1", credentials: Engine.credentials), time: time)
            return EngineFixture(engine: engine, store: store, time: time, prefix: "T") {
                try? await store.close()
                await server.stop()
                local.close()
            }
        case .moto:
            let store = try RemoteStore(configuration: RemoteConfiguration(
                endpoint: Engine.motoEndpoint!, region: "us-east-1",
                credentials: AWSCredentials(accessKeyID: "testing", secretAccessKey: "testing")), time: time)
            let prefix = "T\(UUID().uuidString.prefix(8))"
            return EngineFixture(engine: engine, store: store, time: time, prefix: prefix) {
                for name in (try? await store.tableNames()) ?? [] where name.hasPrefix(prefix) {
                    try? await store.deleteTable(name)
                }
                try? await store.close()
            }
        }
    }

    /// A table with this schema (its name prefixed for shared servers).
    func createTable(_ schema: TableSchema) async throws -> any ItemTable {
        var schema = schema
        schema.name = prefix + schema.name
        return try await store.createTable(schema)
    }

    func close() async {
        await cleanup()
    }
}

/// Runs `body` on a fresh fixture of `engine` and closes it, also when `body` throws.
func withEngine(_ engine: Engine, _ body: (EngineFixture) async throws -> Void) async throws {
    let fixture = try await EngineFixture.make(engine)
    do {
        try await body(fixture)
    } catch {
        await fixture.close()
        throw error
    }
    await fixture.close()
}

/// A Hummingbird application on a free loopback port, run in a task until ``stop()``.
struct TestServer: Sendable {
    let port: Int
    let task: Task<Void, any Error>

    var endpoint: String { "http://127.0.0.1:\(port)" }

    /// KVTable's DynamoDB server, checking signatures with `credentials`.
    static func start(service: DynamoDBService, credentials: [AWSCredentials]) async throws -> TestServer {
        var logger = Logger(label: "kvtable.test-server")
        logger.logLevel = .critical   // stopping by cancellation logs an error otherwise
        let server = DynamoDBServer(service: service, configuration: ServerConfiguration(
            host: "127.0.0.1", port: 0, credentials: credentials), logger: logger)
        return try await start { onListening in server.application(onListening: onListening) }
    }

    /// Any application; `make` receives the callback that reports the bound port.
    static func start<S: Service>(_ make: (@escaping @Sendable (Int) async -> Void) -> S) async throws -> TestServer {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let application = make { port in continuation.yield(port) }
        let task = Task { try await application.run() }
        for await port in ports { return TestServer(port: port, task: task) }
        throw CancellationError()
    }

    func stop() async {
        task.cancel()
        _ = try? await task.value
    }
}

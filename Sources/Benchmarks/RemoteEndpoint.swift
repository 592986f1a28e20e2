import Foundation
@_spi(Benchmarks) import KVTable
import KVTableDynamoDB
import KVTableRemote
import KVTableServer
import Logging

/// The remote engine's benchmark setup, made on first use: KVTable's DynamoDB server
/// (release build, in this process) serving the benchmark's durable store on a loopback port,
/// and a `RemoteStore` client of it. Measured beside it, `kvtable-service`: the same requests
/// handed to `DynamoDBService` directly, without HTTP — the server's own cost — so that the
/// difference is what HTTP and the Swift client add.
actor RemoteEndpoint {
    private var running: (server: Task<Void, any Error>, store: RemoteStore, table: RemoteTable, service: DynamoDBService, port: Int)?

    /// The loopback port of the server (started by ``connect(to:table:)`` if needed).
    func port(for store: KVStore, table: String) async throws -> Int {
        _ = try await connect(to: store, table: table)
        return running!.port
    }

    /// The remote handle of `table` and the transport-free service of `store`.
    func connect(to store: KVStore, table: String) async throws -> (RemoteTable, DynamoDBService) {
        if let running { return (running.table, running.service) }
        let service = DynamoDBService(store: store)
        var logger = Logger(label: "kvtable.bench-server")
        logger.logLevel = .critical
        let server = DynamoDBServer(service: service, configuration: ServerConfiguration(host: "127.0.0.1", port: 0), logger: logger)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let application = server.application { port in continuation.yield(port) }
        let task = Task { try await application.run() }
        var port = 0
        for await bound in ports { port = bound; break }
        let remote = try RemoteStore(configuration: RemoteConfiguration(
            endpoint: "http://127.0.0.1:\(port)", region: "us-east-1",
            credentials: AWSCredentials(accessKeyID: "bench", secretAccessKey: "bench")))
        let handle = try await remote.table(table)
        running = (task, remote, handle, service, port)
        return (handle, service)
    }

    func close() async {
        guard let running else { return }
        try? await running.store.close()
        running.server.cancel()
        _ = try? await running.server.value
        self.running = nil
    }
}

/// The remote engine's measurements, appended to the scenarios they share with the local engine.
enum RemoteScenarios {
    static func getHit(_ bench: Bench, _ budget: Budget) async throws -> [Measurement] {
        let (table, service) = try await bench.remote()
        let bodies = bench.sampleKeys.prefix(1000).map {
            JSONValue.object(["TableName": .string(bench.table.name), "Key": $0.dynamoDBJSON, "ConsistentRead": .bool(true)]).serialized()
        }
        let remoteBudget = Budget(duration: budget.duration, maxOperations: min(budget.maxOperations, 20_000))
        return [
            try await measureAsync("get-hit", "kvtable-remote", budget: remoteBudget) { i in
                guard try await table.getItem(bench.sampleKeys[i % bench.sampleKeys.count]) != nil else { throw BenchmarkError("miss") }
            },
            try await measureAsync("get-hit", "kvtable-service", budget: remoteBudget) { i in
                let answer = await service.handle(target: "DynamoDB_20120810.GetItem", body: bodies[i % bodies.count])
                guard answer.status == 200 else { throw BenchmarkError("GetItem: HTTP \(answer.status)") }
            },
        ]
    }

    static func query10(_ bench: Bench, _ budget: Budget) async throws -> [Measurement] {
        let (table, service) = try await bench.remote()
        let users = bench.dataset.users
        let remoteBudget = Budget(duration: budget.duration, maxOperations: min(budget.maxOperations, 20_000))
        return [
            try await measureAsync("query-10", "kvtable-remote", budget: remoteBudget) { i in
                let page = try await table.query(Query(partitionKey: .s(Dataset.partitionKey(user: i % users)), limit: 10))
                guard page.count == min(10, Dataset.filesPerUser) else { throw BenchmarkError("short") }
            },
            try await measureAsync("query-10", "kvtable-service", budget: remoteBudget) { i in
                let body = JSONValue.object([
                    "TableName": .string(bench.table.name), "KeyConditionExpression": .string("PK = :p"), "Limit": .number(10),
                    "ExpressionAttributeValues": .object([":p": AttributeValue.s(Dataset.partitionKey(user: i % users)).dynamoDBJSON]),
                ]).serialized()
                let answer = await service.handle(target: "DynamoDB_20120810.Query", body: body)
                guard answer.status == 200 else { throw BenchmarkError("Query: HTTP \(answer.status)") }
            },
        ]
    }

    static func putDurable(_ bench: Bench, _ budget: Budget, item: @escaping @Sendable (Int) -> Item) async throws -> [Measurement] {
        let (table, _) = try await bench.remote()
        let writes = Budget(duration: budget.duration, maxOperations: min(budget.maxOperations, 5_000))
        return [try await measureAsync("put-conditional-durable", "kvtable-remote", budget: writes) { i in
            try await table.putItem(item(i), condition: .notExists("PK"))
        }]
    }
}

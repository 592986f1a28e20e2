#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KVTable
import KVTableDynamoDB
import Synchronization

/// Tables on a DynamoDB-protocol endpoint — AWS DynamoDB, ScyllaDB Alternator, `kvtable serve`,
/// moto — behind the same `ItemStore` / `ItemTable` API as the local `KVStore`.
///
/// ```swift
/// let store = try RemoteStore(configuration: .aws(region: "eu-west-1"))
/// let table = try await store.table("App")          // a RemoteTable
/// try await table.putItem(["PK": "USER#1", "SK": "PROFILE", "name": "Ada"])
/// try await store.close()
/// ```
///
/// What differs from the local engine: every call is a network round trip (milliseconds on
/// AWS); reads of the table are strongly consistent, reads of global secondary indexes are
/// eventually consistent (DynamoDB offers nothing else); a batch write is not atomic (each
/// request of it is applied on its own; unprocessed ones are resubmitted); closure
/// transactions, change streams, sweeps, backup and verification are local-only and not
/// offered here. Expired items are hidden from reads as locally.
public final class RemoteStore: ItemStore {
    /// The connection to the endpoint.
    public let client: DynamoDBClient
    /// The clock TTL comparisons use.
    public let time: any TimeSource
    /// How long ``createTable(_:tags:metadata:)`` waits for a table to become `ACTIVE`.
    public let creationTimeout: Duration
    /// Per-table shared state (the TTL attribute), so every handle sees a TTL change.
    private let states = Mutex<[String: RemoteTableState]>([:])

    /// Connects (lazily, on the first request) to the endpoint `configuration` names.
    ///
    /// - Throws: ``RemoteError/invalidEndpoint(_:)``.
    public init(configuration: RemoteConfiguration, time: any TimeSource = SystemTimeSource(),
                creationTimeout: Duration = .seconds(300)) throws(RemoteError) {
        client = try DynamoDBClient(configuration: configuration)
        self.time = time
        self.creationTimeout = creationTimeout
    }

    /// Closes the connection pool. Tables of this store fail afterwards.
    public func close() async throws {
        try await client.shutdown()
    }

    // MARK: - ItemStore

    /// The table named `name` (`DescribeTable` and `DescribeTimeToLive`).
    public func table(_ name: String) async throws -> RemoteTable {
        let description = try await client.call("DescribeTable", ["TableName": .string(name)], retry: .always)
        guard let table = description["Table"] else {
            throw RemoteError.malformedResponse(operation: "DescribeTable", reason: "no Table member")
        }
        let schema = try TableSchema(tableDescription: table)
        return RemoteTable(store: self, schema: schema, state: try await state(of: name))
    }

    /// Creates the table (`CreateTable`, on-demand billing) and waits until it is `ACTIVE`.
    ///
    /// - Throws: `KVTableError.validation(_:)` for an invalid schema (checked before
    ///   sending) or non-empty `metadata` (a local-engine feature);
    ///   `KVTableError.resourceInUse(_:)` when the table exists; ``RemoteError/timeout(endpoint:operation:)``
    ///   when it is not active within ``creationTimeout``.
    public func createTable(_ schema: TableSchema, tags: [String: String] = [:],
                            metadata: [String: String] = [:]) async throws -> RemoteTable {
        try schema.validate()
        guard metadata.isEmpty else {
            throw KVTableError.validation("Table metadata is kept by the local engine only; a remote table has none")
        }
        _ = try await client.call("CreateTable", schema.createTableRequest(tags: tags), retry: .throttlingOnly)
        let deadline = ContinuousClock.now + creationTimeout
        var wait = Duration.milliseconds(20)
        while true {
            let description = try await client.call("DescribeTable", ["TableName": .string(schema.name)], retry: .always)
            if case .object(let table)? = description["Table"], table["TableStatus"] == .string("ACTIVE") { break }
            guard ContinuousClock.now < deadline else {
                throw RemoteError.timeout(endpoint: client.configuration.endpoint, operation: "CreateTable (waiting for ACTIVE)")
            }
            try await Task.sleep(for: wait)
            wait = min(wait * 2, .seconds(2))
        }
        states.withLock { $0[schema.name] = RemoteTableState(timeToLiveAttribute: nil) }
        return try await table(schema.name)
    }

    /// The names of all tables, sorted (`ListTables`, every page).
    public func tableNames() async throws -> [String] {
        var names: [String] = []
        var start: JSONValue?
        repeat {
            var request: [String: JSONValue] = [:]
            if let start { request["ExclusiveStartTableName"] = start }
            let page = try await client.call("ListTables", request, retry: .always)
            guard case .array(let list)? = page["TableNames"] else {
                throw RemoteError.malformedResponse(operation: "ListTables", reason: "no TableNames member")
            }
            for case .string(let name) in list { names.append(name) }
            start = page["LastEvaluatedTableName"]
        } while start != nil
        return names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// Deletes the table (`DeleteTable`). DynamoDB finishes deleting it in the background.
    public func deleteTable(_ name: String) async throws {
        _ = try await client.call("DeleteTable", ["TableName": .string(name)], retry: .throttlingOnly)
        _ = states.withLock { $0.removeValue(forKey: name) }
    }

    /// Enables (`attribute`) or disables (nil) time to live (`UpdateTimeToLive`). DynamoDB
    /// deletes expired items itself, within days; reads through this store hide them at once.
    public func updateTimeToLive(table name: String, attribute: String?) async throws {
        let state = try await state(of: name)
        let current = state.timeToLiveAttribute
        guard let target = attribute ?? current else { return }   // disabling what is not enabled
        if attribute == current { return }
        if attribute != nil, let current {
            // DynamoDB changes the attribute only through disabled.
            _ = try await client.call("UpdateTimeToLive", Self.timeToLive(name, current, enabled: false), retry: .throttlingOnly)
        }
        _ = try await client.call("UpdateTimeToLive", Self.timeToLive(name, target, enabled: attribute != nil), retry: .throttlingOnly)
        state.timeToLiveAttribute = attribute
    }

    private static func timeToLive(_ table: String, _ attribute: String, enabled: Bool) -> [String: JSONValue] {
        ["TableName": .string(table),
         "TimeToLiveSpecification": .object(["AttributeName": .string(attribute), "Enabled": .bool(enabled)])]
    }

    /// The shared state of a table, read from `DescribeTimeToLive` the first time.
    private func state(of name: String) async throws -> RemoteTableState {
        if let state = states.withLock({ $0[name] }) { return state }
        let answer = try await client.call("DescribeTimeToLive", ["TableName": .string(name)], retry: .always)
        var attribute: String?
        if case .object(let description)? = answer["TimeToLiveDescription"],
           case .string(let status)? = description["TimeToLiveStatus"], status == "ENABLED" || status == "ENABLING",
           case .string(let name)? = description["AttributeName"] {
            attribute = name
        }
        let state = RemoteTableState(timeToLiveAttribute: attribute)
        return states.withLock { states in
            if let existing = states[name] { return existing }
            states[name] = state
            return state
        }
    }
}

/// What every handle of one remote table shares.
final class RemoteTableState: Sendable {
    private let ttl: Mutex<String?>

    init(timeToLiveAttribute: String?) {
        ttl = Mutex(timeToLiveAttribute)
    }

    var timeToLiveAttribute: String? {
        get { ttl.withLock { $0 } }
        set { ttl.withLock { $0 = newValue } }
    }
}

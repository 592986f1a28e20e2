/// A store of tables behind any engine: the local ``KVStore`` (LMDB or memory) or a remote
/// DynamoDB-protocol endpoint (`RemoteStore` in the `KVTableRemote` module).
///
/// ```swift
/// func openFiles(in store: some ItemStore) async throws -> some ItemTable {
///     try await store.table("App")
/// }
/// ```
///
/// Local-only capabilities (closure transactions, change streams, sweeps, backup,
/// verification) are members of ``KVStore`` and ``Table`` only.
public protocol ItemStore: Sendable {
    /// The engine's table handle.
    associatedtype TableHandle: ItemTable

    /// The table named `name`; throws ``KVTableError/resourceNotFound(_:)`` when there is none.
    func table(_ name: String) async throws -> TableHandle

    /// Creates a table and returns it once it can be used; throws
    /// ``KVTableError/resourceInUse(_:)`` when the name is taken.
    ///
    /// - Parameters:
    ///   - schema: the table's name, key schema and indexes.
    ///   - tags: the table's tags.
    ///   - metadata: KVTable's own per-table settings (kept by the local engine; a remote
    ///     engine rejects non-empty metadata rather than drop it).
    func createTable(_ schema: TableSchema, tags: [String: String], metadata: [String: String]) async throws -> TableHandle

    /// The names of all tables, sorted.
    func tableNames() async throws -> [String]

    /// Deletes a table with all its items.
    func deleteTable(_ name: String) async throws

    /// Enables time to live with `attribute` (epoch seconds), or disables it with nil.
    func updateTimeToLive(table name: String, attribute: String?) async throws

    /// Applies 1 to 100 actions on items of this store's tables, all or none.
    ///
    /// Every condition is checked against the items as they were before the transaction; when
    /// one fails, nothing is written and ``KVTableError/transactionCanceled(_:)`` carries one
    /// ``CancellationReason`` per action. Each item may appear in one action only.
    ///
    /// - Parameters:
    ///   - actions: the puts, updates, deletes and condition checks, on distinct items.
    ///   - clientRequestToken: an idempotency token: the same transaction retried with it
    ///     within 10 minutes is not applied again.
    ///   - returnItemsOnConditionFailure: put the current item into each failed condition's
    ///     reason.
    func transactWrite(_ actions: [TransactionWrite<TableHandle>], clientRequestToken: String?,
                       returnItemsOnConditionFailure: Bool) async throws

    /// Reads 1 to 100 items, from any tables of this store, in one consistent snapshot: one
    /// entry per request, nil for an absent item.
    func transactGet(_ gets: [TransactionRead<TableHandle>]) async throws -> [Item?]
}

extension ItemStore {
    /// Creates a table without tags or metadata.
    public func createTable(_ schema: TableSchema) async throws -> TableHandle {
        try await createTable(schema, tags: [:], metadata: [:])
    }

    /// Applies the actions, all or none, without an idempotency token.
    public func transactWrite(_ actions: [TransactionWrite<TableHandle>]) async throws {
        try await transactWrite(actions, clientRequestToken: nil, returnItemsOnConditionFailure: false)
    }
}

extension KVStore: ItemStore {}

/// Synchronous reads and writes of any tables of one store inside one write transaction:
/// read-modify-write logic that DynamoDB's fixed transaction actions cannot express
/// ("create this marker, and count it only if it was new").
///
/// Get one from ``KVStore/write(_:)``; use it only inside that closure. Every write follows the
/// same rules as the corresponding ``Table`` method (validation, conditions, index and TTL
/// maintenance, change-stream events), and reads see the transaction's own writes.
public final class StoreTransaction {
    private var log: ChangeLog
    private let now: ExactDecimal
    private var writers: [UInt32: ItemWriter] = [:]

    init(log: ChangeLog, time: any TimeSource) {
        self.log = log
        self.now = time.epochSeconds
    }

    /// The changes recorded so far (published after the commit).
    var changes: [PendingChange] { log.changes }

    private func items(_ table: Table) throws -> ItemWriter {
        if let items = writers[table.layout.keyspace] { return items }
        let items = try ItemWriter(writer: log.writer, table: table.state, now: now)
        writers[table.layout.keyspace] = items
        return items
    }

    /// Runs `body` with this table's item writer and the transaction's change log.
    func withItemWriter<R>(_ table: Table, _ body: (ItemWriter, inout ChangeLog) throws -> R) throws -> R {
        let items = try items(table)
        return try body(items, &log)
    }

    private func perform(_ write: PreparedWrite, in table: Table) throws -> (ItemWriter.Current, PreparedWrite.Effect) {
        let items = try items(table)
        let current = try items.current(write.key)
        let effect = try write.effect(on: current)
        try write.apply(effect, over: current, with: items, log: &log)
        return (current, effect)
    }

    /// The item with this key as this transaction sees it (nil when absent or expired).
    public func getItem(_ table: Table, _ key: Item) throws -> Item? {
        try reader(table).getItem(key)
    }

    /// A query as this transaction sees the table.
    public func query(_ table: Table, _ query: Query) throws -> Page {
        try reader(table).query(query)
    }

    private func reader(_ table: Table) throws -> TableReader {
        try table.state.checkNotDropped()
        return TableReader(layout: table.layout, reader: log.writer, ttlAttribute: try items(table).ttlAttribute, now: now)
    }

    /// Like ``Table/putItem(_:condition:returnOldItem:returnItemOnConditionFailure:)``; returns
    /// the replaced item.
    @discardableResult
    public func putItem(_ table: Table, _ item: Item, condition: Condition? = nil) throws -> Item? {
        try perform(try .put(item, into: table.state, condition: condition), in: table).0.live
    }

    /// Like ``Table/updateItem(_:_:condition:returnValues:returnItemOnConditionFailure:)``;
    /// returns the item after the update — nil when there was no item and the update only
    /// removes (`REMOVE`, `DELETE`), which creates nothing.
    @discardableResult
    public func updateItem(_ table: Table, _ key: Item, _ update: Update, condition: Condition? = nil) throws -> Item? {
        let (_, effect) = try perform(try .update(key, with: update, in: table.state, condition: condition), in: table)
        guard case .store(let item, _) = effect else { return nil }
        return item
    }

    /// Like ``Table/deleteItem(_:condition:returnOldItem:returnItemOnConditionFailure:)``;
    /// returns the deleted item.
    @discardableResult
    public func deleteItem(_ table: Table, _ key: Item, condition: Condition? = nil) throws -> Item? {
        try perform(try .delete(key, from: table.state, condition: condition), in: table).0.live
    }
}

extension KVStore {
    /// Runs `body` in one write transaction of this store and commits it: all of its writes, or
    /// none when it throws.
    ///
    /// ```swift
    /// let isNew = try await store.write { tx in
    ///     guard try tx.getItem(table, ["PK": "DAU#2026-11-22", "SK": "USER#42"]) == nil else { return false }
    ///     try tx.putItem(table, ["PK": "DAU#2026-11-22", "SK": "USER#42"])
    ///     try tx.updateItem(table, ["PK": "METRICS#2026-11-22", "SK": "DAILY"], [.add("activeUsers", 1)])
    ///     return true
    /// }
    /// ```
    ///
    /// The body is synchronous and runs on the store's writer (it never spans an `await`); it
    /// may run more than once (LMDB replays a batch after growing its map or after another
    /// request failed mid-write), so it must compute everything from the transaction and have
    /// no other side effects.
    public func write<R: Sendable>(_ body: @escaping @Sendable (StoreTransaction) throws -> R) async throws -> R {
        try await context.write(transactionBody(body))
    }

    /// ``write(_:)`` for a caller on a thread that may block (a thread of its own, a
    /// `DispatchQueue`, a command-line tool): the same transaction, run on the calling thread
    /// when the store's writer is idle, or joined to the writer's next group commit while this
    /// thread waits.
    ///
    /// ```swift
    /// try store.writeSynchronously { tx in
    ///     try tx.putItem(table, ["PK": "USER#42", "SK": "PROFILE", "name": "Ada"])
    /// }
    /// ```
    ///
    /// Don't call it from a task on Swift's cooperative thread pool for long work: it blocks
    /// that thread for the transaction (and, on a durable store, its device flushes). The async
    /// ``write(_:)`` commits on the calling thread too when the writer is idle, so async code
    /// gains nothing from this one. Don't call it inside a ``Table/read(_:)`` closure either:
    /// growing the map waits for every open read, that one included.
    public func writeSynchronously<R: Sendable>(_ body: @escaping @Sendable (StoreTransaction) throws -> R) throws -> R {
        try context.writeSynchronously(transactionBody(body))
    }

    /// `body` as a body of the store's write transaction, its changes recorded for the stream.
    private func transactionBody<R: Sendable>(_ body: @escaping @Sendable (StoreTransaction) throws -> R)
        -> @Sendable (inout ChangeLog) throws -> R {
        let time = context.time
        return { log in
            let transaction = StoreTransaction(log: log, time: time)
            let result = try body(transaction)
            log.changes = transaction.changes
            return result
        }
    }
}

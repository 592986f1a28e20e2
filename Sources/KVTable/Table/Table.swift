import Synchronization

/// A handle to one table of a ``KVStore``: DynamoDB's item operations on it.
///
/// Reads run on the calling thread against a snapshot — ``read(_:)`` for several reads in one
/// snapshot, or the async `getItem` / `query` / `scan`, which do the same without suspending.
/// Writes are `async`: their synchronous bodies run on the store's writer (LMDB: one thread,
/// group commit), and each write succeeds or fails on its own.
///
/// A handle stays valid until the table is deleted; after that every call throws
/// ``KVTableError/resourceNotFound(_:)``.
public struct Table: Sendable {
    let storage: any StorageEngine
    let description: TableDescription
    let layout: TableLayout
    let dropped: DroppedFlag

    init(storage: any StorageEngine, description: TableDescription, dropped: DroppedFlag) {
        self.storage = storage
        self.description = description
        self.layout = description.layout
        self.dropped = dropped
    }

    /// The table's name.
    public var name: String { layout.schema.name }
    /// The table's key schema and indexes.
    public var schema: TableSchema { layout.schema }

    // MARK: Reads

    /// Runs `body` with synchronous reads of this table in one consistent snapshot, on the
    /// calling thread.
    public func read<R>(_ body: (TableReader) throws -> R) throws -> R {
        try checkNotDropped()
        return try storage.read { reader in
            try body(TableReader(layout: layout, reader: reader))
        }
    }

    /// The item with this primary key, or nil. See ``TableReader/getItem(_:projection:)``.
    public func getItem(_ key: Item, projection: [AttributePath]? = nil) async throws -> Item? {
        try read { try $0.getItem(key, projection: projection) }
    }

    /// One page of a query. See ``Query``.
    public func query(_ query: Query) async throws -> Page {
        try read { try $0.query(query) }
    }

    /// One page of a scan. See ``Scan``.
    public func scan(_ scan: Scan = Scan()) async throws -> Page {
        try read { try $0.scan(scan) }
    }

    // MARK: Writes

    /// Stores `item`, replacing any item with the same primary key, and updates every index in
    /// the same transaction.
    ///
    /// - Parameters:
    ///   - condition: checked against the item currently stored (an empty item when there is
    ///     none); when false, nothing changes and ``KVTableError/conditionalCheckFailed(currentItem:)``
    ///     is thrown.
    ///   - returnOldItem: return the replaced item (DynamoDB's `ReturnValues: ALL_OLD`).
    ///   - returnItemOnConditionFailure: put the current item into the condition error.
    /// - Returns: the replaced item when asked for and present.
    @discardableResult
    public func putItem(_ item: Item, condition: Condition? = nil, returnOldItem: Bool = false,
                        returnItemOnConditionFailure: Bool = false) async throws -> Item? {
        try checkNotDropped()
        try ItemValidation.validate(item)
        let key = try layout.itemKey(of: item)
        try layout.validateIndexKeys(of: item)
        try condition?.validate()
        let encoded = ItemCodec.encode(item)
        let layout = self.layout
        let description = self.description
        return try await storage.write { writer in
            try Catalog.ensureCurrent(description, in: writer)
            let old = try writer.withValue(forKey: key) { try $0.map(ItemCodec.decode) }
            if let condition, !condition.evaluate(old ?? [:]) {
                throw KVTableError.conditionalCheckFailed(currentItem: returnItemOnConditionFailure ? old : nil)
            }
            try writer.put(encoded, forKey: key)
            try layout.updateIndexes(writer, old: old, new: item, encodedNew: encoded)
            return returnOldItem ? old : nil
        }
    }

    /// Deletes the item with this primary key (exactly the key attributes) and its index
    /// entries. Deleting an absent item is not an error (unless the condition fails).
    ///
    /// - Returns: the deleted item when `returnOldItem` and it existed.
    @discardableResult
    public func deleteItem(_ key: Item, condition: Condition? = nil, returnOldItem: Bool = false,
                           returnItemOnConditionFailure: Bool = false) async throws -> Item? {
        try checkNotDropped()
        let storageKey = try layout.itemKey(ofKey: key)
        try condition?.validate()
        let layout = self.layout
        let description = self.description
        return try await storage.write { writer in
            try Catalog.ensureCurrent(description, in: writer)
            let old = try writer.withValue(forKey: storageKey) { try $0.map(ItemCodec.decode) }
            if let condition, !condition.evaluate(old ?? [:]) {
                throw KVTableError.conditionalCheckFailed(currentItem: returnItemOnConditionFailure ? old : nil)
            }
            guard let old else { return nil }
            try writer.delete(storageKey)
            try layout.updateIndexes(writer, old: old, new: nil, encodedNew: nil)
            return returnOldItem ? old : nil
        }
    }

    private func checkNotDropped() throws(KVTableError) {
        if dropped.isSet {
            throw .resourceNotFound("Requested resource not found: Table: \(name) not found")
        }
    }
}

/// Set when a table is deleted through its store, so that handles fail fast.
final class DroppedFlag: Sendable {
    private let value = Atomic(false)
    var isSet: Bool { value.load(ordering: .relaxed) }
    func set() { value.store(true, ordering: .relaxed) }
}

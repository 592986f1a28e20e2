/// Counts of one table's stored entries (see ``Table/statistics()``).
public struct TableStatistics: Sendable, Hashable {
    /// The table's name.
    public var tableName: String
    /// Items stored, including expired items not swept yet.
    public var itemCount: Int
    /// The items' size as DynamoDB counts it (`Swift.Dictionary.dynamoDBItemSize`), summed.
    public var itemBytes: Int
    /// Entries of each global secondary index, by index name.
    public var indexEntryCounts: [String: Int]
    /// Entries of the expiry (TTL) index: items with a numeric TTL attribute.
    public var expiryEntryCount: Int
}

extension Table {
    /// Counts the table's items, bytes and index entries, from one snapshot. It reads every
    /// item, so it takes time proportional to the table's size.
    public func statistics() throws -> TableStatistics {
        try state.checkNotDropped()
        let layout = self.layout
        return try context.storage.read { reader in
            var itemCount = 0
            var itemBytes = 0
            try reader.scan(.prefix(TableLayout.prefix(layout.keyspace)), reverse: false) { _, value in
                itemCount += 1
                itemBytes += try ItemCodec.decode(value).dynamoDBItemSize
                return true
            }
            func count(_ keyspace: UInt32) throws -> Int {
                var n = 0
                try reader.scan(.prefix(TableLayout.prefix(keyspace)), reverse: false) { _, _ in
                    n += 1
                    return true
                }
                return n
            }
            var indexes: [String: Int] = [:]
            for index in layout.indexes { indexes[index.name] = try count(index.keyspace) }
            return TableStatistics(tableName: layout.schema.name, itemCount: itemCount, itemBytes: itemBytes,
                                   indexEntryCounts: indexes, expiryEntryCount: try count(layout.expiryKeyspace))
        }
    }
}

extension KVStore {
    /// The store file's sizes (nil for a memory store).
    public func fileSizes() -> StorageFileSizes? {
        storage.fileSizes()
    }

    /// Writes a compacted copy of the whole store to a new file at `path` (LMDB stores
    /// only), from one consistent snapshot, while the store stays in use. Open the copy with
    /// ``open(path:configuration:time:)``.
    ///
    /// - Throws: ``KVTableError/validation(_:)`` when `path` exists or the store is in memory.
    public func backup(to path: String) throws {
        try storage.backup(to: path)
    }
}

/// Raw access for the benchmark executable, which compares KVTable with the LMDB C API on the
/// very same environment, keys and values. Not part of the supported API
/// (`@_spi(Benchmarks) import KVTable`).
@_spi(Benchmarks)
extension KVStore {
    /// The `MDB_env *` and the database handle of an LMDB store (nil for a memory store).
    /// Use read transactions only, with `MDB_NOTLS` semantics, while the store is open.
    public var lmdbHandles: (environment: OpaquePointer, database: UInt32)? {
        (storage as? LMDBStorage)?.rawHandles
    }
}

@_spi(Benchmarks)
extension Table {
    /// The storage key of the item with this primary key.
    public func storageKey(of key: Item) throws -> [UInt8] {
        try layout.itemKey(ofKey: key)
    }

    /// Every storage entry KVTable writes for `item` — the item itself, one entry per index it
    /// belongs to, and its expiry entry when the table has a TTL — as (key, value) pairs: what
    /// a raw-LMDB baseline must write to do the same work.
    public func storageEntries(of item: Item) throws -> [(key: [UInt8], value: [UInt8])] {
        let encoded = ItemCodec.encode(item)
        var entries = [(key: try layout.itemKey(of: item), value: encoded)]
        for index in layout.indexes {
            if let key = layout.indexKey(of: item, in: index) {
                entries.append((key, layout.indexValue(of: item, encoded: encoded, in: index)))
            }
        }
        if let key = layout.expiryKey(of: item, ttlAttribute: timeToLiveAttribute) { entries.append((key, [])) }
        return entries
    }

    /// The storage key prefix shared by every entry of one partition of the table or an index.
    public func partitionPrefix(_ partitionKey: AttributeValue, index: String? = nil) throws -> [UInt8] {
        let keyspace = try index.map { name throws(KVTableError) in try layout.index(named: name).keyspace } ?? layout.keyspace
        var prefix = TableLayout.prefix(keyspace)
        KeyEncoding.append(partitionKey, to: &prefix)
        return prefix
    }
}

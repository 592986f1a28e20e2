/// DynamoDB's item-collection limit, for tables with local secondary indexes.
///
/// An item collection is every item of one partition key value together with those items'
/// local index entries. DynamoDB keeps a collection within 10 GB when the table has a local
/// index (its entries live in the table's partition) and refuses a write that would grow one
/// past that with `ItemCollectionSizeLimitExceededException`; a write that shrinks or keeps the
/// size always succeeds.
///
/// Each collection's size is kept in the table's collection keyspace, in the item's own write
/// transaction:
///
/// ```
/// ks(collections) ‖ enc(partition key) → u64 BE bytes (absent when 0)
/// ```
///
/// An item counts its DynamoDB size (``Item/dynamoDBItemSize``); each of its local index
/// entries counts the size of what the entry holds plus DynamoDB's 100 bytes of overhead per
/// index entry. Tables without local indexes keep nothing and pay nothing.
extension TableLayout {
    /// DynamoDB's overhead per index entry in its size formulas.
    static let indexEntryOverhead = 100

    /// The bytes `item` adds to its collection: the item and its local index entries.
    func collectionBytes(of item: Item) -> Int {
        var bytes = item.dynamoDBItemSize
        for index in indexes where index.isLocal && indexKey(of: item, in: index) != nil {
            switch index.definition.projection {
            case .all:
                bytes += item.dynamoDBItemSize
            case .keysOnly:
                bytes += keyAttributes(of: item, index: index).dynamoDBItemSize
            case .include(let names):
                var projected = keyAttributes(of: item, index: index)
                for name in names { projected[name] = item[name] }
                bytes += projected.dynamoDBItemSize
            }
            bytes += TableLayout.indexEntryOverhead
        }
        return bytes
    }

    /// The storage key of the size of the collection `item` belongs to, or nil when the table
    /// keeps none.
    func collectionSizeKey(of item: Item) -> [UInt8]? {
        guard let collectionKeyspace, let partition = item[schema.keySchema.partitionKey.name] else { return nil }
        var key = TableLayout.prefix(collectionKeyspace)
        KeyEncoding.append(partition, to: &key)
        return key
    }
}

extension ItemWriter {
    /// Moves the size of the item's collection from `old` to `new` (the same key; either may
    /// be nil), throwing ``KVTableError/itemCollectionSizeLimitExceeded(_:)`` when it grows past
    /// the limit. A no-op for tables without local secondary indexes.
    func updateCollectionSize(old: Item?, new: Item?) throws {
        guard let item = new ?? old, let key = layout.collectionSizeKey(of: item) else { return }
        let delta = (new.map(layout.collectionBytes) ?? 0) - (old.map(layout.collectionBytes) ?? 0)
        guard delta != 0 else { return }
        let stored = try writer.withValue(forKey: key) { bytes -> Int in
            guard let bytes, bytes.count == 8 else { return 0 }
            return Int(UInt64(bigEndian: bytes.loadUnaligned(as: UInt64.self)))
        }
        let size = max(0, stored + delta)
        if delta > 0, size > table.itemCollectionSizeLimit {
            let partition = layout.schema.keySchema.partitionKey.name
            throw KVTableError.itemCollectionSizeLimitExceeded("Item collection size limit exceeded: the items with \(partition) = \(item[partition].map { "\($0)" } ?? "?") and their local secondary index entries would hold \(size) bytes, more than \(table.itemCollectionSizeLimit)")
        }
        if size == 0 {
            try writer.delete(key)
        } else {
            try writer.put(withUnsafeBytes(of: UInt64(size).bigEndian) { Array($0) }, forKey: key)
        }
    }
}

extension TableReader {
    /// The size in bytes of the item collection of `partitionKey` — its items and their local
    /// index entries, as the 10 GB limit counts them — or nil when the table has no local
    /// secondary index (DynamoDB keeps item collections only for those). 0 for an empty
    /// collection.
    public func itemCollectionSize(_ partitionKey: AttributeValue) throws -> Int? {
        let partition = layout.schema.keySchema.partitionKey
        guard partitionKey.type == partition.type.attributeType else {
            throw KVTableError.validation("The provided key element does not match the schema")
        }
        guard let key = layout.collectionSizeKey(of: [partition.name: partitionKey]) else { return nil }
        return try reader.withValue(forKey: key) { bytes in
            guard let bytes, bytes.count == 8 else { return 0 }
            return Int(UInt64(bigEndian: bytes.loadUnaligned(as: UInt64.self)))
        }
    }
}

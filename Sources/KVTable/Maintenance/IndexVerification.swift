/// One disagreement between a table's items and one of its indexes (see ``Table/verifyIndexes()``).
public struct IndexProblem: Sendable, Hashable, CustomStringConvertible {
    /// What is wrong with an index entry.
    public enum Kind: String, Sendable, Hashable {
        /// The item should have an entry in the index and has none.
        case missing
        /// An index entry whose item does not exist or does not belong under that index key.
        case orphaned
        /// The entry exists but holds other attributes than the item's projection.
        case stale
    }

    /// The table's name.
    public var table: String
    /// The index name; `"(TTL)"` for the expiry index, `"(item collections)"` for the sizes
    /// kept for the 10 GB limit of a table with local indexes (the key is then the partition
    /// key alone, and `stale` means the size kept is not the items' size).
    public var index: String
    /// What is wrong.
    public var kind: Kind
    /// The table key of the item concerned (as far as the entry tells, for an orphan).
    public var key: Item

    public var description: String {
        let rendered = key.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
        return "\(table) / \(index): \(kind.rawValue) entry for {\(rendered)}"
    }
}

extension Table {
    /// Checks, in one snapshot, every index entry against its item and every item against its
    /// index entries (global and local secondary indexes and the expiry index). An empty result means
    /// the indexes are exactly what the items imply.
    ///
    /// Each item's bytes are checked in full on the way (names valid UTF-8, in order and
    /// unique; strings valid UTF-8), more than a read checks: a corrupt item throws
    /// ``KVTableError/storage(_:)``.
    ///
    /// It holds the expected entries in memory: about the size of the index keys.
    public func verifyIndexes() throws -> [IndexProblem] {
        try state.checkNotDropped()
        let layout = self.layout
        let ttl = timeToLiveAttribute
        let name = self.name
        return try context.storage.read { reader in
            // index name → entry key → (expected value, the item's table key)
            var expected: [String: [[UInt8]: ([UInt8], Item)]] = [:]
            let expiryName = "(TTL)"
            // collection size key → (bytes the items add up to, the partition key)
            var collections: [[UInt8]: (Int, Item)] = [:]
            let partitionName = layout.schema.keySchema.partitionKey.name
            try reader.scan(.prefix(TableLayout.prefix(layout.keyspace)), reverse: false) { _, value in
                let encoded = Array(value)
                try encoded.withUnsafeBytes { try ItemCodec.validate($0) }
                let item = try ItemCodec.decode(encoded)
                let key = layout.keyAttributes(of: item, index: nil)
                for index in layout.indexes {
                    if let entryKey = layout.validIndexKey(of: item, in: index) {
                        expected[index.name, default: [:]][entryKey] = (layout.indexValue(of: item, encoded: encoded, in: index), key)
                    }
                }
                if let entryKey = layout.expiryKey(of: item, ttlAttribute: ttl) {
                    expected[expiryName, default: [:]][entryKey] = ([], key)
                }
                if let sizeKey = layout.collectionSizeKey(of: item) {
                    collections[sizeKey, default: (0, [partitionName: item[partitionName]!])].0 += layout.collectionBytes(of: item)
                }
                return true
            }

            var problems: [IndexProblem] = []
            let keyspaces = layout.indexes.map { ($0.name, $0.keyspace) } + [(expiryName, layout.expiryKeyspace)]
            for (indexName, keyspace) in keyspaces {
                var wanted = expected[indexName] ?? [:]
                try reader.scan(.prefix(TableLayout.prefix(keyspace)), reverse: false) { key, value in
                    let entryKey = Array(key)
                    guard let (expectedValue, itemKey) = wanted.removeValue(forKey: entryKey) else {
                        // Index entries carry the table keys; the expiry index's values are empty.
                        let entry = (try? ItemCodec.decode(Array(value))) ?? [:]
                        problems.append(IndexProblem(table: name, index: indexName, kind: .orphaned,
                                                     key: layout.keyAttributes(of: entry, index: nil)))
                        return true
                    }
                    if !value.elementsEqual(expectedValue) {
                        problems.append(IndexProblem(table: name, index: indexName, kind: .stale, key: itemKey))
                    }
                    return true
                }
                for (_, (_, itemKey)) in wanted {
                    problems.append(IndexProblem(table: name, index: indexName, kind: .missing, key: itemKey))
                }
            }
            if let collectionKeyspace = layout.collectionKeyspace {
                let collectionsName = "(item collections)"
                try reader.scan(.prefix(TableLayout.prefix(collectionKeyspace)), reverse: false) { key, value in
                    let stored = value.count == 8 ? Int(UInt64(bigEndian: value.loadUnaligned(as: UInt64.self))) : -1
                    guard let (size, partition) = collections.removeValue(forKey: Array(key)) else {
                        problems.append(IndexProblem(table: name, index: collectionsName, kind: .orphaned, key: [:]))
                        return true
                    }
                    if size != stored {
                        problems.append(IndexProblem(table: name, index: collectionsName, kind: .stale, key: partition))
                    }
                    return true
                }
                for (_, (_, partition)) in collections {
                    problems.append(IndexProblem(table: name, index: collectionsName, kind: .missing, key: partition))
                }
            }
            return problems
        }
    }
}

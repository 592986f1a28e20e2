/// Where a table's items and index entries live in the ordered key space, and the rules for
/// their key attributes.
///
/// ```
/// item key         = keyspace(table) ‖ enc(partition) [‖ enc(sort)]
/// index entry key  = keyspace(index) ‖ enc(index partition) [‖ enc(index sort)]
///                                    ‖ enc(table partition) [‖ enc(table sort)]
/// ```
/// `keyspace` is a 4-byte big-endian number given to each table and index when it is created
/// (0 is the catalog). `enc` is ``KeyEncoding``. Appending the table key makes index entries
/// unique although many items may share an index key, and orders ties by table key.
///
/// A class (immutable, so `Sendable`): every write asks its table for the layout, and a struct
/// of this size would be copied — a retain per field — at each of those calls.
final class TableLayout: Sendable {
    struct IndexLayout: Sendable {
        let definition: SecondaryIndex
        let keyspace: UInt32
        /// The index's key attributes, partition first (computed once: the read path uses them).
        let keyAttributes: [KeyAttribute]
        var name: String { definition.name }
        var keySchema: KeySchema { definition.keySchema }
        var isLocal: Bool { definition.isLocal }

        /// Whether the index's entries carry the attribute `name` (its projection, or a key).
        func carries(_ name: String, tableKeys: [KeyAttribute]) -> Bool {
            if keyAttributes.contains(where: { $0.name == name }) || tableKeys.contains(where: { $0.name == name }) { return true }
            switch definition.projection {
            case .all: return true
            case .keysOnly: return false
            case .include(let names): return names.contains(name)
            }
        }
    }

    /// DynamoDB's key size limits.
    static let maximumPartitionKeySize = 2048
    static let maximumSortKeySize = 1024

    let schema: TableSchema
    let keyspace: UInt32
    let indexes: [IndexLayout]
    /// The expiry index: `ks ‖ enc(TTL number) ‖ enc(table key)` → empty, so that the TTL
    /// sweeper reads only what has expired.
    let expiryKeyspace: UInt32
    /// The sizes of item collections of a table with local secondary indexes:
    /// `ks ‖ enc(partition key)` → u64 BE bytes (``ItemWriter/updateCollectionSize(old:new:)``);
    /// nil for other tables.
    let collectionKeyspace: UInt32?
    /// The table's key attributes, partition first (computed once: the read path uses them).
    let keyAttributes: [KeyAttribute]
    /// Their names, for change records.
    let keyAttributeNames: [String]
    /// The table's key attribute names, then each index's in index order: what a bulk write
    /// looks up in one pass over an item (``entries(ofNew:encoded:ttlAttribute:lookup:)``).
    let allKeyAttributeNames: [String]

    init(schema: TableSchema, keyspace: UInt32, indexKeyspaces: [String: UInt32], expiryKeyspace: UInt32,
         collectionKeyspace: UInt32? = nil) {
        self.schema = schema
        self.collectionKeyspace = collectionKeyspace
        self.keyspace = keyspace
        self.expiryKeyspace = expiryKeyspace
        self.keyAttributes = schema.keySchema.attributes
        self.keyAttributeNames = keyAttributes.map(\.name)
        self.indexes = schema.secondaryIndexes.map {
            IndexLayout(definition: $0, keyspace: indexKeyspaces[$0.name]!, keyAttributes: $0.keySchema.attributes)
        }
        self.allKeyAttributeNames = keyAttributeNames + indexes.flatMap { $0.keyAttributes.map(\.name) }
    }

    func index(named name: String) throws(KVTableError) -> IndexLayout {
        guard let index = indexes.first(where: { $0.name == name }) else {
            throw .validation("The table does not have the specified index: \(name)")
        }
        return index
    }

    static func prefix(_ keyspace: UInt32) -> [UInt8] {
        withUnsafeBytes(of: keyspace.bigEndian) { Array($0) }
    }

    // MARK: Table keys

    /// The storage key of an item, after checking its key attributes.
    func itemKey(of item: Item) throws(KVTableError) -> [UInt8] {
        var key: [UInt8] = []
        key.reserveCapacity(64)
        withUnsafeBytes(of: keyspace.bigEndian) { key.append(contentsOf: $0) }
        for (position, attribute) in keyAttributes.enumerated() {
            guard let value = item[attribute.name] else {
                throw .validation("One or more parameter values were invalid: Missing the key \(attribute.name) in the item")
            }
            try TableLayout.checkKeyValue(value, attribute, isSortKey: position == 1, index: nil)
            KeyEncoding.append(value, to: &key)
        }
        return key
    }

    /// The storage key for a `Key` argument (getItem, deleteItem): exactly the key attributes.
    func itemKey(ofKey key: Item) throws(KVTableError) -> [UInt8] {
        // One lookup per key attribute: this is the first step of every point read.
        let mismatch = KVTableError.validation("The provided key element does not match the schema")
        guard key.count == keyAttributes.count else { throw mismatch }
        var storageKey: [UInt8] = []
        storageKey.reserveCapacity(64)
        withUnsafeBytes(of: keyspace.bigEndian) { storageKey.append(contentsOf: $0) }
        for (position, attribute) in keyAttributes.enumerated() {
            guard let value = key[attribute.name], value.type == attribute.type.attributeType else { throw mismatch }
            try TableLayout.checkKeyValue(value, attribute, isSortKey: position == 1, index: nil)
            KeyEncoding.append(value, to: &storageKey)
        }
        return storageKey
    }

    /// The key attributes of `item` (the table's, plus `index`'s when given): a cursor position.
    func keyAttributes(of item: Item, index: IndexLayout?) -> Item {
        // Built as a dictionary of the right size and wrapped once: this runs for the last
        // item of every page (its cursor) and for every change record.
        var key = [String: AttributeValue](minimumCapacity: keyAttributes.count + (index?.keyAttributes.count ?? 0))
        for attribute in keyAttributes { key[attribute.name] = item[attribute.name] }
        if let index {
            for attribute in index.keyAttributes { key[attribute.name] = item[attribute.name] }
        }
        return Item(key)
    }

    // MARK: Index entries

    /// Checks the index key attributes an item carries (an index key attribute that is present
    /// must have the index's type and must not be empty); missing ones just leave it out.
    func validateIndexKeys(of item: Item) throws(KVTableError) {
        for index in indexes {
            for (position, attribute) in index.keyAttributes.enumerated() {
                if let value = item[attribute.name] {
                    try TableLayout.checkKeyValue(value, attribute, isSortKey: position == 1, index: index.name)
                }
            }
        }
    }

    /// The entry key of `item` in `index`, or nil when the item lacks an index key attribute
    /// (indexes are sparse). The item's keys are already validated.
    func indexKey(of item: Item, in index: IndexLayout) -> [UInt8]? {
        var key = TableLayout.prefix(index.keyspace)
        for attribute in index.keyAttributes {
            guard let value = item[attribute.name] else { return nil }
            KeyEncoding.append(value, to: &key)
        }
        for attribute in keyAttributes {
            KeyEncoding.append(item[attribute.name]!, to: &key)
        }
        return key
    }

    /// The stored value of `item`'s entry in `index`: the projected item.
    func indexValue(of item: Item, encoded: [UInt8], in index: IndexLayout) -> [UInt8] {
        if case .all = index.definition.projection { return encoded }
        return ItemCodec.encode(projected(item, in: index))
    }

    /// The attributes of `item` that `index` projects: its entry's content.
    func projected(_ item: Item, in index: IndexLayout) -> Item {
        switch index.definition.projection {
        case .all:
            return item
        case .keysOnly:
            return keyAttributes(of: item, index: index)
        case .include(let names):
            var projected = keyAttributes(of: item, index: index)
            for name in names { projected[name] = item[name] }
            return projected
        }
    }

    // MARK: Time to live

    /// The item's entry in the expiry index, or nil when it has no numeric TTL.
    func expiryKey(of item: Item, ttlAttribute: String?) -> [UInt8]? {
        guard let ttlAttribute, case .n(let expiry)? = item[ttlAttribute] else { return nil }
        var key = TableLayout.prefix(expiryKeyspace)
        KeyEncoding.append(.n(expiry), to: &key)
        for attribute in keyAttributes {
            KeyEncoding.append(item[attribute.name]!, to: &key)
        }
        return key
    }

    /// Every expiry entry that has expired at `now`: below it, and not older than
    /// ``TimeToLive/maximumAge`` (older expiry times never expire).
    func expiredRange(now: ExactDecimal) -> KeyRange {
        var lower = TableLayout.prefix(expiryKeyspace)
        KeyEncoding.append(.n(TimeToLive.oldestExpiry(now: now)), to: &lower)
        var upper = TableLayout.prefix(expiryKeyspace)
        KeyEncoding.append(.n(now), to: &upper)
        return KeyRange(lower: lower, upper: upper)
    }

    // MARK: Key values

    /// The schema's key attributes for a query on the table (`index == nil`) or an index.
    func keySchema(for index: IndexLayout?) -> KeySchema {
        index?.keySchema ?? schema.keySchema
    }

    /// Checks one key value: type, non-empty, size.
    static func checkKeyValue(_ value: AttributeValue, _ attribute: KeyAttribute, isSortKey: Bool,
                              index: String?) throws(KVTableError) {
        guard value.type == attribute.type.attributeType else {
            if let index {
                throw .validation("One or more parameter values were invalid: Type mismatch for Index Key \(attribute.name) Expected: \(attribute.type.rawValue) Actual: \(value.type.rawValue) IndexName: \(index)")
            }
            throw .validation("One or more parameter values were invalid: Type mismatch for key \(attribute.name) expected: \(attribute.type.rawValue) actual: \(value.type.rawValue)")
        }
        let size: Int
        switch value {
        case .s(let s): size = s.utf8.count
        case .b(let b): size = b.count
        default: size = value.storageSize
        }
        if size == 0 {
            let kind = value.type == .string ? "string" : "binary"
            if let index {
                throw .validation("One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty \(kind) value. IndexName: \(index), IndexKey: \(attribute.name)")
            }
            throw .validation("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty \(kind) value. Key: \(attribute.name)")
        }
        if isSortKey, size > maximumSortKeySize {
            throw .validation("One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of 1024 bytes")
        }
        if !isSortKey, size > maximumPartitionKeySize {
            // "of2048", without a space, is DynamoDB's own wording (clients match on it).
            throw .validation("One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes")
        }
    }
}

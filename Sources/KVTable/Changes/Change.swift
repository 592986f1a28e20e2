/// One committed change to an item, as delivered by a change stream.
public struct Change: Sendable, Hashable {
    /// What happened to the item.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// The item did not exist (or had expired) and now does.
        case insert = "INSERT"
        /// The item existed and was replaced or updated.
        case modify = "MODIFY"
        /// The item was deleted (by a caller, or by the TTL sweeper).
        case remove = "REMOVE"
    }

    /// Position in the store's commit order: strictly increasing across all tables.
    public var sequenceNumber: UInt64
    /// The table the item belongs to.
    public var tableName: String
    /// Whether the item was created, changed or removed.
    public var kind: Kind
    /// The item's primary key attributes.
    public var keys: Item
    /// The item before the change (nil for an insert).
    public var oldImage: Item?
    /// The item after the change (nil for a remove).
    public var newImage: Item?
    /// True when the item was removed because its time to live had passed.
    public var isTimeToLiveDeletion: Bool
}

/// A change recorded inside a write transaction, published only after the commit.
struct PendingChange: Sendable {
    let keyspace: UInt32
    let tableName: String
    let kind: Change.Kind
    /// The table's key attribute names: the change's ``keys`` are taken from its image only
    /// when a subscriber receives it (a bulk write records thousands of changes nobody reads).
    let keyNames: [String]
    let oldImage: Item?
    let newImage: Item?
    let isTimeToLiveDeletion: Bool

    /// The item's primary key attributes.
    var keys: Item {
        let image = newImage ?? oldImage ?? [:]
        var keys = [String: AttributeValue](minimumCapacity: keyNames.count)
        for name in keyNames { keys[name] = image[name] }
        return Item(keys)
    }
}

/// A global secondary index: its own partition and optional sort key, over the items that
/// have those attributes (indexes are sparse).
///
/// It can be added to or removed from an existing table (``KVStore/updateTable(_:_:)``).
/// On DynamoDB its reads are eventually consistent; locally every read is a snapshot.
public struct GlobalSecondaryIndex: Sendable, Hashable, Codable {
    /// The index name (DynamoDB's `IndexName`): 3–255 characters of `a-z A-Z 0-9 _ - .`, unique
    /// in its table.
    public var name: String
    /// The index's partition key and optional sort key.
    public var keySchema: KeySchema
    /// Which attributes the index's entries carry (DynamoDB's `Projection`).
    public var projection: Projection

    /// An index named `name` keyed by `keySchema`; it projects every attribute (``Projection/all``)
    /// unless told otherwise.
    public init(name: String, keySchema: KeySchema, projection: Projection = .all) {
        self.name = name
        self.keySchema = keySchema
        self.projection = projection
    }
}

/// A local secondary index: the table's own partitions, ordered by another sort key.
///
/// An entry exists for each item that has the index's sort key attribute (indexes are sparse),
/// keyed by the item's partition key and that attribute. Unlike a global index, a local one
///
/// - exists only from the table's creation on (it is part of ``TableSchema`` when the table is
///   created and can be neither added nor removed later, as in DynamoDB);
/// - is read with strong consistency on DynamoDB too;
/// - answers attributes it does not project: a query or scan that asks for them
///   (``Query/allAttributes``, or a projection naming them; a scan's filter too) reads each
///   entry's table item, in the same snapshot. A query's filter may name only what the index
///   projects, as on DynamoDB (``Query/filter``).
///
/// A table has at most five, and only a table with a sort key can have one.
public struct LocalSecondaryIndex: Sendable, Hashable, Codable {
    /// The index name (DynamoDB's `IndexName`): 3–255 characters of `a-z A-Z 0-9 _ - .`, unique
    /// among the table's global and local indexes.
    public var name: String
    /// The index's sort key (its partition key is the table's).
    public var sortKey: KeyAttribute
    /// Which attributes the index's entries carry (DynamoDB's `Projection`).
    public var projection: Projection

    /// An index named `name` that orders each partition by `sortKey`; it projects every
    /// attribute (``Projection/all``) unless told otherwise.
    public init(name: String, sortKey: KeyAttribute, projection: Projection = .all) {
        self.name = name
        self.sortKey = sortKey
        self.projection = projection
    }
}

/// A secondary index of either kind as a read sees it: a name, the key schema it is queried by,
/// and its projection (``TableSchema/index(named:)``).
public struct SecondaryIndex: Sendable, Hashable {
    /// Whether an index is global or local.
    public enum Kind: Sendable, Hashable {
        /// A ``GlobalSecondaryIndex``.
        case global
        /// A ``LocalSecondaryIndex``: its partition key is the table's.
        case local
    }

    /// The index name.
    public var name: String
    /// The key schema a query of the index uses; a local index's partition key is the table's.
    public var keySchema: KeySchema
    /// Which attributes the index's entries carry.
    public var projection: Projection
    /// Global or local.
    public var kind: Kind

    /// The view of a global secondary index.
    public init(_ index: GlobalSecondaryIndex) {
        self.name = index.name
        self.keySchema = index.keySchema
        self.projection = index.projection
        self.kind = .global
    }

    /// The view of a local secondary index of a table keyed by `tableKey`.
    public init(_ index: LocalSecondaryIndex, tableKey: KeySchema) {
        self.name = index.name
        self.keySchema = KeySchema(partitionKey: tableKey.partitionKey, sortKey: index.sortKey)
        self.projection = index.projection
        self.kind = .local
    }

    /// Whether the index is local.
    public var isLocal: Bool { kind == .local }
}

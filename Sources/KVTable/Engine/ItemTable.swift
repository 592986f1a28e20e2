/// The item operations every KVTable engine offers on one table: the local store (``Table``,
/// on LMDB or in memory) and a remote DynamoDB-protocol endpoint (`RemoteTable` in the
/// `KVTableRemote` module) alike.
///
/// Write data access against `some ItemTable` and it runs on either; moving a service from one
/// machine to DynamoDB is then a change of the line that opens the store:
///
/// ```swift
/// func recentFiles(of user: String, in table: some ItemTable) async throws -> [Item] {
///     try await table.query(Query(partitionKey: .s("USER#\(user)"), sortKey: .beginsWith("FILE#"),
///                                 ascending: false, limit: 20)).items
/// }
/// ```
///
/// What only a local store can do — synchronous snapshot reads (``Table/read(_:)``), closure
/// transactions, change streams, TTL sweeps, backup and verification — is not here but on
/// ``Table`` and ``KVStore``, so code written against this protocol that calls them does not
/// compile, rather than failing at run time on a remote table.
///
/// Semantics are DynamoDB's and the same on every engine, with the differences each engine
/// documents: a local batch write is atomic, a remote one is not; local index reads are
/// strongly consistent, DynamoDB's global secondary indexes are eventually consistent.
public protocol ItemTable: Sendable {
    /// The table's name.
    var name: String { get }
    /// The table's key schema and indexes.
    var schema: TableSchema { get }
    /// The attribute holding each item's expiry time (epoch seconds), when TTL is enabled.
    var timeToLiveAttribute: String? { get }

    /// The item with this primary key (exactly the key attributes), or nil. Strongly
    /// consistent. Items whose TTL has passed are hidden unless `includeExpired`.
    func getItem(_ key: Item, projection: [AttributePath]?, includeExpired: Bool) async throws -> Item?

    /// One page of a query on the table or one of its indexes. See ``Query``.
    func query(_ query: Query) async throws -> Page

    /// One page of a scan. See ``Scan``.
    func scan(_ scan: Scan) async throws -> Page

    /// Stores `item`, replacing the item with the same key, if `condition` holds on the item
    /// stored now. Returns the replaced item when `returnOldItem`.
    ///
    /// - Throws: ``KVTableError/conditionalCheckFailed(currentItem:)`` when the condition is
    ///   false (with the current item when `returnItemOnConditionFailure`).
    @discardableResult
    func putItem(_ item: Item, condition: Condition?, returnOldItem: Bool,
                 returnItemOnConditionFailure: Bool) async throws -> Item?

    /// Deletes the item with this key if `condition` holds; deleting an absent item is not an
    /// error. Returns the deleted item when `returnOldItem`.
    @discardableResult
    func deleteItem(_ key: Item, condition: Condition?, returnOldItem: Bool,
                    returnItemOnConditionFailure: Bool) async throws -> Item?

    /// Applies `update` to the item with this key (creating it from the key when absent) if
    /// `condition` holds. Returns what `returnValues` asks for.
    @discardableResult
    func updateItem(_ key: Item, _ update: Update, condition: Condition?, returnValues: ReturnValues,
                    returnItemOnConditionFailure: Bool) async throws -> Item?

    /// The items with these keys, in the order of `keys`, leaving out absent ones. Any number
    /// of keys; duplicates are rejected.
    func batchGet(_ keys: [Item], projection: [AttributePath]?) async throws -> [Item]

    /// Puts and deletes any number of items (no conditions), rejecting two requests for one key.
    func batchWrite(_ requests: [WriteRequest]) async throws

    /// Applies 1 to 100 actions on items of this table, all or none — the store's
    /// ``ItemStore/transactWrite(_:clientRequestToken:returnItemsOnConditionFailure:)``
    /// (which spans tables) for code that holds only a table.
    func transactWrite(_ actions: [TransactionWrite<Self>], clientRequestToken: String?,
                       returnItemsOnConditionFailure: Bool) async throws
}

/// The short forms, with DynamoDB's defaults, for code generic over ``ItemTable``. (Each
/// engine's own type declares the same defaults on its methods.)
extension ItemTable {
    /// The item with this primary key, or nil.
    public func getItem(_ key: Item, projection: [AttributePath]? = nil) async throws -> Item? {
        try await getItem(key, projection: projection, includeExpired: false)
    }

    /// One page of a scan of the whole table.
    public func scan() async throws -> Page {
        try await scan(Scan())
    }

    /// Stores `item` if `condition` holds.
    @discardableResult
    public func putItem(_ item: Item, condition: Condition? = nil, returnOldItem: Bool = false) async throws -> Item? {
        try await putItem(item, condition: condition, returnOldItem: returnOldItem, returnItemOnConditionFailure: false)
    }

    /// Deletes the item with this key if `condition` holds.
    @discardableResult
    public func deleteItem(_ key: Item, condition: Condition? = nil, returnOldItem: Bool = false) async throws -> Item? {
        try await deleteItem(key, condition: condition, returnOldItem: returnOldItem, returnItemOnConditionFailure: false)
    }

    /// Applies `update` to the item with this key if `condition` holds.
    @discardableResult
    public func updateItem(_ key: Item, _ update: Update, condition: Condition? = nil,
                           returnValues: ReturnValues = .none) async throws -> Item? {
        try await updateItem(key, update, condition: condition, returnValues: returnValues, returnItemOnConditionFailure: false)
    }

    /// The items with these keys, in the order of `keys`.
    public func batchGet(_ keys: [Item]) async throws -> [Item] {
        try await batchGet(keys, projection: nil)
    }

    /// The primary key attributes of `item` (the table's partition and sort key).
    public func keyAttributes(of item: Item) -> Item {
        var key = [String: AttributeValue](minimumCapacity: 2)
        for attribute in schema.keySchema.attributes { key[attribute.name] = item[attribute.name] }
        return Item(key)
    }
}

extension Table: ItemTable {
    /// Applies 1 to 100 actions on items of this table (or others of its store), all or none.
    /// See ``KVStore/transactWrite(_:clientRequestToken:returnItemsOnConditionFailure:)``.
    public func transactWrite(_ actions: [TransactionAction], clientRequestToken: String? = nil,
                              returnItemsOnConditionFailure: Bool = false) async throws {
        try await context.transactWrite(actions, clientRequestToken: clientRequestToken,
                                        returnItemsOnConditionFailure: returnItemsOnConditionFailure)
    }
}

/// A handle to one table of a ``KVStore``: DynamoDB's item operations on it.
///
/// Reads run on the calling thread against a snapshot — ``read(_:)`` for several reads in one
/// snapshot, or the async `getItem` / `query` / `scan`, which do the same without suspending:
/// they are `async` because ``ItemTable`` is, so that code written for any engine (a remote one
/// must suspend) runs on this one unchanged.
/// Writes are `async`: their synchronous bodies run on the store's writer (LMDB: one thread,
/// group commit), and each write succeeds or fails on its own.
///
/// Items whose TTL has passed are hidden from reads (pass `includeExpired: true` to see them)
/// and treated as absent by writes, until the sweeper deletes them.
///
/// A handle stays valid until the table is deleted; after that every call throws
/// ``KVTableError/resourceNotFound(_:)``.
public struct Table: Sendable {
    let context: StoreContext
    let state: TableState

    /// The table's name.
    public var name: String { state.name }
    /// The table's key schema and indexes.
    public var schema: TableSchema { state.layout.schema }
    /// The attribute holding each item's expiry time (epoch seconds), when TTL is enabled.
    public var timeToLiveAttribute: String? { state.timeToLiveAttribute }

    var layout: TableLayout { state.layout }

    // MARK: Reads

    /// Runs `body` with synchronous reads of this table in one consistent snapshot, on the
    /// calling thread.
    public func read<R>(_ body: (TableReader) throws -> R) throws -> R {
        try state.checkNotDropped()
        let ttl = state.timeToLiveAttribute
        let now = ttl == nil ? ExactDecimal.zero : context.time.epochSeconds
        return try context.storage.read { reader in
            try body(TableReader(layout: layout, reader: reader, ttlAttribute: ttl, now: now))
        }
    }

    /// The item with this primary key, or nil. See ``TableReader/getItem(_:projection:includeExpired:)``.
    public func getItem(_ key: Item, projection: [AttributePath]? = nil, includeExpired: Bool = false) async throws -> Item? {
        try read { try $0.getItem(key, projection: projection, includeExpired: includeExpired) }
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
    ///   - item: the whole item, with its key attributes.
    ///   - condition: checked against the item currently stored (an empty item when there is
    ///     none); when false, nothing changes and ``KVTableError/conditionalCheckFailed(currentItem:)``
    ///     is thrown.
    ///   - returnOldItem: return the replaced item (DynamoDB's `ReturnValues: ALL_OLD`).
    ///   - returnItemOnConditionFailure: put the current item into the condition error.
    /// - Returns: the replaced item when asked for and present.
    @discardableResult
    public func putItem(_ item: Item, condition: Condition? = nil, returnOldItem: Bool = false,
                        returnItemOnConditionFailure: Bool = false) async throws -> Item? {
        let write = try PreparedWrite.put(item, into: state, condition: condition,
                                          returnItemOnConditionFailure: returnItemOnConditionFailure)
        return try await perform(write) { current, _ in returnOldItem ? current.live : nil }
    }

    /// Deletes the item with this primary key (exactly the key attributes) and its index
    /// entries. Deleting an absent item is not an error (unless the condition fails).
    ///
    /// - Returns: the deleted item when `returnOldItem` and it existed.
    @discardableResult
    public func deleteItem(_ key: Item, condition: Condition? = nil, returnOldItem: Bool = false,
                           returnItemOnConditionFailure: Bool = false) async throws -> Item? {
        let write = try PreparedWrite.delete(key, from: state, condition: condition,
                                             returnItemOnConditionFailure: returnItemOnConditionFailure)
        return try await perform(write) { current, _ in returnOldItem ? current.live : nil }
    }

    /// Applies `update` to the item with this key, creating it (from the key attributes) when
    /// absent, as DynamoDB does. Index entries follow the new item in the same transaction.
    ///
    /// - Parameters:
    ///   - key: the item's primary key (exactly the key attributes).
    ///   - update: the actions (`SET`, `REMOVE`, `ADD`, `DELETE`) to apply.
    ///   - condition: checked against the stored item before the update.
    ///   - returnValues: what to return; see ``ReturnValues``.
    ///   - returnItemOnConditionFailure: put the current item into the condition error.
    /// - Throws: ``KVTableError/validation(_:)`` for a key attribute in the update, overlapping
    ///   paths, operand type mismatches, arithmetic past 38 digits, an invalid document path;
    ///   ``KVTableError/conditionalCheckFailed(currentItem:)`` when the condition is false.
    @discardableResult
    public func updateItem(_ key: Item, _ update: Update, condition: Condition? = nil,
                           returnValues: ReturnValues = .none,
                           returnItemOnConditionFailure: Bool = false) async throws -> Item? {
        try await updateItemWithImages(key, update, condition: condition, returnValues: returnValues,
                                       returnItemOnConditionFailure: returnItemOnConditionFailure).returned
    }

    /// ``updateItem(_:_:condition:returnValues:returnItemOnConditionFailure:)`` that also hands
    /// back the whole item before and after the update (nil where there is none): the server
    /// needs both sizes for DynamoDB's consumed capacity.
    package func updateItemWithImages(_ key: Item, _ update: Update, condition: Condition?, returnValues: ReturnValues,
                                      returnItemOnConditionFailure: Bool) async throws -> (returned: Item?, old: Item?, new: Item?) {
        let write = try PreparedWrite.update(key, with: update, in: state, condition: condition,
                                             returnItemOnConditionFailure: returnItemOnConditionFailure)
        let paths = update.actions.map(\.path)
        return try await perform(write) { current, effect in
            guard case .store(let new, _) = effect else { return (nil, current.live, current.live) }
            let returned: Item? = switch returnValues {
            case .none: nil
            case .allOld: current.live
            case .allNew: new
            case .updatedOld: current.live.map { ProjectionPaths.project($0, paths) }
            case .updatedNew: ProjectionPaths.project(new, update.pathsInNewItem())
            }
            return (returned, current.live, new)
        }
    }

    /// The entry `item` has in the secondary index `name` — the attributes the index projects —
    /// or nil when the item lacks one of the index's key attributes (indexes are sparse) or the
    /// table has no such index. The server's consumed capacity measures it.
    package func indexEntry(of item: Item, inIndex name: String) -> Item? {
        guard let index = layout.indexes.first(where: { $0.name == name }),
              index.keyAttributes.allSatisfy({ item[$0.name] != nil }) else { return nil }
        return layout.projected(item, in: index)
    }

    /// Runs one prepared write in its own transaction.
    func perform<R: Sendable>(_ write: PreparedWrite,
                              result: @escaping @Sendable (ItemWriter.Current, PreparedWrite.Effect) -> R) async throws -> R {
        let state = self.state
        let time = context.time
        return try await context.write { log in
            let items = try ItemWriter(writer: log.writer, table: state, now: time.epochSeconds)
            let current = try items.current(write.key)
            let effect = try write.effect(on: current)
            try write.apply(effect, over: current, with: items, log: &log)
            return result(current, effect)
        }
    }
}

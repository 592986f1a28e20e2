extension TableReader {
    /// Visits the item with this primary key in place, if there is one: `body` gets it as a
    /// ``StoredItem`` over the snapshot's bytes (valid only during the call) and its result
    /// is returned; nil, without calling `body`, when the item is absent or expired (unless
    /// `includeExpired`). The point read of ``forEachItem(_:_:)``: for reading a few
    /// attributes of an item — a counter, a setting — without copying or decoding the rest.
    ///
    /// ```swift
    /// let visits = try table.read { reader in
    ///     try reader.withItem(["PK": "PAGE#home", "SK": "COUNTERS"]) { $0["visits"]?.numberValue }
    /// }
    /// ```
    public func withItem<R>(_ key: Item, includeExpired: Bool = false, _ body: (borrowing StoredItem) throws -> R) throws -> R? {
        let storageKey = try layout.itemKey(ofKey: key)
        var entries = AttributeEntryBuffer(capacity: 64)
        return try reader.withValue(forKey: storageKey) { value in
            guard let value else { return nil }
            return try withUTF8(of: includeExpired ? nil : ttlAttribute) { ttlName in
                let expiryOffset = try ItemCodec.check(value, recording: &entries, locating: ttlName)
                guard Self.isLive(value, expiryAt: expiryOffset, now: now) else { return nil }
                return try body(StoredItem(checkedBytes: value, entries: entries.buffer))
            }
        }
    }

    /// Visits the items of a query in place, in query order, reading the whole key range in
    /// this snapshot rather than a page of it — for aggregations over many items, where a
    /// page's copies would cost more than the work done with each item.
    ///
    /// Each item is handed to `body` as a ``StoredItem`` over the snapshot's bytes, valid only
    /// during that call; nothing is copied unless `body` asks for it. The query's `limit`
    /// (items read, as for a page), `startAfter`, `filter` and `includeExpired` apply; a
    /// `projection`, `countOnly` or `maximumPageBytes` shapes pages, so a query with one is
    /// rejected with ``KVTableError/validation(_:)``. An error thrown by `body` ends the visit
    /// and is rethrown.
    ///
    /// ```swift
    /// var total = 0
    /// try table.read { reader in
    ///     try reader.forEachItem(Query(partitionKey: "ORDERS#2026-12-01")) { order in
    ///         total += order["quantity"]?.numberValue?.intValue ?? 0
    ///     }
    /// }
    /// ```
    public func forEachItem(_ query: Query, _ body: (borrowing StoredItem) throws -> Void) throws {
        guard query.projection == nil, !query.countOnly, query.maximumPageBytes == nil else {
            throw KVTableError.validation("forEachItem visits whole items: a query with a projection, countOnly or maximumPageBytes is read by pages with query(_:)")
        }
        let index = try query.indexName.map { name throws(KVTableError) in try layout.index(named: name) }
        let plan = try QueryPlan(query, layout: layout, index: index)
        var read = 0
        let limit = query.limit ?? Int.max
        let filter = query.filter
        var entries = AttributeEntryBuffer()   // reused: one allocation for the whole visit
        // As in pages: entries of an index that may lack the TTL attribute live by their item.
        let ttlBytes = query.includeExpired ? nil : ttlAttribute.map { Array($0.utf8) }
        // A local index asked for what it does not project visits each entry's table item.
        let readsTableItems = try readsTableItems(index, allAttributes: query.allAttributes, filter: filter, projection: nil)
        let checkTableItems = ttlBytes != nil && entriesMayLackExpiry(index) && !readsTableItems
        var tableEntries = AttributeEntryBuffer()
        try withUTF8(of: query.includeExpired ? nil : ttlAttribute) { ttlName in
            try reader.scanValues(plan.range, reverse: !query.ascending) { _, value, _ in
                if read == limit { return false }
                let expiryOffset = try ItemCodec.check(value, recording: &entries, locating: ttlName)
                guard Self.isLive(value, expiryAt: expiryOffset, now: now) else { return true }   // expired: not read
                let entry = StoredItem(checkedBytes: value, entries: entries.buffer)
                if checkTableItems, try !tableItemIsLive(of: entry.item, ttlName: ttlBytes) { return true }
                guard readsTableItems else {
                    read += 1
                    if let filter, !filter.evaluate(entry.item) { return true }
                    try body(entry)
                    return true
                }
                return try reader.withValue(forKey: layout.itemKey(of: entry.item)) { tableValue in
                    guard let tableValue else { return true }
                    let expiryOffset = try ItemCodec.check(tableValue, recording: &tableEntries, locating: ttlName)
                    guard Self.isLive(tableValue, expiryAt: expiryOffset, now: now) else { return true }
                    let item = StoredItem(checkedBytes: tableValue, entries: tableEntries.buffer)
                    read += 1
                    if let filter, !filter.evaluate(item.item) { return true }
                    try body(item)
                    return true
                }
            }
        }
    }
}

/// Calls `body` with the UTF-8 bytes of `string` (in place for a native string), or nil.
private func withUTF8<R>(of string: String?, _ body: (UnsafeRawBufferPointer?) throws -> R) rethrows -> R {
    guard var string else { return try body(nil) }
    return try string.withUTF8 { try body(UnsafeRawBufferPointer($0)) }
}

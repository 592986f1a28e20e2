/// Synchronous reads of one table in one consistent snapshot, on the calling thread.
///
/// Get one from ``Table/read(_:)``; use it only inside that closure (the snapshot ends when
/// the closure returns). This is the latency-critical path: no task hop, no lock held beyond
/// taking a pooled LMDB read transaction.
///
/// ```swift
/// let (user, files) = try table.read { reader in
///     (try reader.getItem(["PK": "USER#42", "SK": "PROFILE"]),
///      try reader.query(Query(partitionKey: "USER#42", sortKey: .beginsWith("FILE#"))))
/// }
/// ```
public struct TableReader {
    let layout: TableLayout
    let reader: any StorageReader

    /// The item with this primary key (exactly the key attributes), or nil.
    ///
    /// - Parameter projection: return only these paths.
    public func getItem(_ key: Item, projection: [AttributePath]? = nil) throws -> Item? {
        let storageKey = try layout.itemKey(ofKey: key)
        if let projection { try ProjectionPaths.validate(projection) }
        guard let item = try reader.withValue(forKey: storageKey, { try $0.map(ItemCodec.decode) }) else {
            return nil
        }
        return projection.map { ProjectionPaths.project(item, $0) } ?? item
    }

    /// One page of a query; see ``Query``.
    public func query(_ query: Query) throws -> Page {
        let index = try query.indexName.map { name throws(KVTableError) in try layout.index(named: name) }
        let plan = try QueryPlan(query, layout: layout, index: index)
        return try readPage(plan.range, reverse: !query.ascending, index: index, limit: query.limit,
                            filter: query.filter, projection: query.projection, countOnly: query.countOnly)
    }

    /// One page of a scan; see ``Scan``.
    public func scan(_ scan: Scan = Scan()) throws -> Page {
        let index = try scan.indexName.map { name throws(KVTableError) in try layout.index(named: name) }
        try QueryPlan.validateOptions(limit: scan.limit, filter: scan.filter, projection: scan.projection,
                                      countOnly: scan.countOnly)
        var range = KeyRange.prefix(TableLayout.prefix(index?.keyspace ?? layout.keyspace))
        if let cursor = scan.startAfter {
            range.lower = try QueryPlan.storageKey(of: cursor, layout: layout, index: index) + [0x00]
        }
        return try readPage(range, reverse: false, index: index, limit: scan.limit,
                            filter: scan.filter, projection: scan.projection, countOnly: scan.countOnly)
    }

    /// Reads entries of `range` into a page: `limit` counts entries read, the filter applies
    /// after, and a cursor is returned only when another entry exists past the page.
    private func readPage(_ range: KeyRange, reverse: Bool, index: TableLayout.IndexLayout?, limit: Int?,
                          filter: Condition?, projection: [AttributePath]?, countOnly: Bool) throws -> Page {
        var items: [Item] = []
        var count = 0
        var scanned = 0
        var lastKey: Item?
        var more = false
        // Counting without a filter never needs to decode an item (but for the cursor).
        let decodeAll = !countOnly || filter != nil
        try reader.scan(range, reverse: reverse) { _, value in
            if let limit, scanned == limit {
                more = true
                return false
            }
            scanned += 1
            let isLast = limit == scanned
            guard decodeAll || isLast else {
                count += 1
                return true
            }
            let item = try ItemCodec.decode(value)
            if isLast { lastKey = layout.keyAttributes(of: item, index: index) }
            if let filter, !filter.evaluate(item) { return true }
            count += 1
            if !countOnly {
                items.append(projection.map { ProjectionPaths.project(item, $0) } ?? item)
            }
            return true
        }
        return Page(items: items, count: count, scannedCount: scanned,
                    nextCursor: more ? lastKey.map(PageCursor.init(lastEvaluatedKey:)) : nil)
    }
}

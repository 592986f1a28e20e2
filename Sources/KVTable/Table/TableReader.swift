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
    /// TTL attribute and the time of this read: expired items are hidden unless asked for.
    let ttlAttribute: String?
    let now: ExactDecimal

    /// The item with this primary key (exactly the key attributes), or nil.
    ///
    /// - Parameters:
    ///   - key: the primary key.
    ///   - projection: return only these paths.
    ///   - includeExpired: return the item even when its TTL has passed.
    public func getItem(_ key: Item, projection: [AttributePath]? = nil, includeExpired: Bool = false) throws -> Item? {
        let storageKey = try layout.itemKey(ofKey: key)
        if let projection { try ProjectionPaths.validate(projection) }
        // With a projection and no TTL to check, decode only the projected attributes.
        if let projection, ttlAttribute == nil || includeExpired {
            return try reader.withValue(forKey: storageKey) { try $0.map { try ProjectionPaths.decode($0, projection) } }
        }
        guard let bytes = try reader.value(forKey: storageKey) else { return nil }
        let ttlName = includeExpired ? nil : ttlAttribute.map { Array($0.utf8) }
        guard let item = try Self.liveItem(bytes, ttlName: ttlName, now: now) else { return nil }
        return projection.map { ProjectionPaths.project(item, $0) } ?? item
    }

    /// Stored bytes as an item, checked — or nil when the TTL attribute `ttlName` (UTF-8;
    /// nil: don't hide expired items) holds a time before `now`. The expiry is found while
    /// the bytes are checked: one walk over the item, not a check and then a lookup.
    static func liveItem(_ bytes: [UInt8], ttlName: [UInt8]?, now: ExactDecimal) throws -> Item? {
        try bytes.withUnsafeBytes { try isLive($0, ttlName: ttlName, now: now) } ? Item(checkedBytes: bytes) : nil
    }

    /// Checks stored bytes (throwing for a corrupt item) and says whether the item is live:
    /// false when the TTL attribute `ttlName` holds a time before `now`.
    static func isLive(_ bytes: UnsafeRawBufferPointer, ttlName: [UInt8]?, now: ExactDecimal) throws -> Bool {
        guard let ttlName else {
            try ItemCodec.check(bytes)
            return true
        }
        return isLive(bytes, expiryAt: try ItemCodec.check(bytes, locating: ttlName), now: now)
    }

    /// Whether checked bytes whose TTL value starts at `offset` (nil: no TTL attribute) are live.
    static func isLive(_ bytes: UnsafeRawBufferPointer, expiryAt offset: Int?, now: ExactDecimal) -> Bool {
        !TimeToLive.isExpired(expiry: offset.flatMap { ItemCodec.number(at: $0, in: bytes) }, now: now)
    }

    /// The items with these keys, in the order of `keys`, leaving out absent ones; all read in
    /// this one snapshot. Duplicate keys are rejected.
    public func batchGetItems(_ keys: [Item], projection: [AttributePath]? = nil, includeExpired: Bool = false) throws -> [Item] {
        var seen = Set<[UInt8]>()
        for key in keys {
            guard seen.insert(try layout.itemKey(ofKey: key)).inserted else {
                throw KVTableError.validation("Provided list of item keys contains duplicates")
            }
        }
        return try keys.compactMap { try getItem($0, projection: projection, includeExpired: includeExpired) }
    }

    /// One page of a query; see ``Query``.
    public func query(_ query: Query) throws -> Page {
        let index = try query.indexName.map { name throws(KVTableError) in try layout.index(named: name) }
        let plan = try QueryPlan(query, layout: layout, index: index)
        let readsTableItems = try readsTableItems(index, allAttributes: query.allAttributes, filter: query.filter,
                                                  projection: query.projection)
        return try readPage(plan.range, reverse: !query.ascending, index: index, readsTableItems: readsTableItems,
                            limit: query.limit, filter: query.filter, projection: query.projection,
                            countOnly: query.countOnly, includeExpired: query.includeExpired,
                            maximumBytes: query.maximumPageBytes, segment: nil)
    }

    /// One page of a scan; see ``Scan``.
    public func scan(_ scan: Scan = Scan()) throws -> Page {
        let index = try scan.indexName.map { name throws(KVTableError) in try layout.index(named: name) }
        try QueryPlan.validateOptions(limit: scan.limit, filter: scan.filter, projection: scan.projection,
                                      countOnly: scan.countOnly)
        let readsTableItems = try readsTableItems(index, allAttributes: scan.allAttributes, filter: scan.filter,
                                                  projection: scan.projection)
        let segment = try scan.segment.map { segment throws(KVTableError) in
            try ScanSegment(segment.index, of: segment.count)
        }
        var range = KeyRange.prefix(TableLayout.prefix(index?.keyspace ?? layout.keyspace))
        let partitionKey = layout.keySchema(for: index).partitionKey
        if let cursor = scan.startAfter {
            range.lower = try QueryPlan.storageKey(of: cursor, layout: layout, index: index) + [0x00]
            // A start key of another segment is refused, as DynamoDB does, not silently read on.
            if let segment, let value = cursor.lastEvaluatedKey[partitionKey.name] {
                var encoded: [UInt8] = []
                KeyEncoding.append(value, to: &encoded)
                let inSegment = encoded.withUnsafeBytes { segment.contains(partitionKeyOf: $0, type: partitionKey.type) }
                guard inSegment else {
                    throw KVTableError.validation("The provided Exclusive start key does not map to the provided Segment and TotalSegments values.")
                }
            }
        }
        return try readPage(range, reverse: false, index: index, readsTableItems: readsTableItems, limit: scan.limit,
                            filter: scan.filter, projection: scan.projection, countOnly: scan.countOnly,
                            includeExpired: scan.includeExpired, maximumBytes: scan.maximumPageBytes,
                            segment: segment.map { ($0, partitionKey.type) })
    }

    /// Whether a read of `index` reads each entry's table item: a local index asked for
    /// attributes its entries do not carry (all of them, or ones the filter or projection
    /// names). DynamoDB fetches those from the table for a local index only; asking a global
    /// index for all attributes it does not project is refused.
    func readsTableItems(_ index: TableLayout.IndexLayout?, allAttributes: Bool, filter: Condition?,
                         projection: [AttributePath]?) throws(KVTableError) -> Bool {
        if allAttributes, projection != nil {
            throw .validation("Cannot specify the ProjectionExpression when choosing to get ALL_ATTRIBUTES")
        }
        guard let index, index.definition.projection != .all else { return false }
        guard index.isLocal else {
            if allAttributes {
                throw .validation("One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index \(index.name) because its projection type is not ALL")
            }
            return false
        }
        if allAttributes { return true }
        let named = (filter?.attributeNames ?? []).union(projection?.map(\.attributeName) ?? [])
        return named.contains { !index.carries($0, tableKeys: layout.keyAttributes) }
    }

    /// The table item of an index entry (which carries the table's keys), when it exists and
    /// has not expired, in this snapshot.
    func tableItem(of entry: Item, ttlName: [UInt8]?) throws -> Item? {
        guard let bytes = try reader.value(forKey: try layout.itemKey(of: entry)) else { return nil }
        return try Self.liveItem(bytes, ttlName: ttlName, now: now)
    }

    /// Whether entries of `index` may lack the TTL attribute (a KEYS_ONLY or INCLUDE index that
    /// does not carry it): such an entry is live when its table item is
    /// (``tableItemIsLive(of:ttlName:)``), looked up in the same snapshot.
    func entriesMayLackExpiry(_ index: TableLayout.IndexLayout?) -> Bool {
        guard let index, let ttlAttribute else { return false }
        return !index.carries(ttlAttribute, tableKeys: layout.keyAttributes)
    }

    /// Whether the table item of an index entry (which carries the table's keys) exists and has
    /// not expired, in this snapshot.
    func tableItemIsLive(of entry: Item, ttlName: [UInt8]?) throws -> Bool {
        let key = try layout.itemKey(of: entry)
        return try reader.withValue(forKey: key) { bytes in
            guard let bytes else { return false }
            return try Self.isLive(bytes, ttlName: ttlName, now: now)
        }
    }

    /// Reads entries of `range` into a page: `limit` counts entries read, the filter applies
    /// after. The page also ends after the entry that brings the stored bytes read to
    /// `maximumBytes`. A page that ends at `limit` or `maximumBytes` has a cursor even when no
    /// entry follows, as DynamoDB's `LastEvaluatedKey` does (it does not look ahead): the
    /// next page is then empty, and every engine, local or remote, pages alike.
    private func readPage(_ range: KeyRange, reverse: Bool, index: TableLayout.IndexLayout?, readsTableItems: Bool, limit: Int?,
                          filter: Condition?, projection: [AttributePath]?, countOnly: Bool,
                          includeExpired: Bool, maximumBytes: Int?, segment: (ScanSegment, KeyType)?) throws -> Page {
        var bytesRead = 0
        var full = false
        var items: [Item] = []
        var count = 0
        var scanned = 0
        var lastKey: Item?
        let hideExpired = !includeExpired && ttlAttribute != nil
        let ttlName = hideExpired ? ttlAttribute.map { Array($0.utf8) } : nil
        let checkTableItems = hideExpired && entriesMayLackExpiry(index) && !readsTableItems
        // Counting without a filter or TTL never needs to decode an item (but for the cursor).
        let decodeAll = !countOnly || filter != nil || hideExpired || readsTableItems
        let prefixLength = 4   // the keyspace
        // Owned values: a backend that keeps arrays (memory) hands them over without a copy.
        try reader.scanValues(range, reverse: reverse) { key, value, owned in
            if let (segment, type) = segment,
               !segment.contains(partitionKeyOf: UnsafeRawBufferPointer(rebasing: key[prefixLength...]), type: type) {
                return true
            }
            bytesRead += value.count
            let isLast = limit == scanned + 1 || maximumBytes.map { bytesRead >= $0 } == true
            guard decodeAll || isLast else {
                scanned += 1
                count += 1
                return true
            }
            guard var item = try Self.liveItem(owned(), ttlName: ttlName, now: now) else { return true }
            if checkTableItems, try !tableItemIsLive(of: item, ttlName: ttlName) { return true }
            if readsTableItems {
                guard let tableItem = try tableItem(of: item, ttlName: ttlName) else { return true }
                item = tableItem
            }
            scanned += 1
            if isLast {
                lastKey = layout.keyAttributes(of: item, index: index)
                full = true
            }
            if filter?.evaluate(item) ?? true {
                count += 1
                if !countOnly {
                    items.append(projection.map { ProjectionPaths.project(item, $0) } ?? item)
                }
            }
            return !full
        }
        return Page(items: items, count: count, scannedCount: scanned,
                    nextCursor: lastKey.map(PageCursor.init(lastEvaluatedKey:)))
    }
}

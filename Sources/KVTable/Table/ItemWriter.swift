/// The item-level steps of every write — single writes, batches, transactions, updates, TTL
/// sweeps — inside one storage write transaction.
///
/// It keeps the table's index entries and expiry entries in step with each item, treats an
/// expired item as absent (reads hide it; a write over it is an insert, and the expired item is
/// reported as a TTL removal), and records each change for the change stream.
struct ItemWriter {
    let writer: any StorageWriter
    let table: TableState
    /// The TTL attribute as committed (read inside this transaction).
    let ttlAttribute: String?
    let now: ExactDecimal
    /// The table's layout as this transaction sees it (indexes change only in a transaction
    /// of their own).
    let layout: TableLayout

    init(writer: any StorageWriter, table: TableState, now: ExactDecimal) throws {
        self.writer = writer
        self.table = table
        self.now = now
        self.layout = table.layout
        self.ttlAttribute = try Catalog.ensureCurrent(table.description, in: writer)
    }


    /// An item as stored, and as callers see it (nil when absent or expired).
    struct Current {
        let key: [UInt8]
        let stored: Item?
        let live: Item?
    }

    func current(_ key: [UInt8]) throws -> Current {
        let stored = try writer.withValue(forKey: key) { try $0.map(ItemCodec.decode) }
        let live = stored.flatMap { TimeToLive.isExpired($0, attribute: ttlAttribute, now: now) ? nil : $0 }
        return Current(key: key, stored: stored, live: live)
    }

    /// Stores `item` (already validated, `encoded` its bytes) in place of `current`.
    func put(_ item: Item, encoded: [UInt8], over current: Current, log: inout ChangeLog) throws {
        if let stored = current.stored, current.live == nil {
            log.changes.append(change(.remove, old: stored, new: nil, timeToLive: true))
        }
        try updateCollectionSize(old: current.stored, new: item)
        try writer.put(encoded, forKey: current.key)
        try layout.updateIndexes(writer, old: current.stored, new: item, encodedNew: encoded)
        try updateExpiry(old: current.stored, new: item)
        log.changes.append(change(current.live == nil ? .insert : .modify, old: current.live, new: item, timeToLive: false))
    }

    /// Deletes the stored item of `current`, if any.
    func delete(_ current: Current, timeToLive: Bool = false, log: inout ChangeLog) throws {
        guard let stored = current.stored else { return }
        try updateCollectionSize(old: stored, new: nil)
        try writer.delete(current.key)
        try layout.updateIndexes(writer, old: stored, new: nil, encodedNew: nil)
        try updateExpiry(old: stored, new: nil)
        log.changes.append(change(.remove, old: stored, new: nil, timeToLive: timeToLive || current.live == nil))
    }

    private func updateExpiry(old: Item?, new: Item?) throws {
        let oldKey = old.flatMap { layout.expiryKey(of: $0, ttlAttribute: ttlAttribute) }
        let newKey = new.flatMap { layout.expiryKey(of: $0, ttlAttribute: ttlAttribute) }
        if let oldKey, oldKey != newKey { try writer.delete(oldKey) }
        if let newKey, newKey != oldKey { try writer.put([], forKey: newKey) }
    }

    func change(_ kind: Change.Kind, old: Item?, new: Item?, timeToLive: Bool) -> PendingChange {
        PendingChange(keyspace: layout.keyspace, tableName: layout.schema.name, kind: kind,
                      keyNames: layout.keyAttributeNames,
                      oldImage: old, newImage: new, isTimeToLiveDeletion: timeToLive)
    }
}

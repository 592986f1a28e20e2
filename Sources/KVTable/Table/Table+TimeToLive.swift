#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The expiry index of a table: one entry per item whose TTL attribute holds a number,
/// `ks(expiry) ‖ enc(TTL) ‖ enc(table key)` → empty, maintained by ``ItemWriter`` with the item.
/// The sweeper reads it from the start up to `now`, so it only ever touches expired items.
enum ExpiryIndex {
    /// Rebuilds the expiry index for a (new) TTL attribute, in the caller's transaction.
    static func rebuild(_ layout: TableLayout, ttlAttribute: String?, in writer: any StorageWriter) throws {
        var stale: [[UInt8]] = []
        try writer.scan(.prefix(TableLayout.prefix(layout.expiryKeyspace)), reverse: false) { key, _ in
            stale.append(Array(key))
            return true
        }
        for key in stale { try writer.delete(key) }
        guard let ttlAttribute else { return }
        var entries: [[UInt8]] = []
        try writer.scan(.prefix(TableLayout.prefix(layout.keyspace)), reverse: false) { _, value in
            if let key = layout.expiryKey(of: try ItemCodec.decode(value), ttlAttribute: ttlAttribute) {
                entries.append(key)
            }
            return true
        }
        for key in entries { try writer.put([], forKey: key) }
    }

    /// The table storage key an expiry entry points at.
    static func tableKey(ofEntry entry: UnsafeRawBufferPointer, layout: TableLayout) -> [UInt8] {
        let afterPrefix = UnsafeRawBufferPointer(rebasing: entry[4...])
        let ttlLength = KeyEncoding.componentLength(afterPrefix, type: .number)
        return TableLayout.prefix(layout.keyspace) + afterPrefix[ttlLength...]
    }
}

extension Table {
    /// Deletes the items whose TTL has passed — from the table, every index and the expiry
    /// index — in transactions of at most `batchSize` items, and reports each on the change
    /// stream as a remove with ``Change/isTimeToLiveDeletion`` set.
    ///
    /// - Parameters:
    ///   - now: the time to compare with (the store's clock when nil).
    ///   - batchSize: the most items one transaction deletes.
    /// - Returns: how many items were deleted.
    @discardableResult
    public func sweepExpired(now: Date? = nil, batchSize: Int = 100) async throws -> Int {
        guard batchSize >= 1 else { throw KVTableError.validation("batchSize must be at least 1") }
        try state.checkNotDropped()
        let state = self.state
        let epochSeconds = now.map { FixedTime($0).epochSeconds } ?? context.time.epochSeconds
        var total = 0
        while true {
            let deleted = try await context.write { log in
                let items = try ItemWriter(writer: log.writer, table: state, now: epochSeconds)
                guard items.ttlAttribute != nil else { return 0 }
                var keys: [[UInt8]] = []
                var entries: [[UInt8]] = []
                try log.writer.scan(state.layout.expiredRange(now: epochSeconds), reverse: false) { entry, _ in
                    entries.append(Array(entry))
                    keys.append(ExpiryIndex.tableKey(ofEntry: entry, layout: state.layout))
                    return keys.count < batchSize
                }
                for (entry, key) in zip(entries, keys) {
                    let current = try items.current(key)
                    if current.stored != nil, current.live == nil {
                        try items.delete(current, timeToLive: true, log: &log)
                    } else {
                        try log.writer.delete(entry)   // an entry that outlived its item
                    }
                }
                return keys.count
            }
            total += deleted
            if deleted < batchSize { return total }
        }
    }
}

/// A time source fixed at one instant (for `sweepExpired(now:)`).
struct FixedTime: TimeSource {
    let instant: Date
    init(_ instant: Date) { self.instant = instant }
    func now() -> Date { instant }
    func sleep(for duration: Duration) async throws { try await Task.sleep(for: duration) }
}

extension KVStore {
    /// Sweeps every table that has TTL enabled; see ``Table/sweepExpired(now:batchSize:)``.
    @discardableResult
    public func sweepExpired(now: Date? = nil, batchSize: Int = 100) async throws -> Int {
        var total = 0
        for name in tableNames() {
            guard let table = try? table(name), table.timeToLiveAttribute != nil else { continue }
            total += try await table.sweepExpired(now: now, batchSize: batchSize)
        }
        return total
    }
}

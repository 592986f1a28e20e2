import CLMDB

/// An LMDB error code as a ``KVTableError``; `MDB_MAP_FULL` and `MDB_TXN_FULL` become
/// ``LMDBCapacityError`` so that the writer thread can grow the map or split a batch.
func lmdbCheck(_ rc: Int32, _ operation: StaticString) throws {
    guard rc != 0 else { return }
    if rc == MDB_MAP_FULL { throw LMDBCapacityError.mapFull }
    if rc == MDB_TXN_FULL { throw LMDBCapacityError.transactionFull }
    throw lmdbError(rc, operation)
}

func lmdbError(_ rc: Int32, _ operation: StaticString) -> KVTableError {
    .storage("LMDB \(operation) failed: \(String(cString: mdb_strerror(rc))) (\(rc))")
}

/// Capacity errors the writer thread handles itself (they never reach callers as such).
enum LMDBCapacityError: Error {
    case mapFull
    case transactionFull
}

/// How keys of any length are stored under LMDB's 511-byte key limit, in order.
///
/// A key of at most `threshold` bytes is stored as itself. A longer key is stored under its
/// first `threshold` bytes followed by an 8-byte suffix (a hash of the whole key, probed
/// upwards on collision), and its value is stored as `u32le(key length) ‖ key ‖ value`.
///
/// Order: a stored long key has `threshold + 8` bytes, so it is told apart by its length, and
/// every short key sorts against a group of long keys sharing a prefix exactly as it sorts
/// against their full keys. Only *within* such a group is LMDB's order (by suffix) wrong, so
/// scans read a whole group, sort it by full key and visit it in order. Groups are keys that
/// share their first `threshold` bytes — in KVTable only keys with very long partition keys.
enum LMDBKeyMapping {
    /// 480 + 8 suffix bytes stay under LMDB's 511-byte limit.
    static let defaultThreshold = 480
    static let suffixLength = 8
}

/// What every transaction of one store shares: the database handle and the long-key rules.
/// A class, so that ``LMDBTransaction`` stays three words and fits an existential's inline
/// buffer (every read hands one out as `any StorageReader`; a larger struct would be boxed on
/// the heap per read).
final class LMDBDatabase: Sendable {
    let dbi: MDB_dbi
    let threshold: Int
    let hash: @Sendable ([UInt8]) -> UInt64

    init(dbi: MDB_dbi, configuration: LMDBConfiguration) {
        self.dbi = dbi
        self.threshold = configuration.longKeyThreshold
        self.hash = configuration.longKeyHash
    }
}

/// A read or write view of one LMDB transaction, used by one thread at a time.
struct LMDBTransaction: StorageWriter {
    let txn: OpaquePointer
    let database: LMDBDatabase
    /// Set on the first write (the writer thread uses it to know whether a failed body left
    /// changes behind).
    var writeTracker: WriteTracker? = nil

    var dbi: MDB_dbi { database.dbi }
    var threshold: Int { database.threshold }
    var hash: @Sendable ([UInt8]) -> UInt64 { database.hash }

    // MARK: Raw LMDB access

    private func rawGet(_ key: UnsafeRawBufferPointer) throws -> UnsafeRawBufferPointer? {
        var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var v = MDB_val()
        let rc = mdb_get(txn, dbi, &k, &v)
        if rc == MDB_NOTFOUND { return nil }
        try lmdbCheck(rc, "get")
        return UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size)
    }

    /// Returns false (and writes nothing) when `noOverwrite` and the key is present.
    @discardableResult
    private func rawPut(_ key: UnsafeRawBufferPointer, _ parts: [UnsafeRawBufferPointer], noOverwrite: Bool = false) throws -> Bool {
        var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        let total = parts.reduce(0) { $0 + $1.count }
        // MDB_RESERVE: LMDB gives us the space in the map and we copy the parts straight in.
        var v = MDB_val(mv_size: total, mv_data: nil)
        let rc = mdb_put(txn, dbi, &k, &v, UInt32(MDB_RESERVE) | (noOverwrite ? UInt32(MDB_NOOVERWRITE) : 0))
        if noOverwrite, rc == MDB_KEYEXIST { return false }
        try lmdbCheck(rc, "put")
        var destination = v.mv_data!
        for part in parts where part.count > 0 {
            destination.copyMemory(from: part.baseAddress!, byteCount: part.count)
            destination += part.count
        }
        return true
    }

    private func rawDelete(_ key: UnsafeRawBufferPointer) throws -> Bool {
        var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        let rc = mdb_del(txn, dbi, &k, nil)
        if rc == MDB_NOTFOUND { return false }
        try lmdbCheck(rc, "del")
        return true
    }

    // MARK: Long keys

    private func isLong(_ storedKey: UnsafeRawBufferPointer) -> Bool {
        storedKey.count > threshold
    }

    private func storedKey(prefixOf key: [UInt8], suffix: UInt64) -> [UInt8] {
        var stored = Array(key[0..<threshold])
        withUnsafeBytes(of: suffix.bigEndian) { stored.append(contentsOf: $0) }
        return stored
    }

    /// Splits a long entry's stored value into (full key, value).
    private func splitLongValue(_ stored: UnsafeRawBufferPointer) throws -> (UnsafeRawBufferPointer, UnsafeRawBufferPointer) {
        guard stored.count >= 4 else { throw KVTableError.storage("Corrupt long-key entry") }
        let length = Int(UInt32(littleEndian: stored.loadUnaligned(as: UInt32.self)))
        guard stored.count >= 4 + length else { throw KVTableError.storage("Corrupt long-key entry") }
        return (UnsafeRawBufferPointer(rebasing: stored[4..<4 + length]),
                UnsafeRawBufferPointer(rebasing: stored[(4 + length)...]))
    }

    /// The stored key under which the long key `key` lives, or nil when absent.
    private func findLong(_ key: [UInt8]) throws -> [UInt8]? {
        let candidate = storedKey(prefixOf: key, suffix: hash(key))
        // Fast path: the hash slot holds this key.
        let hit = try candidate.withUnsafeBytes { slot -> Bool in
            guard let stored = try rawGet(slot) else { return false }
            return compareBytes(try splitLongValue(stored).0, key) == 0
        }
        if hit { return candidate }
        // Slow path (after a collision): look through the group.
        var found: [UInt8]?
        try forEachInGroup(prefix: Array(key[0..<threshold])) { storedKey, fullKey, _ in
            if compareBytes(fullKey, key) == 0 {
                found = Array(storedKey)
                return false
            }
            return true
        }
        return found
    }

    /// Visits the stored entries of one long-key group in LMDB (suffix) order.
    private func forEachInGroup(prefix: [UInt8],
                                _ visit: (UnsafeRawBufferPointer, UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Bool) throws {
        try withCursor { cursor in
            var k = MDB_val()
            var v = MDB_val()
            var rc = prefix.withUnsafeBytes { p -> Int32 in
                k = MDB_val(mv_size: p.count, mv_data: UnsafeMutableRawPointer(mutating: p.baseAddress))
                return mdb_cursor_get(cursor, &k, &v, MDB_SET_RANGE)
            }
            while rc == 0 {
                let key = UnsafeRawBufferPointer(start: k.mv_data, count: k.mv_size)
                guard isLong(key), compareBytes(UnsafeRawBufferPointer(rebasing: key[0..<threshold]), prefix) == 0 else { return }
                let (fullKey, value) = try splitLongValue(UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size))
                if try !visit(key, fullKey, value) { return }
                rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT)
            }
            if rc != MDB_NOTFOUND { try lmdbCheck(rc, "cursor_get") }
        }
    }

    private func withCursor<R>(_ body: (OpaquePointer) throws -> R) throws -> R {
        var cursor: OpaquePointer?
        try lmdbCheck(mdb_cursor_open(txn, dbi, &cursor), "cursor_open")
        defer { mdb_cursor_close(cursor) }
        return try body(cursor!)
    }

    // MARK: StorageReader

    func withValue<R>(forKey key: [UInt8], _ body: (UnsafeRawBufferPointer?) throws -> R) throws -> R {
        if key.count <= threshold {
            return try key.withUnsafeBytes { try body(try rawGet($0)) }
        }
        guard let stored = try findLong(key) else { return try body(nil) }
        return try stored.withUnsafeBytes { slot in
            try body(try rawGet(slot).map { try splitLongValue($0).1 })
        }
    }

    func scan(_ range: KeyRange, reverse: Bool,
              _ visit: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Bool) throws {
        try withCursor { cursor in
            if reverse {
                try scanBackward(cursor, range, visit)
            } else {
                try scanForward(cursor, range, visit)
            }
        }
    }

    private typealias Visit = (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Bool

    /// A long-key group read into memory and sorted by full key.
    private struct Group {
        var entries: [(key: [UInt8], value: [UInt8])] = []
    }

    /// Reads the group whose first stored key is under the cursor, leaving the cursor on the
    /// first entry after the group (moving `step`), and returns the rc of that last move.
    private func readGroup(_ cursor: OpaquePointer, _ k: inout MDB_val, _ v: inout MDB_val,
                           step: MDB_cursor_op) throws -> (Group, Int32) {
        let first = UnsafeRawBufferPointer(start: k.mv_data, count: k.mv_size)
        let prefix = Array(first[0..<threshold])
        var group = Group()
        var rc: Int32 = 0
        repeat {
            let (fullKey, value) = try splitLongValue(UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size))
            group.entries.append((Array(fullKey), Array(value)))
            rc = mdb_cursor_get(cursor, &k, &v, step)
            if rc != 0 { break }
            let key = UnsafeRawBufferPointer(start: k.mv_data, count: k.mv_size)
            if !isLong(key) || compareBytes(UnsafeRawBufferPointer(rebasing: key[0..<threshold]), prefix) != 0 { break }
        } while true
        group.entries.sort { compareBytes($0.key, $1.key) < 0 }
        return (group, rc)
    }

    private func scanForward(_ cursor: OpaquePointer, _ range: KeyRange, _ visit: Visit) throws {
        var k = MDB_val()
        var v = MDB_val()
        let seek = range.lower.count > threshold ? Array(range.lower[0..<threshold]) : range.lower
        // LMDB rejects an empty seek key: an empty lower bound means "from the first key".
        var rc = seek.isEmpty ? mdb_cursor_get(cursor, &k, &v, MDB_FIRST) : seek.withUnsafeBytes { s -> Int32 in
            k = MDB_val(mv_size: s.count, mv_data: UnsafeMutableRawPointer(mutating: s.baseAddress))
            return mdb_cursor_get(cursor, &k, &v, MDB_SET_RANGE)
        }
        while rc == 0 {
            let key = UnsafeRawBufferPointer(start: k.mv_data, count: k.mv_size)
            if !isLong(key) {
                if let upper = range.upper, compareBytes(key, upper) >= 0 { return }
                if compareBytes(key, range.lower) >= 0 {
                    if try !visit(key, UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size)) { return }
                }
                rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT)
            } else {
                let (group, next) = try readGroup(cursor, &k, &v, step: MDB_NEXT)
                for entry in group.entries {
                    if let upper = range.upper, compareBytes(entry.key, upper) >= 0 { return }
                    if compareBytes(entry.key, range.lower) < 0 { continue }
                    let proceed = try entry.key.withUnsafeBytes { key in
                        try entry.value.withUnsafeBytes { value in try visit(key, value) }
                    }
                    if !proceed { return }
                }
                rc = next
            }
        }
        if rc != MDB_NOTFOUND { try lmdbCheck(rc, "cursor_get") }
    }

    private func scanBackward(_ cursor: OpaquePointer, _ range: KeyRange, _ visit: Visit) throws {
        var k = MDB_val()
        var v = MDB_val()
        var rc: Int32
        if let upper = range.upper {
            if upper.isEmpty { return }   // nothing is below the empty key
            // Land on the first stored key past everything below `upper`, then step back.
            // A long upper bound's group may straddle it: seek past the whole group.
            let seek = upper.count > threshold
                ? Array(upper[0..<threshold]) + [UInt8](repeating: 0xFF, count: LMDBKeyMapping.suffixLength + 1)
                : upper
            rc = seek.withUnsafeBytes { s -> Int32 in
                k = MDB_val(mv_size: s.count, mv_data: UnsafeMutableRawPointer(mutating: s.baseAddress))
                return mdb_cursor_get(cursor, &k, &v, MDB_SET_RANGE)
            }
            rc = rc == 0 ? mdb_cursor_get(cursor, &k, &v, MDB_PREV) : mdb_cursor_get(cursor, &k, &v, MDB_LAST)
        } else {
            rc = mdb_cursor_get(cursor, &k, &v, MDB_LAST)
        }
        while rc == 0 {
            let key = UnsafeRawBufferPointer(start: k.mv_data, count: k.mv_size)
            if !isLong(key) {
                if compareBytes(key, range.lower) < 0 { return }
                if range.upper.map({ compareBytes(key, $0) < 0 }) ?? true {
                    if try !visit(key, UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size)) { return }
                }
                rc = mdb_cursor_get(cursor, &k, &v, MDB_PREV)
            } else {
                let (group, next) = try readGroup(cursor, &k, &v, step: MDB_PREV)
                for entry in group.entries.reversed() {
                    if compareBytes(entry.key, range.lower) < 0 { return }
                    if let upper = range.upper, compareBytes(entry.key, upper) >= 0 { continue }
                    let proceed = try entry.key.withUnsafeBytes { key in
                        try entry.value.withUnsafeBytes { value in try visit(key, value) }
                    }
                    if !proceed { return }
                }
                rc = next
            }
        }
        if rc != MDB_NOTFOUND { try lmdbCheck(rc, "cursor_get") }
    }

    // MARK: StorageWriter

    func put(_ value: [UInt8], forKey key: [UInt8]) throws {
        writeTracker?.wrote = true
        if key.count <= threshold {
            try key.withUnsafeBytes { k in try value.withUnsafeBytes { v in _ = try rawPut(k, [v]) } }
            return
        }
        let slot = try findLong(key) ?? freeSlot(for: key)
        var header = UInt32(key.count).littleEndian
        try withUnsafeBytes(of: &header) { h in
            try slot.withUnsafeBytes { s in
                try key.withUnsafeBytes { k in
                    try value.withUnsafeBytes { v in _ = try rawPut(s, [h, k, v]) }
                }
            }
        }
    }

    func insert(_ value: [UInt8], forKey key: [UInt8]) throws -> Bool {
        if key.count <= threshold {
            let inserted = try key.withUnsafeBytes { k in try value.withUnsafeBytes { v in try rawPut(k, [v], noOverwrite: true) } }
            if inserted { writeTracker?.wrote = true }
            return inserted
        }
        guard try findLong(key) == nil else { return false }
        try put(value, forKey: key)
        return true
    }

    /// A stored key for a long key not yet present: its hash, or the next free value after it.
    private func freeSlot(for key: [UInt8]) throws -> [UInt8] {
        var suffix = hash(key)
        while true {
            let candidate = storedKey(prefixOf: key, suffix: suffix)
            let taken = try candidate.withUnsafeBytes { try rawGet($0) != nil }
            if !taken { return candidate }
            suffix &+= 1
        }
    }

    func delete(_ key: [UInt8]) throws -> Bool {
        writeTracker?.wrote = true
        if key.count <= threshold {
            return try key.withUnsafeBytes { try rawDelete($0) }
        }
        guard let slot = try findLong(key) else { return false }
        return try slot.withUnsafeBytes { try rawDelete($0) }
    }
}

/// Whether a write body has written anything yet. Used on the writer thread only.
final class WriteTracker {
    var wrote = false
}

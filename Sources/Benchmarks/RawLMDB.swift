import CLMDB

/// The floor: LMDB's C API on the very environment, keys and value bytes KVTable uses — what
/// KVTable would cost if it added nothing.
///
/// Reads follow LMDB's best practice: one reset read transaction renewed per operation
/// (`MDB_NOTLS`), values copied out before the reset.
final class RawLMDB {
    let env: OpaquePointer
    let dbi: MDB_dbi
    private var txn: OpaquePointer?
    private var cursor: OpaquePointer?

    init(env: OpaquePointer, dbi: MDB_dbi) throws {
        self.env = env
        self.dbi = dbi
        try check(mdb_txn_begin(env, nil, UInt32(MDB_RDONLY), &txn), "txn_begin")
        try check(mdb_cursor_open(txn, dbi, &cursor), "cursor_open")
        mdb_txn_reset(txn)
    }

    /// Frees the read transaction; call before the environment closes.
    func close() {
        if let cursor { mdb_cursor_close(cursor) }
        if let txn { mdb_txn_abort(txn) }
        cursor = nil
        txn = nil
    }

    /// renew → mdb_get → copy → reset. Returns the copied value (nil when absent).
    func get(_ key: [UInt8]) throws -> [UInt8]? {
        try check(mdb_txn_renew(txn), "txn_renew")
        defer { mdb_txn_reset(txn) }
        return try key.withUnsafeBytes { k -> [UInt8]? in
            var keyValue = MDB_val(mv_size: k.count, mv_data: UnsafeMutableRawPointer(mutating: k.baseAddress))
            var data = MDB_val()
            let rc = mdb_get(txn, dbi, &keyValue, &data)
            if rc == MDB_NOTFOUND { return nil }
            try check(rc, "get")
            return Array(UnsafeRawBufferPointer(start: data.mv_data, count: data.mv_size))
        }
    }

    /// renew → cursor `MDB_SET_RANGE` at `prefix` → up to `limit` × (copy value, `MDB_NEXT`)
    /// while keys start with `prefix` → reset. Returns the values (or just counts them).
    @discardableResult
    func range(_ prefix: [UInt8], limit: Int, copyValues: Bool = true) throws -> Int {
        try check(mdb_txn_renew(txn), "txn_renew")
        defer { mdb_txn_reset(txn) }
        try check(mdb_cursor_renew(txn, cursor), "cursor_renew")
        var values: [[UInt8]] = []
        if copyValues { values.reserveCapacity(limit) }
        var found = 0
        try prefix.withUnsafeBytes { p in
            var key = MDB_val(mv_size: p.count, mv_data: UnsafeMutableRawPointer(mutating: p.baseAddress))
            var data = MDB_val()
            var rc = mdb_cursor_get(cursor, &key, &data, MDB_SET_RANGE)
            while rc == 0 && found < limit {
                let stored = UnsafeRawBufferPointer(start: key.mv_data, count: key.mv_size)
                guard stored.starts(with: p) else { break }
                if copyValues { values.append(Array(UnsafeRawBufferPointer(start: data.mv_data, count: data.mv_size))) }
                found += 1
                rc = mdb_cursor_get(cursor, &key, &data, MDB_NEXT)
            }
            if rc != 0 && rc != MDB_NOTFOUND { try check(rc, "cursor_get") }
        }
        return found
    }

    /// renew → cursor from `prefix` while keys start with it, reading every byte of every
    /// value (a sum, so that nothing is optimised away) → reset: the floor of any pass that
    /// looks at the values in place. Returns the entries read and the sum.
    func readAll(_ prefix: [UInt8]) throws -> (entries: Int, sum: UInt64) {
        try check(mdb_txn_renew(txn), "txn_renew")
        defer { mdb_txn_reset(txn) }
        try check(mdb_cursor_renew(txn, cursor), "cursor_renew")
        var found = 0
        var sum: UInt64 = 0
        try prefix.withUnsafeBytes { p in
            var key = MDB_val(mv_size: p.count, mv_data: UnsafeMutableRawPointer(mutating: p.baseAddress))
            var data = MDB_val()
            var rc = mdb_cursor_get(cursor, &key, &data, MDB_SET_RANGE)
            while rc == 0 {
                let stored = UnsafeRawBufferPointer(start: key.mv_data, count: key.mv_size)
                guard stored.starts(with: p) else { break }
                for byte in UnsafeRawBufferPointer(start: data.mv_data, count: data.mv_size) { sum &+= UInt64(byte) }
                found += 1
                rc = mdb_cursor_get(cursor, &key, &data, MDB_NEXT)
            }
            if rc != 0 && rc != MDB_NOTFOUND { try check(rc, "cursor_get") }
        }
        return (found, sum)
    }

    /// One write transaction with `puts` puts, committed (durable unless the env is `MDB_NOSYNC`).
    func put(_ pairs: [([UInt8], [UInt8])]) throws {
        var writeTxn: OpaquePointer?
        try check(mdb_txn_begin(env, nil, 0, &writeTxn), "txn_begin (write)")
        for (key, value) in pairs {
            let rc = key.withUnsafeBytes { k in
                value.withUnsafeBytes { v in
                    var keyValue = MDB_val(mv_size: k.count, mv_data: UnsafeMutableRawPointer(mutating: k.baseAddress))
                    var data = MDB_val(mv_size: v.count, mv_data: UnsafeMutableRawPointer(mutating: v.baseAddress))
                    return mdb_put(writeTxn, dbi, &keyValue, &data, 0)
                }
            }
            if rc != 0 {
                mdb_txn_abort(writeTxn)
                try check(rc, "put")
            }
        }
        try check(mdb_txn_commit(writeTxn), "txn_commit")
    }

    private func check(_ rc: Int32, _ operation: String) throws {
        if rc != 0 { throw BenchmarkError("LMDB \(operation): \(String(cString: mdb_strerror(rc)))") }
    }
}

struct BenchmarkError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

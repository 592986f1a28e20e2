import CLMDB

/// Pooled read-only transactions (`MDB_NOTLS`), and the gate that keeps readers out while the
/// map is resized.
///
/// A read takes a reset transaction from the pool and renews it (≈ 10–20 ns in LMDB) instead of
/// beginning a new one, and resets it afterwards. With `MDB_NOTLS` a read transaction is not
/// bound to its thread, so any thread may use any pooled transaction — one at a time.
///
/// At most `limit` reads run at once; more wait for a slot, so many concurrent tasks never
/// exhaust LMDB's reader table. `mdb_env_set_mapsize` needs every transaction of the process
/// to be inactive: ``excludeReaders(_:)`` stops new reads, waits for running ones, and runs
/// its body alone.
///
/// `@unchecked Sendable` is sound: all mutable state (`idle`, `active`, `excluding`, `closed`)
/// is read and written only with `lock` held, and a pooled transaction is used by one thread
/// at a time (taken out of `idle` under the lock, put back under the lock).
final class LMDBReaderPool: @unchecked Sendable {
    private let env: OpaquePointer
    private let lock = ConditionLock()
    private let limit: Int
    private let writerGate: ConditionLock
    private var idle: [OpaquePointer] = []
    private var active = 0
    private var excluding = false
    private var closed = false

    init(env: OpaquePointer, limit: Int, writerGate: ConditionLock) {
        self.env = env
        self.limit = max(1, limit)
        self.writerGate = writerGate
    }

    /// An active read transaction; pair with ``release(_:)``.
    func acquire() throws -> OpaquePointer {
        try acquire(waiting: true)!
    }

    /// An active read transaction when a slot is free now, else nil (it never waits: a
    /// thread already holding a transaction may ask for another without risking a deadlock).
    func acquireIfFree() throws -> OpaquePointer? {
        try acquire(waiting: false)
    }

    private func acquire(waiting: Bool) throws -> OpaquePointer? {
        let pooled: OpaquePointer?? = try lock.withLock {
            while waiting && (excluding || active >= limit) && !closed { lock.wait() }
            if closed { throw KVTableError.storage("The store is closed") }
            if excluding || active >= limit { return .none }
            active += 1
            return .some(idle.popLast())
        }
        guard let pooled else { return nil }
        var rc: Int32
        var txn = pooled
        if let pooled {
            rc = mdb_txn_renew(pooled)
        } else {
            rc = mdb_txn_begin(env, nil, UInt32(MDB_RDONLY), &txn)
        }
        if rc == MDB_READERS_FULL {
            // Slots held by crashed processes: clear them and try once more.
            var dead: Int32 = 0
            mdb_reader_check(env, &dead)
            rc = pooled != nil ? mdb_txn_renew(pooled!) : mdb_txn_begin(env, nil, UInt32(MDB_RDONLY), &txn)
        }
        if rc == MDB_MAP_RESIZED {
            // Another process grew the map: adopt its size, then start over.
            giveBack(pooled, reset: false)
            try adoptExternalMapSize()
            return try acquire(waiting: waiting)
        }
        guard rc == 0, let txn else {
            giveBack(pooled, reset: false)
            throw lmdbError(rc, "txn_begin (read)")
        }
        return txn
    }

    /// Resets `txn` (releasing its snapshot) and returns it to the pool.
    func release(_ txn: OpaquePointer) {
        giveBack(txn, reset: true)
    }

    private func giveBack(_ txn: OpaquePointer?, reset: Bool) {
        if reset, let txn { mdb_txn_reset(txn) }
        lock.withLock {
            if let txn {
                if closed { mdb_txn_abort(txn) } else { idle.append(txn) }
            }
            active -= 1
            lock.broadcast()
        }
    }

    /// Runs `body` while no read transaction is active and none can start.
    func excludeReaders<R>(_ body: () throws -> R) rethrows -> R {
        lock.withLock {
            while excluding { lock.wait() }
            excluding = true
            while active > 0 { lock.wait() }
        }
        defer {
            lock.withLock {
                excluding = false
                lock.broadcast()
            }
        }
        return try body()
    }

    /// Adopts a map size grown by another process: `mdb_env_set_mapsize(env, 0)` with the
    /// writer (which holds `writerGate` around each batch) and every reader kept out.
    private func adoptExternalMapSize() throws {
        writerGate.lock()
        defer { writerGate.unlock() }
        try excludeReaders {
            try lmdbCheck(mdb_env_set_mapsize(env, 0), "env_set_mapsize")
        }
    }

    /// Fails waiting and future reads, waits for running ones, and frees pooled transactions.
    func close() {
        lock.withLock {
            closed = true
            lock.broadcast()
            while active > 0 { lock.wait() }
            for txn in idle { mdb_txn_abort(txn) }
            idle.removeAll()
        }
    }
}

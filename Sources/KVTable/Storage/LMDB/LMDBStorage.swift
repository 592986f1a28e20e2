import CLMDB
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The LMDB backend: one environment per store file, one unnamed database holding every
/// table and index under a 4-byte keyspace prefix (no named databases, so no per-transaction
/// DBI cost), reads from pooled `MDB_NOTLS` snapshots on the caller's thread, writes through
/// one writer thread with group commit.
///
/// The store is the file at `path` (`MDB_NOSUBDIR`) plus `path-lock`, both created owner-only.
///
/// `@unchecked Sendable` is sound: an `MDB_env` may be shared by threads (LMDB's own rule);
/// the pool and the queue synchronise themselves; every other property is immutable.
final class LMDBStorage: StorageEngine, @unchecked Sendable {
    let path: String
    private let canonicalPath: String
    private let env: OpaquePointer
    private let dbi: MDB_dbi
    private let database: LMDBDatabase
    private let configuration: LMDBConfiguration
    private let readers: LMDBReaderPool
    private let writer: LMDBWriteQueue
    private let isClosed = Atomic(false)

    /// Paths open in this process: LMDB must not open one environment twice in a process
    /// (closing either would drop the other's file locks).
    private static let openPaths = Mutex(Set<String>())

    init(path: String, configuration: LMDBConfiguration) throws {
        let canonical = try LMDBStorage.canonicalize(path)
        try LMDBStorage.openPaths.withLock { paths in
            guard paths.insert(canonical).inserted else {
                throw KVTableError.storage("The store at \(path) is already open in this process; share the open KVStore instead")
            }
        }
        var envOut: OpaquePointer?
        var rc = mdb_env_create(&envOut)
        guard rc == 0, let env = envOut else {
            LMDBStorage.openPaths.withLock { _ = $0.remove(canonical) }
            throw lmdbError(rc, "env_create")
        }
        func fail(_ rc: Int32, _ operation: StaticString) -> KVTableError {
            mdb_env_close(env)
            LMDBStorage.openPaths.withLock { _ = $0.remove(canonical) }
            return lmdbError(rc, operation)
        }
        rc = mdb_env_set_mapsize(env, max(configuration.initialMapSize, 1 << 20))
        if rc != 0 { throw fail(rc, "env_set_mapsize") }
        rc = mdb_env_set_maxreaders(env, UInt32(max(configuration.maxReaders, 8)))
        if rc != 0 { throw fail(rc, "env_set_maxreaders") }
        var flags = UInt32(MDB_NOSUBDIR | MDB_NOTLS)
        switch configuration.durability {
        case .durable: break
        case .noMetaSync: flags |= UInt32(MDB_NOMETASYNC)
        case .noSync: flags |= UInt32(MDB_NOSYNC)
        }
        rc = mdb_env_open(env, path, flags, 0o600)
        if rc != 0 { throw fail(rc, "env_open") }
        // Slots left by crashed processes pin old pages and fill the reader table.
        var dead: Int32 = 0
        mdb_reader_check(env, &dead)

        // Open the one database once, in a transaction that commits (LMDB's rule for DBIs).
        var txn: OpaquePointer?
        rc = mdb_txn_begin(env, nil, 0, &txn)
        if rc != 0 { throw fail(rc, "txn_begin") }
        var handle = MDB_dbi()
        rc = mdb_dbi_open(txn, nil, 0, &handle)
        if rc != 0 {
            mdb_txn_abort(txn)
            throw fail(rc, "dbi_open")
        }
        rc = mdb_txn_commit(txn)
        if rc != 0 { throw fail(rc, "txn_commit") }

        self.path = path
        self.canonicalPath = canonical
        self.env = env
        self.dbi = handle
        self.database = LMDBDatabase(dbi: handle, configuration: configuration)
        self.configuration = configuration
        let gate = ConditionLock()
        self.readers = LMDBReaderPool(env: env, limit: configuration.maxReaders - 2, writerGate: gate)
        self.writer = LMDBWriteQueue(env: env, database: database, configuration: configuration, readers: readers, gate: gate)
        do {
            try writer.start()
        } catch {
            throw fail(0, "writer thread start")
        }
    }

    deinit {
        close()
    }

    func read<R>(_ body: (any StorageReader) throws -> R) throws -> R {
        let txn = try readers.acquire()
        defer { readers.release(txn) }
        return try body(LMDBTransaction(txn: txn, database: database))
    }

    /// One transaction per reader, all on the same snapshot: each extra one is started right
    /// after the first and kept only when `mdb_txn_id` shows it sees the same commit. A commit
    /// in between (rare: a renew takes nanoseconds) restarts them, a few times, before the read
    /// goes on with the readers that agree. Extra readers never wait for a slot in the pool.
    func read<R>(sharing count: Int, _ body: ([any StorageReader]) throws -> R) throws -> R {
        var txns: [OpaquePointer] = []
        defer { for txn in txns { readers.release(txn) } }
        for attempt in 1...4 {
            txns = [try readers.acquire()]
            let snapshot = mdb_txn_id(txns[0])
            while txns.count < count, let extra = try readers.acquireIfFree() {
                txns.append(extra)
                guard mdb_txn_id(extra) == snapshot else { break }
            }
            // Only the last one can disagree: the loop stops at the first that does.
            guard let last = txns.last, mdb_txn_id(last) != snapshot else { break }
            readers.release(txns.removeLast())
            if attempt == 4 { break }
            for txn in txns { readers.release(txn) }
            txns.removeAll()
        }
        return try body(txns.map { LMDBTransaction(txn: $0, database: database) })
    }

    func write<R: Sendable>(_ body: @escaping @Sendable (any StorageWriter) throws -> R,
                            afterCommit: (@Sendable (R) -> Void)?) async throws -> R {
        // The writer is idle: commit on this thread, without a hand-off.
        if let outcome = writeInline(body, afterCommit: afterCommit) { return try outcome.get() }
        let slot = ResultSlot<R>()
        return try await withCheckedThrowingContinuation { continuation in
            let request = LMDBWriteQueue.Request(
                body: { transaction in slot.set(try body(transaction)) },
                committed: { afterCommit?(slot.peek()) },
                finish: { error in
                    if let error {
                        continuation.resume(throwing: error)
                    } else {
                        continuation.resume(returning: slot.take())
                    }
                })
            do {
                try writer.submit(request)
            } catch {
                continuation.resume(throwing: error)
            }
        }
    }

    func writeSynchronously<R: Sendable>(_ body: @escaping @Sendable (any StorageWriter) throws -> R,
                                         afterCommit: (@Sendable (R) -> Void)?) throws -> R {
        if let outcome = writeInline(body, afterCommit: afterCommit) { return try outcome.get() }
        // The writer is busy: join its next batch and block this thread until it commits.
        let slot = ResultSlot<R>()
        let done = WriteCompletion()
        let request = LMDBWriteQueue.Request(
            body: { transaction in slot.set(try body(transaction)) },
            committed: { afterCommit?(slot.peek()) },
            finish: { error in done.complete(error) })
        try writer.submit(request)
        if let error = done.wait() { throw error }
        return slot.take()
    }

    /// Commits `body` on the calling thread when the writer is idle; nil when it is not (the
    /// body has not run then).
    private func writeInline<R: Sendable>(_ body: @escaping @Sendable (any StorageWriter) throws -> R,
                                          afterCommit: (@Sendable (R) -> Void)?) -> Result<R, any Error>? {
        guard !isClosed.load(ordering: .acquiring) else { return .failure(KVTableError.storage("The store is closed")) }
        let slot = ResultSlot<R>()
        let failure = Mutex<(any Error)?>(nil)
        let request = LMDBWriteQueue.Request(
            body: { transaction in slot.set(try body(transaction)) },
            committed: { afterCommit?(slot.peek()) },
            finish: { error in failure.withLock { $0 = error } })
        guard writer.commitInline(request) else { return nil }
        if let error = failure.withLock({ $0 }) { return .failure(error) }
        return .success(slot.take())
    }

    func close() {
        guard !isClosed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        writer.stop()      // commits what was queued, then the thread ends
        readers.close()    // waits for running reads
        mdb_env_close(env)
        LMDBStorage.openPaths.withLock { _ = $0.remove(canonicalPath) }
    }

    /// The environment and database handles, for same-environment baselines.
    var rawHandles: (environment: OpaquePointer, database: UInt32) { (env, dbi) }

    /// LMDB write transactions committed since open; fewer than the writes when group
    /// commit batches them.
    var commitCount: Int { writer.commits.load(ordering: .relaxed) }

    func backup(to path: String) throws {
        guard !isClosed.load(ordering: .acquiring) else { throw KVTableError.storage("The store is closed") }
        guard access(path, F_OK) != 0 else {
            throw KVTableError.validation("The backup file already exists: \(path)")
        }
        let rc = mdb_env_copy2(env, path, UInt32(MDB_CP_COMPACT))
        guard rc == 0 else {
            throw KVTableError.storage("Backup to \(path) failed: \(String(cString: mdb_strerror(rc))) (\(rc))")
        }
    }

    func fileSizes() -> StorageFileSizes? {
        var status = stat()
        let fileBytes = stat(path, &status) == 0 ? Int(status.st_size) : 0
        let (mapSize, used) = mapInfo()
        return StorageFileSizes(fileBytes: fileBytes, mapBytes: mapSize, usedBytes: used)
    }

    /// Size of the map now (it grows by itself) and of the data in it.
    func mapInfo() -> (mapSize: Int, usedBytes: Int) {
        var info = MDB_envinfo()
        var stat = MDB_stat()
        mdb_env_info(env, &info)
        mdb_env_stat(env, &stat)
        return (info.me_mapsize, (info.me_last_pgno + 1) * Int(stat.ms_psize))
    }

    /// The absolute path with symbolic links of the directory resolved, so that two spellings
    /// of one file are recognised as the same store.
    private static func canonicalize(_ path: String) throws -> String {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        guard !name.isEmpty else {
            throw KVTableError.validation("A store path must name a file, not a directory: \(path)")
        }
        guard let resolved = realpath(directory.isEmpty ? "/" : directory, nil) else {
            throw KVTableError.storage("The directory of the store path does not exist: \(directory)")
        }
        defer { free(resolved) }
        return String(cString: resolved) + "/" + name
    }
}

/// A blocked caller of ``LMDBStorage/writeSynchronously(_:afterCommit:)`` waiting for the
/// writer thread to finish its request.
final class WriteCompletion: @unchecked Sendable {
    // @unchecked Sendable is sound: `finished` and `error` are touched only with `lock` held.
    private let lock = ConditionLock()
    private var finished = false
    private var error: (any Error)?

    func complete(_ error: (any Error)?) {
        lock.withLock {
            self.error = error
            finished = true
            lock.broadcast()
        }
    }

    /// Blocks until ``complete(_:)``; returns its error.
    func wait() -> (any Error)? {
        lock.withLock {
            while !finished { lock.wait() }
            return error
        }
    }
}

/// Carries a write body's result from the writer thread to the resumed caller.
/// The writer stores it before `finish`; the caller takes it after resuming.
final class ResultSlot<R: Sendable>: Sendable {
    private let value = Mutex<R?>(nil)

    func set(_ result: R) { value.withLock { $0 = result } }

    func peek() -> R {
        value.withLock { $0! }
    }

    func take() -> R {
        value.withLock { $0.take()! }
    }
}

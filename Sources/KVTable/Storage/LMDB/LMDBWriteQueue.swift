import CLMDB
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one thread that writes to an LMDB environment, with group commit — and the shortcut
/// past it when nothing competes.
///
/// LMDB's write transaction holds a mutex owned by the OS thread that began it, so a write
/// transaction must begin and end on one thread and never span an `await`. Two ways in:
///
/// - **Inline** (``commitInline(_:)``): when no batch is being committed and nothing is
///   queued, the caller's own thread takes the writer's place and runs its one request in a
///   transaction from begin to commit, synchronously. No thread wakes up, so a lone write
///   costs its transaction and nothing else.
/// - **Queued** (``submit(_:)``): otherwise the caller hands its body over and suspends; the
///   writer thread takes every queued request (up to `maxWritesPerCommit`), runs them one after
///   another in one transaction, commits it once (one pair of device flushes for the whole
///   batch), and then resumes the callers. Under contention, writes therefore still share
///   commits.
///
/// `committing` makes the two exclusive: one batch at a time, in commit order.
///
/// Each request still succeeds or fails on its own. A body that throws before writing anything
/// (a failed condition, a validation error) simply fails. A body that throws *after* writing
/// would leave partial changes, so the writer aborts the transaction and replays the batch
/// without it. (Nested LMDB transactions would isolate bodies too, but each costs LMDB a 2 MB
/// dirty-page list; failures after a write are rare, so replaying is far cheaper.)
///
/// Capacity errors are handled here: `MDB_MAP_FULL` aborts the batch, doubles the map (with
/// readers kept out) and replays it; `MDB_TXN_FULL` commits the requests before the one that
/// overflowed on their own and carries the rest into the next transaction.
///
/// `@unchecked Sendable` is sound: `pending`, `committing` and `stopping` are touched only with
/// `lock` held;
/// everything else is immutable, and LMDB handles are used only on the writer thread.
final class LMDBWriteQueue: @unchecked Sendable {
    struct Request: Sendable {
        /// Runs the caller's body and stores its result; may run more than once (replay).
        let body: @Sendable (LMDBTransaction) throws -> Void
        /// Runs after the commit that made this request durable, in commit order.
        let committed: @Sendable () -> Void
        /// Resumes the caller: nil for success.
        let finish: @Sendable ((any Error)?) -> Void
    }

    private let env: OpaquePointer
    private let database: LMDBDatabase
    private let configuration: LMDBConfiguration
    private let readers: LMDBReaderPool
    /// Held around each batch, so that a reader adopting another process's map growth can
    /// keep this thread out.
    let gate: ConditionLock

    private let lock = ConditionLock()
    private var pending: [Request] = []
    /// A batch is being committed, by the writer thread or inline by a caller.
    private var committing = false
    private var stopping = false
    private var thread: pthread_t?
    /// LMDB transactions committed so far (each may carry many requests).
    let commits = Atomic(0)

    init(env: OpaquePointer, database: LMDBDatabase, configuration: LMDBConfiguration,
         readers: LMDBReaderPool, gate: ConditionLock) {
        self.env = env
        self.database = database
        self.configuration = configuration
        self.readers = readers
        self.gate = gate
    }

    func start() throws {
        var handle = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        let rc = pthread_create(&handle, nil, { context in
            #if canImport(Darwin)
            let queue = Unmanaged<LMDBWriteQueue>.fromOpaque(context).takeRetainedValue()
            #else
            let queue = Unmanaged<LMDBWriteQueue>.fromOpaque(context!).takeRetainedValue()
            #endif
            queue.run()
            return nil
        }, context)
        guard rc == 0 else {
            Unmanaged<LMDBWriteQueue>.fromOpaque(context).release()
            throw KVTableError.storage("Could not start the LMDB writer thread (error \(rc))")
        }
        thread = handle
    }

    /// Queues a request; throws once the queue is stopping.
    func submit(_ request: Request) throws {
        try lock.withLock {
            if stopping { throw KVTableError.storage("The store is closed") }
            pending.append(request)
            lock.broadcast()
        }
    }

    /// Runs `request` on the calling thread, begin to commit, when the writer is idle and
    /// nothing is queued; returns false (running nothing) otherwise, and the caller then
    /// submits it. `request.finish` has been called when this returns true.
    func commitInline(_ request: Request) -> Bool {
        let claimed = lock.withLock {
            guard !committing, pending.isEmpty, !stopping else { return false }
            committing = true
            return true
        }
        guard claimed else { return false }
        gate.withLock { commit([request][...]) }
        lock.withLock {
            committing = false
            // Wake the writer only if it has something to do: what was queued meanwhile, or
            // stop(). (An idle writer woken for nothing costs this caller a futex call.)
            if !pending.isEmpty || stopping { lock.broadcast() }
        }
        return true
    }

    /// Lets the thread finish what is queued, then joins it.
    func stop() {
        let handle: pthread_t? = lock.withLock {
            stopping = true
            lock.broadcast()
            defer { thread = nil }
            return thread
        }
        if let handle { pthread_join(handle, nil) }
    }

    // MARK: The writer thread

    private func run() {
        while true {
            lock.lock()
            while committing || (pending.isEmpty && !stopping) { lock.wait() }
            if pending.isEmpty {   // stopping, and nothing left to do
                lock.unlock()
                return
            }
            let count = min(pending.count, configuration.maxWritesPerCommit)
            let batch = Array(pending.prefix(count))
            pending.removeFirst(count)
            committing = true
            lock.unlock()
            gate.withLock { commit(batch[...]) }
            lock.withLock { committing = false }
        }
    }

    private enum BatchOutcome {
        case complete
        case growMap
        /// The request at this index overflowed the transaction.
        case split(Int)
        /// The request at this index threw after writing: replay the batch without it.
        case dirtyFailure(Int, any Error)
    }

    private func commit(_ batch: ArraySlice<Request>) {
        var remaining = batch
        var growths = 0
        while !remaining.isEmpty {
            var parent: OpaquePointer?
            var rc = mdb_txn_begin(env, nil, 0, &parent)
            if rc == MDB_MAP_RESIZED {
                // Another process grew the map.
                rc = readers.excludeReaders { mdb_env_set_mapsize(env, 0) }
                if rc == 0 { rc = mdb_txn_begin(env, nil, 0, &parent) }
            }
            guard rc == 0, let parent else {
                let error = lmdbError(rc, "txn_begin (write)")
                remaining.forEach { $0.finish(error) }
                return
            }
            var errors = [(any Error)?](repeating: nil, count: remaining.count)
            var outcome = BatchOutcome.complete
            for (offset, request) in remaining.enumerated() {
                let tracker = WriteTracker()
                do {
                    try request.body(transaction(parent, tracker: tracker))
                } catch LMDBCapacityError.mapFull {
                    outcome = .growMap
                    break
                } catch LMDBCapacityError.transactionFull {
                    outcome = .split(offset)
                    break
                } catch {
                    if tracker.wrote {
                        outcome = .dirtyFailure(offset, error)
                        break
                    }
                    errors[offset] = error
                }
            }
            switch outcome {
            case .growMap:
                mdb_txn_abort(parent)
                growths += 1
                if let error = growMap(attempt: growths) {
                    remaining.forEach { $0.finish(error) }
                    return
                }
                continue   // replay the whole batch in a bigger map
            case .dirtyFailure(let index, let error):
                mdb_txn_abort(parent)
                let failed = remaining.index(remaining.startIndex, offsetBy: index)
                remaining[failed].finish(error)
                remaining.remove(at: failed)
                continue   // replay the others
            case .split(0):
                // One request alone is larger than an LMDB transaction can hold.
                mdb_txn_abort(parent)
                remaining.first!.finish(KVTableError.validation(
                    "The write is too large for one transaction; split it into smaller writes"))
                remaining = remaining.dropFirst()
                continue
            case .split(let index):
                // The overflowing request's partial writes are in this transaction: abort it,
                // commit the requests before it on their own, and carry on with the rest.
                mdb_txn_abort(parent)
                commit(remaining.prefix(index))
                remaining = remaining.dropFirst(index)
            case .complete:
                rc = mdb_txn_commit(parent)
                if rc == MDB_MAP_FULL {
                    growths += 1
                    if let error = growMap(attempt: growths) {
                        remaining.forEach { $0.finish(error) }
                        return
                    }
                    continue
                }
                if rc == 0 { commits.add(1, ordering: .relaxed) }
                finish(remaining, errors: errors, commitCode: rc)
                remaining = []
            }
        }
    }

    private func finish(_ requests: ArraySlice<Request>, errors: [(any Error)?], commitCode: Int32) {
        let commitError: KVTableError? = commitCode == 0 ? nil : lmdbError(commitCode, "txn_commit")
        if commitError == nil {
            for (offset, request) in requests.enumerated() where errors[offset] == nil {
                request.committed()
            }
        }
        for (offset, request) in requests.enumerated() {
            request.finish(commitError ?? errors[offset])
        }
    }

    private func transaction(_ txn: OpaquePointer, tracker: WriteTracker) -> LMDBTransaction {
        LMDBTransaction(txn: txn, database: database,
                        writeTracker: tracker)
    }

    /// Doubles the map with every reader kept out; returns an error when it cannot.
    private func growMap(attempt: Int) -> KVTableError? {
        guard attempt <= 40 else { return .storage("The database map could not be grown enough for this write") }
        var info = MDB_envinfo()
        mdb_env_info(env, &info)
        let newSize = info.me_mapsize * 2
        let rc = readers.excludeReaders { mdb_env_set_mapsize(env, newSize) }
        return rc == 0 ? nil : lmdbError(rc, "env_set_mapsize")
    }
}

import Synchronization

/// What all handles of one table share within a process.
///
/// The description changes only when an index is added or removed (``KVStore/updateTable``):
/// that write replaces it on the writer thread inside its transaction, so every later write
/// body — in the same group commit or after — maintains exactly the committed indexes.
final class TableState: Sendable {
    private struct Current: Sendable {
        var description: TableDescription
        var layout: TableLayout
    }

    private let current: Mutex<Current>
    private let ttl: Mutex<String?>
    private let dropped = Atomic(false)
    /// The most bytes one item collection may hold (``StoreContext/itemCollectionSizeLimit``).
    let itemCollectionSizeLimit: Int

    init(_ description: TableDescription, itemCollectionSizeLimit: Int) {
        self.itemCollectionSizeLimit = itemCollectionSizeLimit
        self.current = Mutex(Current(description: description, layout: description.layout))
        self.ttl = Mutex(description.timeToLiveAttribute)
    }

    var description: TableDescription { current.withLock { $0.description } }
    var layout: TableLayout { current.withLock { $0.layout } }

    /// Installs a changed description (new indexes, tags).
    func replaceDescription(_ description: TableDescription) {
        current.withLock { $0 = Current(description: description, layout: description.layout) }
    }

    var name: String { layout.schema.name }

    /// The TTL attribute as this process last committed or loaded it (reads use it; writes
    /// read the committed one inside their transaction).
    var timeToLiveAttribute: String? {
        get { ttl.withLock { $0 } }
        set { ttl.withLock { $0 = newValue } }
    }

    var isDropped: Bool { dropped.load(ordering: .relaxed) }
    func markDropped() { dropped.store(true, ordering: .relaxed) }

    func checkNotDropped() throws(KVTableError) {
        if isDropped { throw .resourceNotFound("Requested resource not found: Table: \(name) not found") }
    }
}

/// What every table of one store shares.
final class StoreContext: Sendable {
    let storage: any StorageEngine
    let changes = ChangeHub()
    let time: any TimeSource
    /// DynamoDB's 10 GB limit on an item collection of a table with local secondary indexes;
    /// smaller only in tests, which cannot write 10 GB.
    let itemCollectionSizeLimit: Int

    static let defaultItemCollectionSizeLimit = 10 << 30

    init(storage: any StorageEngine, time: any TimeSource, itemCollectionSizeLimit: Int = StoreContext.defaultItemCollectionSizeLimit) {
        self.storage = storage
        self.time = time
        self.itemCollectionSizeLimit = itemCollectionSizeLimit
    }

    /// Ends change streams and closes the storage (idempotent).
    func close() {
        changes.finishAll()
        storage.close()
    }

    deinit {
        close()
    }

    /// Runs `body` in a write transaction and publishes the changes it recorded after the
    /// commit, in commit order.
    func write<R: Sendable>(_ body: @escaping @Sendable (inout ChangeLog) throws -> R) async throws -> R {
        let hub = changes
        return try await storage.write(logged(body), afterCommit: { hub.publish($0.changes) }).value
    }

    /// ``write(_:)`` on the calling thread, which may block: inline when the writer is idle,
    /// otherwise waiting for the group commit it joins.
    func writeSynchronously<R: Sendable>(_ body: @escaping @Sendable (inout ChangeLog) throws -> R) throws -> R {
        let hub = changes
        return try storage.writeSynchronously(logged(body), afterCommit: { hub.publish($0.changes) }).value
    }

    /// A storage body running `body` with a change log, returning its value and the changes.
    private func logged<R: Sendable>(_ body: @escaping @Sendable (inout ChangeLog) throws -> R)
        -> @Sendable (any StorageWriter) throws -> Logged<R> {
        { writer in
            var log = ChangeLog(writer: writer)
            let value = try body(&log)
            return Logged(value: value, changes: log.changes)
        }
    }

    private struct Logged<R: Sendable>: Sendable {
        let value: R
        let changes: [PendingChange]
    }
}

/// A write transaction plus the changes recorded in it so far.
struct ChangeLog {
    let writer: any StorageWriter
    var changes: [PendingChange] = []
}

import Synchronization

/// The in-memory backend: no files, the same semantics as LMDB, for users' unit tests.
///
/// Threads: readers copy the committed ``SortedKeyValues`` (O(1), copy-on-write) under a short
/// lock and read it lock-free. Writers are serialised by `writerLock` and run their body on the
/// calling thread against a private copy, which replaces the committed state only if the body
/// returns — so a throwing body leaves nothing behind.
final class MemoryStorage: StorageEngine {
    private let committed = Mutex(SortedKeyValues())
    private let writerLock = Mutex(false)   // true once closed
    private let isClosed = Atomic(false)
    /// Fault injection for tests of failure handling above the store (retries, re-queueing):
    /// while positive, each write fails with a storage error and decrements it.
    let injectedWriteFailures = Mutex(0)

    init() {}

    func read<R>(_ body: (any StorageReader) throws -> R) throws -> R {
        guard !isClosed.load(ordering: .acquiring) else { throw KVTableError.storage("The store is closed") }
        let snapshot = committed.withLock { $0 }
        return try body(MemoryReader(entries: snapshot))
    }

    /// Every reader reads the same immutable copy-on-write snapshot.
    func read<R>(sharing count: Int, _ body: ([any StorageReader]) throws -> R) throws -> R {
        try read { reader in try body(Array(repeating: reader, count: max(1, count))) }
    }

    func write<R: Sendable>(_ body: @escaping @Sendable (any StorageWriter) throws -> R,
                            afterCommit: (@Sendable (R) -> Void)?) async throws -> R {
        try writeNow(body, afterCommit: afterCommit)
    }

    func writeSynchronously<R: Sendable>(_ body: @escaping @Sendable (any StorageWriter) throws -> R,
                                         afterCommit: (@Sendable (R) -> Void)?) throws -> R {
        try writeNow(body, afterCommit: afterCommit)
    }

    /// The synchronous core of ``write(_:afterCommit:)``: the body runs on the calling thread.
    func writeNow<R>(_ body: (any StorageWriter) throws -> R, afterCommit: ((R) -> Void)? = nil) throws -> R {
        try writerLock.withLock { closed in
            if closed { throw KVTableError.storage("The store is closed") }
            let inject = injectedWriteFailures.withLock { remaining -> Bool in
                guard remaining > 0 else { return false }
                remaining -= 1
                return true
            }
            if inject { throw KVTableError.storage("Injected write failure") }
            let writer = MemoryWriter(entries: committed.withLock { $0 })
            let result = try body(writer)
            let final = writer.entries
            committed.withLock { $0 = final }
            afterCommit?(result)   // still under the writer lock: commit order
            return result
        }
    }

    func backup(to path: String) throws {
        throw KVTableError.validation("Only an LMDB store can be backed up to a file; this store is in memory")
    }

    func fileSizes() -> StorageFileSizes? { nil }

    func close() {
        isClosed.store(true, ordering: .releasing)
        writerLock.withLock { $0 = true }
        committed.withLock { $0 = SortedKeyValues() }
    }
}

private struct MemoryReader: StorageReader {
    let entries: SortedKeyValues

    func withValue<R>(forKey key: [UInt8], _ body: (UnsafeRawBufferPointer?) throws -> R) throws -> R {
        guard let value = entries.value(forKey: key) else { return try body(nil) }
        return try value.withUnsafeBytes { try body($0) }
    }

    func scan(_ range: KeyRange, reverse: Bool,
              _ visit: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Bool) throws {
        try entries.forEach(in: range, reverse: reverse) { entry in
            try entry.key.withUnsafeBytes { key in
                try entry.value.withUnsafeBytes { value in try visit(key, value) }
            }
        }
    }

    /// The stored array itself: values are immutable arrays here, so sharing one is a copy.
    func value(forKey key: [UInt8]) throws -> [UInt8]? {
        entries.value(forKey: key)
    }

    func scanValues(_ range: KeyRange, reverse: Bool,
                    _ visit: (UnsafeRawBufferPointer, UnsafeRawBufferPointer, () -> [UInt8]) throws -> Bool) throws {
        try entries.forEach(in: range, reverse: reverse) { entry in
            try entry.key.withUnsafeBytes { key in
                try entry.value.withUnsafeBytes { value in try visit(key, value) { entry.value } }
            }
        }
    }
}

/// The private copy a write transaction changes. Used by one thread, inside `writeNow`.
private final class MemoryWriter: StorageWriter {
    var entries: SortedKeyValues

    init(entries: SortedKeyValues) {
        self.entries = entries
    }

    func withValue<R>(forKey key: [UInt8], _ body: (UnsafeRawBufferPointer?) throws -> R) throws -> R {
        try MemoryReader(entries: entries).withValue(forKey: key, body)
    }

    func scan(_ range: KeyRange, reverse: Bool,
              _ visit: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Bool) throws {
        try MemoryReader(entries: entries).scan(range, reverse: reverse, visit)
    }

    func value(forKey key: [UInt8]) throws -> [UInt8]? {
        entries.value(forKey: key)
    }

    func scanValues(_ range: KeyRange, reverse: Bool,
                    _ visit: (UnsafeRawBufferPointer, UnsafeRawBufferPointer, () -> [UInt8]) throws -> Bool) throws {
        try MemoryReader(entries: entries).scanValues(range, reverse: reverse, visit)
    }

    func put(_ value: [UInt8], forKey key: [UInt8]) throws {
        entries.set(value, forKey: key)
    }

    func insert(_ value: [UInt8], forKey key: [UInt8]) throws -> Bool {
        entries.insert(value, forKey: key)
    }

    func delete(_ key: [UInt8]) throws -> Bool {
        entries.remove(key)
    }
}

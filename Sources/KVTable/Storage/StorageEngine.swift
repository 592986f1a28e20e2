#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The storage layer: an ordered map of byte strings to byte strings, read through consistent
/// snapshots and changed through atomic write transactions.
///
/// This is all a backend implements. Tables, items, key encoding, indexes, conditions and
/// queries live above it (in `Table/`, `Expressions/`, `Keys/`) and are written once for every
/// backend. Keys may be of any length; a backend with a key-size limit (LMDB: 511 bytes) maps
/// long keys itself without changing their order.
protocol StorageEngine: Sendable {
    /// Runs `body` on the calling thread against a consistent snapshot.
    ///
    /// Buffers handed out by the reader are valid only inside `body`: copy or decode them there.
    func read<R>(_ body: (any StorageReader) throws -> R) throws -> R

    /// Runs `body` with up to `count` readers of one and the same snapshot, so that as many
    /// threads can read it at once — each reader used by one thread at a time.
    ///
    /// Fewer readers (at least one) come when the snapshot cannot be shared that widely: LMDB
    /// gives each reader its own transaction, and when commits keep landing between the starts
    /// of two of them, or the reader table is nearly full, the read goes on with fewer. The
    /// buffers rule of ``read(_:)`` holds.
    func read<R>(sharing count: Int, _ body: ([any StorageReader]) throws -> R) throws -> R

    /// Runs `body` in a write transaction and commits it.
    ///
    /// The body is synchronous: it never spans an `await`. It succeeds or fails on its own —
    /// when it throws, nothing it wrote is kept — even where the backend commits several
    /// callers' bodies together (LMDB's group commit). A body may run more than once (LMDB
    /// replays a batch after growing its map), so it must not have side effects outside the
    /// transaction other than its return value.
    ///
    /// `afterCommit`, when given, runs with the body's result right after the commit and
    /// before the caller resumes, on the writer, in commit order — the place to publish what
    /// the transaction did. It must be quick and must not throw or block.
    func write<R: Sendable>(_ body: @escaping @Sendable (any StorageWriter) throws -> R,
                            afterCommit: (@Sendable (R) -> Void)?) async throws -> R

    /// ``write(_:afterCommit:)`` for a caller on a thread that may block: the body runs on
    /// this thread when the writer is idle, and otherwise joins the next group commit while
    /// this thread waits. Never call it from a task on the cooperative pool while holding
    /// something the writer needs.
    func writeSynchronously<R: Sendable>(_ body: @escaping @Sendable (any StorageWriter) throws -> R,
                                         afterCommit: (@Sendable (R) -> Void)?) throws -> R

    /// Releases files and threads. Later calls throw ``KVTableError/storage(_:)``.
    func close()

    /// Writes a compacted copy of the store (free pages dropped) to a new file at `path`,
    /// from one consistent snapshot, while reads and writes go on.
    func backup(to path: String) throws

    /// The store file's size, its map size and the bytes in use; nil for memory stores.
    func fileSizes() -> StorageFileSizes?
}

/// How big an LMDB store is on disk and in memory.
public struct StorageFileSizes: Sendable, Hashable {
    /// The data file's size in bytes.
    public var fileBytes: Int
    /// The memory map's current size (it grows by itself).
    public var mapBytes: Int
    /// The bytes of the map in use (up to the last page written).
    public var usedBytes: Int
}

/// A half-open range of keys: `lower ≤ key < upper` (`upper == nil`: no upper bound).
struct KeyRange: Sendable, Equatable {
    var lower: [UInt8]
    var upper: [UInt8]?

    /// Every key that starts with `prefix`.
    static func prefix(_ prefix: [UInt8]) -> KeyRange {
        KeyRange(lower: prefix, upper: KeyEncoding.prefixEnd(prefix))
    }

    func contains(_ key: UnsafeRawBufferPointer) -> Bool {
        guard compareBytes(key, lower) >= 0 else { return false }
        guard let upper else { return true }
        return compareBytes(key, upper) < 0
    }
}

/// Read access to one snapshot.
protocol StorageReader {
    /// Calls `body` with the value stored at `key` (nil when absent); the buffer is valid only
    /// during the call.
    func withValue<R>(forKey key: [UInt8], _ body: (UnsafeRawBufferPointer?) throws -> R) throws -> R

    /// Visits the entries of `range` in key order (descending when `reverse`), until `visit`
    /// returns false. Buffers are valid only during each call.
    func scan(_ range: KeyRange, reverse: Bool,
              _ visit: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> Bool) throws

    /// The value stored at `key` as an array the caller owns: a copy out of the snapshot, or —
    /// for a backend that keeps values as arrays — the stored array itself, shared, not copied.
    func value(forKey key: [UInt8]) throws -> [UInt8]?

    /// ``scan(_:reverse:_:)`` that can also hand out each value as an array the caller owns:
    /// `owned` makes one (see ``value(forKey:)``) — call it only for the entries you keep.
    func scanValues(_ range: KeyRange, reverse: Bool,
                    _ visit: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer,
                              _ owned: () -> [UInt8]) throws -> Bool) throws
}

/// Write access inside a write transaction; reads see the transaction's own writes.
protocol StorageWriter: StorageReader {
    func put(_ value: [UInt8], forKey key: [UInt8]) throws
    /// Stores `value` at `key` only when `key` is absent; returns whether it did. One B-tree
    /// descent where the backend can (LMDB: `MDB_NOOVERWRITE`): the lookup and the write of a
    /// bulk insert are the same operation.
    func insert(_ value: [UInt8], forKey key: [UInt8]) throws -> Bool
    /// Removes `key`; returns whether it was present.
    @discardableResult
    func delete(_ key: [UInt8]) throws -> Bool
}

extension StorageEngine {
    func write<R: Sendable>(_ body: @escaping @Sendable (any StorageWriter) throws -> R) async throws -> R {
        try await write(body, afterCommit: nil)
    }
}

extension StorageReader {
    /// A copy of the value at `key`: the default for backends whose buffers point into a map.
    func value(forKey key: [UInt8]) throws -> [UInt8]? {
        try withValue(forKey: key) { buffer in buffer.map { Array($0) } }
    }

    /// Owned values are copies: the default for backends whose buffers point into a map.
    func scanValues(_ range: KeyRange, reverse: Bool,
                    _ visit: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer,
                              _ owned: () -> [UInt8]) throws -> Bool) throws {
        try scan(range, reverse: reverse) { key, value in try visit(key, value) { Array(value) } }
    }
}

/// Unsigned lexicographic comparison: -1, 0 or 1.
@inline(__always)
func compareBytes(_ lhs: UnsafeRawBufferPointer, _ rhs: UnsafeRawBufferPointer) -> Int {
    let common = min(lhs.count, rhs.count)
    // Attribute names are short and mostly differ early: a loop beats a call to memcmp.
    if common <= 16 {
        for i in 0..<common where lhs[i] != rhs[i] { return lhs[i] < rhs[i] ? -1 : 1 }
    } else {
        let result = memcmp(lhs.baseAddress!, rhs.baseAddress!, common)
        if result != 0 { return result < 0 ? -1 : 1 }
    }
    return lhs.count == rhs.count ? 0 : (lhs.count < rhs.count ? -1 : 1)
}

@inline(__always)
func compareBytes(_ lhs: UnsafeRawBufferPointer, _ rhs: [UInt8]) -> Int {
    rhs.withUnsafeBytes { compareBytes(lhs, $0) }
}

@inline(__always)
func compareBytes(_ lhs: [UInt8], _ rhs: [UInt8]) -> Int {
    lhs.withUnsafeBytes { l in rhs.withUnsafeBytes { r in compareBytes(l, r) } }
}

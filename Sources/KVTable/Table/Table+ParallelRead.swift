import Dispatch
import Synchronization

/// Which share of a parallel read a thread has: part `index` of `count`
/// (see ``Table/read(inParallel:_:)``).
public struct ReadPart: Sendable, Hashable {
    /// 0 ..< `count`.
    public var index: Int
    /// How many parts the read has (at most as many as asked for).
    public var count: Int
}

extension Table {
    /// Runs `body` on up to `parts` threads at once, each with its own ``TableReader`` of one
    /// and the same snapshot, and returns each part's result in part order — for passes over
    /// more items than one core reads quickly (a day of analytics events, an export, a check).
    ///
    /// ```swift
    /// // A partition's items with sort keys below "N" and from "N" on, read on two cores.
    /// let halves: [SortKeyCondition] = [.lessThan("N"), .greaterThanOrEqual("N")]
    /// let counts = try table.read(inParallel: 2) { reader, part in
    ///     var count = 0
    ///     // Part i of n takes halves i, i + n, …: all of them when the read got one part.
    ///     for half in stride(from: part.index, to: halves.count, by: part.count) {
    ///         try reader.forEachItem(Query(partitionKey: "P", sortKey: halves[half])) { _ in count += 1 }
    ///     }
    ///     return count
    /// }
    /// ```
    ///
    /// Each part sees exactly the same items. Split the work by key range (``Query/sortKey``)
    /// so that each part reads only its share: splitting by item after reading them all saves
    /// nothing. `part.count` may be smaller than `parts` — LMDB gives every part a read
    /// transaction of its own, and when commits keep landing between their starts, or the
    /// store's reader table is nearly full, the read goes on with the parts that share a
    /// snapshot — so divide the work by `part.count`, never by `parts`.
    ///
    /// Threads: part 0 runs on the calling thread, the others on Dispatch's worker threads;
    /// the call returns when every part has. When parts throw, the first error (in part order)
    /// is rethrown.
    public func read<R: Sendable>(inParallel parts: Int, _ body: @Sendable (TableReader, ReadPart) throws -> R) throws -> [R] {
        guard parts >= 1 else { throw KVTableError.validation("A parallel read needs at least 1 part, not \(parts)") }
        try state.checkNotDropped()
        let ttl = state.timeToLiveAttribute
        let now = ttl == nil ? ExactDecimal.zero : context.time.epochSeconds
        let layout = self.layout
        return try context.storage.read(sharing: parts) { readers in
            let shared = SharedSnapshot(readers: readers.map { TableReader(layout: layout, reader: $0, ttlAttribute: ttl, now: now) })
            let results = Mutex([Result<R, any Error>?](repeating: nil, count: readers.count))
            DispatchQueue.concurrentPerform(iterations: readers.count) { index in
                let result = Result { try body(shared.readers[index], ReadPart(index: index, count: shared.readers.count)) }
                results.withLock { $0[index] = result }
            }
            return try results.withLock { $0 }.map { try $0!.get() }
        }
    }
}

/// The readers of one parallel read, handed to its threads.
///
/// `@unchecked Sendable` is sound: iteration `i` of the read's `concurrentPerform` uses
/// `readers[i]` and no other, so no reader is used by two threads at once; an LMDB reader is a
/// read transaction opened with `MDB_NOTLS` (usable from any thread, one at a time), a memory
/// reader an immutable snapshot. The readers end with the read, after every thread returned.
private struct SharedSnapshot: @unchecked Sendable {
    let readers: [TableReader]
}

import Synchronization

/// A memo table shared by every caller, emptied whenever it reaches its bound: for pure
/// functions of a small, slowly moving key (the calendar periods and buckets of "now").
final class BoundedCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private let entries = Mutex<[Key: Value]>([:])
    private let bound: Int

    init(bound: Int = 4096) {
        self.bound = bound
    }

    /// The remembered value for `key`, or `compute()` remembered. `compute` runs outside the
    /// lock (two callers may both compute a missing value; both get the same answer).
    func value(for key: Key, orCompute compute: () -> Value) -> Value {
        if let cached = entries.withLock({ $0[key] }) { return cached }
        let value = compute()
        entries.withLock { entries in
            if entries.count >= bound { entries.removeAll(keepingCapacity: true) }
            entries[key] = value
        }
        return value
    }
}

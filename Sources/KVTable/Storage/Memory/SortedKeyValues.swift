/// An ordered map of byte strings with value semantics, for the in-memory backend.
///
/// A sorted array of sorted chunks (a two-level B-tree). Copying it is O(1) — that is how the
/// in-memory backend takes snapshots — and a write after a copy duplicates only the outer array
/// and the chunks it touches (copy-on-write).
struct SortedKeyValues: Sendable {
    struct Entry: Sendable {
        var key: [UInt8]
        var value: [UInt8]
    }

    /// Chunks are split when they grow past this many entries.
    static let maximumChunkSize = 512

    /// Non-empty sorted chunks; the last key of chunk i is below the first key of chunk i+1.
    private(set) var chunks: [[Entry]] = []

    var count: Int { chunks.reduce(0) { $0 + $1.count } }

    /// Index of the chunk that holds `key` or would hold it.
    private func chunkIndex(for key: [UInt8]) -> Int {
        // The last chunk whose first key ≤ key (0 when key is below every chunk).
        var low = 0
        var high = chunks.count
        while low < high {
            let mid = (low + high) / 2
            if compareBytes(chunks[mid][0].key, key) <= 0 { low = mid + 1 } else { high = mid }
        }
        return max(low - 1, 0)
    }

    /// First position in `chunk` whose key is ≥ `key`, and whether it is equal.
    private static func position(of key: [UInt8], in chunk: [Entry]) -> (index: Int, found: Bool) {
        var low = 0
        var high = chunk.count
        while low < high {
            let mid = (low + high) / 2
            let order = compareBytes(chunk[mid].key, key)
            if order == 0 { return (mid, true) }
            if order < 0 { low = mid + 1 } else { high = mid }
        }
        return (low, false)
    }

    func value(forKey key: [UInt8]) -> [UInt8]? {
        guard !chunks.isEmpty else { return nil }
        let chunk = chunks[chunkIndex(for: key)]
        let (index, found) = SortedKeyValues.position(of: key, in: chunk)
        return found ? chunk[index].value : nil
    }

    mutating func set(_ value: [UInt8], forKey key: [UInt8]) {
        _ = store(value, forKey: key, replacing: true)
    }

    /// Stores `value` only when `key` is absent; returns whether it did.
    mutating func insert(_ value: [UInt8], forKey key: [UInt8]) -> Bool {
        store(value, forKey: key, replacing: false)
    }

    /// Returns whether `key` was absent.
    private mutating func store(_ value: [UInt8], forKey key: [UInt8], replacing: Bool) -> Bool {
        guard !chunks.isEmpty else {
            chunks = [[Entry(key: key, value: value)]]
            return true
        }
        let c = chunkIndex(for: key)
        let (index, found) = SortedKeyValues.position(of: key, in: chunks[c])
        if found {
            if replacing { chunks[c][index].value = value }
            return false
        }
        chunks[c].insert(Entry(key: key, value: value), at: index)
        if chunks[c].count > SortedKeyValues.maximumChunkSize {
            let upperHalf = Array(chunks[c][(chunks[c].count / 2)...])
            chunks[c].removeLast(upperHalf.count)
            chunks.insert(upperHalf, at: c + 1)
        }
        return true
    }

    @discardableResult
    mutating func remove(_ key: [UInt8]) -> Bool {
        guard !chunks.isEmpty else { return false }
        let c = chunkIndex(for: key)
        let (index, found) = SortedKeyValues.position(of: key, in: chunks[c])
        guard found else { return false }
        chunks[c].remove(at: index)
        if chunks[c].isEmpty { chunks.remove(at: c) }
        return true
    }

    /// Visits entries in `range`, ascending or descending, until `visit` returns false.
    func forEach(in range: KeyRange, reverse: Bool, _ visit: (Entry) throws -> Bool) rethrows {
        guard !chunks.isEmpty else { return }
        if !reverse {
            var c = chunkIndex(for: range.lower)
            var i = SortedKeyValues.position(of: range.lower, in: chunks[c]).index
            while c < chunks.count {
                let chunk = chunks[c]
                while i < chunk.count {
                    let entry = chunk[i]
                    if let upper = range.upper, compareBytes(entry.key, upper) >= 0 { return }
                    if try !visit(entry) { return }
                    i += 1
                }
                c += 1
                i = 0
            }
        } else {
            // Start at the last entry below `upper`.
            var c: Int
            var i: Int
            if let upper = range.upper {
                c = chunkIndex(for: upper)
                i = SortedKeyValues.position(of: upper, in: chunks[c]).index - 1
            } else {
                c = chunks.count - 1
                i = chunks[c].count - 1
            }
            while c >= 0 {
                let chunk = chunks[c]
                while i >= 0 {
                    let entry = chunk[i]
                    if compareBytes(entry.key, range.lower) < 0 { return }
                    if try !visit(entry) { return }
                    i -= 1
                }
                c -= 1
                if c >= 0 { i = chunks[c].count - 1 }
            }
        }
    }
}

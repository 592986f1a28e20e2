#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Reading items whose structure ``ItemCodec/check(_:)`` has accepted: these cannot fail (a
/// failure would mean the bytes changed after the check, which a value type rules out), so they
/// answer nil or stop early rather than throw.
extension ItemCodec {
    /// Calls `visit` with each attribute's name bytes and a reader positioned at its value,
    /// in name order, until it returns false. `visit` must leave the reader past the value.
    private static func forEachAttribute(in bytes: UnsafeRawBufferPointer,
                                         _ visit: (UnsafeRawBufferPointer, inout ByteReader) throws -> Bool) rethrows {
        var reader = ByteReader(bytes)
        reader.offset = 1
        guard let count = try? reader.count() else { return }
        for _ in 0..<count {
            guard let name = try? reader.slice() else { return }
            guard try visit(name, &reader) else { return }
        }
    }

    private static func forEachAttribute(in bytes: [UInt8],
                                         _ visit: (UnsafeRawBufferPointer, inout ByteReader) throws -> Bool) rethrows {
        try bytes.withUnsafeBytes { try forEachAttribute(in: $0, visit) }
    }

    /// The value of the attribute `name` in checked item bytes.
    static func value(named name: String, in bytes: [UInt8]) -> AttributeValue? {
        bytes.withUnsafeBytes { value(named: name, in: $0) }
    }

    /// The value of the attribute `name` in checked item bytes.
    static func value(named name: String, in bytes: UnsafeRawBufferPointer) -> AttributeValue? {
        valueOffset(named: name, in: bytes).flatMap { value(at: $0, in: bytes) }
    }

    /// The values of the attributes `names` in checked item bytes, in one pass: the names are
    /// taken in byte order and matched against the item's sorted names as a merge.
    static func values(named names: AttributeNames, in bytes: [UInt8], into result: inout [AttributeValue?]) {
        bytes.withUnsafeBytes { values(named: names, in: $0, into: &result) }
    }

    /// ``values(named:in:into:)`` over checked bytes in place. `result` is resized to
    /// `names.count` and every position set (nil where absent), reusing its storage.
    static func values(named names: AttributeNames, in bytes: UnsafeRawBufferPointer, into result: inout [AttributeValue?]) {
        clear(&result, count: names.count)
        var next = 0
        let sorted = names.sortedUTF8
        forEachAttribute(in: bytes) { candidate, reader in
            while next < sorted.count {
                let comparison = sorted[next].withUnsafeBytes { compareBytes(candidate, $0) }
                if comparison < 0 {   // an attribute nobody asked for
                    try? reader.skipValue()
                    return true
                }
                if comparison == 0 {
                    let value = try? reader.value()
                    // The same name may be asked for twice.
                    repeat {
                        result[names.positions[next]] = value
                        next += 1
                    } while next < sorted.count && sorted[next] == sorted[next - 1]
                    return true
                }
                next += 1   // absent: the item's names are already past it
            }
            return false
        }
    }

    /// The value offset of the attribute whose name is `name` (UTF-8), by binary search over
    /// `entries` (sorted, as the names are), or nil.
    static func position(of name: UnsafeRawBufferPointer, in bytes: UnsafeRawBufferPointer,
                         entries: UnsafeBufferPointer<AttributeEntry>) -> Int? {
        var low = 0
        var high = entries.count
        while low < high {
            let middle = (low + high) / 2
            let order = compareBytes(entries[middle].name(in: bytes), name)
            if order == 0 { return Int(entries[middle].valueStart) }
            if order < 0 { low = middle + 1 } else { high = middle }
        }
        return nil
    }

    /// The value at `offset` of checked item bytes.
    static func value(at offset: Int, in bytes: UnsafeRawBufferPointer) -> AttributeValue? {
        var reader = ByteReader(bytes)
        reader.offset = offset
        return try? reader.value()
    }

    /// Makes `values` `count` nils, reusing its storage when it already has that many.
    private static func clear(_ values: inout [AttributeValue?], count: Int) {
        if values.count == count {
            for position in values.indices { values[position] = nil }
        } else {
            values = [AttributeValue?](repeating: nil, count: count)
        }
    }

    /// The value reached from the value at `offset` of checked item bytes by the path `steps`
    /// (map keys and list positions), decoding only that value: a map is searched by its
    /// sorted names, a list's earlier elements are skipped, nothing else is built. Nil when the
    /// path leads nowhere (a missing key, a position past the end, a step into the wrong type).
    static func value(following steps: ArraySlice<AttributePath.Element>, at offset: Int,
                      in bytes: UnsafeRawBufferPointer) -> AttributeValue? {
        var reader = ByteReader(bytes)
        reader.offset = offset
        for step in steps {
            guard let tag = try? reader.byte() else { return nil }
            switch step {
            case .name(let name):
                guard tag == Tag.map.rawValue, let count = try? reader.count() else { return nil }
                var name = name
                let found = name.withUTF8 { target in
                    for _ in 0..<count {
                        guard let candidate = try? reader.slice() else { return false }
                        let order = compareBytes(candidate, UnsafeRawBufferPointer(target))
                        if order == 0 { return true }
                        if order > 0 { return false }   // names are sorted: it is not further on
                        guard (try? reader.skipValue()) != nil else { return false }
                    }
                    return false
                }
                guard found else { return nil }
            case .index(let index):
                guard tag == Tag.list.rawValue, let count = try? reader.count(), index < count else { return nil }
                for _ in 0..<index {
                    guard (try? reader.skipValue()) != nil else { return nil }
                }
            }
        }
        return try? reader.value()
    }

    /// The offset of the value of the top-level attribute `name` in checked item bytes (a walk
    /// that stops at the first name past it), or nil.
    static func valueOffset(named name: String, in bytes: UnsafeRawBufferPointer) -> Int? {
        var name = name
        return name.withUTF8 { target in
            var offset: Int?
            forEachAttribute(in: bytes) { candidate, reader in
                let order = compareBytes(candidate, UnsafeRawBufferPointer(target))
                if order == 0 { offset = reader.offset }
                if order >= 0 { return false }
                try? reader.skipValue()
                return true
            }
            return offset
        }
    }

    /// ``values(named:in:into:)`` through recorded `entries`: a merge of the sorted names with
    /// the sorted entries, decoding only the values asked for (no value is skipped over).
    static func values(named names: AttributeNames, in bytes: UnsafeRawBufferPointer,
                       entries: UnsafeBufferPointer<AttributeEntry>, into result: inout [AttributeValue?]) {
        clear(&result, count: names.count)
        var entry = 0
        let sorted = names.sortedUTF8
        for next in sorted.indices {
            let comparison = sorted[next].withUnsafeBytes { wanted in
                while entry < entries.count {
                    let order = compareBytes(entries[entry].name(in: bytes), wanted)
                    if order >= 0 { return order }
                    entry += 1
                }
                return 1
            }
            if comparison == 0 { result[names.positions[next]] = value(at: Int(entries[entry].valueStart), in: bytes) }
        }
    }

    /// Whether checked item bytes have an attribute `name`.
    static func containsAttribute(named name: String, in bytes: [UInt8]) -> Bool {
        var name = name
        return name.withUTF8 { target in
            var found = false
            forEachAttribute(in: bytes) { candidate, reader in
                let order = compareBytes(candidate, UnsafeRawBufferPointer(target))
                found = order == 0
                if order >= 0 { return false }
                try? reader.skipValue()
                return true
            }
            return found
        }
    }

    static func attributeCount(in bytes: [UInt8]) -> Int {
        bytes.withUnsafeBytes { buffer in
            var reader = ByteReader(buffer)
            reader.offset = 1
            return (try? reader.count()) ?? 0
        }
    }

    static func attributeNames(in bytes: [UInt8]) -> [String] {
        var names: [String] = []
        forEachAttribute(in: bytes) { name, reader in
            names.append(String(decoding: name, as: UTF8.self))
            try? reader.skipValue()
            return true
        }
        return names
    }

    static func decodePairs(_ bytes: [UInt8]) -> [(key: String, value: AttributeValue)] {
        var pairs: [(key: String, value: AttributeValue)] = []
        forEachAttribute(in: bytes) { name, reader in
            guard let value = try? reader.value() else { return false }
            pairs.append((String(decoding: name, as: UTF8.self), value))
            return true
        }
        return pairs
    }

    static func forEachPair(_ bytes: [UInt8], _ body: ((key: String, value: AttributeValue)) throws -> Void) rethrows {
        try forEachAttribute(in: bytes) { name, reader in
            guard let value = try? reader.value() else { return false }
            try body((String(decoding: name, as: UTF8.self), value))
            return true
        }
    }

    static func decodeAttributes(_ bytes: [UInt8]) -> [String: AttributeValue] {
        var attributes = [String: AttributeValue](minimumCapacity: attributeCount(in: bytes))
        forEachAttribute(in: bytes) { name, reader in
            guard let value = try? reader.value() else { return false }
            attributes[String(decoding: name, as: UTF8.self)] = value
            return true
        }
        return attributes
    }
}

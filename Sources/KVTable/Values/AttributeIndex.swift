/// Where one top-level attribute of checked item bytes lies: its name and the start of its
/// value (items are at most 400 KB, so offsets fit in 32 bits).
struct AttributeEntry {
    var nameStart: Int32
    var nameLength: Int32
    var valueStart: Int32

    func name(in bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[Int(nameStart)..<Int(nameStart + nameLength)])
    }
}

/// The entries ``ItemCodec/check(_:recording:locating:)`` records, in memory allocated once
/// for a whole visit: reused item after item without the uniqueness checks and reference
/// counting of an array (a visit of small items spent a tenth of its time on those).
struct AttributeEntryBuffer: ~Copyable {
    private var base: UnsafeMutablePointer<AttributeEntry>
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int = 32) {
        self.capacity = max(1, capacity)
        base = .allocate(capacity: self.capacity)
    }

    deinit {
        base.deallocate()
    }

    /// The entries recorded, valid until the next change.
    var buffer: UnsafeBufferPointer<AttributeEntry> {
        UnsafeBufferPointer(start: base, count: count)
    }

    mutating func removeAll() {
        count = 0
    }

    mutating func append(_ entry: AttributeEntry) {
        if count == capacity {
            let grown = UnsafeMutablePointer<AttributeEntry>.allocate(capacity: capacity * 2)
            grown.initialize(from: base, count: count)
            base.deallocate()
            base = grown
            capacity *= 2
        }
        (base + count).initialize(to: entry)
        count += 1
    }
}

/// Where each attribute of checked item bytes starts: built in one pass, then a lookup is a
/// binary search over the (sorted) names instead of a walk — for readers that look up many
/// attributes of one item, such as a `Decodable` entity's initialiser.
struct AttributeIndex {
    let bytes: [UInt8]
    private var entries: [AttributeEntry] = []

    init(checkedBytes bytes: [UInt8]) {
        self.bytes = bytes
        var entries: [AttributeEntry] = []
        bytes.withUnsafeBytes { buffer in
            var reader = ByteReader(buffer)
            reader.offset = 1
            guard let count = try? reader.count() else { return }
            entries.reserveCapacity(count)
            for _ in 0..<count {
                guard let length = try? reader.count() else { return }
                let nameStart = reader.offset
                reader.offset += length
                entries.append(AttributeEntry(nameStart: Int32(nameStart), nameLength: Int32(length), valueStart: Int32(reader.offset)))
                guard (try? reader.skipValue()) != nil else { return }
            }
        }
        self.entries = entries
    }

    var names: [String] {
        bytes.withUnsafeBytes { buffer in
            entries.map { String(decoding: $0.name(in: buffer), as: UTF8.self) }
        }
    }

    func contains(_ name: String) -> Bool {
        position(of: name) != nil
    }

    /// The value of the attribute `name`, or nil.
    func value(named name: String) -> AttributeValue? {
        withValueReader(named: name) { try? $0.value() } ?? nil
    }

    /// The string stored as `name`; nil when the item has no such attribute or it is not a
    /// string. Read straight from the bytes, without an `AttributeValue` in between (the
    /// entity decoder's common case).
    func string(named name: String) -> String? {
        withValueReader(named: name) { reader -> String? in
            guard (try? reader.byte()) == ItemCodec.Tag.string.rawValue else { return nil }
            return try? reader.string()
        } ?? nil
    }

    /// The number stored as `name`; nil when the item has none or it is not a number.
    func number(named name: String) -> ExactDecimal? {
        withValueReader(named: name) { reader -> ExactDecimal? in
            guard (try? reader.byte()) == ItemCodec.Tag.number.rawValue else { return nil }
            return try? reader.number()
        } ?? nil
    }

    /// The string set stored as `name`, built as a `Set` directly; nil when the item has none
    /// or it is not a string set.
    func stringSet(named name: String) -> Set<String>? {
        withValueReader(named: name) { reader -> Set<String>? in
            guard (try? reader.byte()) == ItemCodec.Tag.stringSet.rawValue, let count = try? reader.count() else { return nil }
            var set = Set<String>(minimumCapacity: count)
            for _ in 0..<count {
                guard let element = try? reader.string() else { return nil }
                set.insert(element)
            }
            return set
        } ?? nil
    }

    /// Runs `body` with a reader at the value of `name`; nil when the item has no such attribute.
    func withValueReader<R>(named name: String, _ body: (inout ByteReader) throws -> R) rethrows -> R? {
        guard let valueStart = position(of: name) else { return nil }
        return try bytes.withUnsafeBytes { buffer in
            var reader = ByteReader(buffer)
            reader.offset = valueStart
            return try body(&reader)
        }
    }

    private func position(of name: String) -> Int? {
        var name = name
        return name.withUTF8 { target in
            bytes.withUnsafeBytes { buffer in
                entries.withUnsafeBufferPointer { ItemCodec.position(of: UnsafeRawBufferPointer(target), in: buffer, entries: $0) }
            }
        }
    }
}

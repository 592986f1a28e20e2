#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The compact binary form in which items are stored (not JSON).
///
/// ```
/// item   := 0x01 varint(count) (name value)*        names sorted by UTF-8 bytes
/// name   := varint(length) utf8
/// value  := 0x01 varint(len) utf8                   S
///         | 0x02 sign zigzag(exponent) varint(coefficient)   N (canonical parts)
///         | 0x03 varint(len) bytes                  B
///         | 0x04 | 0x05                             BOOL true | false
///         | 0x06                                    NULL
///         | 0x07 varint(count) value*               L
///         | 0x08 varint(count) (name value)*        M
///         | 0x09 / 0x0A / 0x0B varint(count) payload*   SS / NS / BS (payloads as above, no tag)
/// ```
/// Varints are LEB128. Numbers keep their canonical coefficient and exponent, so decoding
/// never parses text and never rounds.
enum ItemCodec {
    static let formatVersion: UInt8 = 1

    enum Tag: UInt8 {
        case string = 1, number, binary, boolTrue, boolFalse, null, list, map, stringSet, numberSet, binarySet
    }

    // MARK: Encoding

    static func encode(_ item: Item) -> [UInt8] {
        switch item.storage {
        case .encoded(let bytes): return bytes
        case .attributes(let attributes): return encode(attributes)
        }
    }

    static func encode(_ attributes: [String: AttributeValue]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64 + attributes.count * 24)
        out.append(formatVersion)
        appendVarint(UInt64(attributes.count), to: &out)
        // Sorted names make the encoding deterministic (equal items, equal bytes) and let a
        // lookup in stored bytes stop at the first name past the one it looks for.
        for name in attributes.keys.sorted(by: utf8Less) {
            appendString(name, to: &out)
            appendValue(attributes[name]!, to: &out)
        }
        return out
    }

    static func appendValue(_ value: AttributeValue, to out: inout [UInt8]) {
        switch value {
        case .s(let string):
            out.append(Tag.string.rawValue)
            appendString(string, to: &out)
        case .n(let number):
            out.append(Tag.number.rawValue)
            appendNumber(number, to: &out)
        case .b(let data):
            out.append(Tag.binary.rawValue)
            appendBytes(data, to: &out)
        case .bool(let flag):
            out.append(flag ? Tag.boolTrue.rawValue : Tag.boolFalse.rawValue)
        case .null:
            out.append(Tag.null.rawValue)
        case .l(let values):
            out.append(Tag.list.rawValue)
            appendVarint(UInt64(values.count), to: &out)
            for element in values { appendValue(element, to: &out) }
        case .m(let values):
            out.append(Tag.map.rawValue)
            appendVarint(UInt64(values.count), to: &out)
            for name in values.keys.sorted(by: utf8Less) {
                appendString(name, to: &out)
                appendValue(values[name]!, to: &out)
            }
        case .ss(let values):
            out.append(Tag.stringSet.rawValue)
            appendVarint(UInt64(values.count), to: &out)
            for element in values { appendString(element, to: &out) }
        case .ns(let values):
            out.append(Tag.numberSet.rawValue)
            appendVarint(UInt64(values.count), to: &out)
            for element in values { appendNumber(element, to: &out) }
        case .bs(let values):
            out.append(Tag.binarySet.rawValue)
            appendVarint(UInt64(values.count), to: &out)
            for element in values { appendBytes(element, to: &out) }
        }
    }

    static func appendVarint(_ value: UInt64, to out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    static func appendString(_ string: String, to out: inout [UInt8]) {
        var string = string
        string.withUTF8 { utf8 in
            appendVarint(UInt64(utf8.count), to: &out)
            out.append(contentsOf: utf8)
        }
    }

    static func appendBytes(_ data: Data, to out: inout [UInt8]) {
        appendVarint(UInt64(data.count), to: &out)
        out.append(contentsOf: data)
    }

    static func appendNumber(_ number: ExactDecimal, to out: inout [UInt8]) {
        out.append(number.isNegative ? 1 : 0)
        let e = Int64(number.exponent)
        appendVarint(UInt64(bitPattern: (e << 1) ^ (e >> 63)), to: &out)   // zigzag
        var c = number.coefficient
        while c >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: c) | 0x80)
            c >>= 7
        }
        out.append(UInt8(truncatingIfNeeded: c))
    }

    // MARK: Decoding

    /// Copies a stored item out of `bytes` (a snapshot's buffer), checking its structure on the
    /// way: attributes are decoded later, when looked at. Throws ``KVTableError/storage(_:)``
    /// for bytes that are not an item (a corrupt file), never traps.
    static func decode(_ bytes: UnsafeRawBufferPointer) throws -> Item {
        try check(bytes)
        return Item(checkedBytes: Array(bytes))
    }

    static func decode(_ bytes: [UInt8]) throws -> Item {
        try bytes.withUnsafeBytes { try check($0) }
        return Item(checkedBytes: bytes)
    }

    /// Checks that `bytes` are one well-formed item with nothing after it: every length and
    /// count in bounds, every tag known, nesting bounded. Every read pays for this once per
    /// item, so it walks raw bytes without building anything.
    static func check(_ bytes: UnsafeRawBufferPointer) throws {
        guard bytes.count > 0, bytes[0] == formatVersion else {
            throw KVTableError.storage("Stored item has an unknown format version")
        }
        var checker = StructureCheck(bytes)
        checker.offset = 1
        guard checker.members(named: true), checker.offset == bytes.count else { throw ByteReader.corrupt }
    }

    /// ``check(_:)`` and more: names valid UTF-8, ascending and unique at every level, strings
    /// valid UTF-8 — everything the writer guarantees (`kvtable verify` checks each item so).
    /// Throws ``KVTableError/storage(_:)`` for bytes that are not such an item.
    static func validate(_ bytes: UnsafeRawBufferPointer) throws {
        guard bytes.count > 0, bytes[0] == formatVersion else {
            throw KVTableError.storage("Stored item has an unknown format version")
        }
        var checker = StructureCheck(bytes, strict: true)
        checker.offset = 1
        guard checker.members(named: true), checker.offset == bytes.count else {
            throw KVTableError.storage("Stored item is corrupt (truncated or malformed, a name or string not UTF-8, or names out of order)")
        }
    }

    /// ``check(_:)`` that also finds the top-level attribute `target` on the way (the TTL
    /// attribute of a scan): returns the offset of its value, or nil when absent. One walk
    /// instead of a check and then a lookup.
    static func check(_ bytes: UnsafeRawBufferPointer, locating target: [UInt8]) throws -> Int? {
        guard bytes.count > 0, bytes[0] == formatVersion else {
            throw KVTableError.storage("Stored item has an unknown format version")
        }
        var checker = StructureCheck(bytes)
        checker.offset = 1
        var found: Int?
        guard let count = checker.count() else { throw ByteReader.corrupt }
        try target.withUnsafeBytes { target in
            for _ in 0..<count {
                guard let length = checker.count() else { throw ByteReader.corrupt }
                let name = UnsafeRawBufferPointer(rebasing: bytes[checker.offset..<(checker.offset + length)])
                _ = checker.skip(length)
                if found == nil, compareBytes(name, target) == 0 { found = checker.offset }
                guard checker.value(depth: 0) else { throw ByteReader.corrupt }
            }
        }
        guard checker.offset == bytes.count else { throw ByteReader.corrupt }
        return found
    }

    /// ``check(_:)`` that also records where each top-level attribute lies, into `entries`
    /// (replacing what it held), and returns the offset of the value of `target` (the TTL
    /// attribute), or nil. Readers that look at several attributes of each item of a visit then
    /// find them through `entries` instead of walking the bytes again. (``check(_:locating:)``
    /// stays a walk of its own so that a page read, which keeps no offsets, does not pay for
    /// writing them.)
    static func check(_ bytes: UnsafeRawBufferPointer, recording entries: inout AttributeEntryBuffer,
                      locating target: UnsafeRawBufferPointer?) throws -> Int? {
        guard bytes.count > 0, bytes[0] == formatVersion else {
            throw KVTableError.storage("Stored item has an unknown format version")
        }
        entries.removeAll()
        var checker = StructureCheck(bytes)
        checker.offset = 1
        guard let count = checker.count() else { throw ByteReader.corrupt }
        for _ in 0..<count {
            guard let length = checker.count() else { throw ByteReader.corrupt }
            let nameStart = checker.offset
            guard checker.skip(length) else { throw ByteReader.corrupt }
            entries.append(AttributeEntry(nameStart: Int32(nameStart), nameLength: Int32(length), valueStart: Int32(checker.offset)))
            guard checker.value(depth: 0) else { throw ByteReader.corrupt }
        }
        guard checker.offset == bytes.count else { throw ByteReader.corrupt }
        guard let target else { return nil }
        return position(of: target, in: bytes, entries: entries.buffer)
    }

    /// The number at `offset` of checked item bytes (a value ``check(_:locating:)`` found), or
    /// nil when the value there is not a number.
    static func number(at offset: Int, in bytes: UnsafeRawBufferPointer) -> ExactDecimal? {
        var reader = ByteReader(bytes)
        reader.offset = offset
        guard (try? reader.byte()) == Tag.number.rawValue else { return nil }
        return try? reader.number()
    }

    /// Decodes only the attributes named in `names`, skipping the others without building
    /// them (a projection's first step).
    static func decode(_ bytes: UnsafeRawBufferPointer, keeping names: Set<String>) throws -> Item {
        var reader = ByteReader(bytes)
        guard try reader.byte() == formatVersion else {
            throw KVTableError.storage("Stored item has an unknown format version")
        }
        let count = try reader.count()
        var item = [String: AttributeValue](minimumCapacity: names.count)
        for _ in 0..<count {
            let name = try reader.string()
            if names.contains(name) {
                item[name] = try reader.value()
            } else {
                try reader.skipValue()
            }
        }
        return Item(item)
    }
}

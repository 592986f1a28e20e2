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

    // MARK: Reading checked bytes
    //
    // These read items whose structure `check` has accepted, so they cannot fail; a failure
    // would mean the bytes changed after the check, which a value type rules out.

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

/// The structural walk of ``ItemCodec/check(_:)``: bounds-checked, non-throwing, allocation-free.
///
/// Strict (``ItemCodec/validate(_:)``, for `verify`), it also checks what the writer guarantees
/// and readers rely on for consistent answers rather than for memory safety: names valid UTF-8
/// in ascending byte order (so unique), strings valid UTF-8. Reads skip that work: a corrupt
/// name cannot make them trap or read outside the item, only miss the attribute.
private struct StructureCheck {
    let base: UnsafePointer<UInt8>
    let end: Int
    let strict: Bool
    var offset = 0

    init(_ bytes: UnsafeRawBufferPointer, strict: Bool = false) {
        base = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
        end = bytes.count
        self.strict = strict
    }

    /// A length-prefixed string: in bounds, and (strict) valid UTF-8.
    mutating func string() -> UnsafeRawBufferPointer? {
        guard let length = count() else { return nil }
        let text = UnsafeRawBufferPointer(start: base + offset, count: length)
        offset += length
        if strict, String(validating: text, as: UTF8.self) == nil { return nil }
        return text
    }

    /// A LEB128 varint of at most 64 bits.
    @inline(__always)
    mutating func varint() -> UInt64? {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while offset < end {
            let byte = base[offset]
            offset += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
            if shift >= 64 { return nil }
        }
        return nil
    }

    /// A count or length no larger than the bytes left.
    @inline(__always)
    mutating func count() -> Int? {
        guard let value = varint(), value <= UInt64(end - offset) else { return nil }
        return Int(value)
    }

    @inline(__always)
    mutating func skip(_ length: Int) -> Bool {
        guard length <= end - offset else { return false }
        offset += length
        return true
    }

    /// A number's parts: a sign byte, a zigzag exponent and a coefficient, within DynamoDB's
    /// limits (at most 38 digits, magnitude 1E-130 to 9.99…E+125), so that no read of a corrupt
    /// item builds a number no write could have stored (`1E+2000000000` printed in full, say).
    /// Strict, also canonical: no trailing zeros in the coefficient, zero positive with
    /// exponent 0.
    mutating func number() -> Bool {
        guard offset < end else { return false }
        let sign = base[offset]
        offset += 1
        guard sign <= 1, let zigzag = varint() else { return false }
        let exponent = Int64(bitPattern: zigzag >> 1) ^ -Int64(bitPattern: zigzag & 1)
        var coefficient: UInt128 = 0
        var shift: UInt128 = 0
        while true {
            guard offset < end, shift < 128 else { return false }
            let byte = base[offset]
            offset += 1
            let bits = UInt128(byte & 0x7F)
            guard bits <= (UInt128.max >> shift) else { return false }
            coefficient |= bits << shift
            if byte < 0x80 { break }
            shift += 7
        }
        // An exponent past 32 bits is no number (the reader refuses it too), and it must be
        // refused before the sum below, which it could overflow (a fuzzer finding).
        guard coefficient < StructureCheck.coefficientLimit, Int32(exactly: exponent) != nil else { return false }
        if coefficient == 0 { return !strict || (exponent == 0 && sign == 0) }
        let scientific = exponent + Int64(ExactDecimal.digitCount(coefficient)) - 1
        guard scientific >= Int64(ExactDecimal.minimumScientificExponent),
              scientific <= Int64(ExactDecimal.maximumScientificExponent) else { return false }
        return !strict || coefficient % 10 != 0
    }

    /// 10³⁸: every stored coefficient is below it.
    static let coefficientLimit = ExactDecimal.powersOfTen[ExactDecimal.maximumSignificantDigits]

    /// A count of members, each a length-prefixed name (when `named`) and a value.
    mutating func members(named: Bool, depth: Int = 0) -> Bool {
        guard let n = count() else { return false }
        var previous: UnsafeRawBufferPointer?
        for _ in 0..<n {
            if named {
                if strict {
                    guard let name = string(), previous.map({ compareBytes($0, name) < 0 }) ?? true else { return false }
                    previous = name
                } else {
                    guard let length = count(), skip(length) else { return false }
                }
            }
            guard value(depth: depth) else { return false }
        }
        return true
    }

    mutating func value(depth: Int) -> Bool {
        guard offset < end, depth < 64, let tag = ItemCodec.Tag(rawValue: base[offset]) else { return false }
        offset += 1
        switch tag {
        case .string:
            return string() != nil
        case .binary:
            guard let length = count() else { return false }
            return skip(length)
        case .number: return number()
        case .boolTrue, .boolFalse, .null: return true
        case .list: return members(named: false, depth: depth + 1)
        case .map: return members(named: true, depth: depth + 1)
        case .stringSet:
            guard let n = count() else { return false }
            for _ in 0..<n where string() == nil { return false }
            return true
        case .binarySet:
            guard let n = count() else { return false }
            for _ in 0..<n {
                guard let length = count(), skip(length) else { return false }
            }
            return true
        case .numberSet:
            guard let n = count() else { return false }
            for _ in 0..<n where !number() { return false }
            return true
        }
    }
}

/// A bounds-checked cursor over stored bytes.
struct ByteReader {
    let bytes: UnsafeRawBufferPointer
    var offset = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    static let corrupt = KVTableError.storage("Stored item is corrupt (truncated or malformed)")

    mutating func byte() throws -> UInt8 {
        guard offset < bytes.count else { throw ByteReader.corrupt }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func varint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try byte()
            guard shift < 64 else { throw ByteReader.corrupt }
            result |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return result }
            shift += 7
        }
    }

    /// A count or length that must fit in the remaining bytes.
    mutating func count() throws -> Int {
        let value = try varint()
        guard value <= UInt64(bytes.count - offset) else { throw ByteReader.corrupt }
        return Int(value)
    }

    mutating func slice() throws -> UnsafeRawBufferPointer {
        let length = try count()
        defer { offset += length }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + length])
    }

    mutating func string() throws -> String {
        String(decoding: try slice(), as: UTF8.self)
    }

    mutating func data() throws -> Data {
        Data(try slice())
    }

    mutating func number() throws -> ExactDecimal {
        let negative = try byte() == 1
        let zigzag = try varint()
        let exponent = Int64(bitPattern: zigzag >> 1) ^ -Int64(bitPattern: zigzag & 1)
        var coefficient: UInt128 = 0
        var shift: UInt128 = 0
        while true {
            let b = try byte()
            guard shift < 128 else { throw ByteReader.corrupt }
            coefficient |= UInt128(b & 0x7F) << shift
            if b < 0x80 { break }
            shift += 7
        }
        guard let exponent32 = Int32(exactly: exponent) else { throw ByteReader.corrupt }
        return ExactDecimal(uncheckedCoefficient: coefficient, exponent: exponent32, isNegative: negative)
    }

    /// Moves past one encoded value without building it.
    mutating func skipValue() throws {
        guard let tag = ItemCodec.Tag(rawValue: try byte()) else { throw ByteReader.corrupt }
        switch tag {
        case .string, .binary: offset += try count()
        case .number: _ = try number()
        case .boolTrue, .boolFalse, .null: break
        case .list:
            for _ in 0..<(try count()) { try skipValue() }
        case .map:
            for _ in 0..<(try count()) {
                offset += try count()
                try skipValue()
            }
        case .stringSet, .binarySet:
            for _ in 0..<(try count()) { offset += try count() }
        case .numberSet:
            for _ in 0..<(try count()) { _ = try number() }
        }
    }

    mutating func value() throws -> AttributeValue {
        guard let tag = ItemCodec.Tag(rawValue: try byte()) else { throw ByteReader.corrupt }
        switch tag {
        case .string: return .s(try string())
        case .number: return .n(try number())
        case .binary: return .b(try data())
        case .boolTrue: return .bool(true)
        case .boolFalse: return .bool(false)
        case .null: return .null
        case .list:
            let n = try count()
            var values: [AttributeValue] = []
            values.reserveCapacity(n)
            for _ in 0..<n { values.append(try value()) }
            return .l(values)
        case .map:
            let n = try count()
            var values = [String: AttributeValue](minimumCapacity: n)
            for _ in 0..<n {
                let name = try string()
                values[name] = try value()
            }
            return .m(values)
        case .stringSet:
            let n = try count()
            var values: [String] = []
            values.reserveCapacity(n)
            for _ in 0..<n { values.append(try string()) }
            return .ss(values)
        case .numberSet:
            let n = try count()
            var values: [ExactDecimal] = []
            values.reserveCapacity(n)
            for _ in 0..<n { values.append(try number()) }
            return .ns(values)
        case .binarySet:
            let n = try count()
            var values: [Data] = []
            values.reserveCapacity(n)
            for _ in 0..<n { values.append(try data()) }
            return .bs(values)
        }
    }
}

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

/// The structural walk of ``ItemCodec/check(_:)``: bounds-checked, non-throwing, allocation-free.
///
/// Strict (``ItemCodec/validate(_:)``, for `verify`), it also checks what the writer guarantees
/// and readers rely on for consistent answers rather than for memory safety: names valid UTF-8
/// in ascending byte order (so unique), strings valid UTF-8. Reads skip that work: a corrupt
/// name cannot make them trap or read outside the item, only miss the attribute.
struct StructureCheck {
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

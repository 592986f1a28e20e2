#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The order-preserving binary encoding of key values: byte order of the encoding is
/// DynamoDB's order of the values, and every encoded component is prefix-free, so components
/// can be concatenated and the concatenation still sorts component by component.
///
/// The rules (one page, in the spirit of FoundationDB's tuple layer):
///
/// | value | encoding |
/// |---|---|
/// | `S` | UTF-8 bytes, each `00` written `00 FF`, then `00 00` |
/// | `B` | the bytes, each `00` written `00 FF`, then `00 00` |
/// | `N` zero | `02` |
/// | `N` > 0 | `03`, `e + 130` (one byte, `e` = scientific exponent), digit pairs, `00` |
/// | `N` < 0 | `01`, then the bytes of the positive form of `-N` after `03`, each inverted (`~b`) |
///
/// A digit pair is the byte `10·d₁ + d₂ + 1` (1…100) of two consecutive coefficient digits, the
/// last pair padded with 0. Coefficients have no trailing zeros, so a shorter coefficient that is
/// a prefix of a longer one is the smaller number, and the terminator `00` sorts first. Inverting
/// every byte of a negative number reverses its order, as magnitude order must be for negatives.
///
/// The table and index key types are fixed by the schema, so no type tag is needed for `S`/`B`.
enum KeyEncoding {
    /// Appends the prefix-free encoding of a key value (S, N or B).
    static func append(_ value: AttributeValue, to out: inout [UInt8]) {
        switch value {
        case .s(let string):
            var string = string
            string.withUTF8 { appendEscaped($0, to: &out) }
            out.append(0x00)
            out.append(0x00)
        case .b(let data):
            data.withUnsafeBytes { appendEscaped($0.bindMemory(to: UInt8.self), to: &out) }
            out.append(0x00)
            out.append(0x00)
        case .n(let number):
            appendNumber(number, to: &out)
        default:
            preconditionFailure("Key values are validated to be S, N or B before encoding")
        }
    }

    /// Appends the bytes every encoded S or B value that begins with `prefix` starts with
    /// (the escaped bytes, no terminator): the lower bound of a `begins_with` range.
    static func appendPrefix(_ value: AttributeValue, to out: inout [UInt8]) {
        switch value {
        case .s(let string):
            var string = string
            string.withUTF8 { appendEscaped($0, to: &out) }
        case .b(let data):
            data.withUnsafeBytes { appendEscaped($0.bindMemory(to: UInt8.self), to: &out) }
        default:
            preconditionFailure("begins_with operands are validated to be S or B before encoding")
        }
    }

    private static func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        out.reserveCapacity(out.count + bytes.count + 2)
        for byte in bytes {
            out.append(byte)
            if byte == 0x00 { out.append(0xFF) }
        }
    }

    private static func appendNumber(_ number: ExactDecimal, to out: inout [UInt8]) {
        if number.isZero {
            out.append(0x02)
            return
        }
        let start = out.count
        out.append(number.isNegative ? 0x01 : 0x03)
        out.append(UInt8(number.scientificExponent + 130))
        let digits = number.coefficientDigits
        var index = 0
        while index < digits.count {
            let high = digits[index]
            let low = index + 1 < digits.count ? digits[index + 1] : 0
            out.append(10 * high + low + 1)
            index += 2
        }
        out.append(0x00)
        if number.isNegative {
            for position in (start + 1)..<out.count { out[position] = ~out[position] }
        }
    }

    /// The length of the encoded key component of `type` at the start of `bytes` (the whole
    /// buffer when it is truncated). Components are prefix-free, so the length is found by
    /// reading up to the terminator.
    static func componentLength(_ bytes: UnsafeRawBufferPointer, type: KeyType) -> Int {
        switch type {
        case .string, .binary:
            var i = 0
            while i + 1 < bytes.count {
                if bytes[i] == 0x00 {
                    if bytes[i + 1] == 0x00 { return i + 2 }   // terminator
                    i += 2                                     // escaped 00 FF
                } else {
                    i += 1
                }
            }
            return bytes.count
        case .number:
            guard let tag = bytes.first, tag != 0x02 else { return min(1, bytes.count) }
            let terminator: UInt8 = tag == 0x03 ? 0x00 : 0xFF
            var i = 2   // after the tag and the exponent byte
            while i < bytes.count {
                if bytes[i] == terminator { return i + 1 }
                i += 1
            }
            return bytes.count
        }
    }

    /// The smallest byte string greater than every string that starts with `prefix`,
    /// or nil when there is none (the prefix is all `FF`).
    static func prefixEnd(_ prefix: [UInt8]) -> [UInt8]? {
        var end = prefix
        while let last = end.last {
            if last == 0xFF {
                end.removeLast()
            } else {
                end[end.count - 1] = last + 1
                return end
            }
        }
        return nil
    }
}

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

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

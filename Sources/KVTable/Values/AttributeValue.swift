#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One DynamoDB attribute value.
///
/// Equality follows DynamoDB, not Swift: strings compare by UTF-8 bytes (composed "é" and
/// "e" + U+0301 are different values), numbers by value, sets ignore element order.
public enum AttributeValue: Sendable {
    /// `S`: a string.
    case s(String)
    /// `N`: an exact number.
    case n(ExactDecimal)
    /// `B`: binary.
    case b(Data)
    /// `BOOL`.
    case bool(Bool)
    /// `NULL`.
    case null
    /// `L`: a list of values of any types.
    case l([AttributeValue])
    /// `M`: a map of names to values.
    case m([String: AttributeValue])
    /// `SS`: a non-empty set of distinct strings.
    case ss([String])
    /// `NS`: a non-empty set of distinct numbers.
    case ns([ExactDecimal])
    /// `BS`: a non-empty set of distinct binary values.
    case bs([Data])

    /// A number parsed from text with DynamoDB's rules.
    public static func number(_ text: String) throws(KVTableError) -> AttributeValue {
        .n(try ExactDecimal(text))
    }

    /// A number from an integer.
    public static func number(_ value: Int) -> AttributeValue {
        .n(ExactDecimal(value))
    }

    /// This value's DynamoDB type.
    public var type: AttributeType {
        switch self {
        case .s: return .string
        case .n: return .number
        case .b: return .binary
        case .bool: return .boolean
        case .null: return .null
        case .l: return .list
        case .m: return .map
        case .ss: return .stringSet
        case .ns: return .numberSet
        case .bs: return .binarySet
        }
    }

    /// The string, when this is an `S`.
    public var stringValue: String? {
        if case .s(let value) = self { return value }
        return nil
    }

    /// The number, when this is an `N`.
    public var numberValue: ExactDecimal? {
        if case .n(let value) = self { return value }
        return nil
    }

    /// The bytes, when this is a `B`.
    public var binaryValue: Data? {
        if case .b(let value) = self { return value }
        return nil
    }
}

/// The ten DynamoDB attribute types, with their wire names (`S`, `N`, …).
public enum AttributeType: String, Sendable, Hashable, Codable, CaseIterable {
    /// `S`: a string.
    case string = "S"
    /// `N`: a number.
    case number = "N"
    /// `B`: binary data.
    case binary = "B"
    /// `BOOL`: a Boolean.
    case boolean = "BOOL"
    /// `NULL`: a null.
    case null = "NULL"
    /// `L`: a list.
    case list = "L"
    /// `M`: a map.
    case map = "M"
    /// `SS`: a set of strings.
    case stringSet = "SS"
    /// `NS`: a set of numbers.
    case numberSet = "NS"
    /// `BS`: a set of binary values.
    case binarySet = "BS"
}

extension AttributeValue: Hashable {
    public static func == (lhs: AttributeValue, rhs: AttributeValue) -> Bool {
        switch (lhs, rhs) {
        case (.s(let a), .s(let b)): return a.utf8.elementsEqual(b.utf8)
        case (.n(let a), .n(let b)): return a == b
        case (.b(let a), .b(let b)): return a == b
        case (.bool(let a), .bool(let b)): return a == b
        case (.null, .null): return true
        case (.l(let a), .l(let b)): return a == b
        case (.m(let a), .m(let b)): return a == b
        case (.ss(let a), .ss(let b)):
            return a.count == b.count && a.map { Array($0.utf8) }.sorted(by: bytesLess) == b.map { Array($0.utf8) }.sorted(by: bytesLess)
        case (.ns(let a), .ns(let b)): return a.count == b.count && a.sorted() == b.sorted()
        case (.bs(let a), .bs(let b)):
            return a.count == b.count && a.map { Array($0) }.sorted(by: bytesLess) == b.map { Array($0) }.sorted(by: bytesLess)
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(type)
        switch self {
        case .s(let value): hasher.combine(value.utf8.count); for byte in value.utf8 { hasher.combine(byte) }
        case .n(let value): hasher.combine(value)
        case .b(let value): hasher.combine(value)
        case .bool(let value): hasher.combine(value)
        case .null: break
        case .l(let values): hasher.combine(values)
        case .m(let values): hasher.combine(values)
        // Sets are unordered: hash only what every ordering shares.
        case .ss(let values): hasher.combine(values.count)
        case .ns(let values): hasher.combine(values.count)
        case .bs(let values): hasher.combine(values.count)
        }
    }
}

/// Unsigned lexicographic byte order: DynamoDB's order for strings (UTF-8) and binary.
@inlinable
func bytesLess<A: Sequence<UInt8>, B: Sequence<UInt8>>(_ lhs: A, _ rhs: B) -> Bool {
    lhs.lexicographicallyPrecedes(rhs)
}

/// Whether `lhs` sorts before `rhs` by UTF-8 bytes (the order of names in stored items): one
/// `memcmp` for native strings, where `bytesLess` walks the views byte by byte.
@inline(__always)
func utf8Less(_ lhs: String, _ rhs: String) -> Bool {
    let fast = lhs.utf8.withContiguousStorageIfAvailable { l in
        rhs.utf8.withContiguousStorageIfAvailable { r in
            compareBytes(UnsafeRawBufferPointer(l), UnsafeRawBufferPointer(r)) < 0
        }
    }
    if let fast, let result = fast { return result }
    return bytesLess(lhs.utf8, rhs.utf8)
}

extension AttributeValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral,
    ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .s(value) }
    public init(integerLiteral value: Int) { self = .n(ExactDecimal(value)) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: AttributeValue...) { self = .l(elements) }
    public init(dictionaryLiteral elements: (String, AttributeValue)...) {
        self = .m(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
    /// `nil` is DynamoDB's `NULL`.
    public init(nilLiteral: ()) { self = .null }
}

extension AttributeValue: CustomStringConvertible {
    /// DynamoDB JSON (`{"S":"x"}`, map members sorted by UTF-8 bytes), for logs and test
    /// failures: ``dynamoDBJSON`` as text.
    public var description: String { dynamoDBJSON.text }
}

extension AttributeValue {
    /// The value as plain JSON (not DynamoDB JSON): strings and numbers as themselves — numbers
    /// with their exact canonical digits —, lists and sets as arrays, maps as objects (keys
    /// sorted), binary as base64 strings, `NULL` as `null`.
    public var plainJSON: String {
        switch self {
        case .s(let s): return jsonQuoted(s)
        case .n(let n): return n.description
        case .b(let b): return jsonQuoted(b.base64EncodedString())
        case .bool(let flag): return flag ? "true" : "false"
        case .null: return "null"
        case .l(let list): return "[" + list.map(\.plainJSON).joined(separator: ",") + "]"
        case .m(let map):
            return "{" + map.sorted { bytesLess($0.key.utf8, $1.key.utf8) }
                .map { "\(jsonQuoted($0.key)):\($0.value.plainJSON)" }.joined(separator: ",") + "}"
        case .ss(let set): return "[" + set.map(jsonQuoted).joined(separator: ",") + "]"
        case .ns(let set): return "[" + set.map(\.description).joined(separator: ",") + "]"
        case .bs(let set): return "[" + set.map { jsonQuoted($0.base64EncodedString()) }.joined(separator: ",") + "]"
        }
    }
}

/// `text` as a JSON string literal, quotes included.
func jsonQuoted(_ text: String) -> String {
    var result = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": result += "\\\""
        case "\\": result += "\\\\"
        case "\n": result += "\\n"
        case "\r": result += "\\r"
        case "\t": result += "\\t"
        default:
            if scalar.value < 0x20 {
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
    }
    return result + "\""
}

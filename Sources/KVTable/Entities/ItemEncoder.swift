#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// How `Date` values are stored; chosen explicitly, since each choice sorts and reads
/// differently.
public enum DateEncoding: Sendable, Hashable {
    /// An ISO-8601 string in UTC with milliseconds (`2026-11-22T10:00:00.000Z`): sorts as time
    /// in string keys and reads well.
    case iso8601
    /// A number of seconds since 1970 (fractions kept to the millisecond): what TTL attributes
    /// need.
    case epochSeconds
    /// A whole number of milliseconds since 1970.
    case epochMilliseconds
}

/// Encodes `Encodable` values as items.
///
/// | Swift | DynamoDB |
/// |---|---|
/// | integers, `Double`, `Float`, `Decimal`, ``ExactDecimal`` | `N`, exactly (`Double` by its shortest round-trip digits, never binary noise) |
/// | `String`, `UUID`, `URL` | `S` |
/// | `Data` | `B` |
/// | `Bool` | `BOOL` |
/// | `Date` | per ``DateEncoding`` |
/// | `nil` optionals | the attribute is left out |
/// | structs, `[String: T]` | `M` |
/// | arrays | `L` |
/// | `Set<String>`, `Set` of numbers, `Set<Data>` | `SS`, `NS`, `BS` (an empty set is left out, as DynamoDB has no empty sets) |
/// | enums | their raw value or their `Codable` form |
/// | ``AttributeValue`` | itself |
public struct ItemEncoder: Sendable {
    /// How `Date` properties are stored.
    public var dateEncoding: DateEncoding

    /// An encoder storing dates as `dateEncoding`.
    public init(dateEncoding: DateEncoding) {
        self.dateEncoding = dateEncoding
    }

    /// The item for `value`, which must encode as a keyed container (a struct or class).
    public func encode<T: Encodable>(_ value: T) throws -> Item {
        guard case .m(let item)? = try EncodingBox.encode(value, options: self, codingPath: []) else {
            throw EncodingError.invalidValue(value, .init(codingPath: [], debugDescription: "An item must encode as a keyed container (a struct or class), not \(T.self)"))
        }
        return Item(item)
    }

    /// The attribute value for `value` (nil when it encodes to nothing, like an empty set).
    public func encodeValue<T: Encodable>(_ value: T) throws -> AttributeValue? {
        try EncodingBox.encode(value, options: self, codingPath: [])
    }
}

/// What one encoder writes into: a value, or a map or list of further boxes, resolved to an
/// ``AttributeValue`` when encoding ends (so nested containers can be filled in any order).
final class EncodingBox {
    enum Content {
        case empty
        case value(AttributeValue?)
        case map([String: EncodingBox])
        case list([EncodingBox])
    }

    var content: Content = .empty

    var resolved: AttributeValue? {
        switch content {
        case .empty: return nil
        case .value(let value): return value
        case .map(let boxes):
            var map: [String: AttributeValue] = [:]
            for (key, box) in boxes { if let value = box.resolved { map[key] = value } }
            return .m(map)
        case .list(let boxes):
            return .l(boxes.map { $0.resolved ?? .null })
        }
    }

    static func encode<T: Encodable>(_ value: T, options: ItemEncoder, codingPath: [any CodingKey]) throws -> AttributeValue? {
        if let special = try encodeSpecial(value, options: options, codingPath: codingPath) { return special.value }
        let box = EncodingBox()
        try value.encode(to: ItemEncoding(box: box, options: options, codingPath: codingPath))
        return box.resolved
    }

    /// Types with a DynamoDB form of their own. The outer optional says "handled".
    private static func encodeSpecial<T: Encodable>(_ value: T, options: ItemEncoder,
                                                   codingPath: [any CodingKey]) throws -> (value: AttributeValue?, Void)? {
        switch value {
        case let v as AttributeValue: return (v, ())
        case let v as ExactDecimal: return (.n(v), ())
        case let v as Decimal: return (.n(try number(v, codingPath)), ())
        case let v as Double: return (.n(try number(v, codingPath)), ())
        case let v as Float: return (.n(try number(Double(v), codingPath, description: v.description)), ())
        case let v as Data: return (.b(v), ())
        case let v as UUID: return (.s(v.uuidString), ())
        case let v as URL: return (.s(v.absoluteString), ())
        case let v as Date: return (try date(v, options.dateEncoding, codingPath), ())
        case let v as Set<String>: return (v.isEmpty ? nil : .ss(v.sorted { bytesLess($0.utf8, $1.utf8) }), ())
        case let v as Set<Data>: return (v.isEmpty ? nil : .bs(Array(v)), ())
        case let v as Set<ExactDecimal>: return (v.isEmpty ? nil : .ns(v.sorted()), ())
        case let v as Set<Int>: return (numberSet(v.map { ExactDecimal($0) }), ())
        case let v as Set<Int64>: return (numberSet(v.map { ExactDecimal(Int($0)) }), ())
        case let v as Set<Int32>: return (numberSet(v.map { ExactDecimal(Int($0)) }), ())
        case let v as Set<UInt64>: return (numberSet(v.map { ExactDecimal($0) }), ())
        case let v as Set<Double>: return (numberSet(try v.map { try number($0, codingPath) }), ())
        case let v as Set<Decimal>: return (numberSet(try v.map { try number($0, codingPath) }), ())
        case let v as any BinaryInteger: return (.n(try integer(v, codingPath)), ())
        default: return nil
        }
    }

    private static func integer<I: BinaryInteger>(_ value: I, _ codingPath: [any CodingKey]) throws -> ExactDecimal {
        do {
            return try ExactDecimal(exactly: value)
        } catch {
            throw EncodingError.invalidValue(value, .init(codingPath: codingPath, debugDescription: "\(error)", underlyingError: error))
        }
    }

    private static func numberSet(_ numbers: [ExactDecimal]) -> AttributeValue? {
        numbers.isEmpty ? nil : .ns(numbers.sorted())
    }

    static func number(_ value: Double, _ codingPath: [any CodingKey], description: String? = nil) throws -> ExactDecimal {
        guard value.isFinite else {
            throw EncodingError.invalidValue(value, .init(codingPath: codingPath, debugDescription: "DynamoDB numbers cannot be NaN or infinite"))
        }
        do {
            // Swift prints the shortest digits that round-trip: 0.1 is stored as 0.1.
            return try ExactDecimal(description ?? value.description)
        } catch {
            throw EncodingError.invalidValue(value, .init(codingPath: codingPath, debugDescription: "\(error)", underlyingError: error))
        }
    }

    static func number(_ value: Decimal, _ codingPath: [any CodingKey]) throws -> ExactDecimal {
        do {
            return try ExactDecimal(value)
        } catch {
            throw EncodingError.invalidValue(value, .init(codingPath: codingPath, debugDescription: "\(error)", underlyingError: error))
        }
    }

    static func date(_ date: Date, _ encoding: DateEncoding, _ codingPath: [any CodingKey]) throws -> AttributeValue {
        switch encoding {
        case .iso8601:
            // Round to the millisecond first: the formatter truncates, and 0.123 s is
            // 0.12299… as a Double.
            let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded())
            let (seconds, fraction) = milliseconds.quotientAndRemainder(dividingBy: 1000)
            let (wholeSeconds, millis) = fraction < 0 ? (seconds - 1, fraction + 1000) : (seconds, fraction)
            let base = Date(timeIntervalSince1970: Double(wholeSeconds))
                .formatted(Date.ISO8601FormatStyle(timeZone: .gmt))   // 2026-11-22T10:00:00Z
            let digits = String(millis)
            return .s(base.dropLast() + "." + String(repeating: "0", count: 3 - digits.count) + digits + "Z")
        case .epochSeconds:
            let milliseconds = (date.timeIntervalSince1970 * 1000).rounded()
            return .n(try ExactDecimal(coefficient: UInt128(milliseconds.magnitude), exponent: -3, isNegative: milliseconds < 0))
        case .epochMilliseconds:
            return .n(ExactDecimal(Int((date.timeIntervalSince1970 * 1000).rounded())))
        }
    }
}

/// The `Encoder` handed to `Encodable.encode(to:)`.
struct ItemEncoding: Encoder {
    let box: EncodingBox
    let options: ItemEncoder
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .map = box.content {} else { box.content = .map([:]) }
        return KeyedEncodingContainer(KeyedContainer<Key>(box: box, options: options, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .list = box.content {} else { box.content = .list([]) }
        return UnkeyedContainer(box: box, options: options, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleValueContainer(box: box, options: options, codingPath: codingPath)
    }

    struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let box: EncodingBox
        let options: ItemEncoder
        let codingPath: [any CodingKey]

        private func set(_ value: AttributeValue?, for key: Key) {
            guard case .map(var boxes) = box.content else { return }
            let child = EncodingBox()
            child.content = .value(value)
            boxes[key.stringValue] = child
            box.content = .map(boxes)
        }

        private func child(for key: Key) -> EncodingBox {
            guard case .map(var boxes) = box.content else { return EncodingBox() }
            let child = EncodingBox()
            boxes[key.stringValue] = child
            box.content = .map(boxes)
            return child
        }

        mutating func encodeNil(forKey key: Key) throws { set(.null, for: key) }
        mutating func encode(_ value: Bool, forKey key: Key) throws { set(.bool(value), for: key) }
        mutating func encode(_ value: String, forKey key: Key) throws { set(.s(value), for: key) }
        mutating func encode(_ value: Int, forKey key: Key) throws { set(.n(ExactDecimal(value)), for: key) }
        mutating func encode(_ value: Int64, forKey key: Key) throws { set(.n(ExactDecimal(Int(value))), for: key) }
        mutating func encode(_ value: UInt64, forKey key: Key) throws { set(.n(ExactDecimal(value)), for: key) }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            set(try EncodingBox.encode(value, options: options, codingPath: codingPath + [key]), for: key)
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            ItemEncoding(box: child(for: key), options: options, codingPath: codingPath + [key]).container(keyedBy: keyType)
        }

        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            ItemEncoding(box: child(for: key), options: options, codingPath: codingPath + [key]).unkeyedContainer()
        }

        mutating func superEncoder() -> any Encoder {
            ItemEncoding(box: child(for: Key(stringValue: "super")!), options: options, codingPath: codingPath)
        }

        mutating func superEncoder(forKey key: Key) -> any Encoder {
            ItemEncoding(box: child(for: key), options: options, codingPath: codingPath + [key])
        }
    }

    struct UnkeyedContainer: UnkeyedEncodingContainer {
        let box: EncodingBox
        let options: ItemEncoder
        let codingPath: [any CodingKey]

        var count: Int {
            if case .list(let boxes) = box.content { return boxes.count }
            return 0
        }

        private func append(_ value: AttributeValue?) {
            let child = EncodingBox()
            child.content = .value(value)
            appendBox(child)
        }

        private func appendBox(_ child: EncodingBox) {
            guard case .list(var boxes) = box.content else { return }
            boxes.append(child)
            box.content = .list(boxes)
        }

        private var nextPath: [any CodingKey] { codingPath + [IndexKey(count)] }

        mutating func encodeNil() throws { append(.null) }
        mutating func encode(_ value: Bool) throws { append(.bool(value)) }
        mutating func encode(_ value: String) throws { append(.s(value)) }
        mutating func encode(_ value: Int) throws { append(.n(ExactDecimal(value))) }
        mutating func encode<T: Encodable>(_ value: T) throws {
            append(try EncodingBox.encode(value, options: options, codingPath: nextPath) ?? .null)
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            let child = EncodingBox()
            let path = nextPath
            appendBox(child)
            return ItemEncoding(box: child, options: options, codingPath: path).container(keyedBy: keyType)
        }

        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            let child = EncodingBox()
            let path = nextPath
            appendBox(child)
            return ItemEncoding(box: child, options: options, codingPath: path).unkeyedContainer()
        }

        mutating func superEncoder() -> any Encoder {
            let child = EncodingBox()
            let path = nextPath
            appendBox(child)
            return ItemEncoding(box: child, options: options, codingPath: path)
        }
    }

    struct SingleValueContainer: SingleValueEncodingContainer {
        let box: EncodingBox
        let options: ItemEncoder
        let codingPath: [any CodingKey]

        mutating func encodeNil() throws { box.content = .value(.null) }
        mutating func encode(_ value: Bool) throws { box.content = .value(.bool(value)) }
        mutating func encode(_ value: String) throws { box.content = .value(.s(value)) }
        mutating func encode(_ value: Int) throws { box.content = .value(.n(ExactDecimal(value))) }
        mutating func encode<T: Encodable>(_ value: T) throws {
            box.content = .value(try EncodingBox.encode(value, options: options, codingPath: codingPath))
        }
    }
}

/// A list position as a coding key.
struct IndexKey: CodingKey {
    let intValue: Int?
    let stringValue: String
    init(_ index: Int) {
        intValue = index
        stringValue = "Index \(index)"
    }
    init?(stringValue: String) { return nil }
    init?(intValue: Int) { self.init(intValue) }
}

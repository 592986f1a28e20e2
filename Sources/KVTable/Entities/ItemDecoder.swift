#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Decodes `Decodable` values from items; the inverse of ``ItemEncoder``.
///
/// Numbers decode into any numeric type that holds them exactly (an `Int` from `1.5` is a type
/// mismatch, not a truncation). A missing attribute decodes as `nil` for optionals and as an
/// empty set for sets (DynamoDB cannot store empty sets).
public struct ItemDecoder: Sendable {
    /// How `Date` properties were stored.
    public var dateEncoding: DateEncoding

    /// A decoder reading dates as `dateEncoding` wrote them.
    public init(dateEncoding: DateEncoding) {
        self.dateEncoding = dateEncoding
    }

    /// Decodes `type` from an item. A stored item (one read from a store) is decoded straight
    /// from its bytes: each property looks its attribute up in an index of the stored names,
    /// with no dictionary built in between.
    public func decode<T: Decodable>(_ type: T.Type, from item: Item) throws -> T {
        if case .encoded(let bytes) = item.storage, T.self != AttributeValue.self {
            return try T(from: ItemDecoding(members: .stored(AttributeIndex(checkedBytes: bytes)), options: self))
        }
        return try decodeValue(type, from: .m(item.attributes))
    }

    /// Decodes `type` from one attribute value (a map for a struct, a list for an array, …).
    public func decodeValue<T: Decodable>(_ type: T.Type, from value: AttributeValue) throws -> T {
        try ItemDecoding.decode(type, from: value, options: self, codingPath: [])
    }
}

/// The `Decoder` handed to `Decodable.init(from:)`.
struct ItemDecoding: Decoder {
    /// The value decoded; for a stored item, its members are read from `members` instead.
    let value: AttributeValue
    private let members: Members?
    let options: ItemDecoder
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(value: AttributeValue, options: ItemDecoder, codingPath: [any CodingKey]) {
        self.value = value
        self.members = nil
        self.options = options
        self.codingPath = codingPath
    }

    /// A decoder for a whole stored item, read through its attribute index.
    init(members: Members, options: ItemDecoder) {
        self.value = .null
        self.members = members
        self.options = options
        self.codingPath = []
    }

    /// The members of a map or of a whole item.
    enum Members {
        case map([String: AttributeValue])
        case stored(AttributeIndex)

        subscript(name: String) -> AttributeValue? {
            switch self {
            case .map(let map): return map[name]
            case .stored(let index): return index.value(named: name)
            }
        }

        func contains(_ name: String) -> Bool {
            switch self {
            case .map(let map): return map[name] != nil
            case .stored(let index): return index.contains(name)
            }
        }

        var names: [String] {
            switch self {
            case .map(let map): return Array(map.keys)
            case .stored(let index): return index.names
            }
        }
    }

    /// Decodes `type` from `value`. The coding path is built only when it is used (by a nested
    /// decoder or an error): a property of a scalar type decodes without allocating one.
    static func decode<T: Decodable>(_ type: T.Type, from value: AttributeValue, options: ItemDecoder,
                                     codingPath: @autoclosure () -> [any CodingKey]) throws -> T {
        if let special = try decodeSpecial(type, from: value, options: options, codingPath: codingPath) {
            return special
        }
        return try T(from: ItemDecoding(value: value, options: options, codingPath: codingPath()))
    }

    static func mismatch<T>(_ type: T.Type, _ value: AttributeValue, _ codingPath: [any CodingKey]) -> DecodingError {
        .typeMismatch(type, .init(codingPath: codingPath, debugDescription: "Expected \(type), found \(value.type.rawValue) \(value)"))
    }

    /// An empty set of a set type `T`, for a missing attribute; nil for other types.
    static func emptySet<T>(_ type: T.Type) -> T? {
        switch type {
        case is Set<String>.Type: return Set<String>() as? T
        case is Set<Data>.Type: return Set<Data>() as? T
        case is Set<ExactDecimal>.Type: return Set<ExactDecimal>() as? T
        case is Set<Int>.Type: return Set<Int>() as? T
        case is Set<Int64>.Type: return Set<Int64>() as? T
        case is Set<Int32>.Type: return Set<Int32>() as? T
        case is Set<UInt64>.Type: return Set<UInt64>() as? T
        case is Set<Double>.Type: return Set<Double>() as? T
        case is Set<Decimal>.Type: return Set<Decimal>() as? T
        default: return nil
        }
    }

    /// The types with a storage form of their own, found by one table lookup (a chain of
    /// `is` checks costs a metadata lookup per type and property).
    private enum Special {
        case attributeValue, exactDecimal, decimal, double, float, data, uuid, url, date
        case stringSet, dataSet, exactDecimalSet, numericSet, integer
    }

    private static let specials: [ObjectIdentifier: Special] = {
        var table: [ObjectIdentifier: Special] = [
            ObjectIdentifier(AttributeValue.self): .attributeValue, ObjectIdentifier(ExactDecimal.self): .exactDecimal,
            ObjectIdentifier(Decimal.self): .decimal, ObjectIdentifier(Double.self): .double,
            ObjectIdentifier(Float.self): .float, ObjectIdentifier(Data.self): .data,
            ObjectIdentifier(UUID.self): .uuid, ObjectIdentifier(URL.self): .url, ObjectIdentifier(Date.self): .date,
            ObjectIdentifier(Set<String>.self): .stringSet, ObjectIdentifier(Set<Data>.self): .dataSet,
            ObjectIdentifier(Set<ExactDecimal>.self): .exactDecimalSet,
        ]
        for set: Any.Type in [Set<Int>.self, Set<Int64>.self, Set<Int32>.self, Set<UInt64>.self, Set<Double>.self, Set<Decimal>.self] {
            table[ObjectIdentifier(set)] = .numericSet
        }
        for integer: Any.Type in [Int.self, Int8.self, Int16.self, Int32.self, Int64.self, UInt.self, UInt8.self,
                                  UInt16.self, UInt32.self, UInt64.self, Int128.self, UInt128.self] {
            table[ObjectIdentifier(integer)] = .integer
        }
        return table
    }()

    private static func decodeSpecial<T: Decodable>(_ type: T.Type, from value: AttributeValue, options: ItemDecoder,
                                                   codingPath: () -> [any CodingKey]) throws -> T? {
        guard let special = specials[ObjectIdentifier(type)] else { return nil }
        func fail() -> DecodingError { mismatch(type, value, codingPath()) }
        switch special {
        case .attributeValue:
            return value as? T
        case .exactDecimal:
            guard case .n(let n) = value else { throw fail() }
            return n as? T
        case .decimal:
            guard case .n(let n) = value, let decimal = n.decimalValue else { throw fail() }
            return decimal as? T
        case .double:
            guard case .n(let n) = value, let double = Double(n.description) else { throw fail() }
            return double as? T
        case .float:
            guard case .n(let n) = value, let float = Float(n.description) else { throw fail() }
            return float as? T
        case .data:
            guard case .b(let data) = value else { throw fail() }
            return data as? T
        case .uuid:
            guard case .s(let s) = value, let uuid = UUID(uuidString: s) else { throw fail() }
            return uuid as? T
        case .url:
            guard case .s(let s) = value, let url = URL(string: s) else { throw fail() }
            return url as? T
        case .date:
            return try date(from: value, options.dateEncoding, codingPath()) as? T
        case .stringSet:
            guard case .ss(let set) = value else { throw fail() }
            return Set(set) as? T
        case .dataSet:
            guard case .bs(let set) = value else { throw fail() }
            return Set(set) as? T
        case .exactDecimalSet:
            guard case .ns(let set) = value else { throw fail() }
            return Set(set) as? T
        case .numericSet:
            guard case .ns(let set) = value else { throw fail() }
            // Decode each element as the set's element type through a list.
            return try T(from: ItemDecoding(value: .l(set.map { .n($0) }), options: options, codingPath: codingPath()))
        case .integer:
            guard let integerType = type as? any FixedWidthInteger.Type else { return nil }
            guard case .n(let n) = value, let integer = exactInteger(n, as: integerType) else { throw fail() }
            return integer as? T
        }
    }

    /// `n` as an integer of `type`, when it is integral and fits.
    static func exactInteger<I: FixedWidthInteger>(_ n: ExactDecimal, as type: I.Type) -> I? {
        if n.isZero { return 0 }
        guard n.exponent >= 0, n.exponent < 39 else { return nil }
        var magnitude = n.coefficient
        for _ in 0..<Int(n.exponent) {
            let (product, overflow) = magnitude.multipliedReportingOverflow(by: 10)
            if overflow { return nil }
            magnitude = product
        }
        if n.isNegative {
            guard let signed = Int128(exactly: magnitude) else { return nil }
            return I(exactly: -signed)
        }
        return I(exactly: magnitude)
    }

    static func date(from value: AttributeValue, _ encoding: DateEncoding, _ codingPath: [any CodingKey]) throws -> Date {
        switch (encoding, value) {
        case (.iso8601, .s(let text)):
            if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return date }
            if let date = try? Date(text, strategy: Date.ISO8601FormatStyle()) { return date }
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "Not an ISO-8601 date: \(text)"))
        case (.epochSeconds, .n(let n)):
            guard let seconds = Double(n.description) else { throw mismatch(Date.self, value, codingPath) }
            return Date(timeIntervalSince1970: seconds)
        case (.epochMilliseconds, .n(let n)):
            guard let milliseconds = Double(n.description) else { throw mismatch(Date.self, value, codingPath) }
            return Date(timeIntervalSince1970: milliseconds / 1000)
        default:
            throw mismatch(Date.self, value, codingPath)
        }
    }

    /// The value as a whole: a stored item's members decoded into a map.
    private var wholeValue: AttributeValue {
        if case .stored(let index) = members { return .m(ItemCodec.decodeAttributes(index.bytes)) }
        return value
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        if let members { return KeyedDecodingContainer(KeyedContainer<Key>(map: members, options: options, codingPath: codingPath)) }
        guard case .m(let map) = value else { throw ItemDecoding.mismatch([String: AttributeValue].self, value, codingPath) }
        return KeyedDecodingContainer(KeyedContainer<Key>(map: .map(map), options: options, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .l(let list) = value, members == nil else { throw ItemDecoding.mismatch([AttributeValue].self, wholeValue, codingPath) }
        return UnkeyedContainer(list: list, options: options, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        SingleValueContainer(value: wholeValue, options: options, codingPath: codingPath)
    }

    struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let map: Members
        let options: ItemDecoder
        let codingPath: [any CodingKey]

        var allKeys: [Key] { map.names.compactMap { Key(stringValue: $0) } }
        func contains(_ key: Key) -> Bool { map.contains(key.stringValue) }

        // The common scalar types skip the generic path's type checks.

        // A stored item's strings, numbers and string sets are read straight from its bytes;
        // anything else (and every error) goes through the general path.

        func decode(_ type: String.Type, forKey key: Key) throws -> String {
            if case .stored(let index) = map, let string = index.string(named: key.stringValue) { return string }
            guard case .s(let string) = try required(key) else { throw mismatch(type, key) }
            return string
        }

        func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool {
            guard case .bool(let flag) = try required(key) else { throw mismatch(type, key) }
            return flag
        }

        func decode(_ type: Int.Type, forKey key: Key) throws -> Int {
            if case .stored(let index) = map, let n = index.number(named: key.stringValue),
               let integer = ItemDecoding.exactInteger(n, as: type) {
                return integer
            }
            guard case .n(let n) = try required(key), let integer = ItemDecoding.exactInteger(n, as: type) else { throw mismatch(type, key) }
            return integer
        }

        func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 {
            guard case .n(let n) = try required(key), let integer = ItemDecoding.exactInteger(n, as: type) else { throw mismatch(type, key) }
            return integer
        }

        func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
            switch map[key.stringValue] {
            case nil, .null?: return nil
            case .s(let string)?: return string
            default: throw mismatch(type, key)
            }
        }

        func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? {
            switch map[key.stringValue] {
            case nil, .null?: return nil
            case .n(let n)?:
                guard let integer = ItemDecoding.exactInteger(n, as: type) else { throw mismatch(type, key) }
                return integer
            default: throw mismatch(type, key)
            }
        }

        func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? {
            switch map[key.stringValue] {
            case nil, .null?: return nil
            case .bool(let flag)?: return flag
            default: throw mismatch(type, key)
            }
        }

        private func required(_ key: Key) throws -> AttributeValue {
            guard let value = map[key.stringValue] else {
                throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "No attribute \(key.stringValue)"))
            }
            return value
        }

        private func mismatch<T>(_ type: T.Type, _ key: Key) -> DecodingError {
            ItemDecoding.mismatch(type, map[key.stringValue] ?? .null, codingPath + [key])
        }

        func decodeNil(forKey key: Key) throws -> Bool {
            guard let value = map[key.stringValue] else { return true }
            return value == .null
        }

        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            if T.self == Set<String>.self, case .stored(let index) = map, let set = index.stringSet(named: key.stringValue) {
                return set as! T   // T is Set<String>: checked on the line above
            }
            guard let value = map[key.stringValue] else {
                if let empty = ItemDecoding.emptySet(type) { return empty }
                throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "No attribute \(key.stringValue)"))
            }
            return try ItemDecoding.decode(type, from: value, options: options, codingPath: codingPath + [key])
        }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
            try decoder(for: key).container(keyedBy: type)
        }

        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            try decoder(for: key).unkeyedContainer()
        }

        func superDecoder() throws -> any Decoder {
            ItemDecoding(value: map["super"] ?? .m([:]), options: options, codingPath: codingPath)
        }

        func superDecoder(forKey key: Key) throws -> any Decoder {
            try decoder(for: key)
        }

        private func decoder(for key: Key) throws -> ItemDecoding {
            guard let value = map[key.stringValue] else {
                throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "No attribute \(key.stringValue)"))
            }
            return ItemDecoding(value: value, options: options, codingPath: codingPath + [key])
        }
    }

    struct UnkeyedContainer: UnkeyedDecodingContainer {
        let list: [AttributeValue]
        let options: ItemDecoder
        let codingPath: [any CodingKey]
        var currentIndex = 0

        init(list: [AttributeValue], options: ItemDecoder, codingPath: [any CodingKey]) {
            self.list = list
            self.options = options
            self.codingPath = codingPath
        }

        var count: Int? { list.count }
        var isAtEnd: Bool { currentIndex >= list.count }

        private mutating func next<T>(_ type: T.Type) throws -> (AttributeValue, [any CodingKey]) {
            guard !isAtEnd else {
                throw DecodingError.valueNotFound(type, .init(codingPath: codingPath, debugDescription: "The list has no more elements"))
            }
            defer { currentIndex += 1 }
            return (list[currentIndex], codingPath + [IndexKey(currentIndex)])
        }

        mutating func decodeNil() throws -> Bool {
            guard !isAtEnd, list[currentIndex] == .null else { return false }
            currentIndex += 1
            return true
        }

        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
            let (value, path) = try next(type)
            return try ItemDecoding.decode(type, from: value, options: options, codingPath: path)
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
            let (value, path) = try next([String: AttributeValue].self)
            return try ItemDecoding(value: value, options: options, codingPath: path).container(keyedBy: type)
        }

        mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
            let (value, path) = try next([AttributeValue].self)
            return try ItemDecoding(value: value, options: options, codingPath: path).unkeyedContainer()
        }

        mutating func superDecoder() throws -> any Decoder {
            let (value, path) = try next(AttributeValue.self)
            return ItemDecoding(value: value, options: options, codingPath: path)
        }
    }

    struct SingleValueContainer: SingleValueDecodingContainer {
        let value: AttributeValue
        let options: ItemDecoder
        let codingPath: [any CodingKey]

        func decodeNil() -> Bool { value == .null }

        func decode(_ type: Bool.Type) throws -> Bool {
            guard case .bool(let flag) = value else { throw ItemDecoding.mismatch(type, value, codingPath) }
            return flag
        }

        func decode(_ type: String.Type) throws -> String {
            guard case .s(let string) = value else { throw ItemDecoding.mismatch(type, value, codingPath) }
            return string
        }

        func decode<T: Decodable>(_ type: T.Type) throws -> T {
            try ItemDecoding.decode(type, from: value, options: options, codingPath: codingPath)
        }
    }
}

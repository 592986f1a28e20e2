#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// DynamoDB's rules for what an item may hold, independent of any table schema.
enum ItemValidation {
    /// DynamoDB's maximum item size: 400 KB, names and values together.
    static let maximumItemSize = 400 * 1024
    /// DynamoDB's maximum nesting of lists and maps.
    static let maximumNestingDepth = 32

    /// Checks sets (non-empty, no duplicates), nesting depth and total size.
    ///
    /// An item in its stored form passed these checks when it was made — written to a store
    /// (and read back), or built by ``ItemBuilder`` — so it is not checked again: writing back
    /// an item read, or a bulk load of built items, pays nothing here.
    static func validate(_ item: Item) throws(KVTableError) {
        if case .encoded = item.storage { return }
        var size = 0
        for (name, value) in item.attributes {
            try validateName(name)
            try validate(value, depth: 0)
            size += name.utf8.count + value.storageSize
        }
        if size > maximumItemSize {
            throw .validation("Item size has exceeded the maximum allowed size")
        }
    }

    /// DynamoDB's longest attribute name (64 KB); key attribute names are limited to 255 bytes
    /// by the schema.
    static let maximumNameBytes = 65_535

    /// A top-level attribute name: 1 to 65,535 bytes of UTF-8.
    static func validateName(_ name: String) throws(KVTableError) {
        let bytes = name.utf8.count
        guard bytes > 0 else {
            throw .validation("One or more parameter values were invalid: An attribute name cannot be empty")
        }
        guard bytes <= maximumNameBytes else {
            throw .validation("One or more parameter values were invalid: An attribute name is \(bytes) bytes long; the limit is \(maximumNameBytes)")
        }
    }

    /// DynamoDB's answer to a list or map nested more than ``maximumNestingDepth`` deep, word
    /// for word as it answers it (clients match on "nested levels").
    static let nestingTooDeep = KVTableError.validation(
        "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit")

    static func validate(_ value: AttributeValue, depth: Int) throws(KVTableError) {
        switch value {
        case .s, .n, .b, .bool, .null:
            return
        case .l(let values):
            guard depth < maximumNestingDepth else {
                throw nestingTooDeep
            }
            for element in values { try validate(element, depth: depth + 1) }
        case .m(let values):
            guard depth < maximumNestingDepth else {
                throw nestingTooDeep
            }
            for element in values.values { try validate(element, depth: depth + 1) }
        case .ss(let values):
            try checkSet(values.map { Array($0.utf8) }, typeName: "string", render: { String(decoding: $0, as: UTF8.self) })
        case .ns(let values):
            guard !values.isEmpty else { throw emptySet("number") }
            if Set(values).count != values.count {
                throw .validation("Input collection \(values.map(\.description)) contains duplicates.")
            }
        case .bs(let values):
            try checkSet(values.map { Array($0) }, typeName: "binary", render: { Data($0).base64EncodedString() })
        }
    }

    private static func checkSet(_ elements: [[UInt8]], typeName: String, render: ([UInt8]) -> String) throws(KVTableError) {
        guard !elements.isEmpty else { throw emptySet(typeName) }
        // Byte-wise: "é" composed and decomposed are two distinct elements, as in DynamoDB.
        if Set(elements).count != elements.count {
            throw .validation("Input collection \(elements.map(render)) contains duplicates.")
        }
    }

    private static func emptySet(_ typeName: String) -> KVTableError {
        .validation("One or more parameter values were invalid: An \(typeName) set  may not be empty")
    }
}

extension AttributeValue {
    /// The size DynamoDB charges for this value, following its documented item-size rules.
    var storageSize: Int {
        switch self {
        case .s(let value): return value.utf8.count
        case .n(let value): return (value.significantDigitCount + 1) / 2 + 1
        case .b(let value): return value.count
        case .bool, .null: return 1
        case .l(let values): return 3 + values.reduce(0) { $0 + 1 + $1.storageSize }
        case .m(let values): return 3 + values.reduce(0) { $0 + 1 + $1.key.utf8.count + $1.value.storageSize }
        case .ss(let values): return values.reduce(0) { $0 + $1.utf8.count }
        case .ns(let values): return values.reduce(0) { $0 + ($1.significantDigitCount + 1) / 2 + 1 }
        case .bs(let values): return values.reduce(0) { $0 + $1.count }
        }
    }
}

extension Item {
    /// The item's size as DynamoDB counts it (names plus values), the measure of its 400 KB limit.
    public var dynamoDBItemSize: Int {
        reduce(0) { $0 + $1.key.utf8.count + $1.value.storageSize }
    }
}

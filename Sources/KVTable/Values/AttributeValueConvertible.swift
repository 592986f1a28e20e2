#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A Swift value that is an attribute value without loss: strings, integers, booleans,
/// ``ExactDecimal``s and `Data`. (``AttributeValue`` itself is not one: the functions taking
/// these values sit beside ones taking an `AttributeValue`, and need not compete with them.)
///
/// It lets runtime values go straight into conditions and updates, where literals already do:
///
/// ```swift
/// let status = "active", limit = 3
/// let condition: Condition = .attribute("status") == .value(status) && .attribute("count") < .value(limit)
/// let update: Update = [.set("price", .attribute("price") - .value(discount))]   // discount: ExactDecimal
/// ```
///
/// `Double` is deliberately not convertible: binary floating point cannot hold most decimals
/// exactly (write an ``ExactDecimal``, whose string literal `"1.3"` is exact).
public protocol AttributeValueConvertible: Sendable {
    /// The value as DynamoDB stores it.
    var attributeValue: AttributeValue { get }
}

extension String: AttributeValueConvertible {
    /// An `S`.
    public var attributeValue: AttributeValue { .s(self) }
}

extension Substring: AttributeValueConvertible {
    /// An `S`.
    public var attributeValue: AttributeValue { .s(String(self)) }
}

extension Int: AttributeValueConvertible {
    /// An `N`; always exact.
    public var attributeValue: AttributeValue { .n(ExactDecimal(self)) }
}

extension Int64: AttributeValueConvertible {
    /// An `N`; always exact.
    public var attributeValue: AttributeValue { .n(ExactDecimal(Int(self))) }
}

extension UInt64: AttributeValueConvertible {
    /// An `N`; always exact.
    public var attributeValue: AttributeValue { .n(ExactDecimal(self)) }
}

extension Bool: AttributeValueConvertible {
    /// A `BOOL`.
    public var attributeValue: AttributeValue { .bool(self) }
}

extension ExactDecimal: AttributeValueConvertible {
    /// An `N`.
    public var attributeValue: AttributeValue { .n(self) }
}

extension Data: AttributeValueConvertible {
    /// A `B`.
    public var attributeValue: AttributeValue { .b(self) }
}

extension Operand {
    /// A runtime value as an operand: `.attribute("status") == .value(status)`.
    public static func value(_ value: some AttributeValueConvertible) -> Operand {
        .value(value.attributeValue)
    }
}

extension UpdateValue {
    /// A runtime value as the right-hand side of `SET`: `.set("owner", .value(userId))`.
    public static func value(_ value: some AttributeValueConvertible) -> UpdateValue {
        .value(value.attributeValue)
    }
}

extension UpdateAction {
    /// `ADD path value` with a runtime value: `.add("views", count)`.
    public static func add(_ path: AttributePath, _ value: some AttributeValueConvertible) -> UpdateAction {
        .add(path, value.attributeValue)
    }

    /// `SET path = value` with a runtime value: `.set("owner", userId)`.
    public static func set(_ path: AttributePath, _ value: some AttributeValueConvertible) -> UpdateAction {
        .set(path, .value(value.attributeValue))
    }
}

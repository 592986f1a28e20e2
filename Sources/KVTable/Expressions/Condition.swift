/// A condition on one item: DynamoDB's `ConditionExpression` and `FilterExpression` language
/// as a typed Swift tree.
///
/// Build one with the functions and operators below:
///
/// ```swift
/// let createOnly: Condition = .notExists("PK")
/// let adult: Condition = .attribute("age") >= 18 && .attribute("status").isIn(["active", "trial"])
/// let tagged: Condition = .contains("tags", "swift") || !.exists("deletedAt")
/// let longName: Condition = .size("name") > 3
/// ```
///
/// Evaluation follows DynamoDB: a comparison whose operands have different types, or whose path
/// is missing, is false (and `<>` true); the ordering operators compare only strings (by UTF-8
/// bytes), numbers (by value) and binary (by unsigned bytes).
public indirect enum Condition: Sendable, Hashable {
    /// `lhs op rhs`: a comparison (see ``ComparisonOperator``); false when an operand is missing,
    /// except for `<>`.
    case compare(Operand, ComparisonOperator, Operand)
    /// `value BETWEEN lower AND upper`, inclusive at both ends.
    case between(Operand, lower: Operand, upper: Operand)
    /// `value IN (a, b, …)`: 1 to 100 candidates.
    case isIn(Operand, [Operand])
    /// `attribute_exists(path)`: the item has an attribute at `path` (a `NULL` value counts).
    case attributeExists(AttributePath)
    /// `attribute_not_exists(path)`: the item has no attribute at `path`.
    case attributeNotExists(AttributePath)
    /// `attribute_type(path, type)`: the attribute at `path` exists and has `type`.
    case attributeType(AttributePath, AttributeType)
    /// A string or binary attribute starts with the operand.
    case beginsWith(AttributePath, Operand)
    /// A substring of a string, a subsequence of a binary, an element of a set or list.
    case contains(AttributePath, Operand)
    /// `begins_with`, `contains` or `attribute_type` whose first operand is not a document path —
    /// `begins_with(:whole, prefix)`, `contains(:allowed, status)`, `attribute_type(:v, :t)` —
    /// which DynamoDB's expression strings accept too. Evaluated as the path-first cases above;
    /// for ``ConditionFunction/attributeType`` the second operand is the type's name (`"S"`, `"L"`, …).
    case function(ConditionFunction, Operand, Operand)
    /// Both conditions hold (`a AND b`).
    case and(Condition, Condition)
    /// At least one of the conditions holds (`a OR b`).
    case or(Condition, Condition)
    /// The condition does not hold (`NOT a`).
    case not(Condition)

    /// `attribute_exists(path)`.
    public static func exists(_ path: AttributePath) -> Condition { .attributeExists(path) }
    /// `attribute_not_exists(path)`.
    public static func notExists(_ path: AttributePath) -> Condition { .attributeNotExists(path) }
    /// `attribute_type(path, type)`.
    public static func hasType(_ path: AttributePath, _ type: AttributeType) -> Condition { .attributeType(path, type) }

    /// The attribute at `path`, as an operand: `.attribute("age") >= 18`.
    ///
    /// (Declared here as well as on ``Operand`` so that a leading-dot operand resolves where
    /// Swift looks it up on `Condition`, the expression's contextual type.)
    public static func attribute(_ path: AttributePath) -> Operand { .path(path) }
    /// `size(path)`, as an operand: `.size("tags") > 3`.
    public static func size(_ path: AttributePath) -> Operand { .size(path) }
    /// A literal value, as an operand.
    public static func value(_ value: AttributeValue) -> Operand { .value(value) }

    /// `lhs AND rhs`: both conditions hold.
    public static func && (lhs: Condition, rhs: Condition) -> Condition { .and(lhs, rhs) }
    /// `lhs OR rhs`: at least one of the conditions holds.
    public static func || (lhs: Condition, rhs: Condition) -> Condition { .or(lhs, rhs) }
    /// `NOT condition`: the condition does not hold.
    public static prefix func ! (condition: Condition) -> Condition { .not(condition) }
}

/// The two-operand functions of ``Condition/function(_:_:_:)``.
public enum ConditionFunction: String, Sendable, Hashable, CaseIterable {
    /// `begins_with(a, b)`: string or binary `a` starts with `b`.
    case beginsWith = "begins_with"
    /// `contains(a, b)`: `b` is a substring of `a`, a subsequence, or an element of a set or list.
    case contains = "contains"
    /// `attribute_type(a, t)`: `a` has the type named `t`.
    case attributeType = "attribute_type"
}

/// The comparison operators.
public enum ComparisonOperator: String, Sendable, Hashable, CaseIterable {
    /// `=`: equal, by DynamoDB's equality (values of different types are never equal).
    case equal = "="
    /// `<>`: not equal; also true when an operand is missing.
    case notEqual = "<>"
    /// `<`: less than (strings, numbers and binary values only).
    case lessThan = "<"
    /// `<=`: less than or equal (strings, numbers and binary values only).
    case lessThanOrEqual = "<="
    /// `>`: greater than (strings, numbers and binary values only).
    case greaterThan = ">"
    /// `>=`: greater than or equal (strings, numbers and binary values only).
    case greaterThanOrEqual = ">="
}

/// One side of a comparison: an attribute, a literal value, or `size(attribute)`.
///
/// String, integer and boolean literals are values: `.attribute("status") == "active"`.
public enum Operand: Sendable, Hashable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByBooleanLiteral
{
    /// The value of the attribute at a document path; missing when the item has none.
    case path(AttributePath)
    /// A literal value.
    case value(AttributeValue)
    /// `size(path)`: string length in UTF-8 bytes, binary length, or element count.
    case size(AttributePath)

    /// The attribute at `path`.
    public static func attribute(_ path: AttributePath) -> Operand { .path(path) }

    public init(stringLiteral value: String) { self = .value(.s(value)) }
    public init(integerLiteral value: Int) { self = .value(.n(ExactDecimal(value))) }
    public init(booleanLiteral value: Bool) { self = .value(.bool(value)) }

    /// `lhs = rhs`: the operands are equal, by DynamoDB's equality (a missing operand is never
    /// equal).
    public static func == (lhs: Operand, rhs: Operand) -> Condition { .compare(lhs, .equal, rhs) }
    /// `lhs <> rhs`: the operands differ (true when either is missing).
    public static func != (lhs: Operand, rhs: Operand) -> Condition { .compare(lhs, .notEqual, rhs) }
    /// `lhs < rhs`: strings, numbers or binary values of one type, `lhs` ordered first (false for
    /// a missing operand or mixed types).
    public static func < (lhs: Operand, rhs: Operand) -> Condition { .compare(lhs, .lessThan, rhs) }
    /// `lhs <= rhs`: strings, numbers or binary values of one type, `lhs` not ordered after `rhs`
    /// (false for a missing operand or mixed types).
    public static func <= (lhs: Operand, rhs: Operand) -> Condition { .compare(lhs, .lessThanOrEqual, rhs) }
    /// `lhs > rhs`: strings, numbers or binary values of one type, `lhs` ordered after `rhs`
    /// (false for a missing operand or mixed types).
    public static func > (lhs: Operand, rhs: Operand) -> Condition { .compare(lhs, .greaterThan, rhs) }
    /// `lhs >= rhs`: strings, numbers or binary values of one type, `lhs` not ordered before `rhs`
    /// (false for a missing operand or mixed types).
    public static func >= (lhs: Operand, rhs: Operand) -> Condition { .compare(lhs, .greaterThanOrEqual, rhs) }

    /// `self BETWEEN lower AND upper` (inclusive).
    public func between(_ lower: Operand, _ upper: Operand) -> Condition {
        .between(self, lower: lower, upper: upper)
    }

    /// `self IN (candidates…)`.
    public func isIn(_ candidates: [Operand]) -> Condition {
        .isIn(self, candidates)
    }
}

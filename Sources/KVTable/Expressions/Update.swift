/// An update of one item: DynamoDB's `UpdateExpression` as a typed Swift value.
///
/// ```swift
/// let update: Update = [
///     .set("name", "Ada"),
///     .set("views", .ifNotExists("views", 0) + 1),
///     .set("history", .listAppend(.attribute("history"), .value(["signed in"]))),
///     .set("address.lines[5]", "appended when past the end"),
///     .remove("draft"),
///     .add("tags", .ss(["swift"])),
///     .delete("flags", .ss(["new"])),
/// ]
/// ```
///
/// All operands read the item as it was before the update (`SET a = b, b = a` swaps).
public struct Update: Sendable, Hashable, ExpressibleByArrayLiteral {
    /// The actions; no two may touch overlapping paths.
    public var actions: [UpdateAction]

    /// An update of these actions.
    public init(_ actions: [UpdateAction]) {
        self.actions = actions
    }

    public init(arrayLiteral actions: UpdateAction...) {
        self.actions = actions
    }

    /// Whether every action removes something (`REMOVE`, `DELETE`) — such an update of an absent
    /// item creates nothing. (No action at all is not such an update: it creates the key-only
    /// item, as DynamoDB's empty `AttributeUpdates` does.)
    var onlyRemoves: Bool {
        !actions.isEmpty && actions.allSatisfy { action in
            switch action {
            case .remove, .delete: return true
            case .set, .add: return false
            }
        }
    }
}

/// One action of an ``Update``.
public enum UpdateAction: Sendable, Hashable {
    /// `SET path = value`: creates or replaces; a list index past the end appends.
    case set(AttributePath, UpdateValue)
    /// `REMOVE path`: removes an attribute, map entry or list element (later elements shift).
    case remove(AttributePath)
    /// `ADD path value`: adds to a number (missing counts as 0) or unions a set (missing counts
    /// as empty).
    case add(AttributePath, AttributeValue)
    /// `DELETE path set`: removes elements from a set; removing the last removes the attribute.
    case delete(AttributePath, AttributeValue)

    var path: AttributePath {
        switch self {
        case .set(let path, _), .remove(let path), .add(let path, _), .delete(let path, _): return path
        }
    }
}

/// The right-hand side of a `SET` action.
public indirect enum UpdateValue: Sendable, Hashable, ExpressibleByStringLiteral,
    ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral
{
    /// A literal value.
    case value(AttributeValue)
    /// The attribute at `path` in the item before the update (a validation error when it is
    /// missing).
    case path(AttributePath)
    /// `a + b` on numbers.
    case plus(UpdateValue, UpdateValue)
    /// `a - b` on numbers.
    case minus(UpdateValue, UpdateValue)
    /// `if_not_exists(path, fallback)`: the attribute when it exists, else the fallback.
    case ifNotExists(AttributePath, UpdateValue)
    /// `list_append(a, b)`: the elements of list `a` followed by those of list `b`.
    case listAppend(UpdateValue, UpdateValue)

    /// The attribute at `path`.
    public static func attribute(_ path: AttributePath) -> UpdateValue { .path(path) }

    public init(stringLiteral value: String) { self = .value(.s(value)) }
    public init(integerLiteral value: Int) { self = .value(.n(ExactDecimal(value))) }
    public init(booleanLiteral value: Bool) { self = .value(.bool(value)) }

    /// `lhs + rhs`: the sum of two numbers.
    public static func + (lhs: UpdateValue, rhs: UpdateValue) -> UpdateValue { .plus(lhs, rhs) }
    /// `lhs - rhs`: the difference of two numbers.
    public static func - (lhs: UpdateValue, rhs: UpdateValue) -> UpdateValue { .minus(lhs, rhs) }
}

/// What an update returns (DynamoDB's `ReturnValues`).
public enum ReturnValues: String, Sendable, Hashable, CaseIterable {
    /// Nothing.
    case none = "NONE"
    /// The whole item before the update.
    case allOld = "ALL_OLD"
    /// The updated attributes as they were before.
    case updatedOld = "UPDATED_OLD"
    /// The whole item after the update.
    case allNew = "ALL_NEW"
    /// The updated attributes as they are after.
    case updatedNew = "UPDATED_NEW"
}

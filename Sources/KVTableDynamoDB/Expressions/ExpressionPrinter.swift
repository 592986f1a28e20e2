import KVTable

/// Prints KVTable's typed trees — `Condition`, `Update`, key conditions, projections — as
/// DynamoDB expression strings, with generated placeholders: what a client sends to a
/// DynamoDB-protocol endpoint, and the inverse of `ExpressionParser`.
///
/// One printer stands for one request: all expressions of the request share its
/// ``names`` (`#n0` → attribute name) and ``values`` (`:v0` → value), which go out as
/// `ExpressionAttributeNames` and `ExpressionAttributeValues`.
///
/// ```swift
/// var printer = ExpressionPrinter()
/// let condition = try printer.condition(.attribute("status") == "active" && .exists("PK"))
/// // "#n0 = :v0 AND attribute_exists(#n1)", names ["#n0": "status", "#n1": "PK"], values [":v0": "active"]
/// ```
///
/// Why every name is a placeholder: DynamoDB reserves 573 words (`name`, `status`, `date`, …)
/// and rejects names with characters outside `[A-Za-z0-9_]`; a placeholder is always valid,
/// so the printer never needs to know which names are safe. Equal names share one
/// placeholder, and so do equal values, because DynamoDB rejects a request that defines a
/// placeholder no expression uses.
///
/// Parentheses appear only where the tree needs them (DynamoDB rejects redundant ones):
/// `OR` binds loosest, then `AND`, then `NOT`; a right-nested `a OR (b OR c)` keeps its
/// parentheses so that parsing the text gives back the same tree.
public struct ExpressionPrinter: Sendable {
    /// `ExpressionAttributeNames`: placeholder → attribute name.
    public private(set) var names: [String: String] = [:]
    /// `ExpressionAttributeValues`: placeholder → value.
    public private(set) var values: [String: AttributeValue] = [:]
    /// The error of the first invalid path literal printed (see `AttributePath.validate()`):
    /// a request with one must not be sent.
    public private(set) var invalidPath: KVTableError?

    private var nameIDs: [String: String] = [:]
    private var valueIDs: [AttributeValue: String] = [:]

    /// A printer for one request, with no placeholders yet.
    public init() {}

    // MARK: - Expressions

    /// A `ConditionExpression` or `FilterExpression`.
    public mutating func condition(_ condition: Condition) -> String {
        print(condition, within: .or)
    }

    /// An `UpdateExpression`: one clause per action kind (`SET …, … REMOVE … ADD … DELETE …`),
    /// actions in their order within each clause. (Every operand of an update reads the item
    /// as it was before it, so grouping the actions by kind does not change what they do.)
    ///
    /// - Throws: `KVTableError.validation(_:)` for an empty update, or a `SET` value that
    ///   DynamoDB's grammar cannot express: more than one `+`/`-` in one value (`a + b + c`),
    ///   or `+`/`-` inside `if_not_exists`/`list_append`.
    public mutating func update(_ update: Update) throws(KVTableError) -> String {
        guard !update.actions.isEmpty else {
            throw .validation("Invalid UpdateExpression: The expression can not be empty;")
        }
        var sets: [String] = [], removes: [String] = [], adds: [String] = [], deletes: [String] = []
        for action in update.actions {
            switch action {
            case .set(let path, let value): sets.append("\(print(path)) = \(try print(value, arithmetic: true))")
            case .remove(let path): removes.append(print(path))
            case .add(let path, let value): adds.append("\(print(path)) \(placeholder(for: value))")
            case .delete(let path, let value): deletes.append("\(print(path)) \(placeholder(for: value))")
            }
        }
        var clauses: [String] = []
        if !sets.isEmpty { clauses.append("SET " + sets.joined(separator: ", ")) }
        if !removes.isEmpty { clauses.append("REMOVE " + removes.joined(separator: ", ")) }
        if !adds.isEmpty { clauses.append("ADD " + adds.joined(separator: ", ")) }
        if !deletes.isEmpty { clauses.append("DELETE " + deletes.joined(separator: ", ")) }
        return clauses.joined(separator: " ")
    }

    /// A `KeyConditionExpression`: equality on the partition key, and the sort-key condition
    /// when there is one.
    public mutating func keyCondition(partitionKey: (name: String, value: AttributeValue),
                                      sortKey: (name: String, condition: SortKeyCondition)? = nil) -> String {
        var text = "\(print(AttributePath.name(partitionKey.name))) = \(placeholder(for: partitionKey.value))"
        guard let sortKey else { return text }
        let path = print(AttributePath.name(sortKey.name))
        let clause: String
        switch sortKey.condition {
        case .equal(let v): clause = "\(path) = \(placeholder(for: v))"
        case .lessThan(let v): clause = "\(path) < \(placeholder(for: v))"
        case .lessThanOrEqual(let v): clause = "\(path) <= \(placeholder(for: v))"
        case .greaterThan(let v): clause = "\(path) > \(placeholder(for: v))"
        case .greaterThanOrEqual(let v): clause = "\(path) >= \(placeholder(for: v))"
        case .between(let lower, let upper):
            clause = "\(path) BETWEEN \(placeholder(for: lower)) AND \(placeholder(for: upper))"
        case .beginsWith(let prefix): clause = "begins_with(\(path), \(placeholder(for: prefix)))"
        }
        text += " AND " + clause
        return text
    }

    /// A `ProjectionExpression`: the paths, comma-separated.
    public mutating func projection(_ paths: [AttributePath]) -> String {
        paths.map { print($0) }.joined(separator: ", ")
    }

    // MARK: - Conditions

    /// How tightly a condition binds: a child binding looser than its context needs parentheses.
    private enum Binding: Int, Comparable {
        case or = 0, and, not, primary
        static func < (lhs: Binding, rhs: Binding) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    private static func binding(of condition: Condition) -> Binding {
        switch condition {
        case .or: return .or
        case .and: return .and
        case .not: return .not
        default: return .primary
        }
    }

    private mutating func print(_ condition: Condition, within context: Binding) -> String {
        let text: String
        switch condition {
        case .or(let lhs, let rhs):
            // Left-associative, as the parser reads `a OR b OR c`: the right side of the same
            // operator must be parenthesised to keep its shape.
            text = print(lhs, within: .or) + " OR " + print(rhs, within: .and)
        case .and(let lhs, let rhs):
            text = print(lhs, within: .and) + " AND " + print(rhs, within: .not)
        case .not(let inner):
            text = "NOT " + print(inner, within: .not)
        case .compare(let lhs, let op, let rhs):
            text = "\(print(lhs)) \(op.rawValue) \(print(rhs))"
        case .between(let operand, let lower, let upper):
            text = "\(print(operand)) BETWEEN \(print(lower)) AND \(print(upper))"
        case .isIn(let operand, let candidates):
            text = "\(print(operand)) IN (\(candidates.map { print($0) }.joined(separator: ", ")))"
        case .attributeExists(let path):
            text = "attribute_exists(\(print(path)))"
        case .attributeNotExists(let path):
            text = "attribute_not_exists(\(print(path)))"
        case .attributeType(let path, let type):
            text = "attribute_type(\(print(path)), \(placeholder(for: .s(type.rawValue))))"
        case .beginsWith(let path, let prefix):
            text = "begins_with(\(print(path)), \(print(prefix)))"
        case .contains(let path, let operand):
            text = "contains(\(print(path)), \(print(operand)))"
        case .function(let function, let first, let second):
            text = "\(function.rawValue)(\(print(first)), \(print(second)))"
        }
        return ExpressionPrinter.binding(of: condition) < context ? "(\(text))" : text
    }

    private mutating func print(_ operand: Operand) -> String {
        switch operand {
        case .path(let path): return print(path)
        case .value(let value): return placeholder(for: value)
        case .size(let path): return "size(\(print(path)))"
        }
    }

    // MARK: - Update values

    /// `arithmetic`: whether one `+`/`-` may appear here (only at the top of a `SET` value).
    private mutating func print(_ value: UpdateValue, arithmetic: Bool) throws(KVTableError) -> String {
        switch value {
        case .value(let v): return placeholder(for: v)
        case .path(let path): return print(path)
        case .plus(let a, let b), .minus(let a, let b):
            guard arithmetic else {
                throw .validation("An update value with more than one + or -, or with + or - inside if_not_exists or list_append, cannot be written as a DynamoDB UpdateExpression")
            }
            let symbol = if case .plus = value { "+" } else { "-" }
            return "\(try print(a, arithmetic: false)) \(symbol) \(try print(b, arithmetic: false))"
        case .ifNotExists(let path, let fallback):
            return "if_not_exists(\(print(path)), \(try print(fallback, arithmetic: false)))"
        case .listAppend(let a, let b):
            return "list_append(\(try print(a, arithmetic: false)), \(try print(b, arithmetic: false)))"
        }
    }

    // MARK: - Paths and placeholders

    private mutating func print(_ path: AttributePath) -> String {
        if invalidPath == nil {
            do { try path.validate() } catch { invalidPath = error }
        }
        var text = ""
        for element in path.elements {
            switch element {
            case .name(let name): text += (text.isEmpty ? "" : ".") + placeholder(forName: name)
            case .index(let index): text += "[\(index)]"
            }
        }
        return text
    }

    private mutating func placeholder(forName name: String) -> String {
        if let id = nameIDs[name] { return id }
        let id = "#n\(nameIDs.count)"
        nameIDs[name] = id
        names[id] = name
        return id
    }

    private mutating func placeholder(for value: AttributeValue) -> String {
        if let id = valueIDs[value] { return id }
        let id = ":v\(valueIDs.count)"
        valueIDs[value] = id
        values[id] = value
        return id
    }
}

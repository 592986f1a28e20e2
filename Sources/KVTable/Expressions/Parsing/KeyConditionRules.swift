/// DynamoDB's rules for a `KeyConditionExpression`, applied to a parsed condition tree:
/// conditions joined by `AND` only, exactly one `=` on the partition key, at most one
/// condition on the sort key, top-level key attributes compared with values.
enum KeyConditionRules {
    static func split(_ condition: Condition, keySchema: KeySchema) throws(KVTableError)
        -> (partitionKey: AttributeValue, sortKey: SortKeyCondition?)
    {
        var partitionKey: AttributeValue?
        var sortKey: SortKeyCondition?
        for part in try conjuncts(condition) {
            let (name, keyCondition) = try keyPart(part)
            if name == keySchema.partitionKey.name {
                guard partitionKey == nil else { throw onePerKey }
                guard case .equal(let value) = keyCondition else { throw notSupported }
                partitionKey = value
            } else if name == keySchema.sortKey?.name {
                guard sortKey == nil else { throw onePerKey }
                sortKey = keyCondition
            } else {
                // DynamoDB names the key the stray condition could have been meant for.
                throw KVTableError.validation("Query condition missed key schema element: \((keySchema.sortKey ?? keySchema.partitionKey).name)")
            }
        }
        guard let partitionKey else {
            throw KVTableError.validation("Query condition missed key schema element: \(keySchema.partitionKey.name)")
        }
        return (partitionKey, sortKey)
    }

    private static let onePerKey = KVTableError.validation("KeyConditionExpressions must only contain one condition per key")
    private static let notSupported = KVTableError.validation("Query key condition not supported")

    private static func invalidOperator(_ name: String) -> KVTableError {
        .validation("Invalid operator used in KeyConditionExpression: \(name)")
    }

    /// The `AND`-joined parts; any other connective is an error.
    private static func conjuncts(_ condition: Condition) throws(KVTableError) -> [Condition] {
        switch condition {
        case .and(let lhs, let rhs):
            let parts = try conjuncts(lhs) + conjuncts(rhs)
            guard parts.count <= 2 else { throw onePerKey }
            return parts
        case .or: throw invalidOperator("OR")
        case .not: throw invalidOperator("NOT")
        case .isIn: throw invalidOperator("IN")
        case .attributeExists: throw invalidOperator("attribute_exists")
        case .attributeNotExists: throw invalidOperator("attribute_not_exists")
        case .attributeType: throw invalidOperator("attribute_type")
        case .contains: throw invalidOperator("contains")
        case .function(.contains, _, _): throw invalidOperator("contains")
        case .function(.attributeType, _, _): throw invalidOperator("attribute_type")
        case .function(.beginsWith, _, _):
            throw KVTableError.validation("Invalid condition in KeyConditionExpression: begins_with operator must have the key attribute as its first operand")
        case .compare, .between, .beginsWith: return [condition]
        }
    }

    /// One part: which key attribute it constrains, and how.
    private static func keyPart(_ condition: Condition) throws(KVTableError) -> (String, SortKeyCondition) {
        switch condition {
        case .compare(let lhs, let op, let rhs):
            // `:v < key` is `key > :v`.
            let (path, value, flipped) = try pathAndValue(lhs, rhs)
            let name = try keyName(path)
            switch (op, flipped) {
            case (.equal, _): return (name, .equal(value))
            case (.notEqual, _): throw invalidOperator("<>")
            case (.lessThan, false), (.greaterThan, true): return (name, .lessThan(value))
            case (.lessThanOrEqual, false), (.greaterThanOrEqual, true): return (name, .lessThanOrEqual(value))
            case (.greaterThan, false), (.lessThan, true): return (name, .greaterThan(value))
            case (.greaterThanOrEqual, false), (.lessThanOrEqual, true): return (name, .greaterThanOrEqual(value))
            }
        case .between(let operand, let lower, let upper):
            guard case .path(let path) = operand else { throw notSupported }
            guard case .value(let low) = lower, case .value(let high) = upper else {
                throw KVTableError.validation("Invalid KeyConditionExpression: The BETWEEN bounds must be values, not attributes")
            }
            return (try keyName(path), .between(low, high))
        case .beginsWith(let path, let prefix):
            guard case .value(let value) = prefix else {
                throw KVTableError.validation("Invalid KeyConditionExpression: begins_with takes a value as its second operand")
            }
            if value.type != .string && value.type != .binary {
                throw KVTableError.validation("Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: \(value.type.rawValue)")
            }
            return (try keyName(path), .beginsWith(value))
        default:
            throw notSupported
        }
    }

    private static func pathAndValue(_ lhs: Operand, _ rhs: Operand) throws(KVTableError) -> (AttributePath, AttributeValue, Bool) {
        switch (lhs, rhs) {
        case (.path(let path), .value(let value)): return (path, value, false)
        case (.value(let value), .path(let path)): return (path, value, true)
        case (.size, _), (_, .size): throw invalidOperator("size")
        case (.path, .path):
            throw KVTableError.validation("Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition")
        default:
            throw KVTableError.validation("Invalid KeyConditionExpression: No key attribute specified")
        }
    }

    private static func keyName(_ path: AttributePath) throws(KVTableError) -> String {
        guard path.elements.count == 1 else {
            throw KVTableError.validation("KeyConditionExpressions cannot have conditions on nested attributes")
        }
        return path.attributeName
    }
}

extension Condition {
    /// This condition as a key condition for `keySchema` — the partition-key value and the
    /// sort-key condition — checked by the `KeyConditionExpression` rules (see
    /// ``ExpressionParser/keyCondition(_:keySchema:)``). For conditions built in Swift or
    /// from DynamoDB's legacy `KeyConditions`.
    public func keyCondition(for keySchema: KeySchema) throws(KVTableError)
        -> (partitionKey: AttributeValue, sortKey: SortKeyCondition?)
    {
        try KeyConditionRules.split(self, keySchema: keySchema)
    }

    /// The top-level attribute names this condition reads.
    public var attributeNames: Set<String> {
        func names(_ operand: Operand) -> Set<String> {
            switch operand {
            case .path(let path), .size(let path): return [path.attributeName]
            case .value: return []
            }
        }
        switch self {
        case .compare(let lhs, _, let rhs): return names(lhs).union(names(rhs))
        case .between(let value, let lower, let upper): return names(value).union(names(lower)).union(names(upper))
        case .isIn(let value, let candidates): return candidates.reduce(names(value)) { $0.union(names($1)) }
        case .attributeExists(let path), .attributeNotExists(let path), .attributeType(let path, _):
            return [path.attributeName]
        case .beginsWith(let path, let operand), .contains(let path, let operand):
            return names(operand).union([path.attributeName])
        case .function(_, let first, let second): return names(first).union(names(second))
        case .and(let lhs, let rhs), .or(let lhs, let rhs): return lhs.attributeNames.union(rhs.attributeNames)
        case .not(let inner): return inner.attributeNames
        }
    }
}

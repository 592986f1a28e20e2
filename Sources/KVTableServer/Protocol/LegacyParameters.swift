import KVTable
import KVTableDynamoDB

/// DynamoDB's legacy parameters — `Expected`, `QueryFilter`/`ScanFilter`, `KeyConditions`,
/// `AttributeUpdates`, `AttributesToGet` and `ConditionalOperator` — mapped onto the same
/// trees as the expressions, so that they share one implementation of the semantics.
enum LegacyParameters {
    /// `Expected`: per attribute `{Value, Exists}` or `{ComparisonOperator, AttributeValueList}`.
    static func expected(_ request: WireRequest) throws(WireError) -> Condition? {
        guard let expected = try request.object("Expected") else {
            if request.has("ConditionalOperator") {
                throw WireError.validation("ConditionalOperator can only be used when Expected or QueryFilter or ScanFilter is present")
            }
            return nil
        }
        var parts: [Condition] = []
        for (name, json) in expected.sorted(by: { $0.key < $1.key }) {
            let entry = WireRequest(try object(json, "Expected"))
            let path = AttributePath.name(name)
            if entry.has("ComparisonOperator") {
                if entry.has("Value") || entry.has("Exists") {
                    throw WireError.validation("One or more parameter values were invalid: Value or Exists cannot be used with ComparisonOperator for Attribute: \(name)")
                }
                parts.append(try comparison(entry, path: path, name: name))
                continue
            }
            let exists = try entry.bool("Exists") ?? true
            // (Not `nil`: AttributeValue is itself nil-literal expressible, as DynamoDB's NULL.)
            let value: AttributeValue? = try entry.has("Value") ? WireRequest.attributeValue(entry.members["Value"]!) : Optional.none
            switch (exists, value) {
            case (true, let value?): parts.append(.compare(.path(path), .equal, .value(value)))
            case (true, nil):
                throw WireError.validation("One or more parameter values were invalid: Value must be provided when Exists is true for Attribute: \(name)")
            case (false, nil): parts.append(.attributeNotExists(path))
            case (false, _?):
                throw WireError.validation("One or more parameter values were invalid: Value cannot be used when Exists is false for Attribute: \(name)")
            }
        }
        return try join(parts, request)
    }

    /// `QueryFilter` / `ScanFilter`: per attribute `{ComparisonOperator, AttributeValueList}`.
    static func filter(_ request: WireRequest, member: String) throws(WireError) -> Condition? {
        guard let filter = try request.object(member) else { return nil }
        var parts: [Condition] = []
        for (name, json) in filter.sorted(by: { $0.key < $1.key }) {
            parts.append(try comparison(WireRequest(try object(json, member)), path: .name(name), name: name))
        }
        return try join(parts, request)
    }

    /// `KeyConditions`: the key attributes with `EQ`, `LE`, `LT`, `GE`, `GT`, `BEGINS_WITH` or
    /// `BETWEEN`.
    static func keyConditions(_ request: WireRequest) throws(WireError) -> Condition? {
        guard let conditions = try request.object("KeyConditions") else { return nil }
        var parts: [Condition] = []
        for (name, json) in conditions.sorted(by: { $0.key < $1.key }) {
            let entry = WireRequest(try object(json, "KeyConditions"))
            let op = try entry.required("ComparisonOperator", entry.string)
            // A name that is no operator at all ('eq': names are case-sensitive) fails the
            // request's schema, as DynamoDB reports it; a real operator that no key condition
            // can use (NE, CONTAINS, …) is refused as not indexable.
            guard comparisonOperators.contains(op) else {
                throw unknownOperator(op, at: "keyConditions.\(name).member.comparisonOperator")
            }
            guard ["EQ", "LE", "LT", "GE", "GT", "BEGINS_WITH", "BETWEEN"].contains(op) else {
                throw WireError.validation("Attempted conditional constraint is not an indexable operation")
            }
            parts.append(try comparison(entry, path: .name(name), name: name))
        }
        guard let first = parts.first else {
            throw WireError.validation("Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.")
        }
        return parts.dropFirst().reduce(first) { .and($0, $1) }
    }

    /// `AttributeUpdates`: per attribute `{Action: PUT | ADD | DELETE, Value}`.
    static func attributeUpdates(_ request: WireRequest) throws(WireError) -> Update? {
        guard let updates = try request.object("AttributeUpdates") else { return nil }
        var actions: [UpdateAction] = []
        for (name, json) in updates.sorted(by: { $0.key < $1.key }) {
            let entry = WireRequest(try object(json, "AttributeUpdates"))
            let action = try entry.choice("Action", ["ADD", "PUT", "DELETE"]) ?? "PUT"
            // (Not `nil`: AttributeValue is itself nil-literal expressible, as DynamoDB's NULL.)
            let value: AttributeValue? = try entry.has("Value") ? WireRequest.attributeValue(entry.members["Value"]!) : Optional.none
            let path = AttributePath.name(name)
            switch (action, value) {
            case ("PUT", let value?): actions.append(.set(path, .value(value)))
            case ("DELETE", nil): actions.append(.remove(path))
            case ("DELETE", let value?): actions.append(.delete(path, value))
            case ("ADD", .l(let list)?):
                // Legacy ADD appends to a list (creating it), which expressions spell list_append.
                actions.append(.set(path, .listAppend(.ifNotExists(path, .value(.l([]))), .value(.l(list)))))
            case ("ADD", let value?): actions.append(.add(path, value))
            default:
                throw WireError.validation("One or more parameter values were invalid: Only DELETE action is allowed when no attribute value is specified")
            }
        }
        return Update(actions)
    }

    /// `AttributesToGet`: top-level names, as a projection.
    static func attributesToGet(_ request: WireRequest) throws(WireError) -> [AttributePath]? {
        guard let names = try request.strings("AttributesToGet") else { return nil }
        guard !names.isEmpty else {
            throw WireError.validation("1 validation error detected: Value '[]' at 'attributesToGet' failed to satisfy constraint: Member must have length greater than or equal to 1")
        }
        guard Set(names).count == names.count else {
            throw WireError.validation("One or more parameter values were invalid: Duplicate value in attribute name: \(names)")
        }
        for name in names {
            do { try Item.validateAttributeName(name) } catch { throw WireError(error) }
        }
        return names.map(AttributePath.name)
    }

    // MARK: Pieces

    private static func object(_ json: JSONValue, _ member: String) throws(WireError) -> [String: JSONValue] {
        guard case .object(let object) = json else { throw WireError.serialization("Each entry of \(member) must be a map") }
        return object
    }

    private static func join(_ parts: [Condition], _ request: WireRequest) throws(WireError) -> Condition? {
        let op = try request.choice("ConditionalOperator", ["AND", "OR"]) ?? "AND"
        guard let first = parts.first else {
            // An empty map is no condition, so nothing for the operator to join.
            if request.has("ConditionalOperator") {
                throw WireError.validation("ConditionalOperator can only be used when Expected or QueryFilter or ScanFilter is present")
            }
            return nil
        }
        return parts.dropFirst().reduce(first) { op == "AND" ? .and($0, $1) : .or($0, $1) }
    }

    /// The value types each operator takes (DynamoDB's, as dynalite — written against DynamoDB —
    /// has them): the ordering operators, `IN` and `BETWEEN` compare scalars, `CONTAINS` looks for
    /// a scalar, `BEGINS_WITH` takes a string or binary prefix; `EQ`/`NE` take any value. The
    /// values of one list share a type, and `BETWEEN`'s bounds are in order.
    private static func checkTypes(_ op: String, _ values: [AttributeValue]) throws(WireError) {
        guard let first = values.first else { return }
        if values.contains(where: { $0.type != first.type }) {
            throw WireError.validation("One or more parameter values were invalid: AttributeValues inside AttributeValueList must be of same type")
        }
        let allowed: Set<AttributeType>
        switch op {
        case "LE", "LT", "GE", "GT", "CONTAINS", "NOT_CONTAINS", "IN", "BETWEEN": allowed = [.string, .number, .binary]
        case "BEGINS_WITH": allowed = [.string, .binary]
        default: return
        }
        guard allowed.contains(first.type) else {
            throw WireError.validation("One or more parameter values were invalid: ComparisonOperator \(op) is not valid for \(first.type.rawValue) AttributeValue type")
        }
        if op == "BETWEEN", values.count == 2, let order = compareScalars(values[0], values[1]), order > 0 {
            throw WireError.validation("The BETWEEN condition was provided a range where the lower bound is greater than the upper bound")
        }
    }

    /// One `{ComparisonOperator, AttributeValueList}` condition.
    private static func comparison(_ entry: WireRequest, path: AttributePath, name: String) throws(WireError) -> Condition {
        let op = try entry.required("ComparisonOperator", entry.string)
        var values: [AttributeValue] = []
        for json in try entry.array("AttributeValueList") ?? [] {
            values.append(try WireRequest.attributeValue(json))
        }
        func arguments(_ count: Int) throws(WireError) {
            guard values.count == count else {
                throw WireError.validation("One or more parameter values were invalid: Invalid number of argument(s) for the \(op) ComparisonOperator")
            }
        }
        try checkTypes(op, values)
        let attribute = Operand.path(path)
        switch op {
        case "EQ", "NE", "LE", "LT", "GE", "GT":
            try arguments(1)
            let operators: [String: ComparisonOperator] = [
                "EQ": .equal, "NE": .notEqual, "LE": .lessThanOrEqual, "LT": .lessThan, "GE": .greaterThanOrEqual, "GT": .greaterThan,
            ]
            return .compare(attribute, operators[op]!, .value(values[0]))
        case "NOT_NULL":
            try arguments(0)
            return .attributeExists(path)
        case "NULL":
            try arguments(0)
            return .attributeNotExists(path)
        case "CONTAINS":
            try arguments(1)
            return .contains(path, .value(values[0]))
        case "NOT_CONTAINS":
            try arguments(1)
            return .and(.attributeExists(path), .not(.contains(path, .value(values[0]))))
        case "BEGINS_WITH":
            try arguments(1)
            return .beginsWith(path, .value(values[0]))
        case "IN":
            if values.isEmpty { try arguments(1) }
            return .isIn(attribute, values.map(Operand.value))
        case "BETWEEN":
            try arguments(2)
            return .between(attribute, lower: .value(values[0]), upper: .value(values[1]))
        default:
            throw unknownOperator(op, at: "comparisonOperator")
        }
    }

    /// The legacy comparison operators, in the order DynamoDB lists them in its enum error.
    private static let comparisonOperators = [
        "IN", "NULL", "BETWEEN", "LT", "NOT_CONTAINS", "EQ", "GT", "NOT_NULL", "NE", "LE", "BEGINS_WITH", "GE", "CONTAINS",
    ]

    /// DynamoDB's schema error for a `ComparisonOperator` that is none of ``comparisonOperators``,
    /// at the request member `member`.
    private static func unknownOperator(_ op: String, at member: String) -> WireError {
        .validation("1 validation error detected: Value '\(op)' at '\(member)' failed to satisfy constraint: Member must satisfy enum value set: [\(comparisonOperators.joined(separator: ", "))]")
    }
}

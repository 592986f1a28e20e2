/// Parses DynamoDB expression strings into KVTable's typed trees, applying DynamoDB's rules.
///
/// One parser stands for one request: every expression of the request shares its
/// `ExpressionAttributeNames` (`#name` → attribute name) and `ExpressionAttributeValues`
/// (`:value` → value), and ``checkAllUsed()`` then rejects any placeholder that none of them
/// used, as DynamoDB does.
///
/// ```swift
/// var parser = try ExpressionParser(names: ["#s": "status"], values: [":active": "active", ":one": 1])
/// let condition = try parser.condition("#s = :active AND attribute_exists(PK)")
/// let update = try parser.update("SET visits = visits + :one")
/// try parser.checkAllUsed()
/// ```
///
/// The rules it applies (each failure is a ``KVTableError/validation(_:)`` worded as
/// DynamoDB words it, starting `Invalid <Parameter>:`):
/// - reserved words (``isReservedWord(_:)``) cannot be attribute names — use `#placeholders`;
/// - placeholders must be defined, and every defined one used;
/// - syntax errors quote the offending token, the text before it, and its character position;
/// - keywords (`AND`, `OR`, `NOT`, `BETWEEN`, `IN`, `SET`, `REMOVE`, `ADD`, `DELETE`) are
///   case-insensitive, function names case-sensitive (`BEGINS_WITH` is an unknown function);
/// - functions take their exact number of operands, and a document path where one is required;
/// - the key-condition rules (``keyCondition(_:keySchema:)``).
///
/// Operand *types* (`begins_with` on a number, `ADD` of a list, `BETWEEN` bounds in the wrong
/// order, …) are checked where the trees are used, the same for parsed and built expressions.
public struct ExpressionParser: Sendable {
    private var attributes: ExpressionAttributes

    /// A parser for one request's expressions.
    ///
    /// - Throws: ``KVTableError/validation(_:)`` for a placeholder key that is not `#word` /
    ///   `:word`, or an invalid value (an empty set, say).
    public init(names: [String: String] = [:], values: [String: AttributeValue] = [:]) throws(KVTableError) {
        attributes = try ExpressionAttributes(names: names, values: values)
    }

    /// Whether DynamoDB reserves `word` (case-insensitively), so that an expression must name
    /// such an attribute through a `#placeholder`.
    public static func isReservedWord(_ word: String) -> Bool {
        ReservedWords.contains(word)
    }

    /// A `ConditionExpression` (or, with `kind: .filter`, a `FilterExpression`).
    public mutating func condition(_ expression: String, kind: ExpressionKind = .condition) throws(KVTableError) -> Condition {
        var reader = try ExpressionReader(expression, kind: kind, attributes: attributes)
        let condition = try reader.condition()
        try reader.expectEnd()
        try condition.validate(kind: kind.rawValue)
        attributes = reader.attributes
        return condition
    }

    /// An `UpdateExpression`.
    public mutating func update(_ expression: String) throws(KVTableError) -> Update {
        var reader = try ExpressionReader(expression, kind: .update, attributes: attributes)
        let update = try reader.update()
        attributes = reader.attributes
        return update
    }

    /// A `ProjectionExpression`: comma-separated document paths that do not overlap.
    public mutating func projection(_ expression: String) throws(KVTableError) -> [AttributePath] {
        var reader = try ExpressionReader(expression, kind: .projection, attributes: attributes)
        let paths = try reader.projection()
        try ProjectionPaths.validate(paths)
        attributes = reader.attributes
        return paths
    }

    /// A `KeyConditionExpression` for a table or index with `keySchema`: exactly one `=` on the
    /// partition key, optionally `AND` one condition on the sort key (`= < <= > >=`,
    /// `BETWEEN … AND …`, or `begins_with`).
    public mutating func keyCondition(_ expression: String, keySchema: KeySchema) throws(KVTableError)
        -> (partitionKey: AttributeValue, sortKey: SortKeyCondition?)
    {
        var reader = try ExpressionReader(expression, kind: .keyCondition, attributes: attributes)
        let condition = try reader.condition()
        try reader.expectEnd()
        let result = try KeyConditionRules.split(condition, keySchema: keySchema)
        attributes = reader.attributes
        return result
    }

    /// Throws when a defined `:value` or `#name` was not used by any expression parsed so far.
    public func checkAllUsed() throws(KVTableError) {
        try attributes.checkAllUsed()
    }
}

extension Condition {
    /// Parses a DynamoDB `ConditionExpression` / `FilterExpression`, with its own placeholders
    /// (which must all be used).
    ///
    /// ```swift
    /// let condition = try Condition(expression: "attribute_not_exists(PK) OR #v < :max",
    ///                               names: ["#v": "version"], values: [":max": 3])
    /// ```
    public init(expression: String, names: [String: String] = [:], values: [String: AttributeValue] = [:]) throws(KVTableError) {
        var parser = try ExpressionParser(names: names, values: values)
        self = try parser.condition(expression)
        try parser.checkAllUsed()
    }
}

extension Update {
    /// Parses a DynamoDB `UpdateExpression`, with its own placeholders (which must all be used).
    ///
    /// ```swift
    /// let update = try Update(expression: "SET #n = :name, visits = if_not_exists(visits, :zero) + :one REMOVE draft",
    ///                         names: ["#n": "name"], values: [":name": "Ada", ":zero": 0, ":one": 1])
    /// ```
    public init(expression: String, names: [String: String] = [:], values: [String: AttributeValue] = [:]) throws(KVTableError) {
        var parser = try ExpressionParser(names: names, values: values)
        self = try parser.update(expression)
        try parser.checkAllUsed()
    }
}

/// A validated query turned into one range of storage keys.
///
/// Every key of one partition starts with `keyspace ‖ enc(partition key)`. Because each
/// encoded key component is prefix-free and order-preserving (``KeyEncoding``), every sort-key
/// condition is one contiguous range after that prefix `P`:
///
/// | condition | range |
/// |---|---|
/// | none | keys starting with `P` |
/// | `= v` | keys starting with `P ‖ enc(v)` |
/// | `< v` | `[P, P ‖ enc(v))` |
/// | `<= v` | `[P, end(P ‖ enc(v)))` |
/// | `> v` | `[end(P ‖ enc(v)), end(P))` |
/// | `>= v` | `[P ‖ enc(v), end(P))` |
/// | `BETWEEN a AND b` | `[P ‖ enc(a), end(P ‖ enc(b)))` |
/// | `begins_with(p)` | keys starting with `P ‖ escaped(p)` |
///
/// `end(x)` is the first byte string after every string that starts with `x`. Index entry keys
/// continue with the table key after the index sort key, which the prefix ranges include.
struct QueryPlan {
    let range: KeyRange

    init(_ query: Query, layout: TableLayout, index: TableLayout.IndexLayout?) throws(KVTableError) {
        try QueryPlan.validateOptions(limit: query.limit, filter: query.filter, projection: query.projection,
                                      countOnly: query.countOnly)
        let keySchema = layout.keySchema(for: index)
        // DynamoDB's rule for Query (not Scan): key attributes belong in the key condition,
        // where they narrow the range read, not in a filter applied after reading it.
        if let filter = query.filter,
           let keyName = keySchema.attributes.map(\.name).sorted().first(where: filter.attributeNames.contains) {
            throw .validation("Filter Expression can only contain non-primary key attributes: Primary key attribute: \(keyName)")
        }
        // Nor may a query's filter name what its index does not project — on a local index too,
        // though a projection or `allAttributes` may fetch such attributes from the table.
        if let index, index.definition.projection != .all, let filter = query.filter {
            let missing = filter.attributeNames.filter { !index.carries($0, tableKeys: layout.keyAttributes) }.sorted()
            if !missing.isEmpty {
                throw .validation("One or more parameter values were invalid: Secondary index \(index.name) does not project one or more filter attributes: [\(missing.joined(separator: ", "))]")
            }
        }
        let partition = keySchema.partitionKey
        guard query.partitionKey.type == partition.type.attributeType else {
            throw .validation("One or more parameter values were invalid: Condition parameter type does not match schema type")
        }
        try TableLayout.checkKeyValue(query.partitionKey, partition, isSortKey: false, index: nil)
        var prefix = TableLayout.prefix(index?.keyspace ?? layout.keyspace)
        KeyEncoding.append(query.partitionKey, to: &prefix)
        var range = KeyRange.prefix(prefix)

        if let condition = query.sortKey {
            guard let sortKey = keySchema.sortKey else {
                throw .validation("Query key condition not supported: the key schema has no sort key")
            }
            range = try QueryPlan.sortRange(condition, sortKey: sortKey, partitionPrefix: prefix)
        }

        if let cursor = query.startAfter {
            let position = try QueryPlan.storageKey(of: cursor, layout: layout, index: index)
            // A start key another query produced (another partition, or a sort key the key
            // condition excludes) is refused, as DynamoDB does, rather than silently clamped.
            let inRange = compareBytes(position, range.lower) >= 0 && (range.upper.map { compareBytes(position, $0) < 0 } ?? true)
            guard cursor.lastEvaluatedKey[partition.name] == query.partitionKey, inRange else {
                throw .validation("The provided starting key is outside query boundaries based on provided conditions")
            }
            if query.ascending {
                let after = position + [0x00]   // the first key after `position`
                if compareBytes(after, range.lower) > 0 { range.lower = after }
            } else if range.upper.map({ compareBytes(position, $0) < 0 }) ?? true {
                range.upper = position
            }
        }
        self.range = range
    }

    private static func sortRange(_ condition: SortKeyCondition, sortKey: KeyAttribute,
                                  partitionPrefix prefix: [UInt8]) throws(KVTableError) -> KeyRange {
        let partitionEnd = KeyEncoding.prefixEnd(prefix)
        func encoded(_ value: AttributeValue) throws(KVTableError) -> [UInt8] {
            try check(value)
            var key = prefix
            KeyEncoding.append(value, to: &key)
            return key
        }
        func check(_ value: AttributeValue) throws(KVTableError) {
            guard value.type == sortKey.type.attributeType else {
                throw .validation("One or more parameter values were invalid: Condition parameter type does not match schema type")
            }
            try TableLayout.checkKeyValue(value, sortKey, isSortKey: true, index: nil)
        }
        switch condition {
        case .equal(let v):
            return .prefix(try encoded(v))
        case .lessThan(let v):
            return KeyRange(lower: prefix, upper: try encoded(v))
        case .lessThanOrEqual(let v):
            return KeyRange(lower: prefix, upper: KeyEncoding.prefixEnd(try encoded(v)))
        case .greaterThan(let v):
            return KeyRange(lower: KeyEncoding.prefixEnd(try encoded(v)) ?? [0xFF], upper: partitionEnd)
        case .greaterThanOrEqual(let v):
            return KeyRange(lower: try encoded(v), upper: partitionEnd)
        case .between(let low, let high):
            try check(low)
            try check(high)
            if let order = compareScalars(low, high), order > 0 {
                throw .validation("Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: \(Condition.operandText(low)), upper bound operand: AttributeValue: \(Condition.operandText(high))")
            }
            return KeyRange(lower: try encoded(low), upper: KeyEncoding.prefixEnd(try encoded(high)))
        case .beginsWith(let p):
            guard sortKey.type != .number else {
                throw .validation("Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N")
            }
            try check(p)
            var start = prefix
            KeyEncoding.appendPrefix(p, to: &start)
            return .prefix(start)
        }
    }

    /// Options shared by queries and scans.
    static func validateOptions(limit: Int?, filter: Condition?, projection: [AttributePath]?,
                                countOnly: Bool) throws(KVTableError) {
        if let limit, limit < 1 {
            throw .validation("1 validation error detected: Value '\(limit)' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1")
        }
        try filter?.validate(kind: "FilterExpression")
        if let projection {
            if countOnly {
                throw .validation("Cannot specify a ProjectionExpression when Select is COUNT")
            }
            try ProjectionPaths.validate(projection)
        }
    }

    /// The storage key a cursor stands for, after checking it has the right key attributes.
    static func storageKey(of cursor: PageCursor, layout: TableLayout,
                           index: TableLayout.IndexLayout?) throws(KVTableError) -> [UInt8] {
        let key = cursor.lastEvaluatedKey
        let required = layout.schema.keySchema.attributes + (index?.keySchema.attributes ?? [])
        for attribute in required {
            guard let value = key[attribute.name], value.type == attribute.type.attributeType else {
                throw .validation("The provided starting key is invalid: it must hold \(attribute.name) of type \(attribute.type.rawValue)")
            }
        }
        guard key.count == Set(required.map(\.name)).count else {
            throw .validation("The provided starting key is invalid: it holds attributes that are not keys")
        }
        guard let index else { return try layout.itemKey(of: key) }
        _ = try layout.itemKey(of: key)   // validates the table key values
        try layout.validateIndexKeys(of: key)
        return layout.indexKey(of: key, in: index)!
    }
}

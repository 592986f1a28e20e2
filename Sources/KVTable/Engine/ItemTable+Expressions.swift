extension ItemTable {
    /// Queries with DynamoDB expression strings.
    ///
    /// ```swift
    /// let page = try await table.query(
    ///     keyCondition: "PK = :pk AND begins_with(SK, :prefix)",
    ///     filter: "#s <> :archived",
    ///     names: ["#s": "status"],
    ///     values: [":pk": "USER#42", ":prefix": "ORDER#", ":archived": "archived"])
    /// ```
    ///
    /// The placeholders are shared by the three expressions, and each must be used by one of
    /// them. See ``ExpressionParser`` for the rules; the other parameters are those of ``Query``.
    public func query(keyCondition: String, filter: String? = nil, projection: String? = nil,
                      names: [String: String] = [:], values: [String: AttributeValue] = [:],
                      indexName: String? = nil, ascending: Bool = true, limit: Int? = nil,
                      countOnly: Bool = false, startAfter: PageCursor? = nil) async throws -> Page {
        let query = try makeQuery(keyCondition: keyCondition, filter: filter, projection: projection,
                                  names: names, values: values, indexName: indexName, ascending: ascending,
                                  limit: limit, countOnly: countOnly, startAfter: startAfter)
        return try await self.query(query)
    }

    /// The ``Query`` that ``query(keyCondition:filter:projection:names:values:indexName:ascending:limit:countOnly:startAfter:)``
    /// runs, for use in a transaction or a ``TableReader``.
    public func makeQuery(keyCondition: String, filter: String? = nil, projection: String? = nil,
                          names: [String: String] = [:], values: [String: AttributeValue] = [:],
                          indexName: String? = nil, ascending: Bool = true, limit: Int? = nil,
                          countOnly: Bool = false, startAfter: PageCursor? = nil) throws(KVTableError) -> Query {
        var parser = try ExpressionParser(names: names, values: values)
        let keySchema = try keySchema(forIndex: indexName)
        let key = try parser.keyCondition(keyCondition, keySchema: keySchema)
        let filter = try filter.map { text throws(KVTableError) in try parser.condition(text, kind: .filter) }
        let projection = try projection.map { text throws(KVTableError) in try parser.projection(text) }
        try parser.checkAllUsed()
        return Query(indexName: indexName, partitionKey: key.partitionKey, sortKey: key.sortKey, ascending: ascending,
                     limit: limit, filter: filter, projection: projection, countOnly: countOnly, startAfter: startAfter)
    }

    /// The key schema of the table, or of its index `indexName`.
    public func keySchema(forIndex indexName: String?) throws(KVTableError) -> KeySchema {
        guard let indexName else { return schema.keySchema }
        guard let index = schema.index(named: indexName) else {
            throw .validation("The table does not have the specified index: \(indexName)")
        }
        return index.keySchema
    }
}

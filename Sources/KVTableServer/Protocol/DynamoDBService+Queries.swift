import KVTable
import KVTableDynamoDB

/// Query and Scan.
extension DynamoDBService {
    func query(_ request: WireRequest) throws -> JSONValue {
        let table = try table(request)
        let indexName = try request.string("IndexName")
        let keySchema = try table.keySchema(forIndex: indexName)
        var expressions = try RequestExpressions(
            request, expressions: ["KeyConditionExpression", "FilterExpression", "ProjectionExpression"],
            legacy: ["KeyConditions", "QueryFilter", "AttributesToGet"])
        let key: (partitionKey: AttributeValue, sortKey: SortKeyCondition?)
        if let parsed = try expressions.keyCondition(keySchema: keySchema) {
            key = parsed
        } else if let legacy = try LegacyParameters.keyConditions(request) {
            key = try legacy.keyCondition(for: keySchema)
        } else {
            throw WireError.validation("Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.")
        }
        let filter = try expressions.condition("FilterExpression", kind: .filter)
            ?? LegacyParameters.filter(request, member: "QueryFilter")
        let projection = try expressions.projection() ?? LegacyParameters.attributesToGet(request)
        try expressions.finish()
        let select = try self.select(request, indexName: indexName, projection: projection)
        try checkConsistentRead(request, table: table, indexName: indexName)
        try Self.acceptReporting(request)

        let query = Query(indexName: indexName, partitionKey: key.partitionKey, sortKey: key.sortKey,
                          ascending: try request.bool("ScanIndexForward") ?? true,
                          limit: try request.positiveInt("Limit"), filter: filter, projection: projection,
                          countOnly: select.countOnly, allAttributes: select.allAttributes,
                          startAfter: try request.item("ExclusiveStartKey").map(PageCursor.init),
                          maximumPageBytes: DynamoDBService.maximumPageBytes)
        var whole = query
        (whole.filter, whole.projection, whole.countOnly) = (nil, nil, false)
        return try Self.answer(table, request, index: indexName, countOnly: select.countOnly) { reader, measuring in
            try reader.query(measuring ? whole : query)
        }
    }

    func scan(_ request: WireRequest) throws -> JSONValue {
        let table = try table(request)
        let indexName = try request.string("IndexName")
        _ = try table.keySchema(forIndex: indexName)
        var expressions = try RequestExpressions(request, expressions: ["FilterExpression", "ProjectionExpression"],
                                                 legacy: ["ScanFilter", "AttributesToGet"])
        let filter = try expressions.condition("FilterExpression", kind: .filter)
            ?? LegacyParameters.filter(request, member: "ScanFilter")
        let projection = try expressions.projection() ?? LegacyParameters.attributesToGet(request)
        try expressions.finish()
        let select = try self.select(request, indexName: indexName, projection: projection)
        try checkConsistentRead(request, table: table, indexName: indexName)
        try Self.acceptReporting(request)

        let segment = try request.int("Segment")
        let total = try request.int("TotalSegments")
        switch (segment, total) {
        case (_?, nil):
            throw WireError.validation("The TotalSegments parameter is required but was not present in the request when Segment parameter is present")
        case (nil, _?):
            throw WireError.validation("The Segment parameter is required but was not present in the request when parameter TotalSegments is present")
        default:
            break
        }
        let scan = Scan(indexName: indexName, limit: try request.positiveInt("Limit"), filter: filter, projection: projection,
                        countOnly: select.countOnly, allAttributes: select.allAttributes,
                        startAfter: try request.item("ExclusiveStartKey").map(PageCursor.init),
                        segment: segment.map { Scan.Segment($0, of: total!) },
                        maximumPageBytes: DynamoDBService.maximumPageBytes)
        var whole = scan
        (whole.filter, whole.projection, whole.countOnly) = (nil, nil, false)
        return try Self.answer(table, request, index: indexName, countOnly: select.countOnly) { reader, measuring in
            try reader.scan(measuring ? whole : scan)
        }
    }

    /// The answer of the page `read(reader, false)` returns, with its `ConsumedCapacity` when
    /// the request asks for one: measured on the items `read(reader, true)` returns — the same
    /// page without its filter and projection, read in the same snapshot — which are the items
    /// DynamoDB charges for.
    private static func answer(_ table: Table, _ request: WireRequest, index: String?, countOnly: Bool,
                               _ read: (TableReader, _ measuring: Bool) throws -> Page) throws -> JSONValue {
        guard var capacity = try ConsumedCapacity(request) else {
            return json(try table.read { try read($0, false) }, countOnly: countOnly)
        }
        let (page, sizes) = try table.read { reader in
            (try read(reader, false), try read(reader, true).items.map(\.dynamoDBItemSize))
        }
        capacity.read(table, pageOf: sizes, consistent: try request.bool("ConsistentRead") ?? false, index: index)
        return adding(capacity, of: table, to: json(page, countOnly: countOnly))
    }

    // MARK: Shared

    /// `Select`, checked against the projection; returns whether only counts are wanted and
    /// whether every attribute is (``Query/allAttributes``, which the core checks against the
    /// index).
    private func select(_ request: WireRequest, indexName: String?,
                        projection: [AttributePath]?) throws -> (countOnly: Bool, allAttributes: Bool) {
        let select = try request.choice("Select", ["ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES", "SPECIFIC_ATTRIBUTES", "COUNT"])
        let projectionMember = request.has("AttributesToGet") ? "AttributesToGet" : "ProjectionExpression"
        switch select {
        case "COUNT"?:
            if projection != nil {
                throw WireError.validation("Cannot specify the \(projectionMember) when choosing to get only the Count")
            }
            return (true, false)
        case "SPECIFIC_ATTRIBUTES"?:
            if projection == nil {
                throw WireError.validation("Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES")
            }
        case "ALL_PROJECTED_ATTRIBUTES"?:
            guard indexName != nil else {
                throw WireError.validation("ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName")
            }
            if projection != nil {
                throw WireError.validation("Cannot specify the \(projectionMember) when choosing to get ALL_PROJECTED_ATTRIBUTES")
            }
        case "ALL_ATTRIBUTES"?:
            if projection != nil {
                throw WireError.validation("Cannot specify the \(projectionMember) when choosing to get ALL_ATTRIBUTES")
            }
            return (false, true)
        default:
            break
        }
        return (false, false)
    }

    /// Strongly consistent reads of the table and of local indexes; DynamoDB's global
    /// indexes are eventually consistent.
    private func checkConsistentRead(_ request: WireRequest, table: Table, indexName: String?) throws {
        if try request.bool("ConsistentRead") == true, let indexName,
           table.schema.index(named: indexName)?.isLocal != true {
            throw WireError.validation("Consistent reads are not supported on global secondary indexes")
        }
    }

    static func json(_ page: Page, countOnly: Bool) -> JSONValue {
        var result: [String: JSONValue] = [
            "Count": .number(Double(page.count)),
            "ScannedCount": .number(Double(page.scannedCount)),
        ]
        if !countOnly { result["Items"] = .array(page.items.map(\.dynamoDBJSON)) }
        if let cursor = page.nextCursor { result["LastEvaluatedKey"] = cursor.lastEvaluatedKey.dynamoDBJSON }
        return .object(result)
    }
}

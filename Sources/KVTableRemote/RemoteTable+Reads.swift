import KVTable
import KVTableDynamoDB

/// Query, Scan and the batch operations of a ``RemoteTable``.
extension RemoteTable {
    /// One page of a query (`Query`). Queries of the table and of local indexes are strongly
    /// consistent; global index queries are eventually consistent on DynamoDB. `Query.maximumPageBytes` is the local
    /// engine's; DynamoDB's own pages stop at 1 MB.
    public func query(_ query: Query) async throws -> Page {
        let keySchema = try keySchema(forIndex: query.indexName)
        var printer = ExpressionPrinter()
        var request = base()
        if let indexName = query.indexName { request["IndexName"] = .string(indexName) }
        let sortKey: (name: String, condition: SortKeyCondition)?
        if let condition = query.sortKey {
            guard let attribute = keySchema.sortKey else {
                throw KVTableError.validation("Query key condition not supported: the key schema has no sort key")
            }
            sortKey = (attribute.name, condition)
        } else {
            sortKey = nil
        }
        request["KeyConditionExpression"] = .string(printer.keyCondition(
            partitionKey: (keySchema.partitionKey.name, query.partitionKey), sortKey: sortKey))
        request["ScanIndexForward"] = .bool(query.ascending)
        request["ConsistentRead"] = .bool(isConsistent(query.indexName))
        try read(into: &request, printer: &printer, indexName: query.indexName, limit: query.limit, filter: query.filter,
                 projection: query.projection, countOnly: query.countOnly, allAttributes: query.allAttributes,
                 startAfter: query.startAfter, includeExpired: query.includeExpired)
        return try page(try await client.call("Query", request, retry: .always), operation: "Query")
    }

    /// One page of a scan (`Scan`), of one segment when `Scan.segment` is set.
    public func scan(_ scan: Scan = Scan()) async throws -> Page {
        if let indexName = scan.indexName { _ = try keySchema(forIndex: indexName) }
        var printer = ExpressionPrinter()
        var request = base()
        if let indexName = scan.indexName { request["IndexName"] = .string(indexName) }
        if let segment = scan.segment {
            request["Segment"] = .number(Double(segment.index))
            request["TotalSegments"] = .number(Double(segment.count))
        }
        request["ConsistentRead"] = .bool(isConsistent(scan.indexName))
        try read(into: &request, printer: &printer, indexName: scan.indexName, limit: scan.limit, filter: scan.filter,
                 projection: scan.projection, countOnly: scan.countOnly, allAttributes: scan.allAttributes,
                 startAfter: scan.startAfter, includeExpired: scan.includeExpired)
        return try page(try await client.call("Scan", request, retry: .always), operation: "Scan")
    }

    /// The items with these keys, in the order of `keys`, leaving out absent ones
    /// (`BatchGetItem` in requests of 100, strongly consistent, unprocessed keys resubmitted).
    public func batchGet(_ keys: [Item], projection: [AttributePath]? = nil) async throws -> [Item] {
        try checkDistinctKeys(keys)
        let ttl = timeToLiveAttribute
        var found: [AttributeValue: Item] = [:]
        var start = 0
        while start < keys.count {
            let chunk = keys[start..<min(start + 100, keys.count)]
            start += chunk.count
            var pending: JSONValue = .array(chunk.map(\.dynamoDBJSON))
            var rounds = 0
            while true {
                var printer = ExpressionPrinter()
                var entry: [String: JSONValue] = ["Keys": pending, "ConsistentRead": .bool(true)]
                if let projection {
                    let needed = projection + schema.keySchema.attributes.map { .name($0.name) } + (ttl.map { [.name($0)] } ?? [])
                    entry["ProjectionExpression"] = .string(printer.projection(RemoteTable.unique(needed)))
                }
                try entry.placeholders(from: printer)
                let answer = try await client.call("BatchGetItem", ["RequestItems": .object([name: .object(entry)])], retry: .always)
                if case .object(let responses)? = answer["Responses"], case .array(let items)? = responses[name] {
                    for json in items {
                        let item = try RemoteTable.item(json, operation: "BatchGetItem")
                        found[identity(of: item)] = item
                    }
                }
                guard case .object(let unprocessed)? = answer["UnprocessedKeys"], case .object(let rest)? = unprocessed[name],
                      let keys = rest["Keys"], keys != .array([]) else { break }
                pending = keys
                rounds += 1
                try await backOff(rounds, operation: "BatchGetItem")
            }
        }
        let now = store.time.epochSeconds
        return keys.compactMap { key -> Item? in
            guard var item = found[identity(of: key)] else { return nil }
            if TimeToLive.isExpired(item, attribute: ttl, now: now) { return nil }
            if let projection { item = item.filter { name, _ in projection.contains { $0.elements.first == .name(name) } } }
            return item
        }
    }

    /// Puts and deletes any number of items (`BatchWriteItem` in requests of 25, unprocessed
    /// items resubmitted with backoff), rejecting two requests for one key before sending any.
    ///
    /// Not atomic, unlike the local engine's: when it throws, the requests of earlier batches
    /// have been applied. Each request is idempotent, so running the whole batch again is safe.
    public func batchWrite(_ requests: [WriteRequest]) async throws {
        try checkDistinctKeys(requests.map { request in
            switch request {
            case .put(let item): return item
            case .delete(let key): return key
            }
        })
        var start = 0
        while start < requests.count {
            let chunk = requests[start..<min(start + 25, requests.count)]
            start += chunk.count
            var pending: JSONValue = .array(chunk.map { request in
                switch request {
                case .put(let item): return .object(["PutRequest": .object(["Item": item.dynamoDBJSON])])
                case .delete(let key): return .object(["DeleteRequest": .object(["Key": key.dynamoDBJSON])])
                }
            })
            var rounds = 0
            while true {
                let answer = try await client.call("BatchWriteItem", ["RequestItems": .object([name: pending])], retry: .always)
                guard case .object(let unprocessed)? = answer["UnprocessedItems"], let rest = unprocessed[name],
                      rest != .array([]) else { break }
                pending = rest
                rounds += 1
                try await backOff(rounds, operation: "BatchWriteItem")
            }
        }
    }

    // MARK: - Shared

    /// Whether reads of the table or index `indexName` can be strongly consistent: DynamoDB
    /// offers it for the table and local indexes, not for global ones.
    private func isConsistent(_ indexName: String?) -> Bool {
        indexName.map { schema.index(named: $0)?.isLocal == true } ?? true
    }

    /// The members Query and Scan share; adds the TTL filter unless expired items are asked for.
    private func read(into request: inout [String: JSONValue], printer: inout ExpressionPrinter, indexName: String?,
                      limit: Int?, filter: Condition?, projection: [AttributePath]?, countOnly: Bool,
                      allAttributes: Bool, startAfter: PageCursor?, includeExpired: Bool) throws {
        if allAttributes, projection != nil {
            throw KVTableError.validation("Cannot specify the ProjectionExpression when choosing to get ALL_ATTRIBUTES")
        }
        if let limit { request["Limit"] = .number(Double(limit)) }
        var filter = filter
        if !includeExpired, let ttl = timeToLiveAttribute {
            let live: Condition = .not(TimeToLive.expiredCondition(attribute: ttl, now: store.time.epochSeconds))
            filter = filter.map { .and($0, live) } ?? live
        }
        if let filter { request["FilterExpression"] = .string(printer.condition(filter)) }
        if let projection { request["ProjectionExpression"] = .string(printer.projection(projection)) }
        if countOnly {
            request["Select"] = .string("COUNT")
        } else if allAttributes, indexName != nil {
            request["Select"] = .string("ALL_ATTRIBUTES")
        }
        if let startAfter { request["ExclusiveStartKey"] = startAfter.lastEvaluatedKey.dynamoDBJSON }
        try request.placeholders(from: printer)
    }

    private func page(_ answer: [String: JSONValue], operation: String) throws -> Page {
        var items: [Item] = []
        if case .array(let list)? = answer["Items"] {
            items.reserveCapacity(list.count)
            for json in list { items.append(try RemoteTable.item(json, operation: operation)) }
        }
        guard case .number(let count)? = answer["Count"], case .number(let scanned)? = answer["ScannedCount"] else {
            throw RemoteError.malformedResponse(operation: operation, reason: "no Count or ScannedCount member")
        }
        let cursor = try answer["LastEvaluatedKey"].map { PageCursor(lastEvaluatedKey: try RemoteTable.item($0, operation: operation)) }
        return Page(items: items, count: Int(count), scannedCount: Int(scanned), nextCursor: cursor)
    }

    private static func unique(_ paths: [AttributePath]) -> [AttributePath] {
        var seen = Set<AttributePath>()
        return paths.filter { seen.insert($0).inserted }
    }

    /// Waits before resubmitting unprocessed requests; gives up after the retry policy's
    /// attempts, as DynamoDB advises when it keeps returning them.
    private func backOff(_ round: Int, operation: String) async throws {
        let policy = client.configuration.retry
        guard round < policy.maximumAttempts else {
            throw RemoteError.service(operation: operation, type: "UnprocessedItems",
                                      message: "requests were still unprocessed after \(round) resubmissions", status: 200)
        }
        var random = SystemRandomNumberGenerator()
        try await Task.sleep(for: policy.delay(beforeRetry: round - 1, using: &random))
    }
}

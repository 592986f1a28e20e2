import KVTable
import KVTableDynamoDB

/// A table of a ``RemoteStore``: DynamoDB's item operations sent to the endpoint, with the
/// same Swift API and errors as the local `Table`.
///
/// Typed trees (`Condition`, `Update`, `Query`) are printed as expression strings with
/// generated placeholders (`ExpressionPrinter`). Reads of the table are strongly consistent;
/// reads of a global secondary index are eventually consistent on DynamoDB.
public struct RemoteTable: ItemTable {
    let store: RemoteStore
    let state: RemoteTableState

    /// The table's name.
    public var name: String { schema.name }
    /// The table's key schema and indexes, as `DescribeTable` reported them.
    public let schema: TableSchema
    /// The TTL attribute, when time to live is enabled.
    public var timeToLiveAttribute: String? { state.timeToLiveAttribute }

    init(store: RemoteStore, schema: TableSchema, state: RemoteTableState) {
        self.store = store
        self.schema = schema
        self.state = state
    }

    var client: DynamoDBClient { store.client }

    // MARK: - Reads

    /// The item with this primary key, or nil (`GetItem`, strongly consistent).
    public func getItem(_ key: Item, projection: [AttributePath]? = nil, includeExpired: Bool = false) async throws -> Item? {
        var printer = ExpressionPrinter()
        var request = base()
        request["Key"] = key.dynamoDBJSON
        request["ConsistentRead"] = .bool(true)
        if let projection {
            let paths = includeExpired ? projection : projectionReadingTimeToLive(projection)
            request["ProjectionExpression"] = .string(printer.projection(paths))
        }
        try request.placeholders(from: printer)
        let answer = try await client.call("GetItem", request, retry: .always)
        guard let json = answer["Item"] else { return nil }
        let item = try RemoteTable.item(json, operation: "GetItem")
        if includeExpired { return item }
        return visible(item, projection: projection, now: store.time.epochSeconds)
    }

    /// `projection`, plus the TTL attribute when TTL is enabled: an expired item can only be
    /// hidden when its expiry time is read.
    func projectionReadingTimeToLive(_ projection: [AttributePath]) -> [AttributePath] {
        guard let ttl = timeToLiveAttribute, !projection.contains(.name(ttl)) else { return projection }
        return projection + [.name(ttl)]
    }

    /// The item as a read returns it: nil when expired; without the TTL attribute when only
    /// ``projectionReadingTimeToLive(_:)`` added it.
    func visible(_ item: Item, projection: [AttributePath]?, now: ExactDecimal) -> Item? {
        guard let ttl = timeToLiveAttribute else { return item }
        if TimeToLive.isExpired(item, attribute: ttl, now: now) { return nil }
        guard let projection, !projection.contains(.name(ttl)) else { return item }
        var item = item
        item[ttl] = nil
        return item
    }

    /// The primary key of `item` as one hashable value.
    func identity(of item: Item) -> AttributeValue {
        .m(keyAttributes(of: item).attributes)
    }

    /// Throws DynamoDB's error when two of `items` have the same primary key.
    func checkDistinctKeys(_ items: some Sequence<Item>) throws {
        var seen = Set<AttributeValue>()
        for item in items where !seen.insert(identity(of: item)).inserted {
            throw KVTableError.validation("Provided list of item keys contains duplicates")
        }
    }

    // MARK: - Writes

    /// Stores `item` if `condition` holds (`PutItem`).
    @discardableResult
    public func putItem(_ item: Item, condition: Condition? = nil, returnOldItem: Bool = false,
                        returnItemOnConditionFailure: Bool = false) async throws -> Item? {
        var printer = ExpressionPrinter()
        var request = base()
        request["Item"] = item.dynamoDBJSON
        if let condition = effective(condition) { request["ConditionExpression"] = .string(printer.condition(condition)) }
        if returnOldItem { request["ReturnValues"] = .string("ALL_OLD") }
        if returnItemOnConditionFailure { request["ReturnValuesOnConditionCheckFailure"] = .string("ALL_OLD") }
        try request.placeholders(from: printer)
        // Replaying an unconditional put that returns nothing cannot change its outcome.
        let safety: DynamoDBClient.RetrySafety = condition == nil && !returnOldItem ? .always : .throttlingOnly
        return try await attributes(of: client.call("PutItem", request, retry: safety), "PutItem")
    }

    /// Deletes the item with this key if `condition` holds (`DeleteItem`).
    @discardableResult
    public func deleteItem(_ key: Item, condition: Condition? = nil, returnOldItem: Bool = false,
                           returnItemOnConditionFailure: Bool = false) async throws -> Item? {
        var printer = ExpressionPrinter()
        var request = base()
        request["Key"] = key.dynamoDBJSON
        if let condition = effective(condition) { request["ConditionExpression"] = .string(printer.condition(condition)) }
        if returnOldItem { request["ReturnValues"] = .string("ALL_OLD") }
        if returnItemOnConditionFailure { request["ReturnValuesOnConditionCheckFailure"] = .string("ALL_OLD") }
        try request.placeholders(from: printer)
        let safety: DynamoDBClient.RetrySafety = condition == nil && !returnOldItem ? .always : .throttlingOnly
        return try await attributes(of: client.call("DeleteItem", request, retry: safety), "DeleteItem")
    }

    /// Applies `update` to the item with this key if `condition` holds (`UpdateItem`).
    ///
    /// - Throws: `KVTableError.validation(_:)` also for an update DynamoDB's expression
    ///   language cannot express (two `+`/`-` in one value), before anything is sent.
    @discardableResult
    public func updateItem(_ key: Item, _ update: Update, condition: Condition? = nil,
                           returnValues: ReturnValues = .none,
                           returnItemOnConditionFailure: Bool = false) async throws -> Item? {
        var printer = ExpressionPrinter()
        var request = base()
        request["Key"] = key.dynamoDBJSON
        request["UpdateExpression"] = .string(try printer.update(update))
        if let condition = effective(condition) { request["ConditionExpression"] = .string(printer.condition(condition)) }
        if returnValues != .none { request["ReturnValues"] = .string(returnValues.rawValue) }
        if returnItemOnConditionFailure { request["ReturnValuesOnConditionCheckFailure"] = .string("ALL_OLD") }
        try request.placeholders(from: printer)
        let safety: DynamoDBClient.RetrySafety =
            condition == nil && returnValues == .none && update.isIdempotent ? .always : .throttlingOnly
        return try await attributes(of: client.call("UpdateItem", request, retry: safety), "UpdateItem")
    }

    /// Applies 1 to 100 actions, all or none (`TransactWriteItems`). See
    /// ``RemoteStore/transactWrite(_:clientRequestToken:returnItemsOnConditionFailure:)``.
    public func transactWrite(_ actions: [TransactionWrite<RemoteTable>], clientRequestToken: String? = nil,
                              returnItemsOnConditionFailure: Bool = false) async throws {
        try await store.transactWrite(actions, clientRequestToken: clientRequestToken,
                                      returnItemsOnConditionFailure: returnItemsOnConditionFailure)
    }

    // MARK: - Shared

    /// `TableName`, the member every item request starts with.
    func base() -> [String: JSONValue] {
        ["TableName": .string(name)]
    }

    /// A write's condition as the local engine evaluates it: an expired item counts as absent.
    ///
    /// DynamoDB evaluates the condition on the stored item even when its TTL has passed. The
    /// condition on an absent item has a fixed value, known here; so the sent condition is
    /// `c AND NOT expired` when `c` is false on an absent item, `c OR expired` when it is true.
    func effective(_ condition: Condition?) -> Condition? {
        guard let condition, let ttl = timeToLiveAttribute else { return condition }
        let expired = TimeToLive.expiredCondition(attribute: ttl, now: store.time.epochSeconds)
        return condition.evaluate([:]) ? .or(condition, expired) : .and(condition, .not(expired))
    }

    func attributes(of answer: [String: JSONValue], _ operation: String) throws -> Item? {
        guard let json = answer["Attributes"] else { return nil }
        return try RemoteTable.item(json, operation: operation)
    }

    static func item(_ json: JSONValue, operation: String) throws -> Item {
        do { return try Item(dynamoDBJSON: json) } catch {
            throw RemoteError.malformedResponse(operation: operation, reason: "an item is not valid DynamoDB JSON: \(error)")
        }
    }
}

extension Dictionary where Key == String, Value == JSONValue {
    /// Adds `ExpressionAttributeNames` / `ExpressionAttributeValues` when the printer defined
    /// any (DynamoDB rejects empty ones).
    /// Adds the printer's placeholders; throws when it printed an invalid path literal.
    mutating func placeholders(from printer: ExpressionPrinter) throws(KVTableError) {
        if let invalid = printer.invalidPath { throw invalid }
        if !printer.names.isEmpty { self["ExpressionAttributeNames"] = .object(printer.names.mapValues { .string($0) }) }
        if !printer.values.isEmpty { self["ExpressionAttributeValues"] = printer.values.dynamoDBJSON }
    }
}

extension Update {
    /// Whether applying the update twice leaves the item as applying it once: only `SET` of
    /// constants and `REMOVE`.
    var isIdempotent: Bool {
        actions.allSatisfy { action in
            switch action {
            case .set(_, .value), .remove: return true
            default: return false
            }
        }
    }
}

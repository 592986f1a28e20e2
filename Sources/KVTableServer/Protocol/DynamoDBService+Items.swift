import KVTable
import KVTableDynamoDB

/// PutItem, GetItem, DeleteItem and UpdateItem.
extension DynamoDBService {
    func putItem(_ request: WireRequest) async throws -> JSONValue {
        try await replaceOrDelete(request, member: "Item") { table, item, condition, returnOld, wantsItem in
            try await table.putItem(item, condition: condition, returnOldItem: returnOld, returnItemOnConditionFailure: wantsItem)
        }
    }

    func getItem(_ request: WireRequest) throws -> JSONValue {
        let table = try table(request)
        let key = try request.required("Key", request.item)
        var expressions = try RequestExpressions(request, expressions: ["ProjectionExpression"], legacy: ["AttributesToGet"])
        let projection = try expressions.projection() ?? LegacyParameters.attributesToGet(request)
        try expressions.finish()
        let consistent = try request.bool("ConsistentRead") ?? false
        try Self.acceptReporting(request)
        var capacity = try ConsumedCapacity(request)
        let (item, size) = try table.read { reader -> (Item?, Int?) in
            let item = try reader.getItem(key, projection: projection)
            guard capacity != nil else { return (item, nil) }
            // The whole item's size, whatever the projection (as DynamoDB charges it).
            return (item, (projection == nil ? item : try reader.getItem(key, projection: nil))?.dynamoDBItemSize)
        }
        var result: [String: JSONValue] = [:]
        if let item { result["Item"] = item.dynamoDBJSON }
        if capacity != nil {
            capacity!.read(table, size: size, consistent: consistent)
            result["ConsumedCapacity"] = capacity!.json(for: table)
        }
        return .object(result)
    }

    func deleteItem(_ request: WireRequest) async throws -> JSONValue {
        try await replaceOrDelete(request, member: "Key") { table, key, condition, returnOld, wantsItem in
            try await table.deleteItem(key, condition: condition, returnOldItem: returnOld, returnItemOnConditionFailure: wantsItem)
        }
    }

    func updateItem(_ request: WireRequest) async throws -> JSONValue {
        let table = try table(request)
        let key = try request.required("Key", request.item)
        let returnValues = try request.choice("ReturnValues", ReturnValues.allCases.map(\.rawValue)).flatMap(ReturnValues.init) ?? .none
        var expressions = try RequestExpressions(request, expressions: ["UpdateExpression", "ConditionExpression"],
                                                 legacy: ["AttributeUpdates", "Expected"])
        let update = try expressions.update() ?? LegacyParameters.attributeUpdates(request) ?? Update([])
        let condition = try expressions.condition("ConditionExpression", kind: .condition) ?? LegacyParameters.expected(request)
        try expressions.finish()
        let wantsItem = try Self.wantsItemOnFailure(request)
        try Self.acceptReporting(request)
        var capacity = try ConsumedCapacity(request)
        let legacy = request.has("AttributeUpdates")
        let result = try await Self.conditional(wantsItem) {
            do {
                return try await table.updateItemWithImages(key, update, condition: condition, returnValues: returnValues,
                                                            returnItemOnConditionFailure: wantsItem)
            } catch KVTableError.validation(Self.incorrectOperandType) where legacy {
                // The same mismatch (ADD of a number to a set, DELETE from a map) in the words
                // DynamoDB uses for AttributeUpdates.
                throw KVTableError.validation("Type mismatch for attribute to update")
            }
        }
        capacity?.write(table, old: result.old, new: result.new)
        let answer = try adding(itemCollectionMetricsOf: request, table: table, key: key, to: Self.attributes(result.returned))
        return Self.adding(capacity, of: table, to: answer)
    }

    /// What the store says when an update's operand has a type its action cannot use.
    private static let incorrectOperandType = "An operand in the update expression has an incorrect data type"

    // MARK: Shared

    /// PutItem and DeleteItem: the item or key in `member`, a condition, `ReturnValues`
    /// `NONE`/`ALL_OLD`; returns the old item as `Attributes` when asked for.
    private func replaceOrDelete(
        _ request: WireRequest, member: String,
        _ write: (Table, Item, Condition?, _ returnOld: Bool, _ wantsItem: Bool) async throws -> Item?
    ) async throws -> JSONValue {
        let table = try table(request)
        let itemOrKey = try request.required(member, request.item)
        let returnOld = try Self.returnOldOnly(request)
        let condition = try Self.writeCondition(request)
        let wantsItem = try Self.wantsItemOnFailure(request)
        try Self.acceptReporting(request)
        var capacity = try ConsumedCapacity(request)
        // The old item's size is part of the capacity, so it is asked for when that is reported.
        let old = try await Self.conditional(wantsItem) {
            try await write(table, itemOrKey, condition, returnOld || capacity != nil, wantsItem)
        }
        capacity?.write(table, old: old, new: member == "Item" ? itemOrKey : nil)
        let answer = try adding(itemCollectionMetricsOf: request, table: table, key: itemOrKey, to: Self.attributes(returnOld ? old : nil))
        return Self.adding(capacity, of: table, to: answer)
    }

    /// `answer` with the `ConsumedCapacity` of `table`, when one is reported.
    static func adding(_ capacity: ConsumedCapacity?, of table: Table, to answer: JSONValue) -> JSONValue {
        guard let capacity, case .object(var members) = answer else { return answer }
        members["ConsumedCapacity"] = capacity.json(for: table)
        return .object(members)
    }

    /// `ReturnValues` of PutItem and DeleteItem: `NONE` or `ALL_OLD`.
    private static func returnOldOnly(_ request: WireRequest) throws(WireError) -> Bool {
        guard let value = try request.string("ReturnValues") else { return false }
        guard value == "NONE" || value == "ALL_OLD" else {
            throw WireError.validation("ReturnValues can only be ALL_OLD or NONE")
        }
        return value == "ALL_OLD"
    }

    /// `ConditionExpression` or the legacy `Expected` (+ `ConditionalOperator`).
    static func writeCondition(_ request: WireRequest) throws -> Condition? {
        var expressions = try RequestExpressions(request, expressions: ["ConditionExpression"], legacy: ["Expected"])
        let condition = try expressions.condition("ConditionExpression", kind: .condition) ?? LegacyParameters.expected(request)
        try expressions.finish()
        return condition
    }

    /// Runs a conditional write, turning a failed condition into DynamoDB's error (with the
    /// current item when the request asked for it).
    static func conditional<R>(_ wantsItem: Bool, _ body: () async throws -> R) async throws -> R {
        do {
            return try await body()
        } catch let error as KVTableError {
            throw WireError(error, returnItems: [wantsItem])
        }
    }

    /// `{"Attributes": …}` when there is something to return, `{}` otherwise.
    static func attributes(_ item: Item?) -> JSONValue {
        guard let item, !item.isEmpty else { return .object([:]) }
        return .object(["Attributes": item.dynamoDBJSON])
    }
}

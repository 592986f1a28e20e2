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
        _ = try request.bool("ConsistentRead")
        try Self.acceptReporting(request)
        guard let item = try table.read({ try $0.getItem(key, projection: projection) }) else { return .object([:]) }
        return .object(["Item": item.dynamoDBJSON])
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
        let legacy = request.has("AttributeUpdates")
        let result = try await Self.conditional(wantsItem) {
            do {
                return try await table.updateItem(key, update, condition: condition, returnValues: returnValues,
                                                  returnItemOnConditionFailure: wantsItem)
            } catch KVTableError.validation(Self.incorrectOperandType) where legacy {
                // The same mismatch (ADD of a number to a set, DELETE from a map) in the words
                // DynamoDB uses for AttributeUpdates.
                throw KVTableError.validation("Type mismatch for attribute to update")
            }
        }
        return try adding(itemCollectionMetricsOf: request, table: table, key: key, to: Self.attributes(result))
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
        let old = try await Self.conditional(wantsItem) {
            try await write(table, itemOrKey, condition, returnOld, wantsItem)
        }
        return try adding(itemCollectionMetricsOf: request, table: table, key: itemOrKey, to: Self.attributes(old))
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

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KVTable
import KVTableDynamoDB

/// `TransactWriteItems` and `TransactGetItems`.
extension RemoteStore {
    /// Applies 1 to 100 actions, all or none (`TransactWriteItems`).
    ///
    /// Always sent with a `ClientRequestToken` (a new UUID when none is given), so that a retry
    /// after a lost answer cannot apply the transaction twice. A cancelled transaction throws
    /// `KVTableError.transactionCanceled(_:)` with a reason per action, as locally.
    public func transactWrite(_ actions: [TransactionWrite<RemoteTable>], clientRequestToken: String? = nil,
                              returnItemsOnConditionFailure: Bool = false) async throws {
        try ConstraintViolation.check(.length(actions.count, of: "transactItems", within: 1...KVStore.maximumTransactionActions))
        var seen = Set<AttributeValue>()
        var items: [JSONValue] = []
        for action in actions {
            let table = action.table
            guard seen.insert(.l([.s(table.name), table.identity(of: action.key)])).inserted else {
                throw KVTableError.validation("Transaction request cannot include multiple operations on one item")
            }
            var printer = ExpressionPrinter()
            var member = table.base()
            let kind: String
            switch action {
            case .put(_, let item, let condition):
                kind = "Put"
                member["Item"] = item.dynamoDBJSON
                if let condition = table.effective(condition) { member["ConditionExpression"] = .string(printer.condition(condition)) }
            case .update(_, let key, let update, let condition):
                kind = "Update"
                member["Key"] = key.dynamoDBJSON
                member["UpdateExpression"] = .string(try printer.update(update))
                if let condition = table.effective(condition) { member["ConditionExpression"] = .string(printer.condition(condition)) }
            case .delete(_, let key, let condition):
                kind = "Delete"
                member["Key"] = key.dynamoDBJSON
                if let condition = table.effective(condition) { member["ConditionExpression"] = .string(printer.condition(condition)) }
            case .conditionCheck(_, let key, let condition):
                kind = "ConditionCheck"
                member["Key"] = key.dynamoDBJSON
                member["ConditionExpression"] = .string(printer.condition(table.effective(condition) ?? condition))
            }
            if returnItemsOnConditionFailure { member["ReturnValuesOnConditionCheckFailure"] = .string("ALL_OLD") }
            try member.placeholders(from: printer)
            items.append(.object([kind: .object(member)]))
        }
        let token = clientRequestToken ?? UUID().uuidString
        _ = try await client.call("TransactWriteItems", ["TransactItems": .array(items), "ClientRequestToken": .string(token)],
                                  retry: .always)
    }

    /// Reads 1 to 100 items in one snapshot (`TransactGetItems`): one entry per request, nil
    /// for an absent (or expired) item.
    public func transactGet(_ gets: [TransactionRead<RemoteTable>]) async throws -> [Item?] {
        try ConstraintViolation.check(.length(gets.count, of: "transactItems", within: 1...KVStore.maximumTransactionActions))
        var items: [JSONValue] = []
        for get in gets {
            var printer = ExpressionPrinter()
            var member = get.table.base()
            member["Key"] = get.key.dynamoDBJSON
            if let projection = get.projection {
                member["ProjectionExpression"] = .string(printer.projection(get.table.projectionReadingTimeToLive(projection)))
            }
            try member.placeholders(from: printer)
            items.append(.object(["Get": .object(member)]))
        }
        let answer = try await client.call("TransactGetItems", ["TransactItems": .array(items)], retry: .always)
        guard case .array(let responses)? = answer["Responses"], responses.count == gets.count else {
            throw RemoteError.malformedResponse(operation: "TransactGetItems", reason: "not one response per request")
        }
        let now = time.epochSeconds
        return try zip(gets, responses).map { get, response in
            guard case .object(let members) = response, let json = members["Item"] else { return nil }
            return get.table.visible(try RemoteTable.item(json, operation: "TransactGetItems"), projection: get.projection, now: now)
        }
    }
}

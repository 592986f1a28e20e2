/// One action of ``KVStore/transactWrite(_:clientRequestToken:returnItemsOnConditionFailure:)``.
public enum TransactionAction: Sendable {
    /// Put an item (create or replace), if the condition holds.
    case put(Table, Item, condition: Condition? = nil)
    /// Update the item with this key (creating it when absent), if the condition holds.
    case update(Table, key: Item, Update, condition: Condition? = nil)
    /// Delete the item with this key, if the condition holds.
    case delete(Table, key: Item, condition: Condition? = nil)
    /// Only check a condition on the item with this key; write nothing.
    case conditionCheck(Table, key: Item, Condition)

    var table: Table {
        switch self {
        case .put(let table, _, _), .update(let table, _, _, _), .delete(let table, _, _),
             .conditionCheck(let table, _, _):
            return table
        }
    }

    func prepare(returnItemOnConditionFailure: Bool) throws -> PreparedWrite {
        switch self {
        case .put(let table, let item, let condition):
            return try .put(item, into: table.state, condition: condition,
                            returnItemOnConditionFailure: returnItemOnConditionFailure)
        case .update(let table, let key, let update, let condition):
            return try .update(key, with: update, in: table.state, condition: condition,
                               returnItemOnConditionFailure: returnItemOnConditionFailure)
        case .delete(let table, let key, let condition):
            return try .delete(key, from: table.state, condition: condition,
                               returnItemOnConditionFailure: returnItemOnConditionFailure)
        case .conditionCheck(let table, let key, let condition):
            return try .conditionCheck(key, in: table.state, condition: condition,
                                       returnItemOnConditionFailure: returnItemOnConditionFailure)
        }
    }

    /// A stable description for idempotency fingerprints.
    var fingerprintText: String {
        switch self {
        case .put(let table, let item, let condition):
            return "put \(table.name) \(AttributeValue.m(item)) \(String(describing: condition))"
        case .update(let table, let key, let update, let condition):
            return "update \(table.name) \(AttributeValue.m(key)) \(update) \(String(describing: condition))"
        case .delete(let table, let key, let condition):
            return "delete \(table.name) \(AttributeValue.m(key)) \(String(describing: condition))"
        case .conditionCheck(let table, let key, let condition):
            return "check \(table.name) \(AttributeValue.m(key)) \(condition)"
        }
    }
}

/// One item of ``KVStore/transactGet(_:)``.
public struct TransactionGet: Sendable {
    public var table: Table
    public var key: Item
    public var projection: [AttributePath]?

    public init(_ table: Table, key: Item, projection: [AttributePath]? = nil) {
        self.table = table
        self.key = key
        self.projection = projection
    }
}

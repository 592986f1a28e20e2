/// One action of a write transaction (``ItemStore/transactWrite(_:clientRequestToken:returnItemsOnConditionFailure:)``)
/// on a table of the engine `T`.
public enum TransactionWrite<T: ItemTable>: Sendable {
    /// Put an item (create or replace), if the condition holds.
    case put(T, Item, condition: Condition? = nil)
    /// Update the item with this key (creating it when absent), if the condition holds.
    case update(T, key: Item, Update, condition: Condition? = nil)
    /// Delete the item with this key, if the condition holds.
    case delete(T, key: Item, condition: Condition? = nil)
    /// Only check a condition on the item with this key; write nothing.
    case conditionCheck(T, key: Item, Condition)

    /// The table the action works on.
    public var table: T {
        switch self {
        case .put(let table, _, _), .update(let table, _, _, _), .delete(let table, _, _),
             .conditionCheck(let table, _, _):
            return table
        }
    }

    /// The key of the item the action works on (the whole item for a put).
    public var key: Item {
        switch self {
        case .put(_, let item, _): return item
        case .update(_, let key, _, _), .delete(_, let key, _), .conditionCheck(_, let key, _): return key
        }
    }
}

/// One action of ``KVStore/transactWrite(_:clientRequestToken:returnItemsOnConditionFailure:)``.
public typealias TransactionAction = TransactionWrite<Table>

/// One item of ``KVStore/transactGet(_:)``.
public typealias TransactionGet = TransactionRead<Table>

extension TransactionWrite where T == Table {
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
            return "put \(table.name) \(AttributeValue.m(item.attributes)) \(String(describing: condition))"
        case .update(let table, let key, let update, let condition):
            return "update \(table.name) \(AttributeValue.m(key.attributes)) \(update) \(String(describing: condition))"
        case .delete(let table, let key, let condition):
            return "delete \(table.name) \(AttributeValue.m(key.attributes)) \(String(describing: condition))"
        case .conditionCheck(let table, let key, let condition):
            return "check \(table.name) \(AttributeValue.m(key.attributes)) \(condition)"
        }
    }
}

/// One item of a read transaction (``ItemStore/transactGet(_:)``) on a table of the engine `T`.
public struct TransactionRead<T: ItemTable>: Sendable {
    /// The table to read from.
    public var table: T
    /// The item's primary key.
    public var key: Item
    /// Return only these paths (all attributes when nil).
    public var projection: [AttributePath]?

    /// A read of the item at `key` in `table`.
    public init(_ table: T, key: Item, projection: [AttributePath]? = nil) {
        self.table = table
        self.key = key
        self.projection = projection
    }
}

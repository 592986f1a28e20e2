/// One validated item write — put, update, delete or condition check — ready to run inside a
/// write transaction. Single writes, batches and transactions are all made of these, so each
/// DynamoDB rule is written once.
///
/// Everything that can be checked without the stored item is checked when it is prepared, on
/// the caller's thread; inside the transaction only the condition and the item-dependent parts
/// of an update remain.
struct PreparedWrite: Sendable {
    enum Action: Sendable {
        case put(Item, encoded: [UInt8])
        case update(Update, key: Item)
        case delete
        case conditionCheck
    }

    /// What an action does to the stored item, once its condition held.
    enum Effect {
        case store(Item, encoded: [UInt8])
        case remove
        case nothing
    }

    let table: TableState
    let key: [UInt8]
    let action: Action
    let condition: Condition?
    let returnItemOnConditionFailure: Bool

    static func put(_ item: Item, into table: TableState, condition: Condition?,
                    returnItemOnConditionFailure: Bool = false) throws -> PreparedWrite {
        try table.checkNotDropped()
        try ItemValidation.validate(item)
        let key = try table.layout.itemKey(of: item)
        try table.layout.validateIndexKeys(of: item)
        try condition?.validate()
        return PreparedWrite(table: table, key: key, action: .put(item, encoded: ItemCodec.encode(item)),
                             condition: condition, returnItemOnConditionFailure: returnItemOnConditionFailure)
    }

    static func update(_ key: Item, with update: Update, in table: TableState, condition: Condition?,
                       returnItemOnConditionFailure: Bool = false) throws -> PreparedWrite {
        try table.checkNotDropped()
        let storageKey = try table.layout.itemKey(ofKey: key)
        try update.validate(keyAttributes: table.layout.schema.keySchema.attributes.map(\.name))
        try condition?.validate()
        return PreparedWrite(table: table, key: storageKey, action: .update(update, key: key),
                             condition: condition, returnItemOnConditionFailure: returnItemOnConditionFailure)
    }

    static func delete(_ key: Item, from table: TableState, condition: Condition?,
                       returnItemOnConditionFailure: Bool = false) throws -> PreparedWrite {
        try table.checkNotDropped()
        let storageKey = try table.layout.itemKey(ofKey: key)
        try condition?.validate()
        return PreparedWrite(table: table, key: storageKey, action: .delete,
                             condition: condition, returnItemOnConditionFailure: returnItemOnConditionFailure)
    }

    static func conditionCheck(_ key: Item, in table: TableState, condition: Condition,
                               returnItemOnConditionFailure: Bool = false) throws -> PreparedWrite {
        try table.checkNotDropped()
        let storageKey = try table.layout.itemKey(ofKey: key)
        try condition.validate()
        return PreparedWrite(table: table, key: storageKey, action: .conditionCheck,
                             condition: condition, returnItemOnConditionFailure: returnItemOnConditionFailure)
    }

    /// Checks the condition against the item as callers see it (an empty item when absent or
    /// expired) and works out the effect. Throws ``KVTableError/conditionalCheckFailed(currentItem:)``
    /// or, for an update the stored item cannot take, ``KVTableError/validation(_:)``.
    func effect(on current: ItemWriter.Current) throws -> Effect {
        if let condition, !condition.evaluate(current.live ?? [:]) {
            throw KVTableError.conditionalCheckFailed(currentItem: returnItemOnConditionFailure ? current.live : nil)
        }
        switch action {
        case .put(let item, let encoded):
            return .store(item, encoded: encoded)
        case .update(let update, let key):
            // As DynamoDB: an update that only removes attributes or set elements creates nothing.
            if current.live == nil, update.onlyRemoves { return .nothing }
            let updated = try update.apply(to: current.live, key: key)
            try ItemValidation.validate(updated)
            try table.layout.validateIndexKeys(of: updated)
            return .store(updated, encoded: ItemCodec.encode(updated))
        case .delete:
            return current.stored == nil ? .nothing : .remove
        case .conditionCheck:
            return .nothing
        }
    }

    func apply(_ effect: Effect, over current: ItemWriter.Current, with items: ItemWriter, log: inout ChangeLog) throws {
        switch effect {
        case .store(let item, let encoded): try items.put(item, encoded: encoded, over: current, log: &log)
        case .remove: try items.delete(current, log: &log)
        case .nothing: break
        }
    }
}

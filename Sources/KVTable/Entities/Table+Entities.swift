/// Typed writes of ``Entity`` values in one local write transaction each (the reads —
/// `get`, `queryEntities` — are ``ItemTable``'s, the same on every engine).
extension Table {
    /// Stores `entity` (replacing what is at its key), with all its keys computed from the
    /// whole entity, and moves its unique-attribute markers in the same transaction.
    ///
    /// - Throws: ``KVTableError/uniqueConstraintViolation(_:)`` when a unique value belongs to
    ///   another entity; ``KVTableError/conditionalCheckFailed(currentItem:)`` when `condition`
    ///   (checked against the stored item) is false.
    public func put<E: Entity>(_ entity: E, condition: Condition? = nil) async throws {
        let item = try EntityMapping.item(for: entity, in: schema)
        let write = try PreparedWrite.put(item, into: state, condition: condition)
        let state = self.state
        let time = context.time
        try await context.write { log in
            let items = try ItemWriter(writer: log.writer, table: state, now: time.epochSeconds)
            let current = try items.current(write.key)
            let effect = try write.effect(on: current)
            let previous = current.live.flatMap { $0[E.entityTypeAttribute] == .s(E.entityType) ? $0 : nil }
            try UniqueMarkers.update(entityType: E.entityType, attributes: E.uniqueAttributes,
                                     old: previous, new: item, items: items, log: &log)
            try write.apply(effect, over: current, with: items, log: &log)
        }
    }

    /// Deletes the entity at this key with its unique-attribute markers.
    ///
    /// - Returns: whether there was one.
    @discardableResult
    public func delete<E: Entity>(_ type: E.Type, _ variables: Item, condition: Condition? = nil) async throws -> Bool {
        let key = try EntityMapping.key(type, variables: variables, in: schema)
        let write = try PreparedWrite.delete(key, from: state, condition: condition)
        let state = self.state
        let time = context.time
        return try await context.write { log in
            let items = try ItemWriter(writer: log.writer, table: state, now: time.epochSeconds)
            let current = try items.current(write.key)
            guard let old = current.live else { return false }
            _ = try EntityMapping.decode(type, from: old)   // the item at this key must be an E
            _ = try write.effect(on: current)
            try UniqueMarkers.update(entityType: E.entityType, attributes: E.uniqueAttributes,
                                     old: old, new: nil, items: items, log: &log)
            try items.delete(current, log: &log)
            return true
        }
    }

    /// Reads the entity at this key, lets `transform` change it, and stores the result, so that
    /// nothing slips in between: every key (table and indexes) is recomputed from the whole new
    /// entity; when its primary key changes the item moves, and unique markers follow.
    ///
    /// `transform` runs here, in the calling task (it need not be `@Sendable`, and what it
    /// captures is the caller's again once `update` returns), on the entity as a snapshot read
    /// it. The write transaction then checks that the stored item is still that one; when
    /// another writer changed it meanwhile, the entity is read and transformed again (up to 8
    /// times) — so keep `transform` free of side effects beyond the entity.
    ///
    /// - Returns: the entity as stored.
    /// - Throws: ``KVTableError/conditionalCheckFailed(currentItem:)`` when there is no entity at
    ///   the key, when the entity would move onto an existing item, or when other writers kept
    ///   changing it.
    @discardableResult
    public func update<E: Entity>(_ type: E.Type, _ variables: Item,
                                  _ transform: (inout E) throws -> Void) async throws -> E {
        let key = try EntityMapping.key(type, variables: variables, in: schema)
        let oldKey = try layout.itemKey(ofKey: key)
        let state = self.state
        let layout = self.layout
        let time = context.time
        for _ in 0..<Self.entityWriteAttempts {
            guard let old = try read({ try $0.getItem(key) }) else { throw KVTableError.conditionalCheckFailed(currentItem: nil) }
            var entity = try EntityMapping.decode(type, from: old)
            try transform(&entity)
            let new = try EntityMapping.item(for: entity, in: schema)
            try ItemValidation.validate(new)
            let newKey = try layout.itemKey(of: new)
            try layout.validateIndexKeys(of: new)
            let applied = try await context.write { log -> Bool in
                let items = try ItemWriter(writer: log.writer, table: state, now: time.epochSeconds)
                let current = try items.current(oldKey)
                guard let stored = current.live else { throw KVTableError.conditionalCheckFailed(currentItem: nil) }
                guard stored == old else { return false }   // changed since it was read: transform again
                try UniqueMarkers.update(entityType: E.entityType, attributes: E.uniqueAttributes,
                                         old: old, new: new, items: items, log: &log)
                if newKey == oldKey {
                    try items.put(new, encoded: ItemCodec.encode(new), over: current, log: &log)
                } else {
                    let target = try items.current(newKey)
                    if let occupant = target.live { throw KVTableError.conditionalCheckFailed(currentItem: occupant) }
                    try items.delete(current, log: &log)
                    try items.put(new, encoded: ItemCodec.encode(new), over: target, log: &log)
                }
                return true
            }
            if applied { return entity }
        }
        throw KVTableError.conditionalCheckFailed(currentItem: nil)
    }

    /// The entity of `type` that holds `value` in its unique attribute `attribute` (one of
    /// ``Entity/uniqueAttributes``), found through its marker item; nil when no entity does.
    ///
    /// ```swift
    /// let user = try await table.find(User.self, unique: "email", "ada@example.com")
    /// ```
    public func find<E: Entity>(_ type: E.Type, unique attribute: String, _ value: AttributeValue) async throws -> E? {
        guard E.uniqueAttributes.contains(attribute) else {
            throw KVTableError.validation("\(attribute) is not a unique attribute of \(E.entityType)")
        }
        let markerKey = try UniqueMarkers.markerKey(entityType: E.entityType, attribute: attribute, value: value, in: schema)
        return try read { reader in
            guard case .m(let owner)? = try reader.getItem(markerKey)?["owner"],
                  let item = try reader.getItem(Item(owner)) else { return nil }
            return try EntityMapping.decode(type, from: item)
        }
    }
}

/// One page of entities from ``ItemTable/queryEntities(_:as:)``.
public struct EntityPage: Sendable {
    /// The decoded entities, in query order.
    public var entities: [any Entity]
    /// Items whose `EntityType` is missing or not among the requested types.
    public var unrecognized: [Item]
    /// Where the next page starts; nil when there is nothing more.
    public var nextCursor: PageCursor?

    /// The entities of one type, in query order.
    public func entities<E: Entity>(of type: E.Type) -> [E] {
        entities.compactMap { $0 as? E }
    }
}

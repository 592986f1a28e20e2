/// Typed entities on any engine, written with the engine's own operations: reads, and
/// transactions (`TransactWriteItems` remotely) that keep unique-attribute markers consistent
/// with their entities.
///
/// The local ``Table`` has its own versions of these members, which do the same in one local
/// write transaction; these are what code generic over ``ItemTable`` (and ``RemoteTable``)
/// runs. Without a local transaction to read in, a write reads the item first and guards
/// the transaction with a condition that the item's unique attributes did not change since;
/// when a concurrent writer changed them, it reads again and retries.
extension ItemTable {
    /// How often a write whose item changed under it is read and tried again.
    static var entityWriteAttempts: Int { 8 }

    /// The entity of `type` at the key its templates give for `variables`; nil when none.
    public func get<E: Entity>(_ type: E.Type, _ variables: Item) async throws -> E? {
        let key = try EntityMapping.key(type, variables: variables, in: schema)
        guard let item = try await getItem(key, projection: nil, includeExpired: false) else { return nil }
        return try EntityMapping.decode(type, from: item)
    }

    /// Stores `entity` (replacing what is at its key) with every key recomputed from it, and
    /// moves its unique-attribute markers in the same transaction.
    ///
    /// - Throws: ``KVTableError/uniqueConstraintViolation(_:)`` when a unique value belongs to
    ///   another entity; ``KVTableError/conditionalCheckFailed(currentItem:)`` when `condition`
    ///   is false on the stored item.
    public func put<E: Entity>(_ entity: E, condition: Condition? = nil) async throws {
        let item = try EntityMapping.item(for: entity, in: schema)
        guard !E.uniqueAttributes.isEmpty else {
            try await putItem(item, condition: condition, returnOldItem: false, returnItemOnConditionFailure: false)
            return
        }
        let key = keyAttributes(of: item)
        try await retryingChanges { () async throws -> Bool in
            let stored = try await getItem(key, projection: nil, includeExpired: false)
            let previous = stored.flatMap { $0[E.entityTypeAttribute] == .s(E.entityType) ? $0 : nil }
            let guardCondition = unchanged(stored, E.self)
            let actions: [TransactionWrite<Self>] = [.put(self, item, condition: condition.map { .and($0, guardCondition) } ?? guardCondition)]
            let plan = try await markerPlan(E.self, old: previous, new: item)
            return try await apply(actions, plan, E.self, key: key, stored: stored)
        }
    }

    /// Deletes the entity at this key with its unique-attribute markers.
    ///
    /// - Returns: whether there was one.
    @discardableResult
    public func delete<E: Entity>(_ type: E.Type, _ variables: Item, condition: Condition? = nil) async throws -> Bool {
        let key = try EntityMapping.key(type, variables: variables, in: schema)
        var existed = false
        try await retryingChanges { () async throws -> Bool in
            guard let stored = try await getItem(key, projection: nil, includeExpired: false) else { return true }
            _ = try EntityMapping.decode(type, from: stored)   // the item at this key must be an E
            existed = true
            let guardCondition = unchanged(stored, E.self)
            let actions: [TransactionWrite<Self>] = [.delete(self, key: key, condition: condition.map { .and($0, guardCondition) } ?? guardCondition)]
            let plan = try await markerPlan(E.self, old: stored, new: nil)
            return try await apply(actions, plan, E.self, key: key, stored: stored)
        }
        return existed
    }

    /// Reads the entity at this key, lets `transform` change it, and stores the result with
    /// every key recomputed; when its primary key changes the item moves, and unique markers
    /// follow. `transform` may run more than once (when the item changed under it).
    ///
    /// - Throws: ``KVTableError/conditionalCheckFailed(currentItem:)`` when there is no entity
    ///   at the key, or it would move onto an existing item.
    @discardableResult
    public func update<E: Entity>(_ type: E.Type, _ variables: Item,
                                  _ transform: (inout E) throws -> Void) async throws -> E {
        let key = try EntityMapping.key(type, variables: variables, in: schema)
        var result: E?
        try await retryingChanges { () async throws -> Bool in
            guard let stored = try await getItem(key, projection: nil, includeExpired: false) else {
                throw KVTableError.conditionalCheckFailed(currentItem: nil)
            }
            var entity = try EntityMapping.decode(type, from: stored)
            try transform(&entity)
            let new = try EntityMapping.item(for: entity, in: schema)
            let newKey = keyAttributes(of: new)
            let guardCondition = unchanged(stored, E.self)
            var actions: [TransactionWrite<Self>]
            if newKey == key {
                actions = [.put(self, new, condition: guardCondition)]
            } else {
                actions = [.delete(self, key: key, condition: guardCondition),
                           .put(self, new, condition: .notExists(.name(schema.keySchema.partitionKey.name)))]
            }
            let plan = try await markerPlan(E.self, old: stored, new: new)
            result = entity
            return try await apply(actions, plan, E.self, key: key, stored: stored, movedTo: newKey == key ? nil : newKey)
        }
        return result!
    }

    /// The entity of `type` holding `value` in its unique attribute `attribute`, found
    /// through its marker; nil when no entity does.
    public func find<E: Entity>(_ type: E.Type, unique attribute: String, _ value: AttributeValue) async throws -> E? {
        guard E.uniqueAttributes.contains(attribute) else {
            throw KVTableError.validation("\(attribute) is not a unique attribute of \(E.entityType)")
        }
        let markerKey = try UniqueMarkers.markerKey(entityType: E.entityType, attribute: attribute, value: value, in: schema)
        guard case .m(let owner)? = try await getItem(markerKey, projection: nil, includeExpired: false)?["owner"],
              let item = try await getItem(Item(owner), projection: nil, includeExpired: false) else { return nil }
        return try EntityMapping.decode(type, from: item)
    }

    /// One page of a query, decoded into entities by their `EntityType`; items of other types
    /// are returned undecoded in ``EntityPage/unrecognized``.
    public func queryEntities(_ query: Query, as types: [any Entity.Type]) async throws -> EntityPage {
        let page = try await self.query(query)
        var byName: [String: any Entity.Type] = [:]
        for type in types { byName[type.entityType] = type }
        var result = EntityPage(entities: [], unrecognized: [], nextCursor: page.nextCursor)
        for item in page.items {
            guard case .s(let name)? = item["EntityType"], let type = byName[name] else {
                result.unrecognized.append(item)
                continue
            }
            result.entities.append(try decodeAnyEntity(type, from: item))
        }
        return result
    }

    private func decodeAnyEntity<E: Entity>(_ type: E.Type, from item: Item) throws -> any Entity {
        try EntityMapping.decode(type, from: item)
    }

    // MARK: - Transactions guarded by what was read

    /// True on the stored item while what the markers depend on is as read: whether it
    /// exists, its entity type, and its unique attributes.
    private func unchanged<E: Entity>(_ stored: Item?, _ type: E.Type) -> Condition {
        let partitionKey = AttributePath.name(schema.keySchema.partitionKey.name)
        guard let stored else { return .notExists(partitionKey) }
        var condition: Condition = .exists(partitionKey)
        for name in [E.entityTypeAttribute] + E.uniqueAttributes {
            let path = AttributePath.name(name)
            condition = .and(condition, stored[name].map { .attribute(path) == .value($0) } ?? .notExists(path))
        }
        return condition
    }

    /// The marker writes that move `type`'s unique values from `old` to `new`: a put for each
    /// new value (failing when another item owns it), a delete for each old value this item
    /// owns (read first, as the local engine leaves a marker another item owns alone).
    private func markerPlan<E: Entity>(_ type: E.Type, old: Item?, new: Item?) async throws -> [MarkerWrite<Self>] {
        let partitionKey = AttributePath.name(schema.keySchema.partitionKey.name)
        var actions: [MarkerWrite<Self>] = []
        let oldOwner = old.map { AttributeValue.m(keyAttributes(of: $0).attributes) }
        let newOwner = new.map { AttributeValue.m(keyAttributes(of: $0).attributes) }
        for attribute in E.uniqueAttributes {
            let oldValue = old?[attribute], newValue = new?[attribute]
            // Same value, new owner (the entity moved to another key): the marker is rewritten.
            let moved = oldValue == newValue && oldOwner != newOwner
            if oldValue == newValue && !moved { continue }
            if let newValue, let newOwner {
                var marker = try UniqueMarkers.markerKey(entityType: E.entityType, attribute: attribute, value: newValue, in: schema)
                marker["EntityType"] = .s(UniqueMarkers.entityType)
                marker["owner"] = newOwner
                var free: Condition = .notExists(partitionKey) || .attribute("owner") == .value(newOwner)
                if moved, let oldOwner { free = .or(free, .attribute("owner") == .value(oldOwner)) }
                actions.append(MarkerWrite(action: .put(self, marker, condition: free), claim: (attribute, newValue)))
            }
            if let oldValue, let oldOwner, !moved {
                let markerKey = try UniqueMarkers.markerKey(entityType: E.entityType, attribute: attribute, value: oldValue, in: schema)
                if try await getItem(markerKey, projection: nil, includeExpired: false)?["owner"] == oldOwner {
                    actions.append(MarkerWrite(action: .delete(self, key: markerKey, condition: .attribute("owner") == .value(oldOwner)),
                                               claim: nil))
                }
            }
        }
        return actions
    }

    /// Runs the transaction. Returns true when done, false when the item (or a marker it
    /// releases) changed since it was read, so the caller should read again; throws the local
    /// engine's errors for a taken unique value or a false condition.
    private func apply<E: Entity>(_ itemActions: [TransactionWrite<Self>], _ markers: [MarkerWrite<Self>], _ type: E.Type,
                                  key: Item, stored: Item?, movedTo newKey: Item? = nil) async throws -> Bool {
        let actions = itemActions + markers.map(\.action)
        let claims: [(attribute: String, value: AttributeValue)?] = Array(repeating: nil, count: itemActions.count) + markers.map(\.claim)
        do {
            try await transactWrite(actions, clientRequestToken: nil, returnItemsOnConditionFailure: false)
            return true
        } catch KVTableError.transactionCanceled(let reasons) {
            for ((action, claim), reason) in zip(zip(actions, claims), reasons) {
                guard case .conditionalCheckFailed = reason else { continue }
                if let claim {
                    throw KVTableError.uniqueConstraintViolation("\(E.entityType).\(claim.attribute) \(claim.value) is already taken")
                }
                if let newKey, case .put(_, let item, _) = action, keyAttributes(of: item) == newKey {
                    let occupant = try await getItem(newKey, projection: nil, includeExpired: false)
                    throw KVTableError.conditionalCheckFailed(currentItem: occupant)
                }
            }
            // The item's own action failed: the user's condition, or a concurrent change.
            let now = try await getItem(key, projection: nil, includeExpired: false)
            if unchangedLocally(stored, now, E.self) { throw KVTableError.conditionalCheckFailed(currentItem: nil) }
            return false
        }
    }

    /// Whether `now` still satisfies ``unchanged(_:_:)`` as built from `stored`.
    private func unchangedLocally<E: Entity>(_ stored: Item?, _ now: Item?, _ type: E.Type) -> Bool {
        guard let stored, let now else { return stored == nil && now == nil }
        return ([E.entityTypeAttribute] + E.uniqueAttributes).allSatisfy { stored[$0] == now[$0] }
    }

    /// Repeats `attempt` (which returns false when the item changed under it) a bounded number
    /// of times.
    private func retryingChanges(_ attempt: () async throws -> Bool) async throws {
        for _ in 0..<Self.entityWriteAttempts {
            if try await attempt() { return }
        }
        throw KVTableError.conditionalCheckFailed(currentItem: nil)
    }
}

/// One unique-marker write of an entity transaction, and the unique value it claims (nil for
/// a release of an old value).
struct MarkerWrite<T: ItemTable> {
    let action: TransactionWrite<T>
    let claim: (attribute: String, value: AttributeValue)?
}

extension Table {
    /// Atomically adds `amount` to the number at `attribute` (a missing attribute or item
    /// counts as 0) and returns the new value. Concurrent increments never lose an update.
    @discardableResult
    public func increment(_ key: Item, _ attribute: AttributePath, by amount: ExactDecimal = 1) async throws -> ExactDecimal {
        let updated = try await updateItem(key, [.add(attribute, .n(amount))], returnValues: .updatedNew)
        guard let value = updated.flatMap({ attribute.value(in: $0) })?.numberValue else {
            throw KVTableError.storage("The counter \(attribute) did not come back as a number")
        }
        return value
    }

    /// Optimistic versioning: stores `item` only if the stored item's `versionAttribute` still
    /// equals the one in `item` — or, when `item` has none, only if the stored item has none
    /// either (it is absent, or was written without versioning) — and bumps the stored version
    /// by one (starting at 1).
    ///
    /// - Returns: the item as stored, with its new version.
    /// - Throws: ``KVTableError/conditionalCheckFailed(currentItem:)`` (carrying the current
    ///   item) when someone else wrote first.
    @discardableResult
    public func putVersioned(_ item: Item, versionAttribute: String = "version") async throws -> Item {
        var stored = item
        let condition: Condition
        switch item[versionAttribute] {
        case nil:
            condition = .notExists(.name(versionAttribute))
            stored[versionAttribute] = 1
        case .n(let version)?:
            condition = .compare(.path(.name(versionAttribute)), .equal, .value(.n(version)))
            stored[versionAttribute] = .n(try version.adding(1))
        default:
            throw KVTableError.validation("The version attribute \(versionAttribute) must be a number")
        }
        try await putItem(stored, condition: condition, returnItemOnConditionFailure: true)
        return stored
    }

    /// Read-modify-write with optimistic versioning: reads the item, applies `transform`,
    /// and stores the result with ``putVersioned(_:versionAttribute:)``; when another writer
    /// got there first, re-reads and re-applies `transform`, up to `maxAttempts` times, with
    /// exponential backoff and jitter between attempts.
    ///
    /// `transform` receives the current item (nil when absent) and returns the new one; it may
    /// run several times, so it must not have other side effects.
    ///
    /// - Returns: the item as finally stored.
    @discardableResult
    public func modify(_ key: Item, versionAttribute: String = "version", maxAttempts: Int = 20,
                       _ transform: (Item?) throws -> Item) async throws -> Item {
        var attempt = 0
        while true {
            attempt += 1
            let current = try await getItem(key)
            var next = try transform(current)
            next[versionAttribute] = current?[versionAttribute]
            for (name, value) in key where next[name] != value {
                throw KVTableError.validation("modify must not change the key attribute \(name)")
            }
            do {
                return try await putVersioned(next, versionAttribute: versionAttribute)
            } catch KVTableError.conditionalCheckFailed where attempt < maxAttempts {
                // Back off 0.1 ms, 0.2 ms, 0.4 ms … (capped at 50 ms), with full jitter.
                let ceiling = min(50_000, 100 << min(attempt, 16))
                try await Task.sleep(for: .microseconds(Int.random(in: 0...ceiling)))
            }
        }
    }
}

/// The key of an ``Entity`` as a type of its own, so that a misspelt or missing key property
/// does not compile.
///
/// ```swift
/// struct User: Entity {
///     static let entityType = "User"
///     static let key = KeyTemplate(partition: "USER#{userId}", sort: "PROFILE")
///     var userId: String
///     var name: String
///
///     struct Key: EntityKey {
///         typealias Entity = User
///         var userId: String
///     }
/// }
///
/// let user = try await table.get(User.Key(userId: "7"))   // User.Key(userID:) does not compile
/// ```
///
/// The key's encoded properties are the variables of the entity's ``Entity/key`` template
/// (encoded as the entity encodes them, with its ``Entity/dateEncoding``). They must be exactly
/// the template's variables: a property the template does not use, or a variable with no
/// property, is a ``KVTableError/validation(_:)`` error naming it — a mistake in the
/// declaration, found by the first call (and by any test that makes one).
public protocol EntityKey: Encodable, Sendable {
    /// The entity this is the key of.
    associatedtype Entity: KVTable.Entity
}

extension EntityKey {
    /// The key's properties as template variables, checked against the entity's key template.
    func variables() throws -> Item {
        let variables = try ItemEncoder(dateEncoding: Entity.dateEncoding).encode(self)
        let expected = Set(Entity.key.variables)
        let given = Set(variables.map(\.key))
        if let extra = given.subtracting(expected).sorted().first {
            throw KVTableError.validation("\(Self.self) has the property \(extra), which the key template of \(Entity.entityType) does not use (it uses \(expected.sorted().joined(separator: ", ")))")
        }
        if let missing = expected.subtracting(given).sorted().first {
            throw KVTableError.validation("\(Self.self) has no property \(missing), which the key template of \(Entity.entityType) needs")
        }
        return variables
    }
}

extension ItemTable {
    /// The entity at this key; nil when there is none.
    public func get<K: EntityKey>(_ key: K) async throws -> K.Entity? {
        try await get(K.Entity.self, try key.variables())
    }

    /// Deletes the entity at this key if `condition` holds (and its unique markers with it).
    /// See ``delete(_:_:condition:)``.
    ///
    /// - Returns: whether there was an entity to delete.
    @discardableResult
    public func delete<K: EntityKey>(_ key: K, condition: Condition? = nil) async throws -> Bool {
        try await delete(K.Entity.self, try key.variables(), condition: condition)
    }

    /// Reads the entity at this key, lets `transform` change it, and stores the result. See
    /// ``update(_:_:_:)``.
    @discardableResult
    public func update<K: EntityKey>(_ key: K, _ transform: (inout K.Entity) throws -> Void) async throws -> K.Entity {
        try await update(K.Entity.self, try key.variables(), transform)
    }
}

// The same two calls again for the local table, on purpose: inside the `ItemTable` extension
// above, `delete(_:_:condition:)` and `update(_:_:_:)` bind statically to the generic versions
// (read, then a guarded transaction), so without these a concrete `Table` would not reach its
// own one-transaction versions in Table+Entities.swift.
extension Table {
    /// Deletes the entity at this key if `condition` holds, in one local transaction. See
    /// ``delete(_:_:condition:)``.
    ///
    /// - Returns: whether there was an entity to delete.
    @discardableResult
    public func delete<K: EntityKey>(_ key: K, condition: Condition? = nil) async throws -> Bool {
        try await delete(K.Entity.self, try key.variables(), condition: condition)
    }

    /// Reads the entity at this key, lets `transform` change it, and stores the result, in one
    /// local transaction. See ``update(_:_:_:)``.
    @discardableResult
    public func update<K: EntityKey>(_ key: K, _ transform: (inout K.Entity) throws -> Void) async throws -> K.Entity {
        try await update(K.Entity.self, try key.variables(), transform)
    }
}

/// Turns entities into stored items and back, for one table's schema.
enum EntityMapping {
    /// The item stored for `entity`: its encoded attributes, `EntityType`, and every key
    /// attribute recomputed from the whole entity.
    static func item<E: Entity>(for entity: E, in schema: TableSchema) throws -> Item {
        var item = try ItemEncoder(dateEncoding: E.dateEncoding).encode(entity)
        let reserved = reservedNames(schema)
        if let clash = item.keys.first(where: reserved.contains) {
            throw KVTableError.validation("\(E.entityType) has a property named \(clash), which the table uses for keys or entity types; rename it")
        }
        let variables = item
        item[E.entityTypeAttribute] = .s(E.entityType)
        try assign(E.key, to: schema.keySchema, of: &item, from: variables, what: "the table", required: true)
        for (indexName, template) in E.indexKeys {
            guard let index = schema.index(named: indexName) else {
                throw KVTableError.validation("\(E.entityType) declares keys for index \(indexName), which table \(schema.name) does not have")
            }
            // Sparse: an entity without every variable of the index's template is not in it.
            guard template.variables.allSatisfy({ variables[$0] != nil }) else { continue }
            let tablePartition = item[schema.keySchema.partitionKey.name]
            try assign(template, to: index.keySchema, of: &item, from: variables, what: "index \(indexName)", required: true)
            // A local index shares the table's partition key: its template may only repeat it.
            if index.isLocal, item[schema.keySchema.partitionKey.name] != tablePartition {
                throw KVTableError.validation("\(E.entityType)'s keys for local index \(indexName) name another partition than its table key; a local index's partition key is the table's")
            }
        }
        return item
    }

    /// The primary key item for the template variables of `type`.
    static func key<E: Entity>(_ type: E.Type, variables: Item, in schema: TableSchema) throws -> Item {
        var key = Item()
        try assign(E.key, to: schema.keySchema, of: &key, from: variables, what: "the table", required: true)
        return key
    }

    static func decode<E: Entity>(_ type: E.Type, from item: Item) throws -> E {
        guard item[E.entityTypeAttribute] == .s(E.entityType) else {
            throw KVTableError.validation("The item is a \(item[E.entityTypeAttribute]?.stringValue ?? "untyped item"), not a \(E.entityType)")
        }
        return try ItemDecoder(dateEncoding: E.dateEncoding).decode(E.self, from: item)
    }

    /// Names an entity's own properties may not use.
    static func reservedNames(_ schema: TableSchema) -> Set<String> {
        var names: Set<String> = ["EntityType"]
        for attribute in schema.keySchema.attributes { names.insert(attribute.name) }
        for index in schema.secondaryIndexes {
            for attribute in index.keySchema.attributes { names.insert(attribute.name) }
        }
        return names
    }

    private static func assign(_ template: KeyTemplate, to schema: KeySchema, of item: inout Item, from variables: Item,
                               what: String, required: Bool) throws {
        for attribute in schema.attributes where attribute.type != .string {
            throw KVTableError.validation("Key templates build strings, but the key attribute \(attribute.name) of \(what) is \(attribute.type.rawValue)")
        }
        item[schema.partitionKey.name] = .s(try template.renderPartition(variables))
        switch (schema.sortKey, template.sort) {
        case (let sortKey?, let sort?):
            item[sortKey.name] = .s(try KeyTemplate.render(sort, with: variables))
        case (let sortKey?, nil):
            throw KVTableError.validation("The key of \(what) has the sort key \(sortKey.name), but the template has no sort part")
        case (nil, _?):
            throw KVTableError.validation("The key template has a sort part, but \(what) has no sort key")
        case (nil, nil):
            break
        }
    }
}

/// Unique-attribute markers: one item per taken value, written and removed in the same
/// transaction as the entity that owns it.
///
/// ```
/// PK = UNIQUE#{EntityType}#{attribute}#{escaped value}   SK = UNIQUE
/// EntityType = UniqueConstraint, owner = {the owner's key attributes}
/// ```
enum UniqueMarkers {
    static let entityType = "UniqueConstraint"

    static func markerKey(entityType: String, attribute: String, value: AttributeValue, in table: TableSchema) throws -> Item {
        let schema = table.keySchema
        guard schema.partitionKey.type == .string, schema.sortKey.map({ $0.type == .string }) ?? true else {
            throw KVTableError.validation("Unique attributes need a table whose key attributes are strings")
        }
        guard let text = KeyTemplate.keyText(value).map(KeyTemplate.escape) else {
            throw KVTableError.validation("The unique attribute \(attribute) is \(value.type.rawValue); only S, N, B and BOOL can be unique")
        }
        var key: Item = [schema.partitionKey.name: .s("UNIQUE#\(KeyTemplate.escape(entityType))#\(KeyTemplate.escape(attribute))#\(text)")]
        if let sortKey = schema.sortKey { key[sortKey.name] = "UNIQUE" }
        return key
    }

    /// Moves the markers of `entityType`'s unique attributes from `old` to `new` (either may be
    /// nil), inside the caller's transaction. Throws
    /// ``KVTableError/uniqueConstraintViolation(_:)`` when a new value belongs to another item.
    static func update(entityType: String, attributes: [String], old: Item?, new: Item?,
                       items: ItemWriter, log: inout ChangeLog) throws {
        let layout = items.layout
        let oldOwner = old.map { AttributeValue.m(layout.keyAttributes(of: $0, index: nil).attributes) }
        let newOwner = new.map { AttributeValue.m(layout.keyAttributes(of: $0, index: nil).attributes) }
        for attribute in attributes {
            let oldValue = old?[attribute]
            let newValue = new?[attribute]
            // Same value, same owner: nothing to do. Same value, new owner (the entity moved to
            // another key): the marker is rewritten to name its new owner.
            let moved = oldValue == newValue && oldOwner != newOwner
            if oldValue == newValue && !moved { continue }
            if let newValue, let newOwner {
                let key = try markerKey(entityType: entityType, attribute: attribute, value: newValue, in: layout.schema)
                let current = try items.current(try layout.itemKey(of: key))
                if let marker = current.live, marker["owner"] != newOwner, !(moved && marker["owner"] == oldOwner) {
                    throw KVTableError.uniqueConstraintViolation("\(entityType).\(attribute) \(newValue) is already taken")
                }
                var marker = key
                marker["EntityType"] = .s(UniqueMarkers.entityType)
                marker["owner"] = newOwner
                try items.put(marker, encoded: ItemCodec.encode(marker), over: current, log: &log)
            }
            if let oldValue, let oldOwner, !moved {
                let key = try markerKey(entityType: entityType, attribute: attribute, value: oldValue, in: layout.schema)
                let current = try items.current(try layout.itemKey(of: key))
                if current.live?["owner"] == oldOwner {
                    try items.delete(current, log: &log)
                }
            }
        }
    }
}


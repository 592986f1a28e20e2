/// The type of a key attribute: DynamoDB allows only `S`, `N` and `B`.
public enum KeyType: String, Sendable, Hashable, Codable, CaseIterable {
    /// `S`: a string key.
    case string = "S"
    /// `N`: a number key.
    case number = "N"
    /// `B`: a binary key.
    case binary = "B"

    var attributeType: AttributeType {
        switch self {
        case .string: return .string
        case .number: return .number
        case .binary: return .binary
        }
    }
}

/// A key attribute: its name and type.
public struct KeyAttribute: Sendable, Hashable, Codable {
    /// The attribute's name (DynamoDB's `AttributeName`): 1 to 255 bytes.
    public var name: String
    /// The attribute's type (its `AttributeDefinition`'s `AttributeType`).
    public var type: KeyType

    /// A key attribute named `name`, of type `type`.
    public init(_ name: String, _ type: KeyType) {
        self.name = name
        self.type = type
    }
}

/// A primary key: a partition (hash) key and an optional sort (range) key.
public struct KeySchema: Sendable, Hashable, Codable {
    /// The partition key (DynamoDB's `HASH` key).
    public var partitionKey: KeyAttribute
    /// The sort key (DynamoDB's `RANGE` key); nil when the key is the partition key alone.
    public var sortKey: KeyAttribute?

    /// A primary key: a partition key and, optionally, a sort key.
    public init(partitionKey: KeyAttribute, sortKey: KeyAttribute? = nil) {
        self.partitionKey = partitionKey
        self.sortKey = sortKey
    }

    /// The key attributes, partition key first.
    public var attributes: [KeyAttribute] {
        [partitionKey] + (sortKey.map { [$0] } ?? [])
    }
}

/// Which attributes an index entry carries besides the keys.
public enum Projection: Sendable, Hashable, Codable {
    /// The whole item (DynamoDB's `ALL`).
    case all
    /// The table and index keys only (`KEYS_ONLY`).
    case keysOnly
    /// The keys plus these attributes (`INCLUDE`).
    case include([String])
}

/// A global secondary index: its own partition and optional sort key, over the items that
/// have those attributes (indexes are sparse).
public struct GlobalSecondaryIndex: Sendable, Hashable, Codable {
    /// The index name (DynamoDB's `IndexName`): 3–255 characters of `a-z A-Z 0-9 _ - .`, unique
    /// in its table.
    public var name: String
    /// The index's partition key and optional sort key.
    public var keySchema: KeySchema
    /// Which attributes the index's entries carry (DynamoDB's `Projection`).
    public var projection: Projection

    /// An index named `name` keyed by `keySchema`; it projects every attribute (``Projection/all``)
    /// unless told otherwise.
    public init(name: String, keySchema: KeySchema, projection: Projection = .all) {
        self.name = name
        self.keySchema = keySchema
        self.projection = projection
    }
}

/// A table's name, primary key and global secondary indexes.
public struct TableSchema: Sendable, Hashable, Codable {
    /// The table name (DynamoDB's `TableName`): 3–255 characters of `a-z A-Z 0-9 _ - .`.
    public var name: String
    /// The table's primary key.
    public var keySchema: KeySchema
    /// The table's global secondary indexes: at most 20, with distinct names.
    public var globalSecondaryIndexes: [GlobalSecondaryIndex]

    /// A schema; the table has no global secondary indexes unless given.
    public init(name: String, keySchema: KeySchema, globalSecondaryIndexes: [GlobalSecondaryIndex] = []) {
        self.name = name
        self.keySchema = keySchema
        self.globalSecondaryIndexes = globalSecondaryIndexes
    }

    /// The ready-made single-table design: `PK`/`SK` strings, and indexes `GSI1`, `GSI2`,
    /// `GSI3` and `GSI7`, each keyed `GSInPK`/`GSInSK` (strings) and projecting every attribute.
    public static func singleTable(name: String) -> TableSchema {
        TableSchema(
            name: name,
            keySchema: KeySchema(partitionKey: KeyAttribute("PK", .string), sortKey: KeyAttribute("SK", .string)),
            globalSecondaryIndexes: [1, 2, 3, 7].map { n in
                GlobalSecondaryIndex(
                    name: "GSI\(n)",
                    keySchema: KeySchema(partitionKey: KeyAttribute("GSI\(n)PK", .string),
                                         sortKey: KeyAttribute("GSI\(n)SK", .string)))
            })
    }

    /// The index named `name`.
    public func index(named name: String) -> GlobalSecondaryIndex? {
        globalSecondaryIndexes.first { $0.name == name }
    }

    /// Checks the schema as DynamoDB checks a `CreateTable` request: names, key attribute names
    /// and types, index count and projections.
    public func validate() throws(KVTableError) {
        try TableSchema.validateName(name, what: "TableName")
        var types: [String: KeyType] = [:]
        func declare(_ attribute: KeyAttribute) throws(KVTableError) {
            guard !attribute.name.isEmpty, attribute.name.utf8.count <= 255 else {
                throw .validation("One or more parameter values were invalid: Key attribute names must be 1 to 255 bytes long: \(attribute.name.debugDescription)")
            }
            if let existing = types[attribute.name], existing != attribute.type {
                throw .validation("One or more parameter values were invalid: Attribute \(attribute.name) is declared with two different types: \(existing.rawValue) and \(attribute.type.rawValue)")
            }
            types[attribute.name] = attribute.type
        }
        if let sortKey = keySchema.sortKey, sortKey.name == keySchema.partitionKey.name {
            throw .validation("Invalid KeySchema: Some index key attribute have no definition: the partition and sort key are both \(sortKey.name)")
        }
        for attribute in keySchema.attributes { try declare(attribute) }
        guard globalSecondaryIndexes.count <= 20 else {
            throw .validation("One or more parameter values were invalid: Number of GlobalSecondaryIndexes exceeds the limit of 20")
        }
        var indexNames = Set<String>()
        for index in globalSecondaryIndexes {
            try TableSchema.validateName(index.name, what: "IndexName")
            guard indexNames.insert(index.name).inserted else {
                throw .validation("One or more parameter values were invalid: Duplicate index name: \(index.name)")
            }
            if let sortKey = index.keySchema.sortKey, sortKey.name == index.keySchema.partitionKey.name {
                throw .validation("Invalid KeySchema: the partition and sort key of index \(index.name) are both \(sortKey.name)")
            }
            for attribute in index.keySchema.attributes { try declare(attribute) }
            if case .include(let names) = index.projection {
                guard !names.isEmpty, names.count <= 100 else {
                    throw .validation("One or more parameter values were invalid: NonKeyAttributes of index \(index.name) must list 1 to 100 attributes")
                }
            }
        }
    }

    /// DynamoDB's naming rule for tables and indexes: 3–255 characters of `a-z A-Z 0-9 _ - .`.
    package static func validateName(_ name: String, what: String) throws(KVTableError) {
        let allowed = name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
                || $0 == "_" || $0 == "-" || $0 == "."
        }
        let member = what.prefix(1).lowercased() + what.dropFirst()
        try ConstraintViolation.check(
            allowed ? nil : ConstraintViolation(member: member, value: name, rule: "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"),
            .length(name.count, of: member, value: name, within: 3...255))
    }
}

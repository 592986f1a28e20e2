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

/// A table's name, primary key and secondary indexes.
public struct TableSchema: Sendable, Hashable, Codable {
    /// The table name (DynamoDB's `TableName`): 3–255 characters of `a-z A-Z 0-9 _ - .`.
    public var name: String
    /// The table's primary key.
    public var keySchema: KeySchema
    /// The table's global secondary indexes: at most 20, with distinct names.
    public var globalSecondaryIndexes: [GlobalSecondaryIndex]
    /// The table's local secondary indexes: at most 5, only on a table with a sort key, fixed
    /// when the table is created.
    public var localSecondaryIndexes: [LocalSecondaryIndex]

    /// A schema; the table has no secondary indexes unless given.
    public init(name: String, keySchema: KeySchema, globalSecondaryIndexes: [GlobalSecondaryIndex] = [],
                localSecondaryIndexes: [LocalSecondaryIndex] = []) {
        self.name = name
        self.keySchema = keySchema
        self.globalSecondaryIndexes = globalSecondaryIndexes
        self.localSecondaryIndexes = localSecondaryIndexes
    }

    /// Reads a schema; catalogs written before local indexes existed have no
    /// `localSecondaryIndexes` member.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.name = try container.decode(String.self, forKey: .name)
        self.keySchema = try container.decode(KeySchema.self, forKey: .keySchema)
        self.globalSecondaryIndexes = try container.decode([GlobalSecondaryIndex].self, forKey: .globalSecondaryIndexes)
        self.localSecondaryIndexes = try container.decodeIfPresent([LocalSecondaryIndex].self, forKey: .localSecondaryIndexes) ?? []
    }

    /// Every secondary index as it is queried: the global ones, then the local ones.
    public var secondaryIndexes: [SecondaryIndex] {
        globalSecondaryIndexes.map(SecondaryIndex.init) + localSecondaryIndexes.map { SecondaryIndex($0, tableKey: keySchema) }
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

    /// The secondary index named `name`, global or local.
    public func index(named name: String) -> SecondaryIndex? {
        if let index = globalSecondaryIndexes.first(where: { $0.name == name }) { return SecondaryIndex(index) }
        return localSecondaryIndexes.first { $0.name == name }.map { SecondaryIndex($0, tableKey: keySchema) }
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
            throw .validation("One or more parameter values were invalid: GlobalSecondaryIndex count exceeds the per-table limit of 20")
        }
        if !localSecondaryIndexes.isEmpty {
            guard keySchema.sortKey != nil else {
                throw .validation("One or more parameter values were invalid: Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex")
            }
            guard localSecondaryIndexes.count <= 5 else {
                throw .validation("One or more parameter values were invalid: Number of LocalSecondaryIndexes exceeds per-table limit of 5")
            }
        }
        var indexNames = Set<String>()
        // DynamoDB's limit is on the sum over all indexes: an attribute projected into two
        // indexes counts twice.
        var projectedAttributes = 0
        for index in secondaryIndexes {
            try TableSchema.validateName(index.name, what: "IndexName")
            guard indexNames.insert(index.name).inserted else {
                throw .validation("One or more parameter values were invalid: Duplicate index name: \(index.name)")
            }
            if let sortKey = index.keySchema.sortKey, sortKey.name == index.keySchema.partitionKey.name {
                throw .validation("Invalid KeySchema: the partition and sort key of index \(index.name) are both \(sortKey.name)")
            }
            for attribute in index.keySchema.attributes { try declare(attribute) }
            if case .include(let names) = index.projection {
                guard !names.isEmpty else {
                    throw .validation("One or more parameter values were invalid: ProjectionType is INCLUDE, but NonKeyAttributes is not specified")
                }
                var seen = Set<String>()
                if let duplicate = names.first(where: { !seen.insert($0).inserted }) {
                    throw .validation("One or more parameter values were invalid: Duplicate element in NonKeyAttributes: \(duplicate)")
                }
                projectedAttributes += names.count
            }
        }
        guard projectedAttributes <= 100 else {
            throw .validation("One or more parameter values were invalid: The number of attributes in NonKeyAttributes, summed over all secondary indexes, is \(projectedAttributes), above the limit of 100")
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

import KVTable
import KVTableDynamoDB

/// Reading `AttributeDefinitions`, `KeySchema` and `GlobalSecondaryIndexes` (CreateTable,
/// UpdateTable) into KVTable's schema types, with DynamoDB's messages.
extension DynamoDBService {
    func attributeDefinitions(_ request: WireRequest) throws -> [String: KeyType] {
        var definitions: [String: KeyType] = [:]
        for (position, json) in (try request.array("AttributeDefinitions") ?? []).enumerated() {
            let definition = WireRequest(try Self.object(json, "AttributeDefinitions"))
            let name = try definition.required("AttributeName", definition.string)
            try Self.checkKeyAttributeName(name, at: "attributeDefinitions.\(position + 1).member.attributeName")
            let type = try definition.required("AttributeType", definition.string)
            guard let keyType = KeyType(rawValue: type) else {
                throw WireError.validation("1 validation error detected: Value '\(type)' at 'attributeDefinitions.member.attributeType' failed to satisfy constraint: Member must satisfy enum value set: [B, N, S]")
            }
            if definitions[name] != nil {
                throw WireError.validation("Attribute Name is duplicated: \(name)")
            }
            definitions[name] = keyType
        }
        return definitions
    }

    /// A name in a table's or index's key schema, attribute definitions or projection, within
    /// the 1–255 bytes DynamoDB's request schema allows: checked as each name is read, before
    /// what the name refers to (a long name not defined in `AttributeDefinitions` is refused for
    /// its length, as DynamoDB refuses it).
    static func checkKeyAttributeName(_ name: String, at member: String) throws {
        try ConstraintViolation.check(.length(name.utf8.count, of: member, value: name, within: 1...255))
    }

    func keySchema(_ request: WireRequest, member: String = "KeySchema", definitions: [String: KeyType],
                           used: inout Set<String>) throws -> KeySchema {
        let elements = try request.required(member, request.array)
        guard (1...2).contains(elements.count) else {
            throw WireError.validation("1 validation error detected: Value at 'keySchema' failed to satisfy constraint: Member must have length less than or equal to 2 and greater than or equal to 1")
        }
        var attributes: [(String, String)] = []
        for (position, json) in elements.enumerated() {
            let element = WireRequest(try Self.object(json, member))
            let name = try element.required("AttributeName", element.string)
            try Self.checkKeyAttributeName(name, at: "keySchema.\(position + 1).member.attributeName")
            let type = try element.required("KeyType", element.string)
            guard type == "HASH" || type == "RANGE" else {
                throw WireError.validation("1 validation error detected: Value '\(type)' at 'keySchema.member.keyType' failed to satisfy constraint: Member must satisfy enum value set: [HASH, RANGE]")
            }
            attributes.append((name, type))
        }
        guard attributes[0].1 == "HASH" else {
            throw WireError.validation("Invalid KeySchema: The first KeySchemaElement is not a HASH key type")
        }
        if attributes.count == 2 {
            guard attributes[1].1 == "RANGE" else {
                throw WireError.validation("Too many hash keys specified.  All Dynamo DynamoDB tables must have exactly one hash key")
            }
            guard attributes[0].0 != attributes[1].0 else {
                throw WireError.validation("Both the Hash Key and the Range Key element in the KeySchema have the same name")
            }
        }
        let missing = attributes.map(\.0).filter { definitions[$0] == nil }
        if !missing.isEmpty {
            throw WireError.validation("One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [\(missing.joined(separator: ", "))], AttributeDefinitions: [\(definitions.keys.sorted().joined(separator: ", "))]")
        }
        used.formUnion(attributes.map(\.0))
        return KeySchema(partitionKey: KeyAttribute(attributes[0].0, definitions[attributes[0].0]!),
                         sortKey: attributes.count == 2 ? KeyAttribute(attributes[1].0, definitions[attributes[1].0]!) : nil)
    }

    /// `GlobalSecondaryIndexes` or `LocalSecondaryIndexes` of a CreateTable: absent is none,
    /// an empty list is refused.
    func indexList(_ request: WireRequest, _ member: String) throws -> [JSONValue] {
        guard let list = try request.array(member) else { return [] }
        guard !list.isEmpty else {
            throw WireError.validation("One or more parameter values were invalid: List of \(member) is empty")
        }
        return list
    }

    func globalSecondaryIndex(_ json: JSONValue, definitions: [String: KeyType],
                              used: inout Set<String>) throws -> GlobalSecondaryIndex {
        let index = WireRequest(try Self.object(json, "GlobalSecondaryIndexes"))
        let name = try index.required("IndexName", index.string)
        let keySchema = try self.keySchema(index, definitions: definitions, used: &used)
        return GlobalSecondaryIndex(name: name, keySchema: keySchema, projection: try projection(of: index))
    }

    /// One entry of `LocalSecondaryIndexes`: the table's partition key and a sort key.
    func localSecondaryIndex(_ json: JSONValue, tableKey: KeySchema, definitions: [String: KeyType],
                             used: inout Set<String>) throws -> LocalSecondaryIndex {
        let index = WireRequest(try Self.object(json, "LocalSecondaryIndexes"))
        let name = try index.required("IndexName", index.string)
        let keySchema = try self.keySchema(index, definitions: definitions, used: &used)
        guard keySchema.partitionKey.name == tableKey.partitionKey.name else {
            throw WireError.validation("One or more parameter values were invalid: Index KeySchema does not have the same leading hash key as table KeySchema for index: \(name). index hash key: \(keySchema.partitionKey.name), table hash key: \(tableKey.partitionKey.name)")
        }
        guard let sortKey = keySchema.sortKey else {
            throw WireError.validation("One or more parameter values were invalid: Index KeySchema does not have a range key for index: \(name)")
        }
        return LocalSecondaryIndex(name: name, sortKey: sortKey, projection: try projection(of: index))
    }

    /// An index's `Projection`.
    private func projection(of index: WireRequest) throws -> Projection {
        let projection = try index.required("Projection", index.request)
        // DynamoDB has no default projection type.
        guard let projectionType = try projection.choice("ProjectionType", ["ALL", "KEYS_ONLY", "INCLUDE"]) else {
            throw WireError.validation("One or more parameter values were invalid: Unknown ProjectionType: null")
        }
        let nonKey = try projection.strings("NonKeyAttributes")
        for (position, name) in (nonKey ?? []).enumerated() {
            try Self.checkKeyAttributeName(name, at: "projection.nonKeyAttributes.\(position + 1).member")
        }
        switch (projectionType, nonKey) {
        case ("INCLUDE", let names?):
            return .include(names)
        case ("INCLUDE", nil):
            throw WireError.validation("One or more parameter values were invalid: ProjectionType is INCLUDE, but NonKeyAttributes is not specified")
        case (_, _?):
            throw WireError.validation("One or more parameter values were invalid: ProjectionType is \(projectionType), but NonKeyAttributes is specified")
        case ("KEYS_ONLY", nil):
            return .keysOnly
        default:
            return .all
        }
    }
}

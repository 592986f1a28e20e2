import KVTable

/// ``TableSchema`` in DynamoDB's protocol: the members of a `CreateTable` request, and the
/// schema read back from a `TableDescription` (`DescribeTable`, `CreateTable`'s answer).
extension TableSchema {
    /// `TableName`, `KeySchema`, `AttributeDefinitions`, `GlobalSecondaryIndexes` and
    /// `LocalSecondaryIndexes` of a `CreateTable` request (on-demand billing; `Tags` when there
    /// are any).
    public func createTableRequest(tags: [String: String] = [:]) -> [String: JSONValue] {
        var definitions: [String: KeyType] = [:]
        for attribute in keySchema.attributes + secondaryIndexes.flatMap(\.keySchema.attributes) {
            definitions[attribute.name] = attribute.type
        }
        var request: [String: JSONValue] = [
            "TableName": .string(name),
            "KeySchema": keySchema.dynamoDBJSON,
            "AttributeDefinitions": .array(definitions.sorted { $0.key < $1.key }.map {
                .object(["AttributeName": .string($0.key), "AttributeType": .string($0.value.rawValue)])
            }),
            "BillingMode": .string("PAY_PER_REQUEST"),
        ]
        if !globalSecondaryIndexes.isEmpty {
            request["GlobalSecondaryIndexes"] = .array(globalSecondaryIndexes.map { index in
                .object(["IndexName": .string(index.name), "KeySchema": index.keySchema.dynamoDBJSON,
                         "Projection": index.projection.dynamoDBJSON])
            })
        }
        if !localSecondaryIndexes.isEmpty {
            request["LocalSecondaryIndexes"] = .array(secondaryIndexes.filter(\.isLocal).map { index in
                .object(["IndexName": .string(index.name), "KeySchema": index.keySchema.dynamoDBJSON,
                         "Projection": index.projection.dynamoDBJSON])
            })
        }
        if !tags.isEmpty {
            request["Tags"] = .array(tags.sorted { $0.key < $1.key }.map {
                .object(["Key": .string($0.key), "Value": .string($0.value)])
            })
        }
        return request
    }

    /// Reads the schema from a `TableDescription`.
    ///
    /// - Throws: ``WireError`` (a `SerializationException`) naming the member that is missing
    ///   or malformed.
    public init(tableDescription json: JSONValue) throws(WireError) {
        let description = try TableSchema.object(json, "TableDescription")
        guard case .string(let name)? = description["TableName"] else { throw TableSchema.malformed("TableName") }
        var types: [String: KeyType] = [:]
        for definition in try TableSchema.array(description["AttributeDefinitions"], "AttributeDefinitions") {
            let members = try TableSchema.object(definition, "AttributeDefinitions")
            guard case .string(let attribute)? = members["AttributeName"], case .string(let text)? = members["AttributeType"],
                  let type = KeyType(rawValue: text) else { throw TableSchema.malformed("AttributeDefinitions") }
            types[attribute] = type
        }
        let keySchema = try TableSchema.keySchema(description["KeySchema"], types: types)
        var indexes: [GlobalSecondaryIndex] = []
        if let list = description["GlobalSecondaryIndexes"] {
            for entry in try TableSchema.array(list, "GlobalSecondaryIndexes") {
                let members = try TableSchema.object(entry, "GlobalSecondaryIndexes")
                guard case .string(let indexName)? = members["IndexName"] else { throw TableSchema.malformed("IndexName") }
                indexes.append(GlobalSecondaryIndex(name: indexName,
                                                    keySchema: try TableSchema.keySchema(members["KeySchema"], types: types),
                                                    projection: try TableSchema.projection(members["Projection"])))
            }
        }
        var localIndexes: [LocalSecondaryIndex] = []
        if let list = description["LocalSecondaryIndexes"] {
            for entry in try TableSchema.array(list, "LocalSecondaryIndexes") {
                let members = try TableSchema.object(entry, "LocalSecondaryIndexes")
                guard case .string(let indexName)? = members["IndexName"] else { throw TableSchema.malformed("IndexName") }
                guard let sortKey = try TableSchema.keySchema(members["KeySchema"], types: types).sortKey else {
                    throw TableSchema.malformed("KeySchema")
                }
                localIndexes.append(LocalSecondaryIndex(name: indexName, sortKey: sortKey,
                                                        projection: try TableSchema.projection(members["Projection"])))
            }
        }
        self.init(name: name, keySchema: keySchema, globalSecondaryIndexes: indexes, localSecondaryIndexes: localIndexes)
    }

    // MARK: - Members

    private static func keySchema(_ json: JSONValue?, types: [String: KeyType]) throws(WireError) -> KeySchema {
        var hash: KeyAttribute?, range: KeyAttribute?
        for element in try array(json, "KeySchema") {
            let members = try object(element, "KeySchema")
            guard case .string(let name)? = members["AttributeName"], case .string(let role)? = members["KeyType"],
                  let type = types[name] else { throw malformed("KeySchema") }
            switch role {
            case "HASH": hash = KeyAttribute(name, type)
            case "RANGE": range = KeyAttribute(name, type)
            default: throw malformed("KeySchema")
            }
        }
        guard let hash else { throw malformed("KeySchema") }
        return KeySchema(partitionKey: hash, sortKey: range)
    }

    private static func projection(_ json: JSONValue?) throws(WireError) -> Projection {
        guard let json else { return .all }
        let members = try object(json, "Projection")
        switch members["ProjectionType"] {
        case .string("KEYS_ONLY")?: return .keysOnly
        case .string("INCLUDE")?:
            var names: [String] = []
            for name in try array(members["NonKeyAttributes"], "NonKeyAttributes") {
                guard case .string(let text) = name else { throw malformed("NonKeyAttributes") }
                names.append(text)
            }
            return .include(names)
        default: return .all
        }
    }

    private static func object(_ json: JSONValue?, _ member: String) throws(WireError) -> [String: JSONValue] {
        guard case .object(let members)? = json else { throw malformed(member) }
        return members
    }

    private static func array(_ json: JSONValue?, _ member: String) throws(WireError) -> [JSONValue] {
        guard case .array(let elements)? = json else { throw malformed(member) }
        return elements
    }

    private static func malformed(_ member: String) -> WireError {
        .serialization("The table description has a missing or malformed \(member)")
    }
}

extension KeySchema {
    /// The key schema as DynamoDB's `KeySchema`: the `HASH` element, then the `RANGE` one.
    public var dynamoDBJSON: JSONValue {
        var elements: [JSONValue] = [.object(["AttributeName": .string(partitionKey.name), "KeyType": .string("HASH")])]
        if let sortKey {
            elements.append(.object(["AttributeName": .string(sortKey.name), "KeyType": .string("RANGE")]))
        }
        return .array(elements)
    }
}

extension Projection {
    /// The projection as DynamoDB's `Projection`: `ProjectionType`, and `NonKeyAttributes` for
    /// `INCLUDE`.
    public var dynamoDBJSON: JSONValue {
        switch self {
        case .all: return .object(["ProjectionType": .string("ALL")])
        case .keysOnly: return .object(["ProjectionType": .string("KEYS_ONLY")])
        case .include(let names):
            return .object(["ProjectionType": .string("INCLUDE"), "NonKeyAttributes": .array(names.map { .string($0) })])
        }
    }
}

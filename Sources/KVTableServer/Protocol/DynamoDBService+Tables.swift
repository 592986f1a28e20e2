import Foundation
import KVTable

/// CreateTable, DescribeTable, ListTables, DeleteTable, UpdateTable, the TTL and the tag
/// operations.
extension DynamoDBService {
    func createTable(_ request: WireRequest) async throws -> JSONValue {
        let name = try request.required("TableName", request.string)
        if request.has("LocalSecondaryIndexes") {
            throw WireError.validation("LocalSecondaryIndexes are not supported by KVTable; use a GlobalSecondaryIndex")
        }
        let capacity = try Self.capacityMetadata(creating: request, indexes: try request.array("GlobalSecondaryIndexes") ?? [])
        let definitions = try attributeDefinitions(request)
        var used: Set<String> = []
        let keySchema = try self.keySchema(request, definitions: definitions, used: &used)
        var indexes: [GlobalSecondaryIndex] = []
        for json in try request.array("GlobalSecondaryIndexes") ?? [] {
            indexes.append(try globalSecondaryIndex(json, definitions: definitions, used: &used))
        }
        let unused = Set(definitions.keys).subtracting(used)
        if !unused.isEmpty {
            throw WireError.validation("One or more parameter values were invalid: Some AttributeDefinitions are not used. AttributeDefinitions: [\(definitions.keys.sorted().joined(separator: ", "))], keys used: [\(used.sorted().joined(separator: ", "))]")
        }
        let tags = try self.tags(request.array("Tags") ?? [])
        let table = try await store.createTable(TableSchema(name: name, keySchema: keySchema, globalSecondaryIndexes: indexes))
        try await store.updateTableMetadata(name, capacity)
        if !tags.isEmpty { try await store.tagTable(name, tags) }
        return .object(["TableDescription": try describe(table)])
    }

    func describeTable(_ request: WireRequest) throws -> JSONValue {
        .object(["Table": try describe(table(request))])
    }

    func listTables(_ request: WireRequest) throws -> JSONValue {
        let limit = try request.positiveInt("Limit") ?? 100
        guard limit <= 100 else {
            throw WireError.validation("1 validation error detected: Value '\(limit)' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100")
        }
        var names = store.tableNames()
        if let start = try request.string("ExclusiveStartTableName") {
            names = names.filter { $0 > start }
        }
        var result: [String: JSONValue] = ["TableNames": .array(names.prefix(limit).map { .string($0) })]
        if names.count > limit { result["LastEvaluatedTableName"] = .string(names[limit - 1]) }
        return .object(result)
    }

    func deleteTable(_ request: WireRequest) async throws -> JSONValue {
        let table = try table(request)
        guard case .object(var description) = try describe(table) else { return .object([:]) }
        try await store.deleteTable(table.name)
        description["TableStatus"] = .string("DELETING")
        return .object(["TableDescription": .object(description)])
    }

    func updateTable(_ request: WireRequest) async throws -> JSONValue {
        let table = try table(request)
        let updates = try request.array("GlobalSecondaryIndexUpdates") ?? []
        let others = ["ProvisionedThroughput", "BillingMode", "StreamSpecification", "SSESpecification",
                      "ReplicaUpdates", "TableClass", "DeletionProtectionEnabled"]
        guard !updates.isEmpty || others.contains(where: request.has) else {
            throw WireError.validation("At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required")
        }
        var changes: [IndexChange] = []
        for json in updates {
            let update = WireRequest(try Self.object(json, "GlobalSecondaryIndexUpdates"))
            if let create = update.members["Create"] {
                var definitions = try attributeDefinitions(request)
                // Key attributes the table already declares need no new definition.
                for attribute in table.schema.keySchema.attributes + table.schema.globalSecondaryIndexes.flatMap(\.keySchema.attributes) {
                    definitions[attribute.name] = definitions[attribute.name] ?? attribute.type
                }
                var used: Set<String> = []
                changes.append(.create(try globalSecondaryIndex(create, definitions: definitions, used: &used)))
            } else if let delete = try update.request("Delete") {
                changes.append(.delete(try delete.required("IndexName", delete.string)))
            } else if !update.has("Update") {
                throw WireError.validation("One or more parameter values were invalid: a GlobalSecondaryIndexUpdate must hold Create, Update or Delete")
            }
        }
        guard changes.count <= 1 else {
            throw WireError(type: "LimitExceededException", message: "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table")
        }
        let capacity = try Self.capacityChanges(updating: request, table: table)
        if let change = changes.first { try await store.updateTable(table.name, change) }
        if case .delete(let index)? = changes.first {
            let keys = ["dynamodb.index.\(index).ReadCapacityUnits", "dynamodb.index.\(index).WriteCapacityUnits"]
            try await store.updateTableMetadata(table.name, capacity.merging(keys.map { ($0, nil) }) { $1 })
        } else {
            try await store.updateTableMetadata(table.name, capacity)
        }
        return .object(["TableDescription": try describe(table)])
    }

    func updateTimeToLive(_ request: WireRequest) async throws -> JSONValue {
        let table = try table(request)
        let specification = try request.required("TimeToLiveSpecification", request.request)
        let enabled = try specification.required("Enabled", specification.bool)
        let attribute = try specification.required("AttributeName", specification.string)
        if enabled, table.timeToLiveAttribute != nil {
            throw WireError.validation("TimeToLive is already enabled")
        }
        if !enabled {
            guard let current = table.timeToLiveAttribute else { throw WireError.validation("TimeToLive is already disabled") }
            guard current == attribute else {
                throw WireError.validation("TimeToLive is active on a different AttributeName: current AttributeName is \(current)")
            }
        }
        try await store.updateTimeToLive(table: table.name, attribute: enabled ? attribute : nil)
        return .object(["TimeToLiveSpecification": .object(["Enabled": .bool(enabled), "AttributeName": .string(attribute)])])
    }

    func describeTimeToLive(_ request: WireRequest) throws -> JSONValue {
        let table = try table(request)
        guard let attribute = table.timeToLiveAttribute else {
            return .object(["TimeToLiveDescription": .object(["TimeToLiveStatus": .string("DISABLED")])])
        }
        return .object(["TimeToLiveDescription": .object([
            "TimeToLiveStatus": .string("ENABLED"), "AttributeName": .string(attribute),
        ])])
    }

    func tagResource(_ request: WireRequest) async throws -> JSONValue {
        let table = try tableFromArn(request)
        try await store.tagTable(table.name, try tags(request.required("Tags", request.array)))
        return .object([:])
    }

    func untagResource(_ request: WireRequest) async throws -> JSONValue {
        let table = try tableFromArn(request)
        try await store.untagTable(table.name, keys: try request.required("TagKeys", request.strings))
        return .object([:])
    }

    func listTagsOfResource(_ request: WireRequest) throws -> JSONValue {
        let table = try tableFromArn(request)
        return .object(["Tags": .array(table.tags.sorted { $0.key < $1.key }.map {
            .object(["Key": .string($0.key), "Value": .string($0.value)])
        })])
    }

    // MARK: Descriptions

    /// DynamoDB's `TableDescription`. Item counts and sizes are exact when counted (DynamoDB's
    /// are refreshed about every six hours); see ``StatisticsCache`` for when they are recounted.
    func describe(_ table: Table) throws -> JSONValue {
        let statistics = try statisticsCache.statistics(of: table)
        let schema = table.schema
        var definitions: [String: KeyType] = [:]
        for attribute in schema.keySchema.attributes + schema.globalSecondaryIndexes.flatMap(\.keySchema.attributes) {
            definitions[attribute.name] = attribute.type
        }
        let created = JSONValue.number((table.creationDate ?? Date(timeIntervalSince1970: 0)).timeIntervalSince1970)
        var description: [String: JSONValue] = [
            "TableName": .string(table.name),
            "TableStatus": .string("ACTIVE"),
            "TableArn": .string(tableArn(table.name)),
            "TableId": .string(Self.tableId(table.name, created: created)),
            "CreationDateTime": created,
            "KeySchema": Self.json(schema.keySchema),
            "AttributeDefinitions": .array(definitions.sorted { $0.key < $1.key }.map {
                .object(["AttributeName": .string($0.key), "AttributeType": .string($0.value.rawValue)])
            }),
            "ItemCount": .number(Double(statistics.itemCount)),
            "TableSizeBytes": .number(Double(statistics.itemBytes)),
            "BillingModeSummary": billingSummary(table, created: created),
            "ProvisionedThroughput": provisionedThroughput(table, index: nil),
            "DeletionProtectionEnabled": .bool(false),
        ]
        if !schema.globalSecondaryIndexes.isEmpty {
            description["GlobalSecondaryIndexes"] = .array(schema.globalSecondaryIndexes.map { index in
                var projection: [String: JSONValue]
                switch index.projection {
                case .all: projection = ["ProjectionType": .string("ALL")]
                case .keysOnly: projection = ["ProjectionType": .string("KEYS_ONLY")]
                case .include(let names):
                    projection = ["ProjectionType": .string("INCLUDE"), "NonKeyAttributes": .array(names.map { .string($0) })]
                }
                return .object([
                    "IndexName": .string(index.name),
                    "KeySchema": Self.json(index.keySchema),
                    "Projection": .object(projection),
                    "IndexStatus": .string("ACTIVE"),
                    "IndexArn": .string(tableArn(table.name) + "/index/" + index.name),
                    "ItemCount": .number(Double(statistics.indexEntryCounts[index.name] ?? 0)),
                    "IndexSizeBytes": .number(0),
                    "ProvisionedThroughput": provisionedThroughput(table, index: index.name),
                ])
            })
        }
        return .object(description)
    }

    private static func json(_ keySchema: KeySchema) -> JSONValue {
        var elements: [JSONValue] = [.object(["AttributeName": .string(keySchema.partitionKey.name), "KeyType": .string("HASH")])]
        if let sortKey = keySchema.sortKey {
            elements.append(.object(["AttributeName": .string(sortKey.name), "KeyType": .string("RANGE")]))
        }
        return .array(elements)
    }

    /// A stable UUID-shaped id from the name and creation time.
    private static func tableId(_ name: String, created: JSONValue) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in Array("\(name)|\(created)".utf8) { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        let hex = String(hash, radix: 16).leftPadded(to: 16) + String(hash &* 31, radix: 16).leftPadded(to: 16)
        let characters = Array(hex)
        return "\(String(characters[0..<8]))-\(String(characters[8..<12]))-\(String(characters[12..<16]))-\(String(characters[16..<20]))-\(String(characters[20..<32]))"
    }

    // MARK: Parsing schemas

    private func attributeDefinitions(_ request: WireRequest) throws -> [String: KeyType] {
        var definitions: [String: KeyType] = [:]
        for json in try request.array("AttributeDefinitions") ?? [] {
            let definition = WireRequest(try Self.object(json, "AttributeDefinitions"))
            let name = try definition.required("AttributeName", definition.string)
            let type = try definition.required("AttributeType", definition.string)
            guard let keyType = KeyType(rawValue: type) else {
                throw WireError.validation("1 validation error detected: Value '\(type)' at 'attributeDefinitions.member.attributeType' failed to satisfy constraint: Member must satisfy enum value set: [B, N, S]")
            }
            if definitions[name] != nil {
                throw WireError.validation("Cannot have two attributes with the same name: \(name)")
            }
            definitions[name] = keyType
        }
        return definitions
    }

    private func keySchema(_ request: WireRequest, member: String = "KeySchema", definitions: [String: KeyType],
                           used: inout Set<String>) throws -> KeySchema {
        let elements = try request.required(member, request.array)
        guard (1...2).contains(elements.count) else {
            throw WireError.validation("1 validation error detected: Value at 'keySchema' failed to satisfy constraint: Member must have length less than or equal to 2 and greater than or equal to 1")
        }
        var attributes: [(String, String)] = []
        for json in elements {
            let element = WireRequest(try Self.object(json, member))
            let name = try element.required("AttributeName", element.string)
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

    private func globalSecondaryIndex(_ json: JSONValue, definitions: [String: KeyType],
                                      used: inout Set<String>) throws -> GlobalSecondaryIndex {
        let index = WireRequest(try Self.object(json, "GlobalSecondaryIndexes"))
        let name = try index.required("IndexName", index.string)
        let keySchema = try self.keySchema(index, definitions: definitions, used: &used)
        let projection = try index.required("Projection", index.request)
        let projectionType = try projection.choice("ProjectionType", ["ALL", "KEYS_ONLY", "INCLUDE"]) ?? "ALL"
        let nonKey = try projection.strings("NonKeyAttributes")
        switch (projectionType, nonKey) {
        case ("INCLUDE", let names?):
            return GlobalSecondaryIndex(name: name, keySchema: keySchema, projection: .include(names))
        case ("INCLUDE", nil):
            throw WireError.validation("One or more parameter values were invalid: NonKeyAttributes must be specified when ProjectionType is INCLUDE")
        case (_, _?):
            throw WireError.validation("One or more parameter values were invalid: ProjectionType is \(projectionType), but NonKeyAttributes is specified")
        case ("KEYS_ONLY", nil):
            return GlobalSecondaryIndex(name: name, keySchema: keySchema, projection: .keysOnly)
        default:
            return GlobalSecondaryIndex(name: name, keySchema: keySchema, projection: .all)
        }
    }

    private func tags(_ list: [JSONValue]) throws -> [String: String] {
        var tags: [String: String] = [:]
        for json in list {
            let tag = WireRequest(try Self.object(json, "Tags"))
            tags[try tag.required("Key", tag.string)] = try tag.required("Value", tag.string)
        }
        return tags
    }

    private func tableFromArn(_ request: WireRequest) throws -> Table {
        let arn = try request.required("ResourceArn", request.string)
        guard arn.hasPrefix("arn:"), let range = arn.range(of: ":table/") else {
            throw WireError.validation("Invalid TableArn: Invalid ResourceArn provided as input \(arn)")
        }
        let name = arn[range.upperBound...].split(separator: "/", omittingEmptySubsequences: false).first.map(String.init) ?? ""
        do {
            return try store.table(name)
        } catch {
            throw WireError(type: "ResourceNotFoundException", message: "Requested resource not found: ResourceArn: \(arn) not found")
        }
    }

    static func object(_ json: JSONValue, _ member: String) throws(WireError) -> [String: JSONValue] {
        guard case .object(let object) = json else { throw WireError.serialization("Each entry of \(member) must be a map") }
        return object
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? String(prefix(width)) : String(repeating: "0", count: width - count) + self
    }
}

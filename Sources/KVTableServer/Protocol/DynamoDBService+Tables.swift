import Foundation
import KVTable
import KVTableDynamoDB

/// CreateTable, DescribeTable, ListTables, DeleteTable, UpdateTable, the TTL and the tag
/// operations.
extension DynamoDBService {
    func createTable(_ request: WireRequest) async throws -> JSONValue {
        let name = try request.required("TableName", request.string)
        let globalList = try indexList(request, "GlobalSecondaryIndexes")
        let localList = try indexList(request, "LocalSecondaryIndexes")
        let capacity = try Self.capacityMetadata(creating: request, indexes: globalList)
            .merging(try Self.optionsMetadata(creating: request)) { $1 }
        let definitions = try attributeDefinitions(request)
        var used: Set<String> = []
        let keySchema = try self.keySchema(request, definitions: definitions, used: &used)
        var indexes: [GlobalSecondaryIndex] = []
        for json in globalList {
            indexes.append(try globalSecondaryIndex(json, definitions: definitions, used: &used))
        }
        if !localList.isEmpty, keySchema.sortKey == nil {
            throw WireError.validation("One or more parameter values were invalid: Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex")
        }
        var localIndexes: [LocalSecondaryIndex] = []
        for json in localList {
            localIndexes.append(try localSecondaryIndex(json, tableKey: keySchema, definitions: definitions, used: &used))
        }
        let unused = Set(definitions.keys).subtracting(used)
        if !unused.isEmpty {
            // DynamoDB words it two ways: by count when there is no index, by name otherwise.
            if indexes.isEmpty && localIndexes.isEmpty {
                throw WireError.validation("One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions")
            }
            throw WireError.validation("One or more parameter values were invalid: Some AttributeDefinitions are not used. AttributeDefinitions: [\(definitions.keys.sorted().joined(separator: ", "))], keys used: [\(used.sorted().joined(separator: ", "))]")
        }
        let tags = try self.tags(request.array("Tags") ?? [])
        // One transaction: a request that fails leaves no table behind.
        let schema = TableSchema(name: name, keySchema: keySchema, globalSecondaryIndexes: indexes,
                                 localSecondaryIndexes: localIndexes)
        let table = try await store.createTable(schema,
                                                tags: tags, metadata: capacity.compactMapValues { $0 })
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
        // DynamoDB's DeleteTable answers with a shorter description than DescribeTable: no
        // creation time, key schema, attribute definitions or indexes (checked against DynamoDB
        // by ScyllaDB Alternator's test_delete_table_description_with_si).
        for member in ["CreationDateTime", "KeySchema", "AttributeDefinitions",
                       "GlobalSecondaryIndexes", "LocalSecondaryIndexes"] {
            description[member] = nil
        }
        return .object(["TableDescription": .object(description)])
    }

    func updateTable(_ request: WireRequest) async throws -> JSONValue {
        let table = try table(request)
        let updates = try request.array("GlobalSecondaryIndexUpdates") ?? []
        let others = ["ProvisionedThroughput", "BillingMode", "StreamSpecification", "SSESpecification",
                      "ReplicaUpdates", "TableClass", "DeletionProtectionEnabled", "WarmThroughput"]
        guard !updates.isEmpty || others.contains(where: request.has) else {
            throw WireError.validation("At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required")
        }
        var changes: [IndexChange] = []
        var named: Set<String> = []
        for json in updates {
            let update = WireRequest(try Self.object(json, "GlobalSecondaryIndexUpdates"))
            let actions = ["Create", "Update", "Delete"].filter(update.has)
            guard actions.count == 1, let action = actions.first, let body = try update.request(action) else {
                throw WireError.validation(actions.isEmpty
                    ? "One or more parameter values were invalid: One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Delete must not be null"
                    : "One or more parameter values were invalid: Only one global secondary index action is allowed per GlobalSecondaryIndexUpdate object")
            }
            let indexName = try body.required("IndexName", body.string)
            guard named.insert(indexName).inserted else {
                throw WireError.validation("One or more parameter values were invalid: Only one global secondary index update per index is allowed simultaneously. Index: \(indexName)")
            }
            switch action {
            case "Create":
                // DynamoDB checks the name before anything else of the new index.
                if table.schema.index(named: indexName) != nil {
                    throw WireError.validation("Attempting to create an index which already exists")
                }
                guard request.has("AttributeDefinitions") else {
                    throw WireError.validation("One or more parameter values were invalid: AttributeDefinitions is not specified for index: \(indexName)")
                }
                var definitions = try attributeDefinitions(request)
                // Key attributes the table already declares need no new definition.
                // One that does may not give it another type.
                for attribute in table.schema.keySchema.attributes + table.schema.secondaryIndexes.flatMap(\.keySchema.attributes) {
                    if let given = definitions[attribute.name], given != attribute.type {
                        throw WireError.validation("One or more parameter values were invalid: Attributes cannot be redefined. Please check that your attribute has the same type as previously defined. Existing schema: \(attribute.name) \(attribute.type.rawValue), New schema: \(attribute.name) \(given.rawValue)")
                    }
                    definitions[attribute.name] = attribute.type
                }
                var used: Set<String> = []
                changes.append(.create(try globalSecondaryIndex(.object(body.members), definitions: definitions, used: &used)))
            case "Delete":
                changes.append(.delete(indexName))
            default:
                if table.schema.index(named: indexName)?.isLocal == true {
                    throw WireError.validation("Cannot update an index that is not a GlobalSecondaryIndex: \(indexName)")
                }
            }
        }
        guard changes.count <= 1 else {
            throw WireError(type: "LimitExceededException", message: "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table")
        }
        let capacity = try Self.capacityChanges(updating: request, table: table)
            .merging(try Self.optionsChanges(updating: request, table: table, now: Date())) { $1 }
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
        try ConstraintViolation.check(.length(attribute.utf8.count, of: "timeToLiveSpecification.attributeName", value: attribute, within: 1...255))
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

    // MARK: Tags

    /// A `Tags` list as DynamoDB reads it: each entry needs both members, a key may appear once.
    /// The rules for each tag are the store's (`KVStore.validateTag`), so the Swift API and the
    /// wire refuse the same tags.
    private func tags(_ list: [JSONValue]) throws -> [String: String] {
        var tags: [String: String] = [:]
        for json in list {
            let tag = WireRequest(try Self.object(json, "Tags"))
            guard let key = try tag.string("Key") else {
                throw WireError.validation("The Tag Key provided is invalid, Key: null")
            }
            guard let value = try tag.string("Value") else {
                throw WireError.validation("The Tag Value provided is invalid, Value: null")
            }
            guard tags.updateValue(value, forKey: key) == nil else {
                throw WireError.validation("Duplicate Tag Keys provided as input: Duplicate Tag Key found \(key)")
            }
        }
        return tags
    }

    /// The table a `ResourceArn` names. Only table ARNs are accepted — an index ARN
    /// (`…:table/T/index/I`) is refused, as DynamoDB refuses it, rather than acting on the table.
    private func tableFromArn(_ request: WireRequest) throws -> Table {
        let arn = try request.required("ResourceArn", request.string)
        guard arn.hasPrefix("arn:") else {
            throw WireError.validation("One or more parameter values were invalid: ARNs must start with 'arn:': \(arn)")
        }
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6 else {
            throw WireError.validation("Invalid TableArn: Invalid ResourceArn provided as input \(arn)")
        }
        guard parts[2] == "dynamodb" else {
            throw WireError.validation("One or more parameter values were invalid: Provided Arn is not a DynamoDB resource arn: \(arn)")
        }
        let resource = parts[5].split(separator: "/", omittingEmptySubsequences: false)
        guard resource.count >= 2, resource[0] == "table", !resource[1].isEmpty else {
            throw WireError.validation("Invalid TableArn: Invalid ResourceArn provided as input \(arn)")
        }
        guard resource.count == 2 else {
            throw WireError.validation("One or more parameter values were invalid: Invalid resource arn provided, only table or stream is accepted. Provided resource arn: \(arn)")
        }
        do {
            return try store.table(String(resource[1]))
        } catch {
            throw WireError(type: "ResourceNotFoundException", message: "Requested resource not found: ResourceArn: \(arn) not found")
        }
    }

    static func object(_ json: JSONValue, _ member: String) throws(WireError) -> [String: JSONValue] {
        guard case .object(let object) = json else { throw WireError.serialization("Each entry of \(member) must be a map") }
        return object
    }
}

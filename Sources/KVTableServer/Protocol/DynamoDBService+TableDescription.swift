import Foundation
import KVTable
import KVTableDynamoDB

/// DynamoDB's `TableDescription` of a table.
extension DynamoDBService {
    /// DynamoDB's `TableDescription`. Item counts and sizes are exact when counted (DynamoDB's
    /// are refreshed about every six hours); see ``StatisticsCache`` for when they are recounted.
    func describe(_ table: Table) throws -> JSONValue {
        let statistics = try statisticsCache.statistics(of: table)
        let schema = table.schema
        var definitions: [String: KeyType] = [:]
        for attribute in schema.keySchema.attributes + schema.secondaryIndexes.flatMap(\.keySchema.attributes) {
            definitions[attribute.name] = attribute.type
        }
        let created = JSONValue.number((table.creationDate ?? Date(timeIntervalSince1970: 0)).timeIntervalSince1970)
        var description: [String: JSONValue] = [
            "TableName": .string(table.name),
            "TableStatus": .string("ACTIVE"),
            "TableArn": .string(tableArn(table.name)),
            "TableId": .string(Self.tableId(table.name, created: created)),
            "CreationDateTime": created,
            "KeySchema": schema.keySchema.dynamoDBJSON,
            "AttributeDefinitions": .array(definitions.sorted { $0.key < $1.key }.map {
                .object(["AttributeName": .string($0.key), "AttributeType": .string($0.value.rawValue)])
            }),
            "ItemCount": .number(Double(statistics.itemCount)),
            "TableSizeBytes": .number(Double(statistics.itemBytes)),
            "BillingModeSummary": billingSummary(table, created: created),
            "ProvisionedThroughput": provisionedThroughput(table, index: nil),
            "DeletionProtectionEnabled": .bool(false),
            "WarmThroughput": warmThroughputDescription(table),
        ]
        if let summary = tableClassSummary(table) { description["TableClassSummary"] = summary }
        // A local index has no status or throughput of its own (it lives in the table's
        // partitions), as in DynamoDB's description.
        for kind in [SecondaryIndex.Kind.global, .local] {
            let indexes = schema.secondaryIndexes.filter { $0.kind == kind }
            guard !indexes.isEmpty else { continue }
            description[kind == .global ? "GlobalSecondaryIndexes" : "LocalSecondaryIndexes"] = .array(indexes.map { index in
                var members: [String: JSONValue] = [
                    "IndexName": .string(index.name),
                    "KeySchema": index.keySchema.dynamoDBJSON,
                    "Projection": index.projection.dynamoDBJSON,
                    "IndexArn": .string(tableArn(table.name) + "/index/" + index.name),
                    "ItemCount": .number(Double(statistics.indexEntryCounts[index.name] ?? 0)),
                    "IndexSizeBytes": .number(0),
                ]
                if kind == .global {
                    members["IndexStatus"] = .string("ACTIVE")
                    members["ProvisionedThroughput"] = provisionedThroughput(table, index: index.name)
                }
                return .object(members)
            })
        }
        return .object(description)
    }

    /// A stable UUID-shaped id from the name and creation time.
    private static func tableId(_ name: String, created: JSONValue) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in Array("\(name)|\(created)".utf8) { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        let hex = String(hash, radix: 16).leftPadded(to: 16) + String(hash &* 31, radix: 16).leftPadded(to: 16)
        let characters = Array(hex)
        return "\(String(characters[0..<8]))-\(String(characters[8..<12]))-\(String(characters[12..<16]))-\(String(characters[16..<20]))-\(String(characters[20..<32]))"
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? String(prefix(width)) : String(repeating: "0", count: width - count) + self
    }
}

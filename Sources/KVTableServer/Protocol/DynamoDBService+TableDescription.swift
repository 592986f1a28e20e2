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
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? String(prefix(width)) : String(repeating: "0", count: width - count) + self
    }
}

import KVTable
import KVTableDynamoDB

/// `ReturnItemCollectionMetrics: SIZE`: the size of each item collection a write touched, for
/// tables with local secondary indexes (DynamoDB reports nothing for other tables).
extension DynamoDBService {
    /// Whether the request asks for item collection metrics.
    static func wantsItemCollectionMetrics(_ request: WireRequest) throws(WireError) -> Bool {
        try request.choice("ReturnItemCollectionMetrics", ["SIZE", "NONE"]) == "SIZE"
    }

    /// One `ItemCollectionMetrics` of the collection `key` (an item or its key) belongs to, read
    /// after the write; nil when `table` keeps no item collections.
    func itemCollectionMetrics(_ table: Table, key: Item) throws -> JSONValue? {
        let partition = table.schema.keySchema.partitionKey.name
        guard let value = key[partition], let size = try table.read({ try $0.itemCollectionSize(value) }) else { return nil }
        // DynamoDB answers a range of whole gigabytes around its estimate.
        let lower = (Double(size) / Double(1 << 30)).rounded(.down)
        return .object([
            "ItemCollectionKey": .object([partition: value.dynamoDBJSON]),
            "SizeEstimateRangeGB": .array([.number(lower), .number(lower + 1)]),
        ])
    }

    /// A single write's answer with its `ItemCollectionMetrics` added when asked for.
    func adding(itemCollectionMetricsOf request: WireRequest, table: Table, key: Item, to answer: JSONValue) throws -> JSONValue {
        guard try Self.wantsItemCollectionMetrics(request), case .object(var members) = answer,
              let metrics = try itemCollectionMetrics(table, key: key) else { return answer }
        members["ItemCollectionMetrics"] = metrics
        return .object(members)
    }

    /// BatchWriteItem's and TransactWriteItems' `ItemCollectionMetrics`: per table, one entry
    /// per collection written (in the order first written); nil when there is none.
    func itemCollectionMetrics(of writes: [(Table, Item)]) throws -> JSONValue? {
        var byTable: [String: [JSONValue]] = [:]
        var seen = Set<[String: JSONValue]>()
        for (table, key) in writes {
            guard let metrics = try itemCollectionMetrics(table, key: key),
                  case .object(let members) = metrics, case .object(let collection)? = members["ItemCollectionKey"],
                  seen.insert(["table": .string(table.name), "key": .object(collection)]).inserted else { continue }
            byTable[table.name, default: []].append(metrics)
        }
        return byTable.isEmpty ? nil : .object(byTable.mapValues { .array($0) })
    }
}

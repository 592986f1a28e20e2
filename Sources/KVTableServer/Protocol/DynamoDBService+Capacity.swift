import KVTable
import KVTableDynamoDB

/// `BillingMode` and `ProvisionedThroughput`: validated as DynamoDB validates them, kept with
/// the table (``Table/metadata``) and reported back by DescribeTable. Nothing is throttled:
/// a local store has no capacity to ration.
extension DynamoDBService {
    private static let billingKey = "dynamodb.BillingMode"

    private static func throughputKeys(index: String?) -> (read: String, write: String) {
        let prefix = index.map { "dynamodb.index.\($0)." } ?? "dynamodb."
        return (prefix + "ReadCapacityUnits", prefix + "WriteCapacityUnits")
    }

    /// The metadata CreateTable records, after checking the billing members of the table and
    /// of its indexes. DynamoDB's default billing mode is `PROVISIONED`.
    static func capacityMetadata(creating request: WireRequest, indexes: [JSONValue]) throws -> [String: String?] {
        let billing = try request.choice("BillingMode", ["PROVISIONED", "PAY_PER_REQUEST"]) ?? "PROVISIONED"
        var metadata: [String: String?] = [billingKey: billing]
        try throughput(request, billing: billing, required: true, index: nil, into: &metadata)
        for json in indexes {
            let index = WireRequest(try object(json, "GlobalSecondaryIndexes"))
            try throughput(index, billing: billing, required: true, index: try index.required("IndexName", index.string), into: &metadata)
        }
        return metadata
    }

    /// The metadata changes of an UpdateTable: a new billing mode, table throughput, and the
    /// throughput of created or updated indexes.
    static func capacityChanges(updating request: WireRequest, table: Table) throws -> [String: String?] {
        let current = table.metadata[billingKey] ?? "PAY_PER_REQUEST"
        let billing = try request.choice("BillingMode", ["PROVISIONED", "PAY_PER_REQUEST"]) ?? current
        var changes: [String: String?] = [billingKey: billing]
        try throughput(request, billing: billing, required: billing == "PROVISIONED" && current != "PROVISIONED", index: nil, into: &changes)
        if billing == "PAY_PER_REQUEST" {
            // On demand: no throughput is kept for the table or any of its indexes.
            for index in [nil] + table.schema.globalSecondaryIndexes.map(\.name) {
                let keys = throughputKeys(index: index)
                changes[keys.read] = .some(nil)
                changes[keys.write] = .some(nil)
            }
        }
        for json in try request.array("GlobalSecondaryIndexUpdates") ?? [] {
            let update = WireRequest(try object(json, "GlobalSecondaryIndexUpdates"))
            for member in ["Create", "Update"] {
                guard let index = try update.request(member) else { continue }
                try throughput(index, billing: billing, required: member == "Create" || billing == "PROVISIONED",
                               index: try index.required("IndexName", index.string), into: &changes)
            }
        }
        return changes
    }

    private static func throughput(_ request: WireRequest, billing: String, required: Bool, index: String?,
                                   into metadata: inout [String: String?]) throws {
        let throughput = try request.request("ProvisionedThroughput")
        if billing == "PAY_PER_REQUEST" {
            if throughput != nil {
                throw WireError.validation("One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST")
            }
            return
        }
        guard let throughput else {
            guard !required else {
                if let index {
                    throw WireError.validation("One or more parameter values were invalid: ProvisionedThroughput must be specified for index: \(index)")
                }
                throw WireError.validation("One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED")
            }
            return
        }
        let keys = throughputKeys(index: index)
        // Named with their path, as DynamoDB names members of a nested structure.
        func units(_ member: String) throws -> Int {
            let name = "provisionedThroughput." + WireRequest.constraintName(member)
            guard let value = try throughput.int(member) else {
                throw WireError.validation("1 validation error detected: Value null at '\(name)' failed to satisfy constraint: Member must not be null")
            }
            try ConstraintViolation.check(.number(value, of: name, within: 1...Int.max))
            return value
        }
        let read = try units("ReadCapacityUnits")
        let write = try units("WriteCapacityUnits")
        metadata[keys.read] = String(read)
        metadata[keys.write] = String(write)
    }

    /// `BillingModeSummary` of a table (tables created through the Swift API are on-demand).
    func billingSummary(_ table: Table, created: JSONValue) -> JSONValue {
        let billing = table.metadata[Self.billingKey] ?? "PAY_PER_REQUEST"
        var summary: [String: JSONValue] = ["BillingMode": .string(billing)]
        if billing == "PAY_PER_REQUEST" { summary["LastUpdateToPayPerRequestDateTime"] = created }
        return .object(summary)
    }

    /// `ProvisionedThroughput` of a table or index: as set, zero when on-demand.
    func provisionedThroughput(_ table: Table, index: String?) -> JSONValue {
        let keys = Self.throughputKeys(index: index)
        return .object([
            "ReadCapacityUnits": .number(Double(table.metadata[keys.read].flatMap(Int.init) ?? 0)),
            "WriteCapacityUnits": .number(Double(table.metadata[keys.write].flatMap(Int.init) ?? 0)),
            "NumberOfDecreasesToday": .number(0),
        ])
    }
}

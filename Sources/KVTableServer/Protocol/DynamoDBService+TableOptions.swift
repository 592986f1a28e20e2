import Foundation
import KVTable
import KVTableDynamoDB

/// `TableClass` and `WarmThroughput`: options that change what DynamoDB bills and how fast a
/// new table can start, neither of which a local store has. They are checked as DynamoDB
/// checks them, kept with the table (``Table/metadata``) and reported back by DescribeTable, so
/// tools that set them (Terraform, CloudFormation) see what they configured.
extension DynamoDBService {
    private static let tableClassKey = "dynamodb.TableClass"
    private static let tableClassUpdatedKey = "dynamodb.TableClass.LastUpdateDateTime"
    private static let warmKeys = (read: "dynamodb.WarmThroughput.ReadUnitsPerSecond", write: "dynamodb.WarmThroughput.WriteUnitsPerSecond")

    private static let tableClasses = ["STANDARD", "STANDARD_INFREQUENT_ACCESS"]
    /// The warm throughput every DynamoDB table starts with, and the least that can be asked for.
    private static let baseline = (read: 12_000, write: 4_000)

    /// The metadata a CreateTable records for its `TableClass` and `WarmThroughput`.
    static func optionsMetadata(creating request: WireRequest) throws -> [String: String?] {
        var metadata: [String: String?] = [:]
        if let tableClass = try self.tableClass(request) { metadata[tableClassKey] = tableClass }
        try warmThroughput(request, current: baseline, into: &metadata)
        return metadata
    }

    /// The metadata changes of an UpdateTable's `TableClass` and `WarmThroughput`.
    static func optionsChanges(updating request: WireRequest, table: Table, now: Date) throws -> [String: String?] {
        var changes: [String: String?] = [:]
        if let tableClass = try self.tableClass(request), tableClass != table.metadata[tableClassKey] ?? "STANDARD" {
            changes[tableClassKey] = tableClass
            changes[tableClassUpdatedKey] = String(now.timeIntervalSince1970)
        }
        try warmThroughput(request, current: warm(table), into: &changes)
        return changes
    }

    private static func tableClass(_ request: WireRequest) throws -> String? {
        guard let tableClass = try request.string("TableClass") else { return nil }
        guard tableClasses.contains(tableClass) else {
            throw WireError.validation("Invalid table-class parameter provided. Please try again with a valid table-class value: [\(tableClasses.joined(separator: ", "))].")
        }
        return tableClass
    }

    /// A table's warm throughput: what was configured, DynamoDB's baseline otherwise.
    private static func warm(_ table: Table) -> (read: Int, write: Int) {
        (table.metadata[warmKeys.read].flatMap(Int.init) ?? baseline.read,
         table.metadata[warmKeys.write].flatMap(Int.init) ?? baseline.write)
    }

    /// `WarmThroughput`: each unit at least the baseline and never below the current value
    /// (DynamoDB: "After warm throughput is increased, the values can't be decreased").
    private static func warmThroughput(_ request: WireRequest, current: (read: Int, write: Int),
                                       into metadata: inout [String: String?]) throws {
        guard let warm = try request.request("WarmThroughput") else { return }
        for (member, key, minimum, now) in [("ReadUnitsPerSecond", warmKeys.read, baseline.read, current.read),
                                            ("WriteUnitsPerSecond", warmKeys.write, baseline.write, current.write)] {
            guard let units = try warm.int(member) else { continue }
            guard units >= minimum else {
                throw WireError.validation("One or more parameter values were invalid: \(member) \(units) is lower than the minimum warm throughput of \(minimum)")
            }
            guard units >= now else {
                throw WireError.validation("One or more parameter values were invalid: Requested \(member) \(units) is lower than current WarmThroughput \(member) \(now)")
            }
            metadata[key] = String(units)
        }
    }

    /// `TableClassSummary`: only for a table whose class was ever set explicitly (DynamoDB
    /// leaves it out for a table on the default `STANDARD`), with `LastUpdateDateTime` once an
    /// UpdateTable changed it.
    func tableClassSummary(_ table: Table) -> JSONValue? {
        guard let tableClass = table.metadata[Self.tableClassKey] else { return nil }
        var summary: [String: JSONValue] = ["TableClass": .string(tableClass)]
        if let updated = table.metadata[Self.tableClassUpdatedKey].flatMap(Double.init) { summary["LastUpdateDateTime"] = .number(updated) }
        return .object(summary)
    }

    /// `WarmThroughput` of a table, always `ACTIVE` (nothing here needs warming).
    func warmThroughputDescription(_ table: Table) -> JSONValue {
        let warm = Self.warm(table)
        return .object(["ReadUnitsPerSecond": .number(Double(warm.read)), "WriteUnitsPerSecond": .number(Double(warm.write)),
                        "Status": .string("ACTIVE")])
    }
}

import Foundation
import Testing
@testable import KVTable

@Suite("Secondary indexes")
struct IndexTests {
    static func gsi1(_ table: Table, _ partition: AttributeValue) async throws -> [String] {
        try await table.query(Query(indexName: "GSI1", partitionKey: partition)).items.map { $0["SK"]!.stringValue! }
    }

    @Test("Sparse index entries follow put, overwrite and delete", arguments: Backend.allCases)
    func sparseMaintenance(backend: Backend) async throws {
        let fixture = try TestStore(backend)
        let table = try await fixture.singleTable()

        // Put without index keys: not in the index.
        try await table.putItem(["PK": "USER#1", "SK": "FILE#1", "title": "a"])
        #expect(try await table.scan(Scan(indexName: "GSI1")).count == 0)

        // Overwrite adding index keys: added.
        try await table.putItem(["PK": "USER#1", "SK": "FILE#1", "GSI1PK": "DATE#2026-11-22", "GSI1SK": "10:00"])
        #expect(try await Self.gsi1(table, "DATE#2026-11-22") == ["FILE#1"])

        // Overwrite changing the index partition: moved, never duplicated.
        try await table.putItem(["PK": "USER#1", "SK": "FILE#1", "GSI1PK": "DATE#2026-11-23", "GSI1SK": "09:00"])
        #expect(try await Self.gsi1(table, "DATE#2026-11-22") == [])
        #expect(try await Self.gsi1(table, "DATE#2026-11-23") == ["FILE#1"])

        // Overwrite changing only the index sort key: moved within the partition.
        try await table.putItem(["PK": "USER#1", "SK": "FILE#2", "GSI1PK": "DATE#2026-11-23", "GSI1SK": "08:00"])
        try await table.putItem(["PK": "USER#1", "SK": "FILE#1", "GSI1PK": "DATE#2026-11-23", "GSI1SK": "07:00", "v": 2])
        #expect(try await Self.gsi1(table, "DATE#2026-11-23") == ["FILE#1", "FILE#2"])
        // Projected attributes are current (projection ALL).
        let entry = try await table.query(Query(indexName: "GSI1", partitionKey: "DATE#2026-11-23", limit: 1)).items.first
        #expect(entry?["v"] == 2)

        // Overwrite removing an index key attribute: removed (sparse).
        try await table.putItem(["PK": "USER#1", "SK": "FILE#1", "GSI1PK": "DATE#2026-11-23"])
        #expect(try await Self.gsi1(table, "DATE#2026-11-23") == ["FILE#2"])

        // Several indexes at once; delete removes from all.
        try await table.putItem(["PK": "USER#1", "SK": "FILE#3", "GSI1PK": "A", "GSI1SK": "1",
                                 "GSI2PK": "B", "GSI2SK": "1", "GSI3PK": "C", "GSI3SK": "1", "GSI7PK": "D", "GSI7SK": "1"])
        for (index, partition) in [("GSI1", "A"), ("GSI2", "B"), ("GSI3", "C"), ("GSI7", "D")] {
            #expect(try await table.query(Query(indexName: index, partitionKey: .s(partition))).count == 1)
        }
        let deleted = try await table.deleteItem(["PK": "USER#1", "SK": "FILE#3"], returnOldItem: true)
        #expect(deleted?["GSI7PK"] == "D")
        for (index, partition) in [("GSI1", "A"), ("GSI2", "B"), ("GSI3", "C"), ("GSI7", "D")] {
            #expect(try await table.query(Query(indexName: index, partitionKey: .s(partition))).count == 0)
        }
        // Only FILE#2 is left in GSI1 anywhere.
        #expect(try await table.scan(Scan(indexName: "GSI1")).items.map { $0["SK"] } == ["FILE#2"])
    }

    @Test("Many items may share one index key; ties order by table key", arguments: Backend.allCases)
    func duplicateIndexKeys(backend: Backend) async throws {
        let fixture = try TestStore(backend)
        let table = try await fixture.singleTable()
        for n in [3, 1, 2] {
            try await table.putItem(["PK": .s("USER#\(n)"), "SK": "PROFILE", "GSI1PK": "ALL", "GSI1SK": "same"])
        }
        let page = try await table.query(Query(indexName: "GSI1", partitionKey: "ALL"))
        #expect(page.items.map { $0["PK"]!.stringValue! } == ["USER#1", "USER#2", "USER#3"])
    }

    @Test("KEYS_ONLY and INCLUDE projections store only what they promise", arguments: Backend.allCases)
    func projections(backend: Backend) async throws {
        let fixture = try TestStore(backend)
        let table = try await fixture.store.createTable(TableSchema(
            name: "Events",
            keySchema: KeySchema(partitionKey: KeyAttribute("id", .string)),
            globalSecondaryIndexes: [
                GlobalSecondaryIndex(name: "ByUser", keySchema: KeySchema(partitionKey: KeyAttribute("user", .string), sortKey: KeyAttribute("at", .number)), projection: .keysOnly),
                GlobalSecondaryIndex(name: "ByType", keySchema: KeySchema(partitionKey: KeyAttribute("type", .string)), projection: .include(["cost"])),
            ]))
        try await table.putItem(["id": "e1", "user": "u1", "at": 5, "type": "click", "cost": 3, "secret": "x"])
        let byUser = try await table.query(Query(indexName: "ByUser", partitionKey: "u1"))
        #expect(byUser.items == [["id": "e1", "user": "u1", "at": 5]])
        let byType = try await table.query(Query(indexName: "ByType", partitionKey: "click"))
        #expect(byType.items == [["id": "e1", "type": "click", "cost": 3]])
        // A query's filter may not name an attribute that is not projected (DynamoDB's rule); a
        // scan's filter sees it missing.
        await #expect(throws: KVTableError.validation("One or more parameter values were invalid: Secondary index ByType does not project one or more filter attributes: [secret]")) {
            try await table.query(Query(indexName: "ByType", partitionKey: "click", filter: .exists("secret")))
        }
        let withCost = try await table.query(Query(indexName: "ByType", partitionKey: "click", filter: .attribute("cost") > 2))
        #expect(withCost.count == 1)
        let filtered = try await table.scan(Scan(indexName: "ByType", filter: .exists("secret")))
        #expect(filtered.count == 0 && filtered.scannedCount == 1)
    }

    @Test("A present index key attribute must have the index's type and not be empty", arguments: Backend.allCases)
    func indexKeyValidation(backend: Backend) async throws {
        let fixture = try TestStore(backend)
        let table = try await fixture.singleTable()
        try await table.putItem(["PK": "P", "SK": "S", "GSI1PK": "G", "GSI1SK": "1"])
        await #expect(throws: KVTableError.validation("One or more parameter values were invalid: Type mismatch for Index Key GSI1PK Expected: S Actual: N IndexName: GSI1")) {
            try await table.putItem(["PK": "P", "SK": "S", "GSI1PK": 5])
        }
        await #expect(throws: KVTableError.validation("One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty string value. IndexName: GSI2, IndexKey: GSI2SK")) {
            try await table.putItem(["PK": "P", "SK": "S", "GSI2PK": "x", "GSI2SK": ""])
        }
        // Unchanged: the item and its index entry.
        #expect(try await table.getItem(["PK": "P", "SK": "S"]) == ["PK": "P", "SK": "S", "GSI1PK": "G", "GSI1SK": "1"])
        #expect(try await Self.gsi1(table, "G") == ["S"])
        #expect(try await table.scan(Scan(indexName: "GSI2")).count == 0)
    }
}

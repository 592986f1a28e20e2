import Foundation
import Testing
@testable import KVTable

@Suite("Closure write transactions")
struct StoreTransactionTests {
    @Test("updateItem in a transaction returns the new item, or nil when a remove-only update finds no item (nothing created)", arguments: Backend.allCases)
    func updateResults(backend: Backend) async throws {
        let fixture = try TestStore(backend)
        let table = try await fixture.singleTable()
        let (removed, added) = try await fixture.store.write { tx -> (Item?, Item?) in
            (try tx.updateItem(table, ["PK": "A", "SK": "1"], [.remove("x")]),
             try tx.updateItem(table, ["PK": "A", "SK": "2"], [.add("n", 1)]))
        }
        #expect(removed == nil && added == ["PK": "A", "SK": "2", "n": 1])
        #expect(try await table.scan().items.map { $0["SK"] } == ["2"])
    }

    @Test("Read-modify-write across tables commits all or nothing", arguments: Backend.allCases)
    func readModifyWrite(backend: Backend) async throws {
        let fixture = try TestStore(backend)
        let table = try await fixture.singleTable()
        let other = try await fixture.store.createTable(TableSchema(name: "Other", keySchema: KeySchema(partitionKey: KeyAttribute("id", .string))))
        let stream = table.changes()

        // Count each user once per day, however often they show up: concurrently.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for n in 0..<40 {
                group.addTask {
                    let user = "USER#\(n % 7)"
                    try await fixture.store.write { tx in
                        let marker: Item = ["PK": "DAU#2026-11-22", "SK": .s(user)]
                        guard try tx.getItem(table, marker) == nil else { return }
                        try tx.putItem(table, marker, condition: .notExists("PK"))
                        try tx.updateItem(table, ["PK": "METRICS#2026-11-22", "SK": "DAILY"], [.add("activeUsers", 1)])
                        try tx.putItem(other, ["id": .s(user)])
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try await table.getItem(["PK": "METRICS#2026-11-22", "SK": "DAILY"])?["activeUsers"] == 7)
        #expect(try await table.query(Query(partitionKey: "DAU#2026-11-22")).count == 7)
        #expect(try await other.scan().count == 7)

        // A throwing body leaves nothing, even after writes in two tables.
        struct Abort: Error {}
        await #expect(throws: Abort.self) {
            try await fixture.store.write { tx in
                try tx.putItem(table, ["PK": "X", "SK": "1"])
                try tx.deleteItem(other, ["id": "USER#0"])
                throw Abort()
            }
        }
        #expect(try await table.getItem(["PK": "X", "SK": "1"]) == nil)
        #expect(try await other.getItem(["id": "USER#0"]) != nil)

        // Reads see the transaction's own writes; results come back.
        let seen = try await fixture.store.write { tx -> Int in
            try tx.putItem(table, ["PK": "Y", "SK": "1"])
            try tx.putItem(table, ["PK": "Y", "SK": "2"])
            return try tx.query(table, Query(partitionKey: "Y")).count
        }
        #expect(seen == 2)

        // Validation and conditions work as in single writes.
        await #expect(throws: KVTableError.conditionalCheckFailed(currentItem: nil)) {
            try await fixture.store.write { tx in try tx.putItem(table, ["PK": "Y", "SK": "1"], condition: .notExists("PK")) }
        }
        await #expect(throws: KVTableError.validation("One or more parameter values were invalid: Missing the key SK in the item")) {
            try await fixture.store.write { tx in try tx.putItem(table, ["PK": "Y"]) }
        }

        // Committed writes reach the change stream, in order.
        // 7 markers and 7 counter writes (1 insert, 6 modifies), then Y/1 and Y/2.
        var kinds: [Change.Kind] = []
        for try await change in stream {
            kinds.append(change.kind)
            if kinds.count == 16 { break }
        }
        #expect(kinds.filter { $0 == .insert }.count == 10)
        #expect(kinds.filter { $0 == .modify }.count == 6)
        #expect(kinds.suffix(2) == [.insert, .insert])
    }
}

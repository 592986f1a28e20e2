import Foundation
import Testing
@testable import KVTable

@Suite("Bulk writes: insertItems, putItems, ItemBuilder")
struct BulkWriteTests {
    @Test("insertItems stores new items with their index and expiry entries, leaves live ones alone, first duplicate wins", arguments: Backend.allCases)
    func insert(backend: Backend) async throws {
        let time = ManualTime()
        let fixture = try TestStore(backend, time: time)
        let table = try await fixture.singleTable()
        try await fixture.store.updateTimeToLive(table: "App", attribute: "ttl")
        let now = Int(time.now().timeIntervalSince1970)
        try await table.putItem(["PK": "P", "SK": "live", "v": "old"])
        try await table.putItem(["PK": "P", "SK": "expired", "v": "old", "ttl": .number(now - 10), "GSI1PK": "G", "GSI1SK": "expired-old"])
        let changes = table.changes()

        let items: [Item] = [
            ["PK": "P", "SK": "c", "v": "1", "GSI1PK": "G", "GSI1SK": "c", "ttl": .number(now + 100)],
            ["PK": "P", "SK": "live", "v": "new"],
            ["PK": "P", "SK": "a", "v": "first"],
            ["PK": "P", "SK": "a", "v": "second"],
            ["PK": "P", "SK": "expired", "v": "new", "GSI1PK": "G", "GSI1SK": "expired-new"],
        ]
        let inserted = try await fixture.store.write { tx in try tx.insertItems(table, items) }
        #expect(inserted == [true, false, true, false, true])
        #expect(try await table.getItem(["PK": "P", "SK": "live"])?["v"] == "old")
        #expect(try await table.getItem(["PK": "P", "SK": "a"])?["v"] == "first")
        #expect(try await table.getItem(["PK": "P", "SK": "expired"])?["v"] == "new")
        let index = try await table.query(Query(indexName: "GSI1", partitionKey: "G"))
        #expect(index.items.map { $0["GSI1SK"]!.stringValue! } == ["c", "expired-new"])
        #expect(try table.verifyIndexes().isEmpty)

        // Expiry entries: the new item with a TTL is swept once it passes.
        time.advance(by: .seconds(200))
        #expect(try await table.sweepExpired() == 1)
        #expect(try await table.getItem(["PK": "P", "SK": "c"], includeExpired: true) == nil)

        // Change records as for single puts: the expired item reported removed, then inserts.
        var received: [(Change.Kind, String, Bool)] = []
        for try await change in changes {
            received.append((change.kind, change.keys["SK"]!.stringValue!, change.isTimeToLiveDeletion))
            if received.count == 5 { break }
        }
        #expect(received.map(\.0) == [.insert, .insert, .remove, .insert, .remove])
        #expect(received.map(\.1) == ["a", "c", "expired", "expired", "c"])
        #expect(received.map(\.2) == [false, false, true, false, true])
    }

    @Test("insertItems and putItems check every item first: one bad item writes nothing", arguments: Backend.allCases)
    func failures(backend: Backend) async throws {
        let fixture = try TestStore(backend)
        let table = try await fixture.singleTable()
        let bad: [(Item, String)] = [
            (["PK": "P"], "Missing the key SK in the item"),
            (["PK": "P", "SK": .number(1)], "Type mismatch for key SK"),
            (["PK": "P", "SK": "x", "GSI1PK": .number(3), "GSI1SK": "y"], "Type mismatch for Index Key GSI1PK"),
            (["PK": "P", "SK": "x", "tags": .ss([])], "set  may not be empty"),
            (["PK": "", "SK": "x"], "cannot contain an empty string value"),
        ]
        for (item, message) in bad {
            for bulk in ["insert", "put"] {
                let error = await #expect(throws: KVTableError.self) {
                    try await fixture.store.write { tx in
                        let good: [Item] = [["PK": "P", "SK": "good"], item]
                        if bulk == "insert" { _ = try tx.insertItems(table, good) } else { try tx.putItems(table, good) }
                    }
                }
                #expect(error?.message.contains(message) == true, "\(bulk): \(error?.message ?? "")")
            }
        }
        #expect(try await table.scan().count == 0)
    }

    @Test("putItems replaces stored items and moves their index entries; of a key given twice the last is stored", arguments: Backend.allCases)
    func put(backend: Backend) async throws {
        let fixture = try TestStore(backend)
        let table = try await fixture.singleTable()
        try await table.putItem(["PK": "P", "SK": "1", "GSI1PK": "G", "GSI1SK": "old"])
        try await fixture.store.write { tx in
            try tx.putItems(table, [
                ["PK": "P", "SK": "1", "GSI1PK": "G", "GSI1SK": "moved"],
                ["PK": "P", "SK": "2", "v": "first"],
                ["PK": "P", "SK": "2", "v": "last", "GSI1PK": "G", "GSI1SK": "two"],
            ])
        }
        #expect(try await table.getItem(["PK": "P", "SK": "2"])?["v"] == "last")
        #expect(try await table.query(Query(indexName: "GSI1", partitionKey: "G")).items.map { $0["GSI1SK"]!.stringValue! } == ["moved", "two"])
        #expect(try table.verifyIndexes().isEmpty)
    }

    @Test("ItemBuilder: any order, last value wins, equal to the dictionary item, checked like a write")
    func builder() throws {
        var builder = ItemBuilder()
        builder.set("b", .number(2))
        builder.set("PK", "P")
        builder.set("a", .l([.s("x"), .null]))
        builder.set("b", .number(3))
        builder.set("é", .bool(true))
        let item = try builder.build()
        let expected: Item = ["PK": "P", "a": .l([.s("x"), .null]), "b": .number(3), "é": .bool(true)]
        #expect(item == expected)
        #expect(Array(item.keys) == ["PK", "a", "b", "é"])
        #expect(builder.dynamoDBItemSize == expected.dynamoDBItemSize)
        #expect(ItemCodec.encode(item) == ItemCodec.encode(expected))

        var empty = ItemBuilder()
        empty.set("s", .ns([]))
        #expect(throws: KVTableError.self) { try empty.build() }
        var duplicates = ItemBuilder()
        duplicates.set("s", .ss(["a", "a"]))
        #expect(throws: KVTableError.self) { try duplicates.build() }
        var large = ItemBuilder()
        large.set("blob", .b(Data(count: 400 * 1024)))
        #expect(throws: KVTableError.self) { try large.build() }
    }

    @Test("values(named:) reads several attributes in one pass, on stored and built items alike", arguments: Backend.allCases)
    func multipleValues(backend: Backend) async throws {
        let fixture = try TestStore(backend)
        let table = try await fixture.singleTable()
        let built: Item = ["PK": "P", "SK": "1", "m": ["x": 1], "z": "last", "B": "capital"]
        try await table.putItem(built)
        let stored = try #require(try await table.getItem(["PK": "P", "SK": "1"]))
        for item in [built, stored] {
            #expect(item.values(named: ["z", "missing", "PK", "m", "z", "B"]) == [.s("last"), nil, .s("P"), .m(["x": 1]), .s("last"), .s("capital")])
            #expect(item.values(named: []) == [])
        }
    }
}

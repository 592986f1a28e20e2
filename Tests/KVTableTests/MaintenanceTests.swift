import Foundation
import Testing
@testable import KVTable

@Suite("Schema changes, statistics, verification, backup")
struct MaintenanceTests {
    static let byCity = GlobalSecondaryIndex(
        name: "ByCity", keySchema: KeySchema(partitionKey: KeyAttribute("city", .string), sortKey: KeyAttribute("age", .number)))

    static func people(_ table: Table) async throws {
        try await table.putItem(["PK": "U#1", "SK": "P", "city": "Oslo", "age": 30])
        try await table.putItem(["PK": "U#2", "SK": "P", "city": "Oslo", "age": 25])
        try await table.putItem(["PK": "U#3", "SK": "P", "city": "Rome"])            // no sort key: not indexed
        try await table.putItem(["PK": "U#4", "SK": "P", "city": "Rome", "age": "old"])  // wrong type: left out
    }

    @Test("adding an index backfills it; writes then maintain it; removing it drops its entries", arguments: Backend.allCases)
    func addAndRemoveIndex(backend: Backend) async throws {
        let fixture = try TestStore(backend)
        let table = try await fixture.singleTable()
        try await Self.people(table)
        try await fixture.store.updateTable("App", .create(Self.byCity))
        #expect(table.schema.index(named: "ByCity") != nil)     // an existing handle sees it
        var oslo = try await table.query(Query(indexName: "ByCity", partitionKey: "Oslo"))
        #expect(oslo.items.map { $0["PK"] } == ["U#2", "U#1"])
        #expect(try await table.query(Query(indexName: "ByCity", partitionKey: "Rome")).items.isEmpty)
        // A write after the change maintains the new index.
        try await table.putItem(["PK": "U#5", "SK": "P", "city": "Oslo", "age": 40])
        await #expect(throws: KVTableError.self) { try await table.putItem(["PK": "U#6", "SK": "P", "city": "Oslo", "age": "x"]) }
        oslo = try await table.query(Query(indexName: "ByCity", partitionKey: "Oslo"))
        #expect(oslo.items.map { $0["PK"] } == ["U#2", "U#1", "U#5"])
        #expect(try table.verifyIndexes().isEmpty)

        #expect(await validationMessage { try await fixture.store.updateTable("App", .create(Self.byCity)) }
            == "Attempting to create an index which already exists")
        let clash = GlobalSecondaryIndex(name: "Clash", keySchema: KeySchema(partitionKey: KeyAttribute("city", .number)))
        #expect(await validationMessage { try await fixture.store.updateTable("App", .create(clash)) }?
            .contains("declared with two different types") == true)

        try await fixture.store.updateTable("App", .delete("ByCity"))
        #expect(table.schema.index(named: "ByCity") == nil)
        #expect(await validationMessage { _ = try await table.query(Query(indexName: "ByCity", partitionKey: "Oslo")) }
            == "The table does not have the specified index: ByCity")
        await #expect(throws: KVTableError.resourceNotFound("Requested resource not found: Requested index ByCity not found for table App")) {
            try await fixture.store.updateTable("App", .delete("ByCity"))
        }
        #expect(try table.verifyIndexes().isEmpty)
    }

    @Test("index changes and tags survive reopening the file")
    func persistence() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("s.kvt").path
        do {
            let store = try KVStore.open(path: path, configuration: .forTests)
            let table = try await store.createTable(.singleTable(name: "App"))
            try await Self.people(table)
            try await store.updateTable("App", .create(Self.byCity))
            try await store.tagTable("App", ["team": "core", "env": "test"])
            try await store.untagTable("App", keys: ["env", "absent"])
            try await store.updateTableMetadata("App", ["mode": "fast", "gone": "x"])
            try await store.updateTableMetadata("App", ["gone": nil])
            store.close()
        }
        let store = try KVStore.open(path: path, configuration: .forTests)
        defer { store.close() }
        let table = try store.table("App")
        #expect(table.tags == ["team": "core"])
        #expect(table.metadata == ["mode": "fast"])
        #expect(table.creationDate != nil)
        #expect(try await table.query(Query(indexName: "ByCity", partitionKey: "Oslo")).count == 2)
    }

    @Test("tags follow DynamoDB's rules, all or nothing", arguments: Backend.allCases)
    func tagRules(backend: Backend) async throws {
        let fixture = try TestStore(backend)
        let table = try await fixture.singleTable()
        let store = fixture.store
        // Letters, digits and spaces of any script and + - = . _ : / @ are allowed; an empty value too.
        try await store.tagTable(table.name, ["ключ 表": "a+b-c=d.e_f:g/h@i", "empty": "", String(repeating: "k", count: 128): "v"])
        let refused: [([String: String], String)] = [
            (["ok": "x", "": "v"], "The Tag Key provided is invalid, Key: "),
            (["ok": "x", "100%": "v"], "The Tag Key provided is invalid, Key: 100%"),
            (["ok": "x", "k": "a,b"], "The Tag Value provided is invalid, Value: a,b"),
            (["ok": "x", "k": "🔑"], "The Tag Value provided is invalid, Value: 🔑"),
            (["ok": "x", "aws:zzz": "v"], "Tag Key cannot be prefixed with aws:, Key: aws:zzz"),
            (["ok": "x", String(repeating: "k", count: 129): "v"], "The Tag Key provided is invalid, Key: " + String(repeating: "k", count: 129)),
            (["ok": "x", "k": String(repeating: "v", count: 257)], "The Tag Value provided is invalid, Value: " + String(repeating: "v", count: 257)),
            ([:], "Atleast one Tag needs to be provided as Input."),
            (Dictionary(uniqueKeysWithValues: (0..<48).map { ("t\($0)", "v") }), "Number of Tags exceed the current limit for the provided ResourceArn"),
        ]
        for (tags, message) in refused {
            await #expect(throws: KVTableError.validation(message)) { try await store.tagTable(table.name, tags) }
        }
        await #expect(throws: KVTableError.validation("Atleast one Tag Key needs to be provided as Input.")) {
            try await store.untagTable(table.name, keys: [])
        }
        await #expect(throws: KVTableError.validation("The Tag Key provided is invalid, Key: ")) {
            try await store.untagTable(table.name, keys: ["empty", ""])
        }
        // Nothing of a refused request was applied.
        #expect(try store.table(table.name).tags.keys.sorted() == ["empty", String(repeating: "k", count: 128), "ключ 表"])
    }

    @Test("a page ends once its bytes reach the maximum, and resuming continues exactly", arguments: Backend.allCases)
    func pageBytes(backend: Backend) async throws {
        let fixture = try TestStore(backend)
        let table = try await fixture.singleTable()
        let filler = String(repeating: "x", count: 1000)
        for i in 0..<20 {
            try await table.putItem(["PK": "P", "SK": .s(String(format: "%02d", i)), "data": .s(filler)])
        }
        var query = Query(partitionKey: "P", maximumPageBytes: 5000)
        var seen: [AttributeValue?] = []
        var pages = 0
        repeat {
            let page = try await table.query(query)
            #expect(page.items.count <= 5)
            seen += page.items.map { $0["SK"] }
            pages += 1
            query.startAfter = page.nextCursor
        } while query.startAfter != nil
        #expect(seen == (0..<20).map { .s(String(format: "%02d", $0)) })
        // Four full pages, the last ending exactly at the end, and the empty page its cursor
        // leads to (DynamoDB does not look past a full page either).
        #expect(pages == 5)
    }

    @Test("statistics count items, bytes and index entries", arguments: Backend.allCases)
    func statistics(backend: Backend) async throws {
        let fixture = try TestStore(backend)
        let table = try await fixture.singleTable()
        try await fixture.store.updateTimeToLive(table: "App", attribute: "expires")
        try await table.putItem(["PK": "A", "SK": "1", "GSI1PK": "g", "GSI1SK": "1", "expires": 4_000_000_000])
        try await table.putItem(["PK": "A", "SK": "2", "GSI1PK": "g"])
        let stats = try table.statistics()
        #expect(stats.itemCount == 2)
        #expect(stats.itemBytes == (["PK": "A", "SK": "1", "GSI1PK": "g", "GSI1SK": "1", "expires": 4_000_000_000] as Item).dynamoDBItemSize
                + (["PK": "A", "SK": "2", "GSI1PK": "g"] as Item).dynamoDBItemSize)
        #expect(stats.indexEntryCounts == ["GSI1": 1, "GSI2": 0, "GSI3": 0, "GSI7": 0])
        #expect(stats.expiryEntryCount == 1)
        #expect((fixture.store.fileSizes() != nil) == (backend == .lmdb))
    }

    @Test("verification finds missing, orphaned and stale index entries", arguments: Backend.allCases)
    func verification(backend: Backend) async throws {
        let fixture = try TestStore(backend)
        let table = try await fixture.singleTable()
        try await fixture.store.updateTimeToLive(table: "App", attribute: "expires")
        for i in 0..<5 {
            try await table.putItem(["PK": .s("U#\(i)"), "SK": "P", "GSI1PK": "all", "GSI1SK": .s("\(i)"), "expires": 4_000_000_000])
        }
        // Keys past LMDB's 511-byte limit are stored mapped; verification sees the logical keys.
        let long = String(repeating: "k", count: 1500)
        let longSort = String(repeating: "s", count: 1000)
        try await table.putItem(["PK": .s(long), "SK": .s(longSort), "GSI1PK": .s(long), "GSI1SK": .s(longSort), "expires": 4_000_000_000])
        #expect(try table.verifyIndexes().isEmpty)
        try await corruptIndex(of: table)
        let problems = try table.verifyIndexes()
        #expect(Set(problems.map { "\($0.index) \($0.kind) \($0.key["PK"]?.stringValue ?? "")" })
            == ["GSI1 missing U#1", "GSI1 orphaned GHOST", "GSI1 stale U#2", "(TTL) missing U#3"])
    }

    @Test("backup writes a compacted copy that opens with the same data")
    func backup() async throws {
        let fixture = try TestStore(.lmdb)
        let table = try await fixture.singleTable()
        for i in 0..<100 { try await table.putItem(["PK": .s("U#\(i)"), "SK": "P", "GSI1PK": "g", "GSI1SK": .s("\(i)")]) }
        for i in 0..<50 { try await table.deleteItem(["PK": .s("U#\(i)"), "SK": "P"]) }
        let copy = fixture.directory!.appendingPathComponent("copy.kvt").path
        try fixture.store.backup(to: copy)
        #expect(validationMessage { try fixture.store.backup(to: copy) } == "The backup file already exists: \(copy)")
        let restored = try KVStore.open(path: copy, configuration: .forTests)
        defer { restored.close() }
        let copied = try restored.table("App")
        #expect(try copied.statistics().itemCount == 50)
        #expect(try copied.verifyIndexes().isEmpty)
        #expect(try await copied.query(Query(indexName: "GSI1", partitionKey: "g")).count == 50)
        #expect(validationMessage { try KVStore.inMemory().backup(to: copy + "2") }
            == "Only an LMDB store can be backed up to a file; this store is in memory")
    }
}

/// Damages `table`'s indexes behind its back: deletes U#1's GSI1 entry and U#3's expiry entry,
/// rewrites U#2's GSI1 entry with other contents, and adds an entry for an item that does not exist.
func corruptIndex(of table: Table) async throws {
    let layout = table.layout
    let gsi1 = try layout.index(named: "GSI1")
    @Sendable func item(_ i: Int) -> Item {
        ["PK": .s("U#\(i)"), "SK": "P", "GSI1PK": "all", "GSI1SK": .s("\(i)"), "expires": 4_000_000_000]
    }
    let ghost: Item = ["PK": "GHOST", "SK": "P", "GSI1PK": "all", "GSI1SK": "9"]
    try await table.context.storage.write { writer in
        _ = try writer.delete(layout.indexKey(of: item(1), in: gsi1)!)
        try writer.put(ItemCodec.encode(["PK": "U#2", "SK": "P", "changed": true]), forKey: layout.indexKey(of: item(2), in: gsi1)!)
        _ = try writer.delete(layout.expiryKey(of: item(3), ttlAttribute: "expires")!)
        try writer.put(ItemCodec.encode(ghost), forKey: layout.indexKey(of: ghost, in: gsi1)!)
    }
}

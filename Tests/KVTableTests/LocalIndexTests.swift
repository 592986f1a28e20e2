import Foundation
import Testing
@testable import KVTable

/// Local secondary indexes in the schema and the local engine (their reads on every engine are
/// in KVTableRemoteTests' LocalIndexConformanceTests).
@Suite("Local secondary indexes")
struct LocalIndexTests {
    static let key = KeySchema(partitionKey: KeyAttribute("PK", .string), sortKey: KeyAttribute("SK", .string))

    static func schema(_ indexes: [LocalSecondaryIndex], key: KeySchema = LocalIndexTests.key,
                       global: [GlobalSecondaryIndex] = []) -> TableSchema {
        TableSchema(name: "Files", keySchema: key, globalSecondaryIndexes: global, localSecondaryIndexes: indexes)
    }

    static let byDate = LocalSecondaryIndex(name: "ByDate", sortKey: KeyAttribute("date", .string))

    @Test("CreateTable's rules for local indexes, with DynamoDB's messages")
    func schemaRules() throws {
        func message(_ schema: TableSchema) -> String? {
            do {
                try schema.validate()
                return nil
            } catch {
                guard case .validation(let text) = error else { return "\(error)" }
                return text
            }
        }
        #expect(message(Self.schema([Self.byDate])) == nil)
        // An index identical to the table's key is allowed (DynamoDB allows it too).
        #expect(message(Self.schema([LocalSecondaryIndex(name: "Same", sortKey: KeyAttribute("SK", .string))])) == nil)
        #expect(message(Self.schema([Self.byDate], key: KeySchema(partitionKey: KeyAttribute("PK", .string)))) ==
                "One or more parameter values were invalid: Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex")
        let six = (1...6).map { LocalSecondaryIndex(name: "Index\($0)", sortKey: KeyAttribute("a\($0)", .string)) }
        #expect(message(Self.schema(six)) ==
                "One or more parameter values were invalid: Number of LocalSecondaryIndexes exceeds per-table limit of 5")
        let global = GlobalSecondaryIndex(name: "ByDate", keySchema: KeySchema(partitionKey: KeyAttribute("g", .string)))
        #expect(message(Self.schema([Self.byDate], global: [global])) ==
                "One or more parameter values were invalid: Duplicate index name: ByDate")
        #expect(message(Self.schema([LocalSecondaryIndex(name: "Odd", sortKey: KeyAttribute("PK", .string))]))?
            .hasPrefix("Invalid KeySchema") == true)
        #expect(message(Self.schema([LocalSecondaryIndex(name: "Typed", sortKey: KeyAttribute("SK", .number))]))?
            .contains("declared with two different types") == true)
        #expect(message(Self.schema([LocalSecondaryIndex(name: "X", sortKey: KeyAttribute("date", .string))]))?
            .contains("indexName") == true)
        #expect(message(Self.schema([LocalSecondaryIndex(name: "Twice", sortKey: KeyAttribute("d", .string),
                                                         projection: .include(["a", "b", "a"]))])) ==
                "One or more parameter values were invalid: Duplicate element in NonKeyAttributes: a")
        // The 100 projected attributes are summed over every secondary index.
        let wide = (1...2).map { n in
            LocalSecondaryIndex(name: "Wide\(n)", sortKey: KeyAttribute("w\(n)", .string),
                                projection: .include((1...60).map { "attribute\($0)" }))
        }
        #expect(message(Self.schema(wide))?.contains("limit of 100") == true)
    }

    @Test("a local index cannot be deleted or added after the table is created", arguments: Backend.allCases)
    func fixedAtCreation(backend: Backend) async throws {
        let fixture = try TestStore(backend)
        _ = try await fixture.store.createTable(Self.schema([Self.byDate]))
        await #expect(throws: KVTableError.validation("Cannot delete an index that is not a GlobalSecondaryIndex: ByDate")) {
            try await fixture.store.updateTable("Files", .delete("ByDate"))
        }
        let clash = GlobalSecondaryIndex(name: "ByDate", keySchema: KeySchema(partitionKey: KeyAttribute("g", .string)))
        await #expect(throws: KVTableError.self) { try await fixture.store.updateTable("Files", .create(clash)) }
        #expect(try fixture.store.table("Files").schema.localSecondaryIndexes == [Self.byDate])
    }

    @Test("a local index survives reopening the store, and is checked by verify")
    func persists() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("store.kvt").path
        do {
            let store = try KVStore.open(path: path, configuration: .forTests)
            let table = try await store.createTable(Self.schema([Self.byDate]))
            try await table.putItem(["PK": "U", "SK": "2", "date": "b"])
            try await table.putItem(["PK": "U", "SK": "1", "date": "c"])
            store.close()
        }
        let store = try KVStore.open(path: path, configuration: .forTests)
        defer { store.close() }
        let table = try store.table("Files")
        #expect(table.schema.localSecondaryIndexes == [Self.byDate])
        let page = try await table.query(Query(indexName: "ByDate", partitionKey: "U"))
        #expect(page.items.map { $0["SK"] } == ["2", "1"])
        #expect(try table.verifyIndexes().isEmpty)
    }

    @Test("a catalog written before local indexes existed still opens")
    func decodesOlderSchemas() throws {
        let json = #"{"name":"Old","keySchema":{"partitionKey":{"name":"PK","type":"S"}},"globalSecondaryIndexes":[]}"#
        let schema = try JSONDecoder().decode(TableSchema.self, from: Data(json.utf8))
        #expect(schema.localSecondaryIndexes.isEmpty)
        #expect(schema.name == "Old")
        let roundTrip = try JSONDecoder().decode(TableSchema.self, from: JSONEncoder().encode(Self.schema([Self.byDate])))
        #expect(roundTrip == Self.schema([Self.byDate]))
    }

    @Test("forEachItem visits a local index's table items when asked for every attribute", arguments: Backend.allCases)
    func visitsTableItems(backend: Backend) async throws {
        let fixture = try TestStore(backend)
        let index = LocalSecondaryIndex(name: "ByDate", sortKey: KeyAttribute("date", .string), projection: .keysOnly)
        let table = try await fixture.store.createTable(Self.schema([index]))
        try await table.putItem(["PK": "U", "SK": "1", "date": "b", "note": "one"])
        try await table.putItem(["PK": "U", "SK": "2", "date": "a", "note": "two"])
        var notes: [String?] = []
        var all = Query(indexName: "ByDate", partitionKey: "U")
        all.allAttributes = true
        try table.read { reader in
            try reader.forEachItem(all) { notes.append($0["note"]?.stringValue) }
        }
        #expect(notes == ["two", "one"])
        notes = []
        try table.read { reader in
            try reader.forEachItem(Query(indexName: "ByDate", partitionKey: "U")) { notes.append($0["note"]?.stringValue) }
        }
        #expect(notes == [nil, nil])
    }
}

/// DynamoDB's 10 GB item-collection limit, tested with a limit of 700 bytes.
@Suite("Item collections of tables with local indexes")
struct ItemCollectionTests {
    static let limit = 700

    static func store(_ backend: Backend) throws -> (KVStore, URL?) {
        switch backend {
        case .memory:
            return (KVStore.inMemory(time: SystemTimeSource(), itemCollectionSizeLimit: limit), nil)
        case .lmdb:
            let directory = try makeTemporaryDirectory()
            let store = try KVStore.open(path: directory.appendingPathComponent("store.kvt").path, configuration: .forTests,
                                         time: SystemTimeSource(), itemCollectionSizeLimit: limit)
            return (store, directory)
        }
    }

    /// 114 bytes as DynamoDB counts it (109 without `date`); with its entry in ByDate (the
    /// whole item again, plus 100) 328.
    static func item(_ partition: String, _ sort: String, date: String? = "a") -> Item {
        var item: Item = ["PK": .s(partition), "SK": .s(sort), "pad": .s(String(repeating: "x", count: 100))]
        if let date { item["date"] = .s(date) }
        return item
    }

    static func size(_ table: Table, _ partition: String) throws -> Int? {
        try table.read { try $0.itemCollectionSize(.s(partition)) }
    }

    @Test("a write that would grow a collection past the limit is refused and changes nothing", arguments: Backend.allCases)
    func limit(backend: Backend) async throws {
        let (store, directory) = try Self.store(backend)
        defer {
            store.close()
            if let directory { try? FileManager.default.removeItem(at: directory) }
        }
        let table = try await store.createTable(LocalIndexTests.schema([LocalIndexTests.byDate]))
        try await table.putItem(Self.item("U", "1"))
        #expect(try Self.size(table, "U") == 328)
        try await table.putItem(Self.item("U", "2"))
        #expect(try Self.size(table, "U") == 656)
        await #expect(throws: KVTableError.self) { try await table.putItem(Self.item("U", "3")) }
        do {
            try await table.putItem(Self.item("U", "3"))
        } catch KVTableError.itemCollectionSizeLimitExceeded(let message) {
            #expect(message.hasPrefix("Item collection size limit exceeded"))
        }
        #expect(try await table.getItem(["PK": "U", "SK": "3"]) == nil)
        #expect(try await table.query(Query(indexName: "ByDate", partitionKey: "U")).count == 2)
        #expect(try Self.size(table, "U") == 656)
        // Another partition is another collection; an item outside every local index counts itself.
        try await table.putItem(Self.item("V", "1", date: nil))
        #expect(try Self.size(table, "V") == 109)
        // Growing an item fails, shrinking one succeeds; a delete frees its bytes.
        await #expect(throws: KVTableError.self) {
            try await table.updateItem(["PK": "U", "SK": "1"], [.set("more", .value(.s(String(repeating: "y", count: 60))))])
        }
        try await table.updateItem(["PK": "U", "SK": "1"], [.remove("date")])
        #expect(try Self.size(table, "U") == 109 + 328)
        try await table.deleteItem(["PK": "U", "SK": "2"])
        #expect(try Self.size(table, "U") == 109)
        // Batches and bulk writes count too: one item over the limit undoes the whole batch.
        await #expect(throws: KVTableError.self) {
            try await table.batchWrite([.put(Self.item("U", "4")), .put(Self.item("U", "5")), .put(Self.item("W", "1"))])
        }
        #expect(try await table.getItem(["PK": "W", "SK": "1"]) == nil)
        await #expect(throws: KVTableError.self) {
            try await store.write { tx in try tx.putItems(table, [Self.item("U", "6"), Self.item("U", "7")]) }
        }
        #expect(try Self.size(table, "U") == 109)
        // A transaction names the action that would grow the collection, as DynamoDB does.
        try await table.putItem(Self.item("U", "8"))
        do {
            try await store.transactWrite([.put(table, Self.item("V", "2")), .put(table, Self.item("U", "9"))])
            Issue.record("the transaction should have been cancelled")
        } catch KVTableError.transactionCanceled(let reasons) {
            #expect(reasons.map(\.code) == ["None", "ItemCollectionSizeLimitExceeded"])
            guard case .itemCollectionSizeLimitExceeded(let message) = reasons[1] else { return }
            #expect(message.hasSuffix("would hold 765 bytes, more than 700"))
        }
        #expect(try Self.size(table, "V") == 109)
        #expect(try Self.size(table, "U") == 437)
        #expect(try table.verifyIndexes().isEmpty)   // the sizes kept are the items' sizes
        let sizeKey = try #require(table.layout.collectionSizeKey(of: ["PK": "U"]))
        try await store.storage.write { writer in try writer.put(withUnsafeBytes(of: UInt64(5).bigEndian) { Array($0) }, forKey: sizeKey) }
        #expect(try table.verifyIndexes().map(\.description) == ["Files / (item collections): stale entry for {PK=\(AttributeValue.s("U"))}"])
        // Tables without local indexes keep no collections.
        let plain = try await store.createTable(.singleTable(name: "App"))
        #expect(try plain.read { try $0.itemCollectionSize("U") } == nil)
        // A partition key of the wrong type is refused, not answered as an empty collection.
        #expect(throws: KVTableError.validation("The provided key element does not match the schema")) {
            try table.read { try $0.itemCollectionSize(.n("1")) }
        }
    }
}

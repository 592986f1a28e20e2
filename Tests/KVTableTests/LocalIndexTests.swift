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

import Foundation
import Testing
@testable import KVTable

@Suite("Stores and tables")
struct StoreTests {
    @Test("Several tables in one store: create, list, delete; handles of a deleted table fail", arguments: Backend.allCases)
    func tableLifecycle(backend: Backend) async throws {
        let fixture = try TestStore(backend)
        let store = fixture.store
        let app = try await store.createTable(.singleTable(name: "App"))
        let other = try await store.createTable(TableSchema(name: "Other", keySchema: KeySchema(partitionKey: KeyAttribute("PK", .string), sortKey: KeyAttribute("SK", .string))))
        #expect(store.tableNames() == ["App", "Other"])
        try await app.putItem(["PK": "P", "SK": "S", "from": "app", "GSI1PK": "G", "GSI1SK": "1"])
        try await other.putItem(["PK": "P", "SK": "S", "from": "other"])
        #expect(try await app.getItem(["PK": "P", "SK": "S"])?["from"] == "app")
        #expect(try await other.getItem(["PK": "P", "SK": "S"])?["from"] == "other")

        try await store.deleteTable("App")
        #expect(store.tableNames() == ["Other"])
        await #expect(throws: KVTableError.resourceNotFound("Requested resource not found: Table: App not found")) {
            try await app.getItem(["PK": "P", "SK": "S"])
        }
        await #expect(throws: KVTableError.resourceNotFound("Requested resource not found: Table: App not found")) {
            try await app.putItem(["PK": "P", "SK": "S"])
        }
        // A new table with the old name starts empty, indexes included.
        let again = try await store.createTable(.singleTable(name: "App"))
        #expect(try await again.scan().count == 0)
        #expect(try await again.scan(Scan(indexName: "GSI1")).count == 0)
        #expect(try await other.scan().count == 1)
        #expect(try store.table("Other").schema == other.schema)
    }

    @Test("Reopening an LMDB store restores its tables, indexes and items")
    func reopen() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("app.kvt").path
        do {
            let store = try KVStore.open(path: path, configuration: .forTests)
            let table = try await store.createTable(.singleTable(name: "App"))
            _ = try await store.createTable(TableSchema(name: "Numbers", keySchema: KeySchema(partitionKey: KeyAttribute("n", .number))))
            try await table.putItem(["PK": "USER#1", "SK": "PROFILE", "GSI3PK": "USERS", "GSI3SK": "1", "n": try .number("0.1")])
            store.close()
            await #expect(throws: KVTableError.storage("The store is closed")) {
                try await table.putItem(["PK": "USER#2", "SK": "PROFILE"])
            }
        }
        let store = try KVStore.open(path: path, configuration: .forTests)
        defer { store.close() }
        #expect(store.tableNames() == ["App", "Numbers"])
        let table = try store.table("App")
        #expect(table.schema == .singleTable(name: "App"))
        #expect(try await table.getItem(["PK": "USER#1", "SK": "PROFILE"])?["n"] == .number("0.1"))
        #expect(try await table.query(Query(indexName: "GSI3", partitionKey: "USERS")).count == 1)
        // Keyspaces keep counting after reopen: a new table does not see old data.
        let fresh = try await store.createTable(.singleTable(name: "Fresh"))
        #expect(try await fresh.scan().count == 0)
    }

    @Test("Store files are owner-only; one file cannot be opened twice in a process")
    func filesAndExclusiveOpen() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("app.kvt").path
        let store = try KVStore.open(path: path, configuration: .forTests)
        for file in [path, path + "-lock"] {
            let permissions = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
            #expect(permissions == 0o600, "\(file)")
        }
        #expect(throws: KVTableError.self) {
            try KVStore.open(path: directory.appendingPathComponent("./app.kvt").path)
        }
        store.close()
        let again = try KVStore.open(path: path, configuration: .forTests)
        again.close()
        #expect(throws: KVTableError.storage("The directory of the store path does not exist: /nonexistent-kvtable")) {
            try KVStore.open(path: "/nonexistent-kvtable/x.kvt")
        }
    }

    @Test("The map grows by itself far past its initial size (LMDB starts at 1 MiB here)", arguments: Backend.allCases)
    func mapGrowth(backend: Backend) async throws {
        var configuration = LMDBConfiguration.forTests
        configuration.initialMapSize = 1 << 20   // 1 MiB
        let fixture = try TestStore(backend, configuration: configuration)
        let store = fixture.store
        let table = try await store.createTable(.singleTable(name: "App"))
        let payload = AttributeValue.s(String(repeating: "x", count: 4000))
        // ~24 MiB of items, index entries included, in writes of several sizes, with readers running.
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for n in 0..<100 {
                    _ = try await table.query(Query(partitionKey: "USER", limit: 5))
                    _ = n
                    await Task.yield()
                }
            }
            for batch in 0..<30 {
                group.addTask {
                    for n in 0..<100 {
                        try await table.putItem(["PK": "USER", "SK": .s("\(batch)-\(n)"), "data": payload,
                                                 "GSI1PK": "ALL", "GSI1SK": .s("\(batch)-\(n)")])
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try await table.query(Query(partitionKey: "USER", countOnly: true)).count == 3000)
        #expect(try await table.query(Query(indexName: "GSI1", partitionKey: "ALL", countOnly: true)).count == 3000)
        if let storage = store.storage as? LMDBStorage {
            #expect(storage.mapInfo().mapSize >= 16 << 20)
        }
    }
}

import Foundation
import Testing
@testable import KVTable

/// Every bad input gets its own error and leaves the store as it was.
@Suite("Bad inputs")
struct ValidationTests {
    static let good: Item = ["PK": "P", "SK": "S", "v": 1, "GSI1PK": "G", "GSI1SK": "1"]

    static let badPuts: [(String, Item, String)] = [
        ("missing partition key", ["SK": "S"], "One or more parameter values were invalid: Missing the key PK in the item"),
        ("missing sort key", ["PK": "P"], "One or more parameter values were invalid: Missing the key SK in the item"),
        ("wrong key type", ["PK": 1, "SK": "S"], "One or more parameter values were invalid: Type mismatch for key PK expected: S actual: N"),
        ("empty partition key", ["PK": "", "SK": "S"], "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: PK"),
        ("empty sort key", ["PK": "P", "SK": ""], "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: SK"),
        ("empty string set", ["PK": "P", "SK": "S", "s": .ss([])], "One or more parameter values were invalid: An string set  may not be empty"),
        ("empty number set", ["PK": "P", "SK": "S", "s": .ns([])], "One or more parameter values were invalid: An number set  may not be empty"),
        ("empty binary set", ["PK": "P", "SK": "S", "s": .bs([])], "One or more parameter values were invalid: An binary set  may not be empty"),
        ("duplicate set elements", ["PK": "P", "SK": "S", "s": .ss(["a", "a"])], "Input collection [\"a\", \"a\"] contains duplicates."),
        ("duplicate numbers by value", ["PK": "P", "SK": "S", "s": .ns([1, ExactDecimal("1.0")])], "Input collection [\"1\", \"1\"] contains duplicates."),
        ("nested empty set", ["PK": "P", "SK": "S", "m": ["inner": .ss([])]], "One or more parameter values were invalid: An string set  may not be empty"),
        ("item too large", ["PK": "P", "SK": "S", "big": .s(String(repeating: "x", count: 400 * 1024))], "Item size has exceeded the maximum allowed size"),
        ("nesting too deep", ["PK": "P", "SK": "S", "deep": ValidationTests.nested(33)],
         "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit"),
    ]

    static func nested(_ depth: Int) -> AttributeValue {
        depth == 0 ? "leaf" : .l([nested(depth - 1)])
    }

    @Test("Bad items are rejected and change nothing", arguments: Backend.allCases)
    func badPuts(backend: Backend) async throws {
        let fixture = try TestStore(backend)
        let table = try await fixture.singleTable()
        try await table.putItem(Self.good)
        for (name, item, message) in Self.badPuts {
            await #expect(throws: KVTableError.validation(message), "\(name)") {
                try await table.putItem(item)
            }
        }
        // Distinct composed / decomposed strings are *not* duplicates, as in DynamoDB.
        try await table.putItem(["PK": "P", "SK": "T", "s": .ss(["\u{E9}", "e\u{301}"])])
        try await table.deleteItem(["PK": "P", "SK": "T"])
        // Nesting of exactly 32 levels is fine.
        try await table.putItem(["PK": "P", "SK": "U", "deep": Self.nested(31)])
        try await table.deleteItem(["PK": "P", "SK": "U"])
        #expect(try await table.scan().items == [Self.good])
        #expect(try await table.scan(Scan(indexName: "GSI1")).items == [Self.good])
    }

    @Test("Bad keys for get and delete", arguments: Backend.allCases)
    func badKeys(backend: Backend) async throws {
        let fixture = try TestStore(backend)
        let table = try await fixture.singleTable()
        try await table.putItem(Self.good)
        let mismatched: [Item] = [["PK": "P"], ["PK": "P", "SK": "S", "v": 1], ["PK": "P", "SK": 1], ["SK": "S", "X": "P"]]
        for key in mismatched {
            await #expect(throws: KVTableError.validation("The provided key element does not match the schema")) {
                try await table.getItem(key)
            }
            await #expect(throws: KVTableError.validation("The provided key element does not match the schema")) {
                try await table.deleteItem(key)
            }
        }
        await #expect(throws: KVTableError.validation("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: SK")) {
            try await table.getItem(["PK": "P", "SK": ""])
        }
        #expect(try await table.scan().items == [Self.good])
    }

    @Test("Bad schemas, unknown and duplicate tables", arguments: Backend.allCases)
    func badSchemas(backend: Backend) async throws {
        let fixture = try TestStore(backend)
        let store = fixture.store
        let key = KeySchema(partitionKey: KeyAttribute("id", .string))
        await #expect(throws: KVTableError.validation("1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3")) {
            try await store.createTable(TableSchema(name: "ab", keySchema: key))
        }
        await #expect(throws: KVTableError.validation("1 validation error detected: Value 'bad name' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+")) {
            try await store.createTable(TableSchema(name: "bad name", keySchema: key))
        }
        await #expect(throws: KVTableError.validation("2 validation errors detected: Value 'x!' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; Value 'x!' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3")) {
            try await store.createTable(TableSchema(name: "x!", keySchema: key))
        }
        await #expect(throws: KVTableError.validation("One or more parameter values were invalid: Attribute id is declared with two different types: S and N")) {
            try await store.createTable(TableSchema(name: "Clash", keySchema: key, globalSecondaryIndexes: [
                GlobalSecondaryIndex(name: "ById", keySchema: KeySchema(partitionKey: KeyAttribute("id", .number)))]))
        }
        await #expect(throws: KVTableError.validation("One or more parameter values were invalid: Duplicate index name: Twice")) {
            try await store.createTable(TableSchema(name: "Dupes", keySchema: key, globalSecondaryIndexes: [
                GlobalSecondaryIndex(name: "Twice", keySchema: KeySchema(partitionKey: KeyAttribute("a", .string))),
                GlobalSecondaryIndex(name: "Twice", keySchema: KeySchema(partitionKey: KeyAttribute("b", .string)))]))
        }
        #expect(store.tableNames().isEmpty)
        _ = try await store.createTable(TableSchema(name: "Users", keySchema: key))
        await #expect(throws: KVTableError.resourceInUse("Table already exists: Users")) {
            try await store.createTable(TableSchema(name: "Users", keySchema: key))
        }
        #expect(throws: KVTableError.resourceNotFound("Requested resource not found: Table: Nope not found")) {
            try store.table("Nope")
        }
        await #expect(throws: KVTableError.resourceNotFound("Requested resource not found: Table: Nope not found")) {
            try await store.deleteTable("Nope")
        }
        // A name no table could have is invalid before it is unknown.
        #expect(throws: KVTableError.validation("1 validation error detected: Value 'a/b' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+")) {
            try store.table("a/b")
        }
        await #expect(throws: KVTableError.validation("1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3")) {
            try await store.deleteTable("ab")
        }
    }
}

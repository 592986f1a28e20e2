import Foundation
import KVTable
import Testing

/// `DYNAMODB-SEMANTICS.md`, checked through expression strings on LMDB, in memory, and on the
/// remote engine against KVTable's server (parsed here, printed by the remote engine, parsed
/// again by the server): what a parsed expression does to real items, with DynamoDB's exact
/// messages. Not on moto: its validation messages are worded differently (the behaviours it
/// shares run on it in `EngineConformanceTests`).
@Suite("Expression strings: DynamoDB semantics")
struct ExpressionSemanticsTests {
    static let engines: [Engine] = [.lmdb, .memory, .remote]

    static let item: Item = [
        "PK": "U#1", "SK": "P", "title": "héllo", "n": 5, "flag": true, "nothing": nil,
        "tags": .ss(["swift", "lmdb"]), "nums": .ns([1, 2]), "stuff": ["a", 3], "bytes": .b(Data([1, 2, 3])),
        "doc": ["inner": "x"],
    ]

    static func fixture(_ fixture: EngineFixture) async throws -> any ItemTable {
        let table = try await fixture.createTable(.singleTable(name: "Semantics"))
        try await table.putItem(item)
        return table
    }

    /// Whether `expression` holds for the stored item, as a put condition.
    static func holds(_ table: any ItemTable, _ expression: String, _ values: [String: AttributeValue] = [:]) async throws -> Bool {
        let condition = try Condition(expression: expression, values: values)
        do {
            try await table.putItem(item, condition: condition)
            return true
        } catch KVTableError.conditionalCheckFailed {
            return false
        }
    }

    @Test("functions: begins_with, contains, size, attribute_type; different types compare false", arguments: engines)
    func functions(engine: Engine) async throws {
        try await withEngine(engine) { fixture in
            let table = try await Self.fixture(fixture)
            #expect(try await Self.holds(table, "begins_with(title, :p)", [":p": "hé"]))
            #expect(try await Self.holds(table, "begins_with(bytes, :p)", [":p": .b(Data([1, 2]))]))
            #expect(try await !Self.holds(table, "begins_with(n, :p)", [":p": "5"]))
            #expect(try await Self.holds(table, "contains(title, :s)", [":s": "éll"]))
            #expect(try await Self.holds(table, "contains(tags, :s)", [":s": "lmdb"]))
            #expect(try await Self.holds(table, "contains(nums, :n)", [":n": 2]))
            #expect(try await Self.holds(table, "contains(stuff, :n)", [":n": 3]))
            #expect(try await !Self.holds(table, "contains(stuff, :s)", [":s": "3"]))
            #expect(try await Self.holds(table, "size(title) = :n", [":n": 6]))         // UTF-8 bytes
            #expect(try await Self.holds(table, "size(tags) = :n AND size(stuff) = :n AND size(doc) < :n", [":n": 2]))
            #expect(try await Self.holds(table, "size(bytes) = :n", [":n": 3]))
            #expect(try await !Self.holds(table, "size(n) >= :zero OR size(flag) >= :zero OR size(nothing) >= :zero", [":zero": 0]))
            #expect(try await Self.holds(table, "attribute_type(tags, :ss) AND attribute_type(nothing, :null)", [":ss": "SS", ":null": "NULL"]))
            #expect(try await !Self.holds(table, "n = :s", [":s": "5"]))
            #expect(try await !Self.holds(table, "n < :s OR n > :s", [":s": "5"]))
            #expect(try await Self.holds(table, "n <> :s", [":s": "5"]))
            // Stored bytes decide: the decomposed "é" is a different string.
            #expect(try await !Self.holds(table, "title = :t", [":t": "he\u{301}llo"]))
            #expect(try await Self.holds(table, "n = :a AND n = :b", [":a": num("5.0"), ":b": num("5e0")]))
        }
    }

    @Test("update actions: ADD, DELETE, SET past the end, list_append, arithmetic limits", arguments: engines)
    func updates(engine: Engine) async throws {
        try await withEngine(engine) { fixture in
            let table = try await Self.fixture(fixture)
            let key: Item = ["PK": "U#1", "SK": "P"]
            func update(_ expression: String, _ values: [String: AttributeValue] = [:]) async throws -> Item? {
                try await table.updateItem(key, try Update(expression: expression, values: values), returnValues: .allNew)
            }
            var new = try await update("ADD n :one, fresh :one, tags :more, newset :more", [":one": 1, ":more": .ss(["new"])])
            #expect(new?["n"] == 6 && new?["fresh"] == 1)
            #expect(new?["tags"] == .ss(["lmdb", "new", "swift"]) && new?["newset"] == .ss(["new"]))
            new = try await update("DELETE newset :gone, tags :absent", [":gone": .ss(["new"]), ":absent": .ss(["nope"])])
            #expect(new?["newset"] == nil && new?["tags"] == .ss(["lmdb", "new", "swift"]))
            new = try await update("SET stuff[7] = :v, entries = list_append(if_not_exists(entries, :empty), :entry)",
                                   [":v": "end", ":empty": [], ":entry": ["e"]])
            #expect(new?["stuff"] == ["a", 3, "end"] && new?["entries"] == ["e"])
            // UPDATED_NEW answers the paths written, read in the new item: an element appended by
            // `stuff[9]` is not at 9, so only `stuff[0]` is returned (DynamoDB's answer).
            let appended = try await table.updateItem(key, try Update(expression: "SET stuff[9] = :x, stuff[12] = :y, stuff[0] = :z",
                                                                      values: [":x": "x", ":y": "y", ":z": "z"]), returnValues: .updatedNew)
            #expect(appended == ["stuff": ["z"]])
            #expect(try await table.getItem(key)?["stuff"] == ["z", 3, "end", "x", "y"])

            let before = try await table.getItem(key)
            #expect(await validationMessage { _ = try await update("ADD stuff :one", [":one": 1]) }
                == "An operand in the update expression has an incorrect data type")
            #expect(await validationMessage { _ = try await update("SET title = list_append(title, :l)", [":l": ["x"]]) } != nil)
            #expect(await validationMessage { _ = try await update("SET n = :big + :big", [":big": num("5E+125")]) }?
                .hasPrefix("Number overflow") == true)
            #expect(await validationMessage { _ = try await update("SET a = :v, a.b = :v", [":v": 1]) }?
                .hasPrefix("Invalid UpdateExpression: Two document paths overlap with each other") == true)
            #expect(await validationMessage { _ = try await update("SET SK = :v", [":v": "Q"]) }
                == "One or more parameter values were invalid: Cannot update attribute SK. This attribute is part of the key")
            #expect(try await table.getItem(key) == before)      // failures change nothing
        }
    }

    @Test("queries with expression strings: key conditions, filters, projections, counts", arguments: engines)
    func queries(engine: Engine) async throws {
        try await withEngine(engine) { fixture in
            let table = try await fixture.createTable(.singleTable(name: "Semantics"))
            for i in 0..<10 {
                try await table.putItem(["PK": "U#1", "SK": .s("ORDER#\(i)"), "amount": .n(ExactDecimal(i * 10)), "status": i % 2 == 0 ? "open" : "closed"])
            }
            let values: [String: AttributeValue] = [":pk": "U#1", ":p": "ORDER#", ":open": "open"]
            let page = try await table.query(keyCondition: "PK = :pk AND begins_with(SK, :p)", filter: "#s = :open",
                                             projection: "SK, amount", names: ["#s": "status"], values: values, limit: 4)
            #expect(page.items == [["SK": "ORDER#0", "amount": 0], ["SK": "ORDER#2", "amount": 20]])
            #expect(page.count == 2 && page.scannedCount == 4 && page.nextCursor != nil)
            let between = try await table.query(keyCondition: "PK = :pk AND SK BETWEEN :a AND :b",
                                                values: [":pk": "U#1", ":a": "ORDER#3", ":b": "ORDER#5"], ascending: false)
            #expect(between.items.map { $0["SK"] } == ["ORDER#5", "ORDER#4", "ORDER#3"])
            #expect(await validationMessage {
                _ = try await table.query(keyCondition: "PK = :pk AND SK BETWEEN :b AND :a", values: [":pk": "U#1", ":a": "A", ":b": "B"])
            }?.contains("BETWEEN") == true)
            #expect(await validationMessage {
                _ = try await table.query(keyCondition: "PK = :pk", filter: "amount > :n", values: [":pk": "U#1"])
            } == "Invalid FilterExpression: An expression attribute value used in expression is not defined; attribute value: :n")
            #expect(await validationMessage {
                _ = try await table.query(keyCondition: "PK = :pk AND SK = :n", values: [":pk": "U#1", ":n": 1])
            } == "One or more parameter values were invalid: Condition parameter type does not match schema type")
            #expect(await validationMessage {
                _ = try await table.query(keyCondition: "GSI1PK = :pk", values: [":pk": "x"], indexName: "Nope")
            } == "The table does not have the specified index: Nope")

            // A number sort key: 1, 1.0 and 1e0 are one key; begins_with is rejected.
            let numbers = try await fixture.createTable(TableSchema(
                name: "Numbers", keySchema: KeySchema(partitionKey: KeyAttribute("id", .string), sortKey: KeyAttribute("at", .number))))
            try await numbers.putItem(["id": "a", "at": num("1")])
            try await numbers.putItem(["id": "a", "at": num("1.0"), "second": true])
            let same = try await numbers.query(keyCondition: "id = :id AND #at = :one", names: ["#at": "at"], values: [":id": "a", ":one": num("1e0")])
            #expect(same.items == [["id": "a", "at": 1, "second": true]])
            #expect(await validationMessage {
                _ = try await numbers.query(keyCondition: "id = :id AND begins_with(#at, :one)", names: ["#at": "at"], values: [":id": "a", ":one": 1])
            } == "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N")
        }
    }
}

/// The message of the validation error `body` throws; nil when it throws nothing.
func validationMessage(_ body: () async throws -> Void) async -> String? {
    do {
        try await body()
        return nil
    } catch KVTableError.validation(let message) {
        return message
    } catch {
        return "unexpected: \(error)"
    }
}

/// A number attribute from text (test literal; traps on a typo).
func num(_ text: String) -> AttributeValue {
    try! .number(text)
}

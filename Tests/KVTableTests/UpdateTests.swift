import Foundation
import Testing
@testable import KVTable

@Suite("Updates")
struct UpdateTests {
    static let key: Item = ["PK": "USER#1", "SK": "PROFILE"]
    static let start: Item = [
        "PK": "USER#1", "SK": "PROFILE", "name": "Ada", "views": 10, "score": num("1.5"),
        "tags": .ss(["a", "b"]), "lucky": .ns([1, 2]), "blobs": .bs([Data([1])]),
        "history": ["x", "y", "z"], "address": ["city": "London", "lines": ["1", "2"]],
        "GSI1PK": "CITY#London", "GSI1SK": "Ada",
    ]

    static func fresh(_ backend: Backend) async throws -> (TestStore, Table) {
        let fixture = try TestStore(backend)
        let table = try await fixture.singleTable()
        try await table.putItem(start)
        return (fixture, table)
    }

    @Test("SET: values, arithmetic, if_not_exists, list_append, nested paths, list index past the end", arguments: Backend.allCases)
    func set(backend: Backend) async throws {
        let (fixture, table) = try await Self.fresh(backend)
        _ = fixture
        let new = try await table.updateItem(Self.key, [
            .set("name", "Ada L."),
            .set("views", .attribute("views") + 5),
            .set("score", .attribute("score") - .value(num("0.25"))),
            .set("first", .ifNotExists("first", "yes")),
            .set("nameCopy", .ifNotExists("name", "unused")),
            .set("history", .listAppend(.attribute("history"), .value(["w"]))),
            .set("address.city", "Paris"),
            .set("address.lines[0]", "one"),
            .set("address.lines[7]", "appended"),
            .set("address.zip", "75001"),
        ], returnValues: .allNew)
        #expect(new?["name"] == "Ada L.")
        #expect(new?["views"] == 15)
        #expect(new?["score"] == num("1.25"))
        #expect(new?["first"] == "yes")
        #expect(new?["nameCopy"] == "Ada")   // operands read the item before the update
        #expect(new?["history"] == ["x", "y", "z", "w"])
        #expect(new?["address"] == ["city": "Paris", "lines": ["one", "2", "appended"], "zip": "75001"])
        #expect(try await table.getItem(Self.key) == new)
        // SET a = b, b = a swaps.
        try await table.updateItem(Self.key, [.set("x1", 1), .set("x2", 2)])
        let swapped = try await table.updateItem(Self.key, [.set("x1", .attribute("x2")), .set("x2", .attribute("x1"))], returnValues: .updatedNew)
        #expect(swapped == ["x1": 2, "x2": 1])
        // Several elements past the end of one list are appended in index order.
        let appended = try await table.updateItem(Self.key, [
            .set("history[84]", "a1"), .set("history[37]", "a2"), .set("history[17]", "a3"), .set("history[50]", "a4"),
        ], returnValues: .allNew)
        #expect(appended?["history"] == ["x", "y", "z", "w", "a3", "a2", "a4", "a1"])
        // REMOVE below a missing attribute of a missing item: nothing to do, nothing created.
        #expect(try await table.updateItem(["PK": "NOBODY", "SK": "PROFILE"], [.remove("missing.child")], returnValues: .allNew) == nil)
        #expect(try await table.getItem(["PK": "NOBODY", "SK": "PROFILE"]) == nil)
    }

    @Test("REMOVE, ADD and DELETE", arguments: Backend.allCases)
    func removeAddDelete(backend: Backend) async throws {
        let (fixture, table) = try await Self.fresh(backend)
        _ = fixture
        let new = try await table.updateItem(Self.key, [
            .remove("name"), .remove("missing"), .remove("history[0]"), .remove("history[2]"), .remove("address.lines[1]"),
            .add("views", 3), .add("newCounter", 7), .add("tags", .ss(["b", "c"])), .add("newSet", .ns([5])),
            .delete("lucky", .ns([1, 99])), .delete("blobs", .bs([Data([1])])), .delete("absentSet", .ss(["q"])),
        ], returnValues: .allNew)
        #expect(new?["name"] == nil)
        #expect(new?["history"] == ["y"])   // indexes refer to the list before the update
        #expect(new?["address"] == ["city": "London", "lines": ["1"]])
        #expect(new?["views"] == 13)
        #expect(new?["newCounter"] == 7)
        #expect(new?["tags"] == .ss(["a", "b", "c"]))
        #expect(new?["newSet"] == .ns([5]))
        #expect(new?["lucky"] == .ns([2]))
        #expect(new?["blobs"] == nil)   // deleting the last element removes the attribute
        #expect(new?["absentSet"] == nil)
    }

    @Test("Return values: NONE, ALL_OLD, UPDATED_OLD, ALL_NEW, UPDATED_NEW", arguments: Backend.allCases)
    func returnValues(backend: Backend) async throws {
        let (fixture, table) = try await Self.fresh(backend)
        _ = fixture
        let update: Update = [.set("views", 11), .set("address.city", "Rome"), .remove("score")]
        #expect(try await table.updateItem(Self.key, update, returnValues: .none) == nil)
        try await table.putItem(Self.start)
        #expect(try await table.updateItem(Self.key, update, returnValues: .allOld) == Self.start)
        try await table.putItem(Self.start)
        #expect(try await table.updateItem(Self.key, update, returnValues: .updatedOld)
                == ["views": 10, "address": ["city": "London"], "score": num("1.5")])
        try await table.putItem(Self.start)
        #expect(try await table.updateItem(Self.key, update, returnValues: .updatedNew)
                == ["views": 11, "address": ["city": "Rome"]])
        let all = try await table.updateItem(Self.key, [.set("views", 12)], returnValues: .allNew)
        #expect(all?["views"] == 12 && all?["name"] == "Ada")
    }

    @Test("An update creates the item when absent; index entries follow", arguments: Backend.allCases)
    func createsAndMovesIndexes(backend: Backend) async throws {
        let (fixture, table) = try await Self.fresh(backend)
        _ = fixture
        let created = try await table.updateItem(["PK": "USER#2", "SK": "PROFILE"], [.add("logins", 1)], returnValues: .allNew)
        #expect(created == ["PK": "USER#2", "SK": "PROFILE", "logins": 1])
        #expect(try await table.updateItem(["PK": "USER#3", "SK": "PROFILE"], [], returnValues: .allNew) == ["PK": "USER#3", "SK": "PROFILE"])
        try await table.updateItem(Self.key, [.set("GSI1PK", "CITY#Paris")])
        #expect(try await table.query(Query(indexName: "GSI1", partitionKey: "CITY#London")).count == 0)
        #expect(try await table.query(Query(indexName: "GSI1", partitionKey: "CITY#Paris")).items.first?["name"] == "Ada")
        try await table.updateItem(Self.key, [.remove("GSI1SK")])
        #expect(try await table.query(Query(indexName: "GSI1", partitionKey: "CITY#Paris")).count == 0)
        // Conditions see the item before the update.
        await #expect(throws: KVTableError.conditionalCheckFailed(currentItem: nil)) {
            try await table.updateItem(Self.key, [.set("views", 0)], condition: .attribute("views") > 100)
        }
        #expect(try await table.getItem(Self.key)?["views"] == 10)
    }

    @Test("Rejected updates say why and change nothing", arguments: Backend.allCases)
    func errors(backend: Backend) async throws {
        let (fixture, table) = try await Self.fresh(backend)
        _ = fixture
        let max38 = num(String(repeating: "9", count: 38))
        let cases: [(Update, String)] = [
            ([.set("PK", "x")], "One or more parameter values were invalid: Cannot update attribute PK. This attribute is part of the key"),
            ([.remove("SK")], "One or more parameter values were invalid: Cannot update attribute SK. This attribute is part of the key"),
            ([.set("a", 1), .remove("a")], "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]"),
            ([.set("address", 1), .set("address.city", "x")], "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [address], path two: [address, city]"),
            ([.set("m.a", 1), .set("m[0]", 2)], "Invalid UpdateExpression: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [m, a], path two: [m, [0]]"),
            ([.add("name", "x")], "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: S"),
            ([.add("history", ["x"])], "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: L"),
            ([.delete("tags", "a")], "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: DELETE, operand type: S"),
            ([.set("v", .attribute("views") + "1")], "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: +, operand type: S"),
            ([.set("v", .listAppend(.attribute("history"), "x"))], "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: list_append, operand type: S"),
            ([.set("v", .attribute("name") + 1)], "An operand in the update expression has an incorrect data type"),
            ([.set("v", .listAppend(.attribute("name"), .value(["x"])))], "An operand in the update expression has an incorrect data type"),
            ([.add("name", 1)], "An operand in the update expression has an incorrect data type"),
            ([.add("tags", .ns([1]))], "An operand in the update expression has an incorrect data type"),
            ([.delete("tags", .ns([1]))], "An operand in the update expression has an incorrect data type"),
            ([.set("v", .attribute("missing") + 1)], "The provided expression refers to an attribute that does not exist in the item"),
            ([.set("missing.child", 1)], "The document path provided in the update expression is invalid for update"),
            ([.set("name.child", 1)], "The document path provided in the update expression is invalid for update"),
            ([.set("history.child", 1)], "The document path provided in the update expression is invalid for update"),
            ([.remove("missing.child")], "The document path provided in the update expression is invalid for update"),
            ([.remove("missing[0]")], "The document path provided in the update expression is invalid for update"),
            ([.set("v", .listAppend(.listAppend(.value(["a"]), .value(["b"])), .value(["c"])))],
             "Invalid UpdateExpression: The function is not allowed to be used this way in an expression; function: list_append"),
            // DynamoDB words a too-precise result of arithmetic as an overflow.
            ([.set("big", .value(max38) + .value(num("0.5")))], "Number overflow. Attempting to store a number with magnitude larger than supported range"),
            ([.set("big", .value(num("1e50")) - .value(num("1")))], "Number overflow. Attempting to store a number with magnitude larger than supported range"),
            ([.set("huge", .value(num("9e125")) + .value(num("1e125")))], "Number overflow. Attempting to store a number with magnitude larger than supported range"),
            ([.add("views", num("1e-130"))], "Number overflow. Attempting to store a number with magnitude larger than supported range"),
            ([.set("GSI1PK", 5)], "One or more parameter values were invalid: Type mismatch for Index Key GSI1PK Expected: S Actual: N IndexName: GSI1"),
            ([.set("s", .value(.ss([])))], "One or more parameter values were invalid: An string set  may not be empty"),
            ([.set("big", .value(.s(String(repeating: "x", count: 410_000))))], "Item size has exceeded the maximum allowed size"),
        ]
        for (update, message) in cases {
            await #expect(throws: KVTableError.validation(message), "\(update)") {
                try await table.updateItem(Self.key, update)
            }
        }
        #expect(try await table.getItem(Self.key) == Self.start)
        #expect(try await table.scan().count == 1)
        #expect(try await table.query(Query(indexName: "GSI1", partitionKey: "CITY#London")).items == [Self.start])
    }

    @Test("Exact arithmetic")
    func arithmetic() throws {
        func n(_ s: String) throws -> ExactDecimal { try ExactDecimal(s) }
        #expect(try n("0.1").adding(n("0.2")) == n("0.3"))
        #expect(try n("1e20").adding(n("1")).description == "100000000000000000001")
        #expect(try n("-5").adding(n("3")) == n("-2"))
        #expect(try n("5").subtracting(n("5")) == .zero)
        #expect(try n("-1.5").subtracting(n("-1.25")) == n("-0.25"))
        #expect(try n("9.99e125").subtracting(n("9.99e125")) == .zero)
        #expect(try n(String(repeating: "9", count: 38)).adding(n("1")).description == "1" + String(repeating: "0", count: 38))
        #expect(throws: KVTableError.self) { try n("1e125").adding(n("1e-130")) }
    }
}

/// A number attribute from text (test literal; traps on a typo).
func num(_ text: String) -> AttributeValue {
    try! .number(text)
}

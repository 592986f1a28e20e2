import Foundation
import Testing
@testable import KVTable

/// Every condition function and operator, evaluated the only way users see it: as the
/// condition of a write on each backend.
@Suite("Conditions")
struct ConditionTests {
    static let stored: Item = [
        "PK": "P", "SK": "S",
        "name": "Ada Lovelace",
        "age": 36,
        "score": try! .number("9.5"),
        "blob": .b(Data([0x01, 0x02, 0x03])),
        "active": true,
        "nothing": nil,
        "tags": .ss(["math", "poetry"]),
        "lucky": .ns([7, 13]),
        "keys": .bs([Data([0xAA]), Data([0xBB])]),
        "list": ["a", 2, ["nested": "deep"]],
        "address": ["city": "London", "zip": "W1", "lines": ["12 St James's Square", "Flat 3"]],
        "accent": .s("\u{E9}"),
    ]

    /// (condition, expected) pairs, each a line of DynamoDB's semantics.
    static let cases: [(String, Condition, Bool)] = [
        ("attribute_exists top", .exists("name"), true),
        ("attribute_exists missing", .exists("missing"), false),
        ("attribute_exists NULL value", .exists("nothing"), true),
        ("attribute_exists nested", .exists("address.city"), true),
        ("attribute_exists list index", .exists("address.lines[1]"), true),
        ("attribute_exists past list end", .exists("address.lines[2]"), false),
        ("attribute_exists index on a map", .exists("address[0]"), false),
        ("attribute_not_exists", .notExists("missing"), true),
        ("attribute_not_exists present", .notExists("PK"), false),
        ("attribute_type S", .hasType("name", .string), true),
        ("attribute_type wrong", .hasType("name", .number), false),
        ("attribute_type NULL", .hasType("nothing", .null), true),
        ("attribute_type SS", .hasType("tags", .stringSet), true),
        ("attribute_type nested L", .hasType("list", .list), true),
        ("attribute_type missing", .hasType("missing", .string), false),
        ("begins_with S", .beginsWith("name", "Ada"), true),
        ("begins_with S no", .beginsWith("name", "Lovelace"), false),
        ("begins_with B", .beginsWith("blob", .value(.b(Data([0x01, 0x02])))), true),
        ("begins_with on a number attribute", .beginsWith("age", "3"), false),
        ("begins_with nested", .beginsWith("address.city", "Lon"), true),
        ("contains substring", .contains("name", "Love"), true),
        ("contains substring no", .contains("name", "love"), false),
        ("contains binary", .contains("blob", .value(.b(Data([0x02, 0x03])))), true),
        ("contains SS", .contains("tags", "poetry"), true),
        ("contains SS no", .contains("tags", "poe"), false),
        ("contains NS by value", .contains("lucky", .value(try! .number("7.0"))), true),
        ("contains BS", .contains("keys", .value(.b(Data([0xBB])))), true),
        ("contains list element", .contains("list", 2), true),
        ("contains list map element", .contains("list", .value(["nested": "deep"])), true),
        ("contains type mismatch", .contains("tags", 7), false),
        ("size S in bytes", .size("accent") == 2, true),
        ("size S", .size("name") == 12, true),
        ("size B", .size("blob") == 3, true),
        ("size SS", .size("tags") == 2, true),
        ("size L", .size("list") > 2, true),
        ("size M", .size("address") == 3, true),
        ("size of a number is not comparable", .size("age") >= 0, false),
        ("size missing", .size("missing") == 0, false),
        ("= number by value", .attribute("age") == .value(try! .number("36.0")), true),
        ("= string", .attribute("name") == "Ada Lovelace", true),
        ("= different type is false", .attribute("age") == "36", false),
        ("<> different type is true", .attribute("age") != "36", true),
        ("<> missing is true", .attribute("missing") != 1, true),
        ("= missing is false", .attribute("missing") == 1, false),
        ("= bytes not canonical equivalence", .attribute("accent") == .value(.s("e\u{301}")), false),
        ("= list", .attribute("address.lines") == .value(["12 St James's Square", "Flat 3"]), true),
        ("= set ignores order", .attribute("tags") == .value(.ss(["poetry", "math"])), true),
        ("= BOOL", .attribute("active") == true, true),
        ("= NULL", .attribute("nothing") == .value(nil), true),
        ("< number", .attribute("age") < 37, true),
        ("<= number", .attribute("age") <= 36, true),
        ("> fraction", .attribute("score") > .value(try! .number("9.49")), true),
        (">= fraction", .attribute("score") >= 10, false),
        ("< string by bytes", .attribute("name") < "Ada M", true),
        ("< uppercase before lowercase", .attribute("name") < "ada", true),
        ("< binary unsigned", .attribute("blob") < .value(.b(Data([0x80]))), true),
        ("< different types is false", .attribute("age") < "zzz", false),
        ("> missing is false", .attribute("missing") > 1, false),
        ("attribute compared with attribute", .attribute("age") > .attribute("score"), true),
        ("BETWEEN inclusive low", .attribute("age").between(36, 40), true),
        ("BETWEEN inclusive high", .attribute("age").between(30, 36), true),
        ("BETWEEN outside", .attribute("age").between(37, 40), false),
        ("BETWEEN strings", .attribute("address.city").between("L", "M"), true),
        ("BETWEEN mixed types", .attribute("age").between("a", "z"), false),
        ("IN hit", .attribute("age").isIn([1, 36, 99]), true),
        ("IN miss", .attribute("age").isIn([1, 2]), false),
        ("IN by value", .attribute("age").isIn([.value(try! .number("3.6e1"))]), true),
        ("IN missing", .attribute("missing").isIn([1]), false),
        ("AND", .exists("name") && .attribute("age") == 36, true),
        ("AND false", .exists("name") && .attribute("age") == 35, false),
        ("OR", .exists("missing") || .attribute("age") == 36, true),
        ("NOT", !.exists("missing"), true),
        ("NOT of a missing comparison", !(.attribute("missing") == 1), true),
        ("nested parentheses", (.exists("a1") || .exists("name")) && !(.attribute("age") < 18 || .attribute("active") == false), true),
        ("nested list path value", .attribute("list[2].nested") == "deep", true),
    ]

    @Test("Each function and operator, as a write condition", arguments: Backend.allCases)
    func conditionSemantics(backend: Backend) async throws {
        let fixture = try TestStore(backend)
        let table = try await fixture.singleTable()
        try await table.putItem(Self.stored)
        for (name, condition, expected) in Self.cases {
            var held: Bool
            do {
                try await table.putItem(Self.stored, condition: condition)
                held = true
            } catch KVTableError.conditionalCheckFailed {
                held = false
            }
            #expect(held == expected, "\(name)")
        }
    }

    @Test("A failed condition changes nothing and can carry the current item", arguments: Backend.allCases)
    func failureCarriesItem(backend: Backend) async throws {
        let fixture = try TestStore(backend)
        let table = try await fixture.singleTable()
        try await table.putItem(["PK": "P", "SK": "S", "v": 1, "GSI1PK": "G", "GSI1SK": "1"])
        await #expect(throws: KVTableError.conditionalCheckFailed(currentItem: nil)) {
            try await table.putItem(["PK": "P", "SK": "S", "v": 2], condition: .notExists("PK"))
        }
        do {
            try await table.deleteItem(["PK": "P", "SK": "S"], condition: .attribute("v") == 5,
                                       returnItemOnConditionFailure: true)
            Issue.record("the delete should have failed")
        } catch KVTableError.conditionalCheckFailed(let current) {
            #expect(current?["v"] == 1)
        }
        #expect(try await table.getItem(["PK": "P", "SK": "S"])?["v"] == 1)
        #expect(try await table.query(Query(indexName: "GSI1", partitionKey: "G")).count == 1)
        // A condition on an absent item sees an empty item.
        await #expect(throws: KVTableError.conditionalCheckFailed(currentItem: nil)) {
            try await table.putItem(["PK": "Q", "SK": "S"], condition: .exists("PK"))
        }
        #expect(try await table.getItem(["PK": "Q", "SK": "S"]) == nil)
        try await table.deleteItem(["PK": "Q", "SK": "S"], condition: .notExists("PK"))
    }

    @Test("Operand types an operator cannot take are rejected before any item is read", arguments: Backend.allCases)
    func invalidConditions(backend: Backend) async throws {
        let fixture = try TestStore(backend)
        let table = try await fixture.singleTable()
        let item: Item = ["PK": "P", "SK": "S"]
        let invalid: [(Condition, String)] = [
            (.attribute("a") < true, "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: <, operand type: BOOL"),
            (.beginsWith("a", 5), "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"),
            (.attribute("a").between(5, 1), "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {N:5}, upper bound operand: AttributeValue: {N:1}"),
            (.attribute("a").isIn([]), "Invalid ConditionExpression: The IN operator takes 1 to 100 operands; given: 0"),
            (.attribute("a").isIn(Array(repeating: 1, count: 101)), "Invalid ConditionExpression: The IN operator takes 1 to 100 operands; given: 101"),
            (.exists("PK") && .attribute("a") >= .value(["x"]), "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: >=, operand type: L"),
        ]
        for (condition, message) in invalid {
            await #expect(throws: KVTableError.validation(message)) {
                try await table.putItem(item, condition: condition)
            }
        }
        #expect(try await table.scan().count == 0)
    }

    @Test("Paths parse with DynamoDB's document path syntax")
    func paths() throws {
        #expect(try AttributePath(parsing: "a.b[2].c").elements == [.name("a"), .name("b"), .index(2), .name("c")])
        #expect(try AttributePath(parsing: "m[0][1]").elements == [.name("m"), .index(0), .index(1)])
        #expect(AttributePath.name("a.b").elements == [.name("a.b")])
        for bad in ["", "a..b", ".a", "a.", "[1]", "a[-1]", "a[x]", "a[1]b", "a]"] {
            #expect(throws: KVTableError.self, "\(bad)") { try AttributePath(parsing: bad) }
        }
    }
}

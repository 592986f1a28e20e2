import Foundation
import Testing
@testable import KVTable

// The Swift examples of Sources/KVTableServer/KVTableServer.docc/DynamoDBAPI.md, as written there (DocumentationExampleTests checks that each block appears in this file).

func expressionQueryExample(_ table: Table) async throws -> Page {
    let page = try await table.query(
        keyCondition: "PK = :pk AND begins_with(SK, :prefix)",
        filter: "#s <> :archived",
        projection: "SK, title, #s",
        names: ["#s": "status"],
        values: [":pk": "USER#42", ":prefix": "ORDER#", ":archived": "archived"],
        limit: 20)

    let condition = try Condition(expression: "attribute_not_exists(PK) OR #v < :max",
                                  names: ["#v": "version"], values: [":max": 3])
    let update = try Update(expression: "SET visits = if_not_exists(visits, :zero) + :one REMOVE draft",
                            values: [":zero": 0, ":one": 1])
    try await table.updateItem(["PK": "USER#42", "SK": "PROFILE"], update, condition: condition)
    return page
}

func expressionParserExample() throws -> (Update, Condition) {
    var parser = try ExpressionParser(names: ["#s": "status"], values: [":one": 1, ":open": "open"])
    let update = try parser.update("SET visits = visits + :one")
    let condition = try parser.condition("#s = :open")
    try parser.checkAllUsed()      // every :value and #name must be used by some expression
    return (update, condition)
}

@Suite("Expression documentation examples")
struct ExpressionDocumentationExampleTests {
    @Test("The DynamoDB API article and README expression examples run", arguments: Backend.allCases)
    func examples(backend: Backend) async throws {
        let fixture = try TestStore(backend)
        let table = try await fixture.singleTable()
        try await table.putItem(["PK": "USER#42", "SK": "ORDER#1", "title": "one", "status": "open", "total": 5])
        try await table.putItem(["PK": "USER#42", "SK": "ORDER#2", "title": "two", "status": "archived"])
        try await table.putItem(["PK": "USER#42", "SK": "PROFILE", "draft": true, "version": 1])
        let page = try await expressionQueryExample(table)
        #expect(page.items == [["SK": "ORDER#1", "title": "one", "status": "open"]])
        #expect(try await table.getItem(["PK": "USER#42", "SK": "PROFILE"]) == ["PK": "USER#42", "SK": "PROFILE", "version": 1, "visits": 1])
        let (update, condition) = try expressionParserExample()
        #expect(update == [.set("visits", .attribute("visits") + 1)])
        #expect(condition == (.attribute("status") == "open"))
        #expect(try await readmeExpressionExample(table).items.map { $0["SK"] } == ["ORDER#1"])
    }
}

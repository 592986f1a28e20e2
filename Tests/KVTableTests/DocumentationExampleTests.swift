import Testing
@testable import KVTable

/// The README's example, run as written (on the in-memory store), so that it stays true.
@Suite("Documentation examples")
struct DocumentationExampleTests {
    @Test("README example")
    func readme() async throws {
        let store = KVStore.inMemory()
        let table = try await store.createTable(.singleTable(name: "App"))   // PK/SK + GSI1-3, GSI7

        try await table.putItem([
            "PK": "USER#42", "SK": "FILE#2026-11-22T10:00:00Z#7",
            "filename": "take-7.flac", "size": 1_048_576,
            "GSI1PK": "UPLOADS#2026-11-22", "GSI1SK": "10:00:00Z#42",
        ], condition: .notExists("PK"))

        let page = try await table.query(Query(
            partitionKey: "USER#42", sortKey: .beginsWith("FILE#"), ascending: false, limit: 20))
        #expect(page.items.map { $0["filename"] } == ["take-7.flac"])
        #expect(page.nextCursor == nil)

        let profile = try table.read { try $0.getItem(["PK": "USER#42", "SK": "PROFILE"]) }
        #expect(profile == nil)
    }

    @Test("Usage guide conditions build")
    func usageConditions() {
        let c1: Condition = .exists("email") && .notExists("deletedAt")
        let c2: Condition = .attribute("age").between(18, 65) || .attribute("role").isIn(["admin", "owner"])
        let c3: Condition = .beginsWith("SK", "FILE#") && .size("tags") > 2
        let c4: Condition = .contains("tags", "swift") && .hasType("score", .number)
        let c5: Condition = !(.attribute("address.lines[0]") == "")
        let item: Item = ["email": "a@b", "age": 30, "SK": "FILE#1", "tags": .ss(["swift", "b", "c"]), "score": 1]
        #expect([c1, c2, c3, c4, c5].map { $0.evaluate(item) } == [true, true, true, true, true])
    }
}

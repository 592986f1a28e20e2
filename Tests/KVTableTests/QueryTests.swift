import Foundation
import Testing
@testable import KVTable

@Suite("Queries and scans")
struct QueryTests {
    /// USER#1 with FILE#00 … FILE#19 (size = n) and a PROFILE item.
    static func seeded(_ backend: Backend) async throws -> (TestStore, Table) {
        let fixture = try TestStore(backend)
        let table = try await fixture.singleTable()
        for n in 0..<20 {
            let sk = String(format: "FILE#%02d", n)
            try await table.putItem(["PK": "USER#1", "SK": .s(sk), "size": .number(n),
                                     "GSI1PK": "FILES", "GSI1SK": .s(String(format: "%02d", 19 - n)),
                                     "meta": ["kind": .s(n % 2 == 0 ? "even" : "odd"), "tags": [.s("t\(n)"), "x"]]])
        }
        try await table.putItem(["PK": "USER#1", "SK": "PROFILE", "name": "Ada"])
        try await table.putItem(["PK": "USER#2", "SK": "FILE#00"])
        return (fixture, table)
    }

    static func sortKeys(_ page: Page) -> [String] { page.items.map { $0["SK"]!.stringValue! } }

    @Test("Sort-key conditions: = < <= > >= BETWEEN (inclusive) begins_with", arguments: Backend.allCases)
    func sortConditions(backend: Backend) async throws {
        let (fixture, table) = try await Self.seeded(backend)
        _ = fixture
        func keys(_ condition: SortKeyCondition?, ascending: Bool = true) async throws -> [String] {
            Self.sortKeys(try await table.query(Query(partitionKey: "USER#1", sortKey: condition, ascending: ascending)))
        }
        #expect(try await keys(nil).count == 21)
        #expect(try await keys(.equal("FILE#03")) == ["FILE#03"])
        #expect(try await keys(.equal("FILE#0")) == [])
        #expect(try await keys(.lessThan("FILE#02")) == ["FILE#00", "FILE#01"])
        #expect(try await keys(.lessThanOrEqual("FILE#01")) == ["FILE#00", "FILE#01"])
        #expect(try await keys(.greaterThan("FILE#18")) == ["FILE#19", "PROFILE"])
        #expect(try await keys(.greaterThanOrEqual("FILE#19")) == ["FILE#19", "PROFILE"])
        #expect(try await keys(.between("FILE#05", "FILE#07")) == ["FILE#05", "FILE#06", "FILE#07"])
        #expect(try await keys(.between("FILE#05", "FILE#05")) == ["FILE#05"])
        #expect(try await keys(.between("FILE#050", "FILE#07")) == ["FILE#06", "FILE#07"])
        #expect(try await keys(.beginsWith("FILE#1")).count == 10)
        #expect(try await keys(.beginsWith("PRO")) == ["PROFILE"])
        #expect(try await keys(.beginsWith("FILE#1"), ascending: false).first == "FILE#19")
        #expect(try await keys(.lessThan("FILE#03"), ascending: false) == ["FILE#02", "FILE#01", "FILE#00"])
        // Another partition never leaks in.
        #expect(Self.sortKeys(try await table.query(Query(partitionKey: "USER#2"))) == ["FILE#00"])
        #expect(try await table.query(Query(partitionKey: "USER#3")).count == 0)
    }

    @Test("Limit counts items read before the filter; Count and ScannedCount", arguments: Backend.allCases)
    func limitAndFilter(backend: Backend) async throws {
        let (fixture, table) = try await Self.seeded(backend)
        _ = fixture
        let page = try await table.query(Query(partitionKey: "USER#1", sortKey: .beginsWith("FILE#"), limit: 6,
                                               filter: .attribute("meta.kind") == "odd"))
        #expect(page.scannedCount == 6)
        #expect(page.count == 3)
        #expect(Self.sortKeys(page) == ["FILE#01", "FILE#03", "FILE#05"])
        #expect(page.nextCursor?.lastEvaluatedKey == ["PK": "USER#1", "SK": "FILE#05"])
        // A filter that rejects everything still returns a cursor to go on.
        let none = try await table.query(Query(partitionKey: "USER#1", limit: 3, filter: .exists("nope")))
        #expect(none.items.isEmpty && none.scannedCount == 3 && none.nextCursor != nil)
        // Exactly reaching the end at the limit: a cursor all the same (DynamoDB does not look
        // ahead), and the page after it is empty without one; one item short of the limit, none.
        let all = try await table.query(Query(partitionKey: "USER#1", limit: 21))
        #expect(all.count == 21 && all.nextCursor?.lastEvaluatedKey["SK"] == "PROFILE")
        let after = try await table.query(Query(partitionKey: "USER#1", limit: 21, startAfter: all.nextCursor))
        #expect(after.count == 0 && after.scannedCount == 0 && after.nextCursor == nil)
        let short = try await table.query(Query(partitionKey: "USER#1", limit: 22))
        #expect(short.count == 21 && short.nextCursor == nil)
    }

    @Test("Count-only and projection", arguments: Backend.allCases)
    func countAndProjection(backend: Backend) async throws {
        let (fixture, table) = try await Self.seeded(backend)
        _ = fixture
        let counted = try await table.query(Query(partitionKey: "USER#1", sortKey: .beginsWith("FILE#"), countOnly: true))
        #expect(counted.count == 20 && counted.items.isEmpty)
        let filteredCount = try await table.query(Query(partitionKey: "USER#1", filter: .attribute("size") >= 15, countOnly: true))
        #expect(filteredCount.count == 5 && filteredCount.scannedCount == 21)
        let limitedCount = try await table.query(Query(partitionKey: "USER#1", limit: 4, countOnly: true))
        #expect(limitedCount.count == 4 && limitedCount.nextCursor?.lastEvaluatedKey["SK"] == "FILE#03")

        let projected = try await table.query(Query(partitionKey: "USER#1", sortKey: .equal("FILE#04"),
                                                    projection: ["size", "meta.tags[1]", "missing"]))
        #expect(projected.items == [["size": 4, "meta": ["tags": ["x"]]]])
        let got = try await table.getItem(["PK": "USER#1", "SK": "FILE#04"], projection: ["meta.kind", "SK"])
        #expect(got == ["SK": "FILE#04", "meta": ["kind": "even"]])
        await #expect(throws: KVTableError.validation("Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [meta], path two: [meta, kind]")) {
            try await table.getItem(["PK": "USER#1", "SK": "FILE#04"], projection: ["meta", "meta.kind"])
        }
        await #expect(throws: KVTableError.validation("Cannot specify a ProjectionExpression when Select is COUNT")) {
            try await table.query(Query(partitionKey: "USER#1", projection: ["size"], countOnly: true))
        }
    }

    @Test("Paging with a cursor never skips or repeats an item, even with writes between pages", arguments: Backend.allCases)
    func cursorAcrossWrites(backend: Backend) async throws {
        let (fixture, table) = try await Self.seeded(backend)
        _ = fixture
        for ascending in [true, false] {
            var seen: [String] = []
            var cursor: PageCursor?
            var round = 0
            repeat {
                let page = try await table.query(Query(partitionKey: "USER#1", sortKey: .beginsWith("FILE#"),
                                                       ascending: ascending, limit: 3, startAfter: cursor))
                seen += Self.sortKeys(page)
                // Between pages: insert around the cursor, rewrite and delete what was read.
                round += 1
                try await table.putItem(["PK": "USER#1", "SK": .s("FILE#00\(ascending ? "a" : "b")\(round)")])
                if let last = page.items.last { try await table.putItem(last.merging(["touched": true]) { $1 }) }
                if let first = page.items.first { try await table.deleteItem(["PK": "USER#1", "SK": first["SK"]!]) }
                cursor = page.nextCursor.map { try! PageCursor(token: $0.token) }   // through the string form
            } while cursor != nil
            let originals = seen.filter { $0.count == 7 }   // FILE#nn, not the inserted ones
            #expect(Set(originals).count == originals.count, "no repeats")
            let expectedOrder = ascending ? originals.sorted() : originals.sorted().reversed()
            #expect(originals == Array(expectedOrder))
            // Restore the deleted originals for the second direction.
            for n in 0..<20 {
                let sk = String(format: "FILE#%02d", n)
                try await table.putItem(["PK": "USER#1", "SK": .s(sk), "size": .number(n)])
            }
            #expect(originals.count == 20)
        }
    }

    @Test("Index queries page through ties and order by the index sort key", arguments: Backend.allCases)
    func indexPaging(backend: Backend) async throws {
        let (fixture, table) = try await Self.seeded(backend)
        _ = fixture
        var cursor: PageCursor?
        var seen: [String] = []
        repeat {
            let page = try await table.query(Query(indexName: "GSI1", partitionKey: "FILES", limit: 7, startAfter: cursor))
            seen += page.items.map { $0["GSI1SK"]!.stringValue! }
            if let next = page.nextCursor { #expect(next.lastEvaluatedKey.keys.sorted() == ["GSI1PK", "GSI1SK", "PK", "SK"]) }
            cursor = page.nextCursor
        } while cursor != nil
        #expect(seen == (0..<20).map { String(format: "%02d", $0) })
        let top = try await table.query(Query(indexName: "GSI1", partitionKey: "FILES", sortKey: .lessThanOrEqual("01")))
        #expect(Self.sortKeys(top) == ["FILE#19", "FILE#18"])
    }

    @Test("Scan with filter, limit and cursor", arguments: Backend.allCases)
    func scans(backend: Backend) async throws {
        let (fixture, table) = try await Self.seeded(backend)
        _ = fixture
        let all = try await table.scan()
        #expect(all.count == 22 && all.nextCursor == nil)
        var cursor: PageCursor?
        var keys: [String] = []
        var pages = 0
        repeat {
            let page = try await table.scan(Scan(limit: 5, filter: .exists("size"), startAfter: cursor))
            keys += page.items.map { "\($0["PK"]!.stringValue!)/\($0["SK"]!.stringValue!)" }
            cursor = page.nextCursor
            pages += 1
        } while cursor != nil
        #expect(pages == 5)
        #expect(keys.count == 20 && Set(keys).count == 20)
        #expect(try await table.scan(Scan(indexName: "GSI1", countOnly: true)).count == 20)
    }

    @Test("Invalid queries are rejected with DynamoDB's errors", arguments: Backend.allCases)
    func invalidQueries(backend: Backend) async throws {
        let (fixture, table) = try await Self.seeded(backend)
        _ = fixture
        let cases: [(Query, String)] = [
            (Query(partitionKey: 5), "One or more parameter values were invalid: Condition parameter type does not match schema type"),
            (Query(partitionKey: ""), "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: PK"),
            (Query(partitionKey: "USER#1", sortKey: .equal(1)), "One or more parameter values were invalid: Condition parameter type does not match schema type"),
            (Query(partitionKey: "USER#1", sortKey: .between("b", "a")), "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {S:b}, upper bound operand: AttributeValue: {S:a}"),
            (Query(partitionKey: "USER#1", limit: 0), "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"),
            (Query(indexName: "GSI9", partitionKey: "x"), "The table does not have the specified index: GSI9"),
            (Query(partitionKey: "USER#1", startAfter: PageCursor(lastEvaluatedKey: ["PK": "USER#1"])), "The provided starting key is invalid: it must hold SK of type S"),
            (Query(partitionKey: "USER#1", startAfter: PageCursor(lastEvaluatedKey: ["PK": "USER#2", "SK": "x"])), "The provided starting key is outside query boundaries based on provided conditions"),
            // A start key the key condition excludes is refused too, in either direction.
            (Query(partitionKey: "USER#1", sortKey: .beginsWith("FILE#"), startAfter: PageCursor(lastEvaluatedKey: ["PK": "USER#1", "SK": "PROFILE"])),
             "The provided starting key is outside query boundaries based on provided conditions"),
            (Query(partitionKey: "USER#1", sortKey: .greaterThan("M"), ascending: false, startAfter: PageCursor(lastEvaluatedKey: ["PK": "USER#1", "SK": "A"])),
             "The provided starting key is outside query boundaries based on provided conditions"),
            (Query(partitionKey: "USER#1", filter: .attribute("a") > true), "Invalid FilterExpression: Incorrect operand type for operator or function; operator or function: >, operand type: BOOL"),
            // The same rule as over the wire, for typed and parsed queries alike.
            (Query(partitionKey: "USER#1", filter: .beginsWith("SK", "FILE#")), "Filter Expression can only contain non-primary key attributes: Primary key attribute: SK"),
            (Query(partitionKey: "USER#1", filter: .exists("a") && .attribute("PK") == "USER#1"), "Filter Expression can only contain non-primary key attributes: Primary key attribute: PK"),
        ]
        for (query, message) in cases {
            await #expect(throws: KVTableError.validation(message)) { try await table.query(query) }
        }
        await #expect(throws: KVTableError.validation("Filter Expression can only contain non-primary key attributes: Primary key attribute: SK")) {
            try await table.query(keyCondition: "PK = :pk", filter: "SK > :s", values: [":pk": "USER#1", ":s": "A"])
        }
        let numbers = try await fixture.store.createTable(TableSchema(
            name: "Numbers", keySchema: KeySchema(partitionKey: KeyAttribute("p", .string), sortKey: KeyAttribute("n", .number))))
        await #expect(throws: KVTableError.validation("Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N")) {
            try await numbers.query(Query(partitionKey: "x", sortKey: .beginsWith(1)))
        }
        #expect(throws: KVTableError.validation("The provided starting key is invalid: the cursor token is malformed")) {
            try PageCursor(token: "not a cursor!")
        }
    }
}

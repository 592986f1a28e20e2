import Foundation
import KVTable
import KVTableRemote
import Testing

/// Local secondary indexes, written once against ``ItemTable`` and run on every engine.
@Suite("Local secondary indexes on every engine")
struct LocalIndexConformanceTests {
    /// Files of a user (`PK` = user, `SK` = file id), ordered three more ways.
    static let schema = TableSchema(
        name: "Files",
        keySchema: KeySchema(partitionKey: KeyAttribute("PK", .string), sortKey: KeyAttribute("SK", .string)),
        globalSecondaryIndexes: [
            GlobalSecondaryIndex(name: "ByOwner", keySchema: KeySchema(partitionKey: KeyAttribute("owner", .string)),
                                 projection: .keysOnly),
        ],
        localSecondaryIndexes: [
            LocalSecondaryIndex(name: "ByDate", sortKey: KeyAttribute("date", .string)),
            LocalSecondaryIndex(name: "BySize", sortKey: KeyAttribute("size", .number), projection: .keysOnly),
            LocalSecondaryIndex(name: "ByTitle", sortKey: KeyAttribute("title", .string), projection: .include(["kind"])),
        ])

    static func sortKeys(_ page: Page) -> [String] { page.items.map { $0["SK"]?.stringValue ?? "?" } }

    static func fill(_ table: any ItemTable) async throws {
        try await table.putItem(["PK": "U1", "SK": "F1", "date": "2026-03", "size": 30, "title": "c", "kind": "pdf", "owner": "ada"])
        try await table.putItem(["PK": "U1", "SK": "F2", "date": "2026-01", "size": 10, "title": "a", "kind": "txt", "owner": "ada"])
        try await table.putItem(["PK": "U1", "SK": "F3", "date": "2026-02", "size": 20, "title": "b", "kind": "png", "owner": "ada"])
        try await table.putItem(["PK": "U1", "SK": "F4", "owner": "ada"])   // in no local index (sparse)
        try await table.putItem(["PK": "U2", "SK": "F1", "date": "2026-01", "size": 5, "title": "z", "kind": "pdf", "owner": "bob"])
    }

    @Test("a local index orders each partition by its sort key, sparsely, and follows writes", arguments: Engine.all)
    func ordersAndFollowsWrites(engine: Engine) async throws {
        try await withEngine(engine) { fixture in
            let table = try await fixture.createTable(Self.schema)
            try await Self.fill(table)
            #expect(Self.sortKeys(try await table.query(Query(indexName: "ByDate", partitionKey: "U1"))) == ["F2", "F3", "F1"])
            #expect(Self.sortKeys(try await table.query(Query(indexName: "BySize", partitionKey: "U1", ascending: false))) == ["F1", "F3", "F2"])
            #expect(Self.sortKeys(try await table.query(Query(indexName: "ByDate", partitionKey: "U1", sortKey: .greaterThan("2026-01")))) == ["F3", "F1"])
            #expect(try await table.query(Query(indexName: "ByDate", partitionKey: "U2")).count == 1)
            #expect(try await table.scan(Scan(indexName: "BySize")).count == 4)

            // An update moves the entry; removing the sort key attribute takes it out; a delete too.
            try await table.updateItem(["PK": "U1", "SK": "F2"], [.set("date", .value("2026-09"))])
            #expect(Self.sortKeys(try await table.query(Query(indexName: "ByDate", partitionKey: "U1"))) == ["F3", "F1", "F2"])
            try await table.updateItem(["PK": "U1", "SK": "F3"], [.remove("date")])
            #expect(Self.sortKeys(try await table.query(Query(indexName: "ByDate", partitionKey: "U1"))) == ["F1", "F2"])
            try await table.deleteItem(["PK": "U1", "SK": "F1"])
            #expect(Self.sortKeys(try await table.query(Query(indexName: "ByDate", partitionKey: "U1"))) == ["F2"])
            #expect(Self.sortKeys(try await table.query(Query(indexName: "BySize", partitionKey: "U1"))) == ["F2", "F3"])

            // Pages of one entry each walk the index in order.
            var seen: [String] = []
            var cursor: PageCursor?
            repeat {
                let page = try await table.query(Query(indexName: "BySize", partitionKey: "U1", limit: 1, startAfter: cursor))
                seen += Self.sortKeys(page)
                cursor = page.nextCursor
            } while cursor != nil
            #expect(seen == ["F2", "F3"])
        }
    }

    // Not moto: it answers a local index only from its projection, where DynamoDB reads the
    // table item (checked against moto 5 here).
    @Test("a local index answers what it does not project from the table item", arguments: Engine.faithful)
    func readsUnprojectedAttributes(engine: Engine) async throws {
        try await withEngine(engine) { fixture in
            let table = try await fixture.createTable(Self.schema)
            try await Self.fill(table)
            let first = Query(indexName: "BySize", partitionKey: "U1", limit: 1)

            // By default an index answers what it projects: KEYS_ONLY is the table's and its keys.
            let keysOnly = try await table.query(first).items
            #expect(keysOnly == [["PK": "U1", "SK": "F2", "size": 10]])
            // Every attribute, read from the table item.
            var all = first
            all.allAttributes = true
            #expect(try await table.query(all).items ==
                    [["PK": "U1", "SK": "F2", "date": "2026-01", "size": 10, "title": "a", "kind": "txt", "owner": "ada"]])
            // A projection naming an attribute the index lacks reads it too.
            var projected = first
            projected.projection = ["title", "size"]
            #expect(try await table.query(projected).items == [["title": "a", "size": 10]])
            // A query's filter may name what INCLUDE projects (the refusals are in `rules`).
            var filtered = Query(indexName: "ByTitle", partitionKey: "U1", filter: .attribute("kind") == .value("png"))
            filtered.projection = ["SK", "owner"]
            let page = try await table.query(filtered)
            #expect(page.items == [["SK": "F3", "owner": "ada"]])
            #expect(page.scannedCount == 3)
            // INCLUDE answers its own attributes without the table, and the others from it.
            let include = try await table.query(Query(indexName: "ByTitle", partitionKey: "U1", limit: 1)).items
            #expect(include == [["PK": "U1", "SK": "F2", "title": "a", "kind": "txt"]])
            var scan = Scan(indexName: "ByTitle", filter: .attribute("owner") == .value("bob"))
            scan.allAttributes = true
            #expect(try await table.scan(scan).items.map { $0["date"] } == ["2026-01"])
        }
    }

    @Test("local index rules: ALL_ATTRIBUTES only where it can be answered, keys typed, no deleting", arguments: Engine.faithful)
    func rules(engine: Engine) async throws {
        try await withEngine(engine) { fixture in
            let table = try await fixture.createTable(Self.schema)
            try await Self.fill(table)
            // A global index that does not project everything cannot answer every attribute.
            var global = Query(indexName: "ByOwner", partitionKey: "ada")
            global.allAttributes = true
            await #expect(throws: KVTableError.validation("One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index ByOwner because its projection type is not ALL")) {
                try await table.query(global)
            }
            // A query's filter may not name what the index does not project, local or global,
            // even with every attribute asked for; the table's keys are projected everywhere.
            for (index, partition) in [("BySize", "U1"), ("ByTitle", "U1"), ("ByOwner", "ada")] {
                var query = Query(indexName: index, partitionKey: .s(partition),
                                  filter: .attribute("date") == .value("2026-01") && .attribute("SK") == .value("F2"))
                query.allAttributes = index != "ByOwner"
                await #expect(throws: KVTableError.validation("One or more parameter values were invalid: Secondary index \(index) does not project one or more filter attributes: [date]")) {
                    try await table.query(query)
                }
            }
            var both = Query(indexName: "BySize", partitionKey: "U1", projection: ["title"])
            both.allAttributes = true
            await #expect(throws: KVTableError.self) { try await table.query(both) }

            // A local index key of the wrong type or empty is refused, and nothing is written.
            await #expect(throws: KVTableError.validation("One or more parameter values were invalid: Type mismatch for Index Key size Expected: N Actual: S IndexName: BySize")) {
                try await table.putItem(["PK": "U1", "SK": "F9", "size": "big"])
            }
            await #expect(throws: KVTableError.self) {
                try await table.putItem(["PK": "U1", "SK": "F9", "date": ""])
            }
            #expect(try await table.getItem(["PK": "U1", "SK": "F9"]) == nil)
        }
    }
}

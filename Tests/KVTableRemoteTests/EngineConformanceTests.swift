import Foundation
import KVTable
import KVTableRemote
import Testing

/// The behaviours every engine shares, written once against ``ItemStore`` / ``ItemTable`` and
/// run on LMDB, in memory, on the remote engine against KVTable's server, and against moto
/// when CI provides it.
@Suite("One API on every engine")
struct EngineConformanceTests {
    static let schema = TableSchema.singleTable(name: "App")

    @Test("put, get, delete; returned old items", arguments: Engine.all)
    func itemLifecycle(engine: Engine) async throws {
        try await withEngine(engine) { fixture in
            let table = try await fixture.createTable(Self.schema)
            let key: Item = ["PK": "USER#1", "SK": "PROFILE"]
            #expect(try await table.getItem(key) == nil)
            try await table.putItem(key.merging(["name": "Ada", "n": 1]) { a, _ in a })
            #expect(try await table.getItem(key) == ["PK": "USER#1", "SK": "PROFILE", "name": "Ada", "n": 1])
            #expect(try await table.getItem(key, projection: ["name"]) == ["name": "Ada"])
            let old = try await table.putItem(key.merging(["name": "Grace"]) { a, _ in a }, returnOldItem: true)
            #expect(old?["name"] == "Ada")
            let deleted = try await table.deleteItem(key, returnOldItem: true)
            #expect(deleted?["name"] == "Grace")
            #expect(try await table.getItem(key) == nil)
            #expect(try await table.deleteItem(key, returnOldItem: true) == nil)   // absent: no error
        }
    }

    @Test("conditions: a failed condition changes nothing and can return the item", arguments: Engine.all)
    func conditions(engine: Engine) async throws {
        try await withEngine(engine) { fixture in
            let table = try await fixture.createTable(Self.schema)
            let item: Item = ["PK": "U", "SK": "S", "v": 1]
            try await table.putItem(item, condition: .notExists("PK"))
            await #expect(throws: KVTableError.conditionalCheckFailed(currentItem: nil)) {
                try await table.putItem(["PK": "U", "SK": "S", "v": 2], condition: .notExists("PK"))
            }
            do {
                try await table.putItem(["PK": "U", "SK": "S", "v": 3], condition: .attribute("v") == 5,
                                        returnOldItem: false, returnItemOnConditionFailure: true)
                Issue.record("the condition should have failed")
            } catch KVTableError.conditionalCheckFailed(let current) {
                #expect(current == item)
            }
            try await table.deleteItem(["PK": "U", "SK": "S"], condition: .attribute("v") == 1)
            #expect(try await table.getItem(["PK": "U", "SK": "S"]) == nil)
        }
    }

    @Test("updates: arithmetic, if_not_exists, list_append, ADD, return values", arguments: Engine.all)
    func updates(engine: Engine) async throws {
        try await withEngine(engine) { fixture in
            let table = try await fixture.createTable(Self.schema)
            let key: Item = ["PK": "C", "SK": "1"]
            let created = try await table.updateItem(key, [.set("hits", .ifNotExists("hits", 0) + 1), .set("log", .value(["a"]))],
                                                     returnValues: .allNew)
            #expect(created == ["PK": "C", "SK": "1", "hits": 1, "log": ["a"]])
            let old = try await table.updateItem(key, [.set("log", .listAppend(.attribute("log"), .value(["b"]))),
                                                       .add("tags", .ss(["x"])), .set("hits", .attribute("hits") + 2)],
                                                 returnValues: .updatedOld)
            #expect(old == ["hits": 1, "log": ["a"]])
            #expect(try await table.getItem(key) == ["PK": "C", "SK": "1", "hits": 3, "log": ["a", "b"], "tags": .ss(["x"])])
            await #expect(throws: KVTableError.self) { try await table.updateItem(key, [.set("PK", "other")]) }
            await #expect(throws: KVTableError.conditionalCheckFailed(currentItem: nil)) {
                try await table.updateItem(key, [.remove("tags")], condition: .attribute("hits") > 10)
            }
        }
    }

    /// Ten files per user, sort keys `FILE#00` … `FILE#09`.
    static func seed(_ table: any ItemTable) async throws {
        var requests: [WriteRequest] = []
        for user in 0..<3 {
            for file in 0..<10 {
                requests.append(.put(["PK": .s("USER#\(user)"), "SK": .s("FILE#0\(file)"), "size": .n(ExactDecimal(file * 10)),
                                      "GSI1PK": .s("SIZE#\(file % 2)"), "GSI1SK": .s("U\(user)F\(file)")]))
            }
        }
        try await table.batchWrite(requests)
    }

    @Test("queries: sort-key conditions, order, filter, count, projection, paging", arguments: Engine.all)
    func queries(engine: Engine) async throws {
        try await withEngine(engine) { fixture in
            let table = try await fixture.createTable(Self.schema)
            try await Self.seed(table)
            func sortKeys(_ query: Query) async throws -> [String] {
                try await table.query(query).items.compactMap { $0["SK"]?.stringValue }
            }
            #expect(try await sortKeys(Query(partitionKey: "USER#1")).count == 10)
            #expect(try await sortKeys(Query(partitionKey: "USER#1", sortKey: .between("FILE#02", "FILE#04"))) == ["FILE#02", "FILE#03", "FILE#04"])
            #expect(try await sortKeys(Query(partitionKey: "USER#1", sortKey: .lessThan("FILE#02"), ascending: false)) == ["FILE#01", "FILE#00"])
            #expect(try await sortKeys(Query(partitionKey: "USER#1", sortKey: .beginsWith("FILE#0"), limit: 2)) == ["FILE#00", "FILE#01"])
            let filtered = try await table.query(Query(partitionKey: "USER#2", limit: 5, filter: .attribute("size") >= 30))
            #expect(filtered.count == 2 && filtered.scannedCount == 5)
            #expect(filtered.nextCursor != nil)
            let counted = try await table.query(Query(partitionKey: "USER#2", filter: .attribute("size") >= 30, countOnly: true))
            #expect(counted.count == 7 && counted.items.isEmpty)
            let projected = try await table.query(Query(partitionKey: "USER#0", sortKey: .equal("FILE#05"), projection: ["size"]))
            #expect(projected.items == [["size": 50]])

            var seen: [String] = []
            var cursor: PageCursor?
            repeat {
                let page = try await table.query(Query(partitionKey: "USER#0", limit: 3, startAfter: cursor))
                seen += page.items.compactMap { $0["SK"]?.stringValue }
                cursor = page.nextCursor
            } while cursor != nil
            #expect(seen == (0..<10).map { "FILE#0\($0)" })

            let index = try await table.query(Query(indexName: "GSI1", partitionKey: "SIZE#1", sortKey: .beginsWith("U2")))
            #expect(index.items.compactMap { $0["SK"]?.stringValue } == ["FILE#01", "FILE#03", "FILE#05", "FILE#07", "FILE#09"])
            await #expect(throws: KVTableError.self) { try await table.query(Query(indexName: "NoSuchIndex", partitionKey: "x")) }
        }
    }

    @Test("scans: every item once across pages and parallel segments", arguments: Engine.all)
    func scans(engine: Engine) async throws {
        try await withEngine(engine) { fixture in
            let table = try await fixture.createTable(Self.schema)
            try await Self.seed(table)
            var keys = Set<String>()
            for segment in 0..<3 {
                var cursor: PageCursor?
                repeat {
                    let page = try await table.scan(Scan(limit: 4, startAfter: cursor, segment: .init(segment, of: 3)))
                    for item in page.items {
                        let key = "\(item["PK"]?.stringValue ?? "")|\(item["SK"]?.stringValue ?? "")"
                        #expect(keys.insert(key).inserted, "\(key) seen twice")
                    }
                    cursor = page.nextCursor
                } while cursor != nil
            }
            #expect(keys.count == 30)
            #expect(try await table.scan(Scan(filter: .attribute("size") < 20, countOnly: true)).count == 6)
        }
    }

    @Test("batches: any size, in key order, duplicates rejected", arguments: Engine.all)
    func batches(engine: Engine) async throws {
        try await withEngine(engine) { fixture in
            let table = try await fixture.createTable(Self.schema)
            let items: [Item] = (0..<130).map { ["PK": "B", "SK": .s(String(format: "%03d", $0)), "n": .n(ExactDecimal($0))] }
            try await table.batchWrite(items.map { .put($0) })
            let keys: [Item] = (0..<140).reversed().map { ["PK": "B", "SK": .s(String(format: "%03d", $0))] }
            let found = try await table.batchGet(keys)
            #expect(found.count == 130)
            #expect(found.first?["n"] == 129 && found.last?["n"] == 0)
            await #expect(throws: KVTableError.self) { try await table.batchGet([keys[0], keys[0]]) }
            await #expect(throws: KVTableError.self) { try await table.batchWrite([.put(items[0]), .delete(key: keys.last!)]) }
            try await table.batchWrite(keys.prefix(70).map { .delete(key: $0) })
            #expect(try await table.batchGet(keys).count == 70)   // 0 ... 69 remain
        }
    }

    @Test("TTL: expired items are hidden from every read and absent for conditions", arguments: Engine.all)
    func timeToLive(engine: Engine) async throws {
        try await withEngine(engine) { fixture in
            let table = try await fixture.createTable(Self.schema)
            try await fixture.store.updateTimeToLive(table: table.name, attribute: "expiresAt")
            let table2 = try await fixture.store.table(table.name)   // a fresh handle sees TTL too
            let now = Int(fixture.time.now().timeIntervalSince1970)
            try await table2.putItem(["PK": "T", "SK": "old", "expiresAt": .n(ExactDecimal(now - 10))])
            try await table2.putItem(["PK": "T", "SK": "new", "expiresAt": .n(ExactDecimal(now + 3600))])
            try await table2.putItem(["PK": "T", "SK": "text", "expiresAt": "not a number"])
            #expect(try await table2.getItem(["PK": "T", "SK": "old"]) == nil)
            // `kvtable serve` hides expired items itself (a documented difference from DynamoDB,
            // which returns them until it deletes them), so only there they cannot be shown.
            let shown = try await table2.getItem(["PK": "T", "SK": "old"], projection: ["SK"], includeExpired: true)
            #expect(shown == (engine == .remote ? nil : ["SK": "old"]))
            #expect(try await table2.query(Query(partitionKey: "T")).items.count == 2)
            #expect(try await table2.query(Query(partitionKey: "T", countOnly: true)).count == 2)
            #expect(try await table2.scan().items.count == 2)
            #expect(try await table2.batchGet([["PK": "T", "SK": "old"], ["PK": "T", "SK": "new"]]).count == 1)
            // A create-only put succeeds over an expired item, as over an absent one.
            try await table2.putItem(["PK": "T", "SK": "old", "v": 1], condition: .notExists("PK"))
            #expect(try await table2.getItem(["PK": "T", "SK": "old"])?["v"] == 1)
        }
    }

    @Test("store: tables are listed, found, refused twice, deleted", arguments: Engine.all)
    func store(engine: Engine) async throws {
        try await withEngine(engine) { fixture in
            let table = try await fixture.createTable(Self.schema)
            #expect(try await fixture.store.tableNames().contains(table.name))
            #expect(try await fixture.store.table(table.name).schema == table.schema)
            await #expect(throws: KVTableError.self) { _ = try await fixture.createTable(Self.schema) }
            await #expect(throws: KVTableError.self) { _ = try await fixture.store.table(fixture.prefix + "Missing") }
            try await fixture.store.deleteTable(table.name)
            #expect(try await !fixture.store.tableNames().contains(table.name))
        }
    }

    @Test("bad input is a validation error and changes nothing", arguments: Engine.all)
    func badInput(engine: Engine) async throws {
        try await withEngine(engine) { fixture in
            let table = try await fixture.createTable(Self.schema)
            for item: Item in [["PK": "only partition"], ["PK": "", "SK": "x"], ["PK": 1, "SK": "x"], ["PK": "a", "SK": "b", "s": .ss([])]] {
                await #expect(throws: KVTableError.self, "\(item)") { try await table.putItem(item) }
            }
            #expect(try await table.scan().items.isEmpty)
        }
    }

    @Test("an invalid path literal never crashes: every request using it is a validation error and changes nothing", arguments: Engine.all)
    func invalidPathLiteral(engine: Engine) async throws {
        try await withEngine(engine) { fixture in
            let table = try await fixture.createTable(Self.schema)
            let key: Item = ["PK": "U", "SK": "S"]
            try await table.putItem(key.merging(["v": 1]) { a, _ in a })
            let bad: AttributePath = "a..b"
            let error = KVTableError.validation(#"Invalid document path "a..b": empty attribute name"#)
            #expect(throws: error) { try bad.validate() }
            await #expect(throws: error) { try await table.putItem(key.merging(["v": 2]) { a, _ in a }, condition: .attribute(bad) == 1) }
            await #expect(throws: error) { try await table.updateItem(key, [.set("v", 3), .set(bad, 3)]) }
            await #expect(throws: error) { try await table.updateItem(key, [.set("v", .attribute(bad))]) }
            await #expect(throws: error) { try await table.deleteItem(key, condition: .exists(bad)) }
            await #expect(throws: error) { try await table.getItem(key, projection: [bad]) }
            await #expect(throws: error) { try await table.query(Query(partitionKey: "U", filter: .attribute("v") == 1 && .exists(bad))) }
            let unbalanced: AttributePath = "tags[-1]"
            await #expect(throws: KVTableError.self) { try await table.scan(Scan(projection: ["v", unbalanced])) }
            #expect(try await table.getItem(key) == key.merging(["v": 1]) { a, _ in a })
        }
    }

    @Test("runtime Swift values go into conditions and updates without wrapping", arguments: Engine.all)
    func runtimeValues(engine: Engine) async throws {
        try await withEngine(engine) { fixture in
            let table = try await fixture.createTable(Self.schema)
            let key: Item = ["PK": "U", "SK": "S"]
            let (owner, views, price, active): (String, Int, ExactDecimal, Bool) = ("ada", 3, "19.99", true)
            try await table.updateItem(key, [.set("owner", owner), .add("views", views), .set("price", price), .set("active", active)])
            try await table.updateItem(key, [.set("price", .attribute("price") - .value(.n("0.99")))],
                                       condition: .attribute("owner") == .value(owner) && .attribute("views") >= .value(views))
            #expect(try await table.getItem(key) == key.merging(["owner": "ada", "views": 3, "price": 19, "active": true]) { a, _ in a })
            await #expect(throws: KVTableError.conditionalCheckFailed(currentItem: nil)) {
                try await table.deleteItem(key, condition: .attribute("views") > .value(views))
            }
        }
    }

    @Test("an update that only removes creates no item; an empty or 64 KB-plus attribute name is refused", arguments: Engine.faithful)
    func removeOnlyUpdatesAndAttributeNames(engine: Engine) async throws {
        try await withEngine(engine) { fixture in
            let table = try await fixture.createTable(Self.schema)
            let absent: Item = ["PK": "U", "SK": "absent"]
            #expect(try await table.updateItem(absent, [.remove("x"), .delete("tags", .ss(["a"]))], returnValues: .allNew) == nil)
            #expect(try await table.getItem(absent) == nil)
            // With any SET or ADD the update creates the item, as before.
            #expect(try await table.updateItem(absent, [.remove("x"), .add("n", 1)], returnValues: .allNew) == absent.merging(["n": 1]) { a, _ in a })
            #expect(try await table.updateItem(absent, [.remove("n")], returnValues: .allNew) == absent)   // present: removes

            let key: Item = ["PK": "U", "SK": "names"]
            let longest = String(repeating: "n", count: 65_535)
            try await table.putItem(key.merging([longest: "fits"]) { a, _ in a })
            await #expect(throws: KVTableError.validation("One or more parameter values were invalid: An attribute name cannot be empty")) {
                try await table.putItem(key.merging(["": "x"]) { a, _ in a })
            }
            await #expect(throws: KVTableError.validation("One or more parameter values were invalid: An attribute name is 65536 bytes long; the limit is 65535")) {
                try await table.putItem(key.merging([longest + "n": "x"]) { a, _ in a })
            }
            #expect(try await table.getItem(key)?[longest] == "fits")
        }
    }

    @Test("transactions: all or none, a reason per action, one snapshot for reads", arguments: Engine.all)
    func transactions(engine: Engine) async throws {
        try await withEngine(engine) { fixture in
            // moto (5.x) ignores ProjectionExpression in TransactGetItems: a departure from DynamoDB.
            try await Self.transactionBehaviour(fixture.store, prefix: fixture.prefix, projectsTransactGets: engine != .moto)
        }
    }

    /// Generic over the engine, as user code is: `TransactionWrite<S.TableHandle>`.
    static func transactionBehaviour<S: ItemStore>(_ store: S, prefix: String, projectsTransactGets: Bool) async throws {
        var schema = Self.schema
        schema.name = prefix + "Bank"
        let table = try await store.createTable(schema)
        let from: Item = ["PK": "ACC", "SK": "from"], to: Item = ["PK": "ACC", "SK": "to"]
        try await table.putItem(from.merging(["balance": 100]) { a, _ in a })
        try await table.putItem(to.merging(["balance": 0]) { a, _ in a })

        try await store.transactWrite([
            .update(table, key: from, [.set("balance", .attribute("balance") - 30)], condition: .attribute("balance") >= 30),
            .update(table, key: to, [.set("balance", .attribute("balance") + 30)]),
            .put(table, ["PK": "LOG", "SK": "t1", "amount": 30], condition: .notExists("PK")),
        ])
        let balances = try await store.transactGet([TransactionRead(table, key: from, projection: ["balance"]),
                                                    TransactionRead(table, key: to),
                                                    TransactionRead(table, key: ["PK": "none", "SK": "x"])])
        #expect(balances.count == 3)
        #expect(projectsTransactGets ? balances[0] == ["balance": 70] : balances[0]?["balance"] == 70)
        #expect(balances[1]?["balance"] == 30)
        #expect(balances[2] == nil)

        // One failing condition cancels everything, with a reason per action.
        do {
            try await store.transactWrite([
                .update(table, key: from, [.set("balance", .attribute("balance") - 500)], condition: .attribute("balance") >= 500),
                .delete(table, key: to),
            ], clientRequestToken: nil, returnItemsOnConditionFailure: true)
            Issue.record("the transaction should have been cancelled")
        } catch KVTableError.transactionCanceled(let reasons) {
            #expect(reasons.map(\.code) == ["ConditionalCheckFailed", "None"])
            if case .conditionalCheckFailed(let item)? = reasons.first { #expect(item?["balance"] == 70) }
        }
        #expect(try await table.getItem(to)?["balance"] == 30)

        // A condition check writes nothing; two actions on one item are refused before sending.
        try await store.transactWrite([.conditionCheck(table, key: from, .attribute("balance") == 70),
                                       .put(table, ["PK": "LOG", "SK": "t2"])])
        await #expect(throws: KVTableError.self) {
            try await store.transactWrite([.delete(table, key: from), .conditionCheck(table, key: from, .exists("PK"))])
        }
        await #expect(throws: KVTableError.self) { try await store.transactWrite([]) }
        #expect(try await table.query(Query(partitionKey: "LOG")).items.count == 2)
    }
}

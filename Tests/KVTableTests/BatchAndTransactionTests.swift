import Foundation
import Testing
@testable import KVTable

@Suite("Batches and transactions")
struct BatchAndTransactionTests {
    @Test("batchGet reads one snapshot in key order; batchWrite is atomic and rejects duplicate keys", arguments: Backend.allCases)
    func batches(backend: Backend) async throws {
        let fixture = try TestStore(backend)
        let table = try await fixture.singleTable()
        let many = (0..<250).map { n -> Table.WriteRequest in
            .put(["PK": "P", "SK": .s(String(format: "%03d", n)), "GSI1PK": "G", "GSI1SK": .s("\(n)")])
        }
        try await table.batchWrite(many)   // far more than DynamoDB's 25
        #expect(try await table.query(Query(partitionKey: "P", countOnly: true)).count == 250)
        let keys: [Item] = [["PK": "P", "SK": "007"], ["PK": "P", "SK": "nope"], ["PK": "P", "SK": "003"]]
        let got = try await table.batchGet(keys, projection: ["SK"])
        #expect(got == [["SK": "007"], ["SK": "003"]])
        await #expect(throws: KVTableError.validation("Provided list of item keys contains duplicates")) {
            try await table.batchGet([["PK": "P", "SK": "1"], ["PK": "P", "SK": "1"]])
        }
        await #expect(throws: KVTableError.validation("Provided list of item keys contains duplicates")) {
            try await table.batchWrite([.put(["PK": "P", "SK": "new"]), .delete(key: ["PK": "P", "SK": "new"])])
        }
        // One bad request: nothing of the batch is written.
        await #expect(throws: KVTableError.validation("One or more parameter values were invalid: Missing the key SK in the item")) {
            try await table.batchWrite([.delete(key: ["PK": "P", "SK": "000"]), .put(["PK": "P", "SK": "x"]), .put(["PK": "P"])])
        }
        #expect(try await table.getItem(["PK": "P", "SK": "000"]) != nil)
        #expect(try await table.getItem(["PK": "P", "SK": "x"]) == nil)
        // Puts only take the bulk path: the same rules, and replaced items move in the index.
        await #expect(throws: KVTableError.validation("Provided list of item keys contains duplicates")) {
            try await table.batchWrite([.put(["PK": "P", "SK": "y"]), .put(["PK": "P", "SK": "000", "GSI1PK": "G", "GSI1SK": "moved"]),
                                        .put(["PK": "P", "SK": "y", "v": 2])])
        }
        await #expect(throws: KVTableError.validation("One or more parameter values were invalid: Missing the key SK in the item")) {
            try await table.batchWrite([.put(["PK": "P", "SK": "y"]), .put(["PK": "P"])])
        }
        #expect(try await table.getItem(["PK": "P", "SK": "y"]) == nil)
        try await table.batchWrite([.put(["PK": "P", "SK": "001", "GSI1PK": "G", "GSI1SK": "moved"]), .put(["PK": "P", "SK": "000", "v": 1])])
        #expect(try await table.query(Query(indexName: "GSI1", partitionKey: "G", sortKey: .equal("moved"))).items.map { $0["SK"] } == ["001"])
        #expect(try await table.query(Query(indexName: "GSI1", partitionKey: "G", countOnly: true)).count == 249)
        try await table.batchWrite([.put(["PK": "P", "SK": "000", "GSI1PK": "G", "GSI1SK": "0"])])
        try await table.batchWrite((0..<250).map { .delete(key: ["PK": "P", "SK": .s(String(format: "%03d", $0))]) })
        #expect(try await table.scan().count == 0)
        #expect(try await table.scan(Scan(indexName: "GSI1")).count == 0)
    }

    @Test("transactWrite is all-or-nothing with a reason per action", arguments: Backend.allCases)
    func transactions(backend: Backend) async throws {
        let fixture = try TestStore(backend)
        let store = fixture.store
        let users = try await fixture.singleTable()
        let audit = try await store.createTable(TableSchema(name: "Audit", keySchema: KeySchema(partitionKey: KeyAttribute("id", .string))))
        try await users.putItem(["PK": "USER#1", "SK": "PROFILE", "balance": 100])
        try await users.putItem(["PK": "USER#2", "SK": "PROFILE", "balance": 5])
        try await users.putItem(["PK": "BANK", "SK": "STATUS", "open": true])

        // A transfer that is allowed.
        try await store.transactWrite([
            .update(users, key: ["PK": "USER#1", "SK": "PROFILE"], [.add("balance", -30)], condition: .attribute("balance") >= 30),
            .update(users, key: ["PK": "USER#2", "SK": "PROFILE"], [.add("balance", 30)]),
            .put(audit, ["id": "t1", "amount": 30], condition: .notExists("id")),
            .conditionCheck(users, key: ["PK": "BANK", "SK": "STATUS"], .attribute("open") == true),
        ])
        #expect(try await users.getItem(["PK": "USER#1", "SK": "PROFILE"])?["balance"] == 70)
        #expect(try await users.getItem(["PK": "USER#2", "SK": "PROFILE"])?["balance"] == 35)

        // One failing condition cancels everything.
        do {
            try await store.transactWrite([
                .update(users, key: ["PK": "USER#2", "SK": "PROFILE"], [.add("balance", -500)], condition: .attribute("balance") >= 500),
                .update(users, key: ["PK": "USER#1", "SK": "PROFILE"], [.add("balance", 500)]),
                .put(audit, ["id": "t1", "amount": 500], condition: .notExists("id")),
                .delete(users, key: ["PK": "USER#9", "SK": "PROFILE"]),
                .update(users, key: ["PK": "USER#3", "SK": "PROFILE"], [.set("x", .attribute("missing") + 1)]),
            ], returnItemsOnConditionFailure: true)
            Issue.record("the transaction should have been cancelled")
        } catch KVTableError.transactionCanceled(let reasons) {
            #expect(reasons == [
                .conditionalCheckFailed(currentItem: ["PK": "USER#2", "SK": "PROFILE", "balance": 35]),
                .none,
                .conditionalCheckFailed(currentItem: ["id": "t1", "amount": 30]),
                .none,
                .validationError("The provided expression refers to an attribute that does not exist in the item"),
            ])
        }
        #expect(try await users.getItem(["PK": "USER#1", "SK": "PROFILE"])?["balance"] == 70)
        #expect(try await audit.scan().count == 1)

        // An action whose key breaks the schema cancels the transaction with a reason for it;
        // as in DynamoDB, the first such action is the only one reported (a later invalid one's
        // reason is None too).
        await #expect(throws: KVTableError.transactionCanceled([
            .none,
            .validationError("One or more parameter values were invalid: Type mismatch for key id expected: S actual: N"),
            .none,
        ])) {
            try await store.transactWrite([
                .put(audit, ["id": "t9"]),
                .put(audit, ["id": 9]),
                .update(users, key: ["PK": "USER#1", "SK": "PROFILE"], [.set("SK", "OTHER")]),
            ])
        }
        await #expect(throws: KVTableError.transactionCanceled([
            .validationError("One or more parameter values were invalid: Cannot update attribute SK. This attribute is part of the key"),
        ])) {
            try await store.transactWrite([.update(users, key: ["PK": "USER#1", "SK": "PROFILE"], [.set("SK", "OTHER")])])
        }
        #expect(try await audit.scan().count == 1)

        // Static errors.
        await #expect(throws: KVTableError.validation("Transaction request cannot include multiple operations on one item")) {
            try await store.transactWrite([
                .put(users, ["PK": "USER#1", "SK": "PROFILE"]),
                .conditionCheck(users, key: ["PK": "USER#1", "SK": "PROFILE"], .exists("PK")),
            ])
        }
        await #expect(throws: KVTableError.validation("1 validation error detected: Value at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to 100")) {
            try await store.transactWrite((0..<101).map { .put(audit, ["id": .s("\($0)")]) })
        }
        await #expect(throws: KVTableError.validation("1 validation error detected: Value at 'transactItems' failed to satisfy constraint: Member must have length greater than or equal to 1")) {
            try await store.transactWrite([])
        }
        try await store.transactWrite((0..<100).map { .put(audit, ["id": .s("bulk\($0)")]) })
        #expect(try await audit.scan().count == 101)
    }

    @Test("A transaction writing more than 4 MB of items is rejected and writes nothing", arguments: Backend.allCases)
    func transactionSizeLimit(backend: Backend) async throws {
        let fixture = try TestStore(backend)
        let table = try await fixture.singleTable()
        let blob = AttributeValue.s(String(repeating: "x", count: 390_000))
        let puts = (0..<11).map { TransactionAction.put(table, ["PK": .s("big\($0)"), "SK": "s", "blob": blob]) }
        await #expect { try await fixture.store.transactWrite(puts) } throws: { error in
            guard case KVTableError.validation(let message) = error else { return false }
            return message.hasPrefix("Transaction request size cannot exceed 4 MB")
        }
        #expect(try await table.scan().count == 0)
        try await fixture.store.transactWrite(Array(puts.prefix(10)))    // 3.9 MB is fine
        #expect(try await table.scan(Scan(countOnly: true)).count == 10)
    }

    @Test("A retried transaction with the same token is applied once", arguments: Backend.allCases)
    func idempotency(backend: Backend) async throws {
        let time = ManualTime()
        let fixture = try TestStore(backend, time: time)
        let table = try await fixture.singleTable()
        let deposit: [TransactionAction] = [.update(table, key: ["PK": "ACC", "SK": "1"], [.add("balance", 10)])]
        try await fixture.store.transactWrite(deposit, clientRequestToken: "deposit-1")
        try await fixture.store.transactWrite(deposit, clientRequestToken: "deposit-1")
        #expect(try await table.getItem(["PK": "ACC", "SK": "1"])?["balance"] == 10)
        await #expect(throws: KVTableError.idempotentParameterMismatch("The request uses the same client token as a previous, but non-identical request within the last 10 minutes")) {
            try await fixture.store.transactWrite([.update(table, key: ["PK": "ACC", "SK": "1"], [.add("balance", 99)])],
                                                  clientRequestToken: "deposit-1")
        }
        time.advance(by: .seconds(601))
        try await fixture.store.transactWrite(deposit, clientRequestToken: "deposit-1")
        #expect(try await table.getItem(["PK": "ACC", "SK": "1"])?["balance"] == 20)
    }

    @Test("Racing transactions on the same items: no lost update, no partial commit", arguments: Backend.allCases)
    func racingTransactions(backend: Backend) async throws {
        let fixture = try TestStore(backend)
        let store = fixture.store
        let table = try await fixture.singleTable()
        let accounts = 4
        for n in 0..<accounts { try await table.putItem(["PK": "ACC", "SK": .s("\(n)"), "balance": 100]) }
        let committed = Counter()
        let cancelled = Counter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for t in 0..<200 {
                group.addTask {
                    let from = t % accounts
                    let to = (t + 1) % accounts
                    do {
                        try await store.transactWrite([
                            .update(table, key: ["PK": "ACC", "SK": .s("\(from)")], [.add("balance", -7)], condition: .attribute("balance") >= 7),
                            .update(table, key: ["PK": "ACC", "SK": .s("\(to)")], [.add("balance", 7), .add("received", 1)]),
                        ])
                        committed.add()
                    } catch KVTableError.transactionCanceled {
                        cancelled.add()
                    }
                }
            }
            try await group.waitForAll()
        }
        let items = try await table.query(Query(partitionKey: "ACC")).items
        let total = items.reduce(0) { $0 + $1["balance"]!.numberValue!.intValue! }
        let received = items.reduce(0) { $0 + ($1["received"]?.numberValue?.intValue ?? 0) }
        #expect(total == accounts * 100)            // money is conserved: no partial commit
        #expect(received == committed.count)        // every committed transfer counted once
        #expect(committed.count + cancelled.count == 200)
        #expect(items.allSatisfy { $0["balance"]!.numberValue!.intValue! >= 0 })
    }

    @Test("transactGet reads several tables in one snapshot", arguments: Backend.allCases)
    func transactGet(backend: Backend) async throws {
        let fixture = try TestStore(backend)
        let table = try await fixture.singleTable()
        let other = try await fixture.store.createTable(TableSchema(name: "Other", keySchema: KeySchema(partitionKey: KeyAttribute("id", .number))))
        try await table.putItem(["PK": "A", "SK": "1", "v": 1])
        try await other.putItem(["id": 7, "w": 2])
        let got = try await fixture.store.transactGet([
            TransactionGet(table, key: ["PK": "A", "SK": "1"], projection: ["v"]),
            TransactionGet(other, key: ["id": 7]),
            TransactionGet(table, key: ["PK": "missing", "SK": "1"]),
        ])
        #expect(got == [["v": 1], ["id": 7, "w": 2], nil])
        #expect(throws: KVTableError.validation("The provided key element does not match the schema")) {
            try fixture.store.transactGetSynchronously([TransactionGet(other, key: ["id": "7"])])
        }
    }

    @Test("Parallel scan: disjoint segments whose union is the whole scan", arguments: Backend.allCases)
    func segments(backend: Backend) async throws {
        let fixture = try TestStore(backend)
        let table = try await fixture.singleTable()
        try await table.batchWrite((0..<300).map { n in
            .put(["PK": .s("USER#\(n % 37)"), "SK": .s("ITEM#\(n)"), "GSI1PK": .s("G\(n % 5)"), "GSI1SK": .s("\(n)")])
        })
        for indexName in [nil, "GSI1"] {
            let all = Set(try await table.scan(Scan(indexName: indexName)).items.map { $0["SK"]!.stringValue! })
            #expect(all.count == 300)
            let total = 4
            var union: [String] = []
            for segment in 0..<total {
                var cursor: PageCursor?
                var partitions = Set<String>()
                repeat {
                    let page = try await table.scan(Scan(indexName: indexName, limit: 17, startAfter: cursor, segment: .init(segment, of: total)))
                    union += page.items.map { $0["SK"]!.stringValue! }
                    partitions.formUnion(page.items.map { $0[indexName == nil ? "PK" : "GSI1PK"]!.stringValue! })
                    cursor = page.nextCursor
                } while cursor != nil
                #expect(!partitions.isEmpty || indexName != nil)
            }
            #expect(union.count == 300)          // disjoint
            #expect(Set(union) == all)           // complete
        }
        // A start key from one segment does not continue another.
        let first = try await table.scan(Scan(limit: 1, segment: .init(0, of: 4)))
        let cursor = try #require(first.nextCursor)
        #expect(try await table.scan(Scan(limit: 1, startAfter: cursor, segment: .init(0, of: 4))).count == 1)
        await #expect(throws: KVTableError.validation("The provided Exclusive start key does not map to the provided Segment and TotalSegments values.")) {
            try await table.scan(Scan(startAfter: cursor, segment: .init(1, of: 4)))
        }
        await #expect(throws: KVTableError.validation("The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: 4 is not less than TotalSegments: 4")) {
            try await table.scan(Scan(segment: .init(4, of: 4)))
        }
        await #expect(throws: KVTableError.validation("1 validation error detected: Value '0' at 'totalSegments' failed to satisfy constraint: Member must have value greater than or equal to 1")) {
            try await table.scan(Scan(segment: .init(0, of: 0)))
        }
    }
}

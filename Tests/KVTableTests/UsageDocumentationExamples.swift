import Foundation
import Testing
@testable import KVTable

// The code of Sources/KVTable/KVTable.docc/Usage.md, block by block, as written there
// (DocumentationExampleTests checks that every ```swift block of every catalog article appears
// verbatim in a test source). Each block is wrapped in a function that supplies the names it
// uses; the test at the end runs the ones that need no files outside a temporary directory.

func usageOpening() throws -> (KVStore, KVStore) {
    let store = try KVStore.open(path: "/var/lib/app/app.kvt")   // LMDB: the file plus app.kvt-lock
    let testStore = KVStore.inMemory()                           // tests: no files, same semantics
    return (store, testStore)
}

func usageTables(_ store: KVStore) async throws -> (Table, [String], Table) {
    let app = try await store.createTable(.singleTable(name: "App"))
    let events = try await store.createTable(TableSchema(
        name: "Events",
        keySchema: KeySchema(partitionKey: KeyAttribute("campaign", .string), sortKey: KeyAttribute("at", .number)),
        globalSecondaryIndexes: [
            GlobalSecondaryIndex(name: "ByUser",
                                 keySchema: KeySchema(partitionKey: KeyAttribute("user", .string),
                                                      sortKey: KeyAttribute("at", .number)),
                                 projection: .keysOnly),
        ]))
    let names = store.tableNames()  // ["App", "Events"]
    let again = try store.table("App")
    try await store.deleteTable("Events")   // items and index entries go with it
    _ = events
    return (app, names, again)
}

func usageSchemaChanges(_ store: KVStore) async throws {
    try await store.updateTable("Events", .create(GlobalSecondaryIndex(
        name: "ByKind", keySchema: KeySchema(partitionKey: KeyAttribute("kind", .string)))))
    try await store.updateTable("Events", .delete("ByUser"))
    try await store.tagTable("App", ["team": "audio"])       // also untagTable; table.tags
}

func usageMaintenance(_ store: KVStore, _ table: Table) throws {
    let statistics = try table.statistics()     // items, bytes, entries per index and in the TTL index
    let problems = try table.verifyIndexes()    // [] when every index entry matches its item
    try store.backup(to: "/backups/app.kvt")    // a compacted, consistent copy while in use (LMDB)
    let sizes = store.fileSizes()               // file, map and in-use bytes (nil in memory)
    _ = (statistics, problems, sizes)
}

func usageItems(userInput: String) throws -> (Item, [String: AttributeValue]) {
    var item: Item = ["PK": "USER#1", "SK": "PROFILE", "age": 36, "admin": false,
                      "tags": .ss(["a", "b"]), "address": ["city": "London"], "nickname": nil]
    item["price"] = .n("19.99")                        // subscripts, as on a dictionary; exact, never a Double
    item["total"] = try .number(userInput)             // text from outside the program: checked, throws
    for (name, value) in item { print(name, value) }   // a read item: names in UTF-8 byte order
    let plain: [String: AttributeValue] = item.attributes
    return (item, plain)
}

func usageVisiting(_ table: Table, _ page: Page) throws -> (Set<String>, Item) {
    // Read several attributes of each item in one pass over its bytes (prepare the names once).
    let fields: AttributeNames = ["userId", "eventType", "timestampMillis"]
    for item in page.items {
        print(item.values(named: fields))                // [AttributeValue?], in the order given
    }

    // Visit a whole query range in place, in one snapshot: no page, no copy per item.
    var values: [AttributeValue?] = []                   // reused for every item
    var users = Set<String>()
    try table.read { reader in
        try reader.forEachItem(Query(partitionKey: "ANALYTICS#2026-12-01")) { event in
            event.values(named: fields, into: &values)   // no allocation per item
            if event[path: "eventData.feature"] == "search" { /* one key of a map, the map not built */ }
            event.withUTF8(ofString: "userId") { bytes in /* hash or compare in place */ }
            if case .s(let user)? = values[0] { users.insert(user) }
            // event.item copies it out, to keep
        }
    }

    // Build an item straight into its stored form: no dictionary, checked once.
    var builder = ItemBuilder()
    builder.set("PK", "EVENT#2026-12-01")                // names in any order (in name order:
    builder.set("SK", "0001")                            //  nothing to sort)
    builder.set("count", .number(3))
    let built = try builder.build()                      // throws what a write would reject
    return (users, built)
}

func usageWrites(_ table: Table, _ item: Item) async throws -> Item? {
    try await table.putItem(item)                                        // create or replace
    try await table.putItem(item, condition: .notExists("PK"))           // create only
    let old = try await table.putItem(item, returnOldItem: true)         // the replaced item
    try await table.deleteItem(["PK": "USER#1", "SK": "PROFILE"], condition: .attribute("version") == 3)
    return old
}

func usageConditions() -> [Condition] {
    let c1: Condition = .exists("email") && .notExists("deletedAt")
    let c2: Condition = .attribute("age").between(18, 65) || .attribute("role").isIn(["admin", "owner"])
    let c3: Condition = .beginsWith("SK", "FILE#") && .size("tags") > 2
    let c4: Condition = .contains("tags", "swift") && .hasType("score", .number)
    let c5: Condition = !(.attribute("address.lines[0]") == "")
    return [c1, c2, c3, c4, c5]
}

func usageReads(_ table: Table) async throws -> (Item?, Page, Int, Page) {
    let user = try await table.getItem(["PK": "USER#1", "SK": "PROFILE"], projection: ["name", "address.city"])

    let page = try await table.query(Query(
        indexName: "GSI1",                       // omit for the table
        partitionKey: "UPLOADS#2026-11-22",
        sortKey: .between("10:00", "11:00"),     // .equal .lessThan … .beginsWith
        ascending: false,
        limit: 50,                               // items read, before the filter
        filter: .attribute("size") > 1_000_000,
        projection: ["PK", "SK", "filename"]))
    print(page.items, page.count, page.scannedCount)
    if let cursor = page.nextCursor { print(cursor.token) }   // resume with Query(…, startAfter: cursor)

    let total = try await table.query(Query(partitionKey: "USER#1", countOnly: true)).count
    let everything = try await table.scan(Scan(limit: 100, filter: .exists("email")))
    return (user, page, total, everything)
}

func usageSnapshotRead(_ table: Table) throws -> (Item?, Page) {
    let (profile, files) = try table.read { reader in
        (try reader.getItem(["PK": "USER#1", "SK": "PROFILE"]),
         try reader.query(Query(partitionKey: "USER#1", sortKey: .beginsWith("FILE#"))))
    }
    return (profile, files)
}

func usageUpdate(_ table: Table) async throws -> Item? {
    let updated = try await table.updateItem(["PK": "USER#1", "SK": "PROFILE"], [
        .set("name", "Ada"),
        .set("views", .ifNotExists("views", 0) + 1),
        .set("history", .listAppend(.attribute("history"), .value(["signed in"]))),
        .set("address.lines[9]", "appended: an index past the end appends"),
        .remove("draft"),
        .add("logins", 1),                      // numbers: a missing attribute counts as 0
        .add("tags", .ss(["swift"])),           // sets: union
        .delete("flags", .ss(["new"])),         // sets: difference; the last element removes the attribute
    ], condition: .exists("PK"), returnValues: .allNew)
    return updated
}

func usageConcurrencyHelpers(_ table: Table, _ key: Item, _ item: Item) async throws -> (ExactDecimal, Item, Item) {
    let views = try await table.increment(key, "views")                 // atomic counter
    let saved = try await table.putVersioned(item)                      // optimistic: checks and bumps "version"
    let final = try await table.modify(key) { current in                // re-reads and retries on conflict
        var item = current ?? key
        item["count"] = .number((item["count"]?.numberValue?.intValue ?? 0) + 1)
        return item
    }
    return (views, saved, final)
}

func usageBatches(_ table: Table, _ item1: Item, _ item2: Item, _ key1: Item, _ key2: Item, _ key3: Item) async throws -> [Item?] {
    try await table.batchWrite([.put(item1), .put(item2), .delete(key: key3)])   // any size
    let items = try await table.batchGet([key1, key2])                            // one snapshot
    return items
}

func usageTransactions(_ store: KVStore, accounts: Table, ledger: Table, from: Item, to: Item, bank: Item) async throws -> [Item?] {
    try await store.transactWrite([
        .update(accounts, key: from, [.add("balance", -30)], condition: .attribute("balance") >= 30),
        .update(accounts, key: to, [.add("balance", 30)]),
        .put(ledger, ["id": "t-1", "amount": 30], condition: .notExists("id")),
        .conditionCheck(accounts, key: bank, .attribute("open") == true),
    ], clientRequestToken: "t-1")
    let snapshot = try await store.transactGet([TransactionGet(accounts, key: from), TransactionGet(ledger, key: ["id": "t-1"])])
    return snapshot
}

func usageClosureTransaction(_ store: KVStore, _ table: Table) async throws -> Bool {
    let counted = try await store.write { tx -> Bool in
        let marker: Item = ["PK": "DAU#2026-11-22", "SK": "USER#42"]
        guard try tx.getItem(table, marker) == nil else { return false }
        try tx.putItem(table, marker)
        try tx.updateItem(table, ["PK": "METRICS#2026-11-22", "SK": "DAILY"], [.add("activeUsers", 1)])
        return true
    }
    return counted
}

func usageBulk(_ store: KVStore, _ table: Table, newItems: [Item], items: [Item]) async throws -> [Bool] {
    let inserted = try await store.write { tx in
        try tx.insertItems(table, newItems)   // [Bool]: stored only where no live item has the key
    }
    try await store.write { tx in try tx.putItems(table, items) }   // replace, like putItem
    return inserted
}

func usageVisitOne(_ table: Table) throws -> [String: ExactDecimal]? {
    let counters = try table.read { reader in
        try reader.withItem(["PK": "PAGE#home", "SK": "COUNTERS"]) { item -> [String: ExactDecimal] in
            var values: [String: ExactDecimal] = [:]
            item.forEachNumber { name, value in values[String(decoding: name, as: UTF8.self)] = value }
            return values
        }
    }   // nil when the item is absent or expired
    return counters
}

func usageParallelRead(_ table: Table) throws -> Int {
    let halves: [SortKeyCondition] = [.lessThan("N"), .greaterThanOrEqual("N")]
    let counts = try table.read(inParallel: 2) { reader, part in
        var count = 0
        for half in stride(from: part.index, to: halves.count, by: part.count) {
            try reader.forEachItem(Query(partitionKey: "P", sortKey: halves[half])) { _ in count += 1 }
        }
        return count
    }
    return counts.reduce(0, +)
}

func usageParallelScan(_ table: Table) async throws -> Page {
    let page = try await table.scan(Scan(limit: 1000, segment: .init(2, of: 8)))
    return page
}

func usageTimeToLive(_ store: KVStore, _ table: Table, expiry: Int) async throws -> (Int, TimeToLiveSweeper) {
    try await store.updateTimeToLive(table: "App", attribute: "expiresAt")   // epoch seconds
    try await table.putItem(["PK": "SESSION#1", "SK": "S", "expiresAt": .number(expiry)])
    let n = try await table.sweepExpired()                                  // or run the service:
    let sweeper = TimeToLiveSweeper(store: store, period: .seconds(60))      // a swift-service-lifecycle Service
    return (n, sweeper)
}

func usageChangeStream(_ table: Table) async {
    do {
        for try await change in table.changes() {
            print(change.sequenceNumber, change.kind, change.keys, change.oldImage ?? [:], change.newImage ?? [:])
        }
    } catch .changeStreamLagged {   // the stream's error type is KVTableError: no cast
        // resynchronise from the table, then subscribe again
    } catch {
        print(error.code, error.message)   // any other KVTableError (a closed store ends the stream without one)
    }
}

func usageErrors(_ table: Table, _ item: Item) async throws {
    do {
        try await table.putItem(item, condition: .notExists("PK"), returnItemOnConditionFailure: true)
    } catch KVTableError.conditionalCheckFailed(let current) {
        print("taken by", current ?? [:])
    } catch let error as KVTableError where error.code == "ValidationException" {
        print(error.message)
    }
}

func usageLocalIndex(_ store: KVStore) async throws -> ([Item], [Item]) {
    let files = try await store.createTable(TableSchema(
        name: "Files",
        keySchema: KeySchema(partitionKey: KeyAttribute("owner", .string), sortKey: KeyAttribute("fileId", .string)),
        localSecondaryIndexes: [
            LocalSecondaryIndex(name: "BySize", sortKey: KeyAttribute("bytes", .number), projection: .keysOnly),
        ]))
    try await files.putItem(["owner": "ada", "fileId": "f1", "bytes": 2_048, "title": "notes.txt"])
    var largest = Query(indexName: "BySize", partitionKey: "ada", ascending: false, limit: 10)
    let keys = try await files.query(largest).items      // owner, fileId, bytes: what BySize projects
    largest.allAttributes = true
    let whole = try await files.query(largest).items     // every attribute, read from the table
    return (keys, whole)
}

@Suite("Usage article examples")
struct UsageDocumentationExampleTests {
    @Test("The article's examples run on an in-memory store and do what their comments say")
    func examplesRun() async throws {
        let store = KVStore.inMemory()
        let (app, names, again) = try await usageTables(store)
        #expect(names == ["App", "Events"] && again.name == "App" && store.tableNames() == ["App"])

        let (item, plain) = try usageItems(userInput: "1e2")
        #expect(item["price"] == .n(try ExactDecimal(String("19.99"))) && plain["total"] == 100)
        #expect(throws: KVTableError.self) { try usageItems(userInput: "1,5") }

        try await app.putItem(["PK": "USER#1", "SK": "PROFILE", "history": [], "address": ["lines": ["1 Main St"]],
                               "flags": .ss(["new"]), "draft": true])
        let updated = try #require(try await usageUpdate(app))
        #expect(updated["views"] == 1 && updated["logins"] == 1 && updated["flags"] == nil && updated["draft"] == nil)
        #expect(("address.lines[1]" as AttributePath).value(in: updated) == "appended: an index past the end appends")

        #expect(try await usageClosureTransaction(store, app))
        #expect(try await usageClosureTransaction(store, app) == false)   // the marker exists
        #expect(try usageVisitOne(app) == nil)
        for sk in ["A", "M", "N", "Z"] { try await app.putItem(["PK": "P", "SK": .s(sk)]) }
        #expect(try usageParallelRead(app) == 4)
        #expect(usageConditions().count == 5)

        let (keys, whole) = try await usageLocalIndex(store)
        #expect(keys == [["owner": "ada", "fileId": "f1", "bytes": 2_048]])
        #expect(whole.first?["title"] == "notes.txt")
    }
}

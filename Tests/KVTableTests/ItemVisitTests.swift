import Foundation
import Testing
@testable import KVTable

@Suite("forEachItem: visiting stored items in place")
struct ItemVisitTests {
    /// 2,500 items (more than a page of 1,000 would hold) under one partition, every tenth in
    /// GSI1, every seventh expired, with a nested map and a set.
    static func fill(_ table: Table, now: Int) async throws {
        for start in stride(from: 0, to: 2500, by: 25) {
            try await table.batchWrite((start..<start + 25).map { i -> WriteRequest in
                var item: Item = ["PK": "P", "SK": .s(String(format: "%05d", i)), "n": .number(i),
                                  "data": .m(["kind": .s(i % 2 == 0 ? "even" : "odd"), "tags": .ss(["t\(i % 3)"])])]
                if i % 10 == 0 { item["GSI1PK"] = "tenths"; item["GSI1SK"] = .s(String(format: "%05d", i)) }
                if i % 7 == 0 { item["ttl"] = .number(now - 1) }
                return .put(item)
            })
        }
    }

    @Test("visits what paged queries return, in the same order, forward and backward, on the table and an index", arguments: Backend.allCases)
    func matchesQueries(backend: Backend) async throws {
        let time = ManualTime()
        let fixture = try TestStore(backend, time: time)
        let table = try await fixture.singleTable()
        try await fixture.store.updateTimeToLive(table: "App", attribute: "ttl")
        try await Self.fill(table, now: Int(time.now().timeIntervalSince1970))
        let queries = [
            Query(partitionKey: "P"),
            Query(partitionKey: "P", ascending: false),
            Query(partitionKey: "P", sortKey: .between("00100", "01234")),
            Query(partitionKey: "P", includeExpired: true),
            Query(indexName: "GSI1", partitionKey: "tenths", ascending: false),
            Query(partitionKey: "P", filter: .attribute("data.kind") == "odd"),
            Query(partitionKey: "P", limit: 30),
            Query(partitionKey: "P", startAfter: PageCursor(lastEvaluatedKey: ["PK": "P", "SK": "02400"])),
        ]
        for query in queries {
            var paged: [Item] = []
            var page = query
            repeat {
                let result = try await table.query(page)
                paged += result.items
                page.startAfter = result.nextCursor
            } while page.startAfter != nil && query.limit == nil
            var visited: [Item] = []
            try table.read { reader in
                try reader.forEachItem(query) { visited.append($0.item) }
            }
            #expect(visited == paged, "\(query)")
            #expect(!visited.isEmpty)
        }
        // Expired items are hidden unless asked for.
        var expired = 0
        try table.read { reader in
            try reader.forEachItem(Query(partitionKey: "P")) { item in
                if item["ttl"] != nil { expired += 1 }
            }
        }
        #expect(expired == 0)
    }

    @Test("a stored item answers lookups as the item copied out of it does", arguments: Backend.allCases)
    func lookups(backend: Backend) async throws {
        let fixture = try TestStore(backend)
        let table = try await fixture.singleTable()
        try await table.putItem(["PK": "P", "SK": "a", "b": "bee", "a": 1, "zz": .l([1, "x"]), "m": .m(["k": true]), "!": "first name"])
        let names: AttributeNames = ["zz", "a", "missing", "b", "a", "!", "PK", "~"]
        var reused: [AttributeValue?] = [nil]   // the wrong size: resized
        try table.read { reader in
            try reader.forEachItem(Query(partitionKey: "P")) { stored in
                let copy = stored.item
                for name in ["PK", "SK", "a", "b", "zz", "m", "!", "", "missing", "A", "~"] {
                    #expect(stored[name] == copy[name], "\(name)")
                }
                #expect(stored.values(named: names) == copy.values(named: names))
                stored.values(named: names, into: &reused)
                #expect(reused == [.l([1, "x"]), 1, nil, "bee", 1, "first name", "P", nil])
                // A second item's values replace every position of the reused array.
                stored.values(named: ["nothing", "here"], into: &reused)
                #expect(reused == [nil, nil])
            }
        }
        #expect(reused.count == 2)
    }

    @Test("document paths and string bytes are read in place as an item's paths resolve", arguments: Backend.allCases)
    func pathsAndBytes(backend: Backend) async throws {
        let fixture = try TestStore(backend)
        let table = try await fixture.singleTable()
        try await table.putItem(["PK": "P", "SK": "a", "name": "Ada ユ",
                                 "m": .m(["b": .m(["c": 3, "d": .l(["x", .m(["e": true])])]), "a": "first", "zz": .null]),
                                 "l": .l([1, .l([2, 3]), "s"]), "n": 7])
        let paths: [AttributePath] = ["m", "m.b", "m.b.c", "m.b.d[1].e", "m.b.d[2]", "m.a", "m.zz", "m.missing",
                                      "m.b.c.x", "l[0]", "l[1][1]", "l[3]", "l.x", "m[0]", "n", "n.x", "missing.x", .name("m.b")]
        let stored = try #require(try await table.getItem(["PK": "P", "SK": "a"]))
        let built = Item(stored.attributes)
        try table.read { reader in
            try reader.forEachItem(Query(partitionKey: "P")) { item in
                for path in paths {
                    #expect(item[path: path] == path.value(in: built), "\(path)")
                    #expect(path.value(in: stored) == path.value(in: built), "\(path)")
                }
                #expect(item[path: "m.b.d[1].e"] == true && item[path: "l[1][1]"] == 3 && item[path: "m.b.d[2]"] == nil)
                #expect(item.withUTF8(ofString: "name") { String(decoding: $0, as: UTF8.self) } == "Ada ユ")
                #expect(item.withUTF8(ofString: "n") { _ in Issue.record("a number is not a string") } == nil)
                #expect(item.withUTF8(ofString: "missing") { _ in Issue.record("absent") } == nil)
            }
        }
    }

    @Test("failure modes: page-shaping options, an error from the body, a corrupt item", arguments: Backend.allCases)
    func failures(backend: Backend) async throws {
        let fixture = try TestStore(backend)
        let table = try await fixture.singleTable()
        for i in 0..<5 { try await table.putItem(["PK": "P", "SK": .s("\(i)")]) }
        var shaped = [Query(partitionKey: "P", projection: ["SK"]), Query(partitionKey: "P", countOnly: true)]
        var bytesLimited = Query(partitionKey: "P")
        bytesLimited.maximumPageBytes = 100
        shaped.append(bytesLimited)
        for query in shaped {
            #expect {
                try table.read { reader in try reader.forEachItem(query) { _ in Issue.record("visited") } }
            } throws: { error in
                guard case KVTableError.validation(let message) = error else { return false }
                return message.contains("projection, countOnly or maximumPageBytes")
            }
        }
        #expect(throws: KVTableError.self) {
            try table.read { reader in try reader.forEachItem(Query(partitionKey: 1)) { _ in } }   // wrong key type
        }
        struct Stop: Error {}
        var visited = 0
        #expect(throws: Stop.self) {
            try table.read { reader in
                try reader.forEachItem(Query(partitionKey: "P")) { _ in
                    visited += 1
                    if visited == 2 { throw Stop() }
                }
            }
        }
        #expect(visited == 2)
        // A corrupt item ends the visit with a storage error, never a trap.
        let key = try table.layout.itemKey(ofKey: ["PK": "P", "SK": "3"])
        try await table.context.storage.write { writer in try writer.put([ItemCodec.formatVersion, 9, 1], forKey: key) }
        visited = 0
        #expect {
            try table.read { reader in try reader.forEachItem(Query(partitionKey: "P")) { _ in visited += 1 } }
        } throws: { error in
            guard case KVTableError.storage = error else { return false }
            return true
        }
        #expect(visited == 3)
    }

    @Test("withItem visits one item in place: absent and expired items are nil, the body not called", arguments: Backend.allCases)
    func pointVisit(backend: Backend) async throws {
        let time = ManualTime()
        let fixture = try TestStore(backend, time: time)
        let table = try await fixture.singleTable()
        try await fixture.store.updateTimeToLive(table: "App", attribute: "ttl")
        let now = Int(time.now().timeIntervalSince1970)
        try await table.putItem(["PK": "C", "SK": "live", "events": 12, "ai:cost": try .number("0.125"),
                                 "label": "x", "list": .l([1]), "zero": 0])
        try await table.putItem(["PK": "C", "SK": "old", "events": 1, "ttl": .number(now - 1)])
        try table.read { reader in
            let numbers = try reader.withItem(["PK": "C", "SK": "live"]) { item -> [String] in
                #expect(item.count == 7)
                var seen: [String] = []
                item.forEachNumber { name, value in seen.append("\(String(decoding: name, as: UTF8.self))=\(value)") }
                return seen
            }
            // Numbers only, in name order; strings, lists and the keys are not decoded.
            #expect(numbers == ["ai:cost=0.125", "events=12", "zero=0"])
            #expect(try reader.withItem(["PK": "C", "SK": "missing"]) { _ in Issue.record("absent") } == nil)
            #expect(try reader.withItem(["PK": "C", "SK": "old"]) { _ in Issue.record("expired") } == nil)
            #expect(try reader.withItem(["PK": "C", "SK": "old"], includeExpired: true) { $0["events"] } == 1)
            #expect(throws: KVTableError.self) { try reader.withItem(["PK": "C"]) { _ in Issue.record("not a key") } }
        }
        // A corrupt item is a storage error, never a trap.
        let key = try table.layout.itemKey(ofKey: ["PK": "C", "SK": "live"])
        try await table.context.storage.write { writer in try writer.put([ItemCodec.formatVersion, 9, 1], forKey: key) }
        #expect {
            try table.read { reader in try reader.withItem(["PK": "C", "SK": "live"]) { _ in Issue.record("corrupt") } }
        } throws: { error in
            guard case KVTableError.storage = error else { return false }
            return true
        }
    }
}

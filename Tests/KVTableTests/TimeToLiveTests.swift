import Foundation
import ServiceLifecycle
import Testing
@testable import KVTable

@Suite("Time to live")
struct TimeToLiveTests {
    static func epoch(_ time: ManualTime, plus seconds: Int) -> AttributeValue {
        .number(Int(time.now().timeIntervalSince1970) + seconds)
    }

    @Test("Expired items are hidden, treated as absent by writes, and swept from table and indexes", arguments: Backend.allCases)
    func expiry(backend: Backend) async throws {
        let time = ManualTime()
        let fixture = try TestStore(backend, time: time)
        let table = try await fixture.singleTable()
        try await fixture.store.updateTimeToLive(table: "App", attribute: "expiresAt")
        #expect(table.timeToLiveAttribute == "expiresAt")
        let changes = table.changes()

        try await table.putItem(["PK": "S", "SK": "soon", "expiresAt": Self.epoch(time, plus: 10), "GSI1PK": "G", "GSI1SK": "soon"])
        try await table.putItem(["PK": "S", "SK": "past", "expiresAt": Self.epoch(time, plus: -5), "GSI1PK": "G", "GSI1SK": "past"])
        try await table.putItem(["PK": "S", "SK": "never", "GSI1PK": "G", "GSI1SK": "never"])
        try await table.putItem(["PK": "S", "SK": "text", "expiresAt": "tomorrow"])   // not a number: never expires

        #expect(try await table.getItem(["PK": "S", "SK": "past"]) == nil)
        #expect(try await table.getItem(["PK": "S", "SK": "past"], includeExpired: true)?["SK"] == "past")
        #expect(try await table.query(Query(partitionKey: "S")).items.map { $0["SK"]!.stringValue! } == ["never", "soon", "text"])
        #expect(try await table.query(Query(partitionKey: "S", includeExpired: true)).count == 4)
        #expect(try await table.query(Query(indexName: "GSI1", partitionKey: "G", countOnly: true)).count == 2)
        #expect(try await table.scan().count == 3)

        time.advance(by: .seconds(11))
        #expect(try await table.getItem(["PK": "S", "SK": "soon"]) == nil)
        #expect(try await table.query(Query(partitionKey: "S")).items.map { $0["SK"]!.stringValue! } == ["never", "text"])

        // A create-only write over an expired item succeeds: the item is logically gone.
        try await table.putItem(["PK": "S", "SK": "past", "v": "reborn"], condition: .notExists("PK"))

        let swept = try await table.sweepExpired(batchSize: 1)
        #expect(swept == 1)   // "soon"; "past" was replaced by the write above
        #expect(try await table.getItem(["PK": "S", "SK": "soon"], includeExpired: true) == nil)
        #expect(try await table.query(Query(indexName: "GSI1", partitionKey: "G", includeExpired: true)).items.map { $0["SK"]!.stringValue! } == ["never"])
        #expect(try await table.sweepExpired() == 0)

        var events: [Change] = []
        for try await change in changes {
            events.append(change)
            if events.count == 7 { break }
        }
        #expect(events.map(\.kind) == [.insert, .insert, .insert, .insert, .remove, .insert, .remove])
        #expect(events.map(\.isTimeToLiveDeletion) == [false, false, false, false, true, false, true])
        #expect(events[4].keys == ["PK": "S", "SK": "past"])
        #expect(events[6].keys == ["PK": "S", "SK": "soon"])
        #expect(events[6].oldImage?["GSI1SK"] == "soon" && events[6].newImage == nil)
    }

    @Test("An expiry time more than five years in the past never expires, on reads and in sweeps (DynamoDB's rule)", arguments: Backend.allCases)
    func expiryTooOld(backend: Backend) async throws {
        let time = ManualTime()
        let fixture = try TestStore(backend, time: time)
        let table = try await fixture.singleTable()
        try await fixture.store.updateTimeToLive(table: "App", attribute: "expiresAt")
        let fiveYears = 157_680_000
        try await table.putItem(["PK": "T", "SK": "ancient", "expiresAt": .number(162_777_600)])   // 1975
        try await table.putItem(["PK": "T", "SK": "oldest", "expiresAt": Self.epoch(time, plus: -fiveYears)])
        try await table.putItem(["PK": "T", "SK": "too-old", "expiresAt": Self.epoch(time, plus: -fiveYears - 1)])
        try await table.putItem(["PK": "T", "SK": "recent", "expiresAt": Self.epoch(time, plus: -4 * 365 * 86_400)])
        try await table.putItem(["PK": "T", "SK": "millis", "expiresAt": .number(Int(time.now().timeIntervalSince1970) * 1000)])
        let live = try await table.query(Query(partitionKey: "T")).items.map { $0["SK"]!.stringValue! }
        #expect(live == ["ancient", "millis", "too-old"])
        #expect(try await table.getItem(["PK": "T", "SK": "too-old"])?["SK"] == "too-old")
        #expect(try await table.getItem(["PK": "T", "SK": "oldest"]) == nil)
        // The sweep deletes exactly the two that expired, and leaves the too-old ones alone.
        #expect(try await table.sweepExpired() == 2)
        #expect(try await table.query(Query(partitionKey: "T", includeExpired: true)).items.map { $0["SK"]!.stringValue! }
                == ["ancient", "millis", "too-old"])
        // The bounds: exactly five years old still expires, a second more does not.
        #expect(TimeToLive.isExpired(["expiresAt": 100], attribute: "expiresAt", now: 157_680_100))
        #expect(!TimeToLive.isExpired(["expiresAt": 100], attribute: "expiresAt", now: 157_680_101))
        #expect(!TimeToLive.isExpired(["expiresAt": 100], attribute: "expiresAt", now: 100))
    }

    @Test("Expired items are hidden from KEYS_ONLY and INCLUDE indexes too (their entries lack the TTL attribute)", arguments: Backend.allCases)
    func expiryInProjectedIndexes(backend: Backend) async throws {
        let time = ManualTime()
        let fixture = try TestStore(backend, time: time)
        let key = KeySchema(partitionKey: KeyAttribute("PK", .string), sortKey: KeyAttribute("SK", .string))
        let byGroup = KeySchema(partitionKey: KeyAttribute("group", .string), sortKey: KeyAttribute("SK", .string))
        let table = try await fixture.store.createTable(TableSchema(name: "Projected", keySchema: key, globalSecondaryIndexes: [
            GlobalSecondaryIndex(name: "KeysOnly", keySchema: byGroup, projection: .keysOnly),
            GlobalSecondaryIndex(name: "Included", keySchema: byGroup, projection: .include(["note"])),
        ]))
        try await fixture.store.updateTimeToLive(table: "Projected", attribute: "expiresAt")
        try await table.putItem(["PK": "p", "SK": "past", "group": "g", "note": "n", "expiresAt": Self.epoch(time, plus: -5)])
        try await table.putItem(["PK": "p", "SK": "soon", "group": "g", "note": "n", "expiresAt": Self.epoch(time, plus: 10)])
        try await table.putItem(["PK": "p", "SK": "never", "group": "g", "note": "n"])
        for index in ["KeysOnly", "Included"] {
            #expect(try await table.query(Query(indexName: index, partitionKey: "g")).items.map { $0["SK"]!.stringValue! } == ["never", "soon"], "\(index)")
            #expect(try await table.scan(Scan(indexName: index)).count == 2, "\(index)")
            #expect(try await table.query(Query(indexName: index, partitionKey: "g", includeExpired: true)).count == 3, "\(index)")
        }
        time.advance(by: .seconds(11))
        for index in ["KeysOnly", "Included"] {
            #expect(try await table.query(Query(indexName: index, partitionKey: "g")).items.map { $0["SK"]!.stringValue! } == ["never"], "\(index)")
            #expect(try await table.scan(Scan(indexName: index)).items.map { $0["SK"]!.stringValue! } == ["never"], "\(index)")
            var visited: [String] = []
            try table.read { reader in
                try reader.forEachItem(Query(indexName: index, partitionKey: "g")) { visited.append($0["SK"]!.stringValue!) }
            }
            #expect(visited == ["never"], "\(index)")
        }
    }

    @Test("Sweeps run in bounded batches; changing or disabling TTL rebuilds the expiry index", arguments: Backend.allCases)
    func batchesAndReconfiguration(backend: Backend) async throws {
        let time = ManualTime()
        let fixture = try TestStore(backend, time: time)
        let table = try await fixture.singleTable()
        try await table.batchWrite((0..<7).map { n in
            .put(["PK": "S", "SK": .s("\(n)"), "a": Self.epoch(time, plus: -1), "b": Self.epoch(time, plus: 100)])
        })
        // No TTL yet: nothing is hidden or swept.
        #expect(try await table.sweepExpired() == 0)
        #expect(try await table.query(Query(partitionKey: "S")).count == 7)
        try await fixture.store.updateTimeToLive(table: "App", attribute: "b")
        #expect(try await table.query(Query(partitionKey: "S")).count == 7)
        try await fixture.store.updateTimeToLive(table: "App", attribute: "a")
        #expect(try await table.query(Query(partitionKey: "S")).count == 0)
        try await fixture.store.updateTimeToLive(table: "App", attribute: nil)
        #expect(try await table.query(Query(partitionKey: "S")).count == 7)
        try await fixture.store.updateTimeToLive(table: "App", attribute: "a")
        #expect(try await fixture.store.sweepExpired(batchSize: 2) == 7)
        #expect(try await table.query(Query(partitionKey: "S", includeExpired: true)).count == 0)
        await #expect(throws: KVTableError.validation("batchSize must be at least 1")) {
            try await table.sweepExpired(batchSize: 0)
        }
        await #expect(throws: KVTableError.resourceNotFound("Requested resource not found: Table: Nope not found")) {
            try await fixture.store.updateTimeToLive(table: "Nope", attribute: "a")
        }
    }

    @Test("The sweeper service sweeps every period on the injected clock and stops on cancellation", arguments: Backend.allCases)
    func sweeperService(backend: Backend) async throws {
        let time = ManualTime()
        let fixture = try TestStore(backend, time: time)
        let table = try await fixture.singleTable()
        try await fixture.store.updateTimeToLive(table: "App", attribute: "ttl")
        try await table.putItem(["PK": "S", "SK": "1", "ttl": Self.epoch(time, plus: 30)])
        let changes = table.changes()
        let sweeper = TimeToLiveSweeper(store: fixture.store, period: .seconds(60))
        let service = Task { try await sweeper.run() }
        while time.sleeperCount == 0 { await Task.yield() }
        time.advance(by: .seconds(60))
        var iterator = changes.makeAsyncIterator()
        let removal = try await iterator.next()
        #expect(removal?.kind == .remove && removal?.isTimeToLiveDeletion == true)
        #expect(try await table.getItem(["PK": "S", "SK": "1"], includeExpired: true) == nil)
        service.cancel()   // ends the sleep it is in, or the one it is about to start
        try await service.value
    }
}

import Foundation
import Testing
@testable import KVTable

@Suite("Change streams")
struct ChangeStreamTests {
    @Test("Committed changes only, with kinds, keys and images", arguments: Backend.allCases)
    func kindsAndImages(backend: Backend) async throws {
        let fixture = try TestStore(backend)
        let table = try await fixture.singleTable()
        let other = try await fixture.store.createTable(TableSchema(name: "Other", keySchema: KeySchema(partitionKey: KeyAttribute("id", .string))))
        let stream = table.changes()
        try await table.putItem(["PK": "A", "SK": "1", "v": 1])
        try await other.putItem(["id": "not in this stream"])
        _ = try? await table.putItem(["PK": "A", "SK": "1", "v": 99], condition: .notExists("PK"))   // fails: no change
        try await table.updateItem(["PK": "A", "SK": "1"], [.add("v", 1)])
        try? await fixture.store.transactWrite([                                                   // cancelled: no change
            .put(table, ["PK": "B", "SK": "1"]),
            .conditionCheck(table, key: ["PK": "A", "SK": "1"], .attribute("v") == 100),
        ])
        try await fixture.store.transactWrite([.put(table, ["PK": "B", "SK": "1"]), .delete(table, key: ["PK": "A", "SK": "1"])])
        try await table.deleteItem(["PK": "nothing", "SK": "here"])                                 // absent: no change

        var changes: [Change] = []
        for try await change in stream {
            changes.append(change)
            if changes.count == 4 { break }
        }
        #expect(changes.map(\.kind) == [.insert, .modify, .insert, .remove])
        #expect(changes.map(\.tableName) == ["App", "App", "App", "App"])
        #expect(changes[0].keys == ["PK": "A", "SK": "1"] && changes[0].oldImage == nil && changes[0].newImage?["v"] == 1)
        #expect(changes[1].oldImage?["v"] == 1 && changes[1].newImage?["v"] == 2)
        #expect(changes[2].keys == ["PK": "B", "SK": "1"])
        #expect(changes[3].oldImage?["v"] == 2 && changes[3].newImage == nil && !changes[3].isTimeToLiveDeletion)
        #expect(zip(changes, changes.dropFirst()).allSatisfy { $0.sequenceNumber < $1.sequenceNumber })
    }

    @Test("Under concurrent writers the stream order is the commit order", arguments: Backend.allCases)
    func commitOrder(backend: Backend) async throws {
        let fixture = try TestStore(backend)
        let table = try await fixture.singleTable()
        let stream = table.changes()
        let writes = 300
        try await withThrowingTaskGroup(of: Void.self) { group in
            for n in 0..<writes {
                group.addTask {
                    // Every write bumps one shared counter: its value in each new image is the
                    // write's position in commit order.
                    try await table.updateItem(["PK": "C", "SK": "1"], [.add("n", 1), .set("last", .value(.number(n)))])
                }
            }
            try await group.waitForAll()
        }
        var seen: [Int] = []
        for try await change in stream {
            seen.append(change.newImage!["n"]!.numberValue!.intValue!)
            if seen.count == writes { break }
        }
        #expect(seen == Array(1...writes))
    }

    @Test("A consumer that falls behind gets what was buffered, then a lagged error", arguments: Backend.allCases)
    func lagged(backend: Backend) async throws {
        let fixture = try TestStore(backend)
        let table = try await fixture.singleTable()
        let stream = table.changes(bufferSize: 3)
        for n in 0..<10 { try await table.putItem(["PK": "P", "SK": .s("\(n)")]) }
        var received: [String] = []
        do throws(KVTableError) {
            // The stream's error type is KVTableError: the catch below needs no cast.
            for try await change in stream { received.append(change.keys["SK"]!.stringValue!) }
            Issue.record("the stream should end with an error")
        } catch .changeStreamLagged(let message) {
            #expect(received == ["0", "1", "2"])
            #expect(message.contains("missed from sequence number 4"))
        } catch {
            Issue.record("unexpected \(error.code)")
        }
        // Writers were never blocked, and a new subscription works.
        #expect(try await table.query(Query(partitionKey: "P", countOnly: true)).count == 10)
        let again = table.changes()
        try await table.putItem(["PK": "P", "SK": "10"])
        var iterator = again.makeAsyncIterator()
        #expect(try await iterator.next()?.keys["SK"] == "10")
    }
}

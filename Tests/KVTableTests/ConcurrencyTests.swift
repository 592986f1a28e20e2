import Foundation
import Synchronization
import Testing
@testable import KVTable

@Suite("Concurrency")
struct ConcurrencyTests {
    @Test("Hundreds of concurrent reading tasks, with writes going on", arguments: Backend.allCases)
    func manyReaders(backend: Backend) async throws {
        var configuration = LMDBConfiguration.forTests
        configuration.maxReaders = 64   // far fewer slots than tasks: readers must wait, not fail
        let fixture = try TestStore(backend, configuration: configuration)
        let table = try await fixture.singleTable()
        for n in 0..<50 {
            try await table.putItem(["PK": "USER#1", "SK": .s(String(format: "FILE#%03d", n)), "n": .number(n)])
        }
        let readers = 600
        let checked = Counter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for n in 50..<100 {
                    try await table.putItem(["PK": "USER#1", "SK": .s(String(format: "FILE#%03d", n)), "n": .number(n)])
                }
            }
            for reader in 0..<readers {
                group.addTask {
                    let key = String(format: "FILE#%03d", reader % 50)
                    for _ in 0..<5 {
                        let item = try await table.getItem(["PK": "USER#1", "SK": .s(key)])
                        #expect(item?["n"] == .number(reader % 50))
                        // A snapshot sees a consistent prefix of the writes, in order.
                        let page = try await table.query(Query(partitionKey: "USER#1"))
                        #expect(page.count >= 50)
                        #expect(page.items.map { $0["n"]!.numberValue!.intValue! } == Array(0..<page.count))
                        await Task.yield()
                    }
                    checked.add()
                }
            }
            try await group.waitForAll()
        }
        #expect(checked.count == readers)
    }

    @Test("Readers on many threads at once never exhaust reader slots", arguments: Backend.allCases)
    func manyThreads(backend: Backend) async throws {
        var configuration = LMDBConfiguration.forTests
        configuration.maxReaders = 16
        let fixture = try TestStore(backend, configuration: configuration)
        let table = try await fixture.singleTable()
        try await table.putItem(["PK": "P", "SK": "S"])
        let failures = Counter()
        // 64 OS threads (not tasks) reading at once, each holding its snapshot for a while:
        // far more than the 14 usable slots, so LMDB readers must queue for a slot.
        let done = DispatchGroup()
        let maxConcurrent = Counter()
        let current = Counter()
        for _ in 0..<64 {
            done.enter()
            let thread = Thread {
                defer { done.leave() }
                for _ in 0..<10 {
                    do {
                        let found = try table.read { reader in
                            current.add(1)
                            maxConcurrent.raise(to: current.count)
                            defer { current.add(-1) }
                            usleep(500)
                            return try reader.getItem(["PK": "P", "SK": "S"]) != nil
                        }
                        if !found { failures.add() }
                    } catch {
                        failures.add()
                    }
                }
            }
            thread.start()
        }
        done.wait()
        if backend == .lmdb { #expect(maxConcurrent.count <= 14) }
        #expect(maxConcurrent.count > 1)
        #expect(failures.count == 0)
    }

    @Test("N concurrent conditional creates of one key: exactly one wins", arguments: Backend.allCases)
    func createRace(backend: Backend) async throws {
        let fixture = try TestStore(backend)
        let table = try await fixture.singleTable()
        for round in 0..<5 {
            let contenders = 64
            let winners = Counter()
            let losers = Counter()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for contender in 0..<contenders {
                    group.addTask {
                        do {
                            try await table.putItem(["PK": .s("EMAIL#\(round)"), "SK": "UNIQUE", "owner": .number(contender),
                                                     "GSI1PK": "EMAILS", "GSI1SK": .s("\(round)")],
                                                    condition: .notExists("PK"))
                            winners.add()
                        } catch KVTableError.conditionalCheckFailed {
                            losers.add()
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(winners.count == 1)
            #expect(losers.count == contenders - 1)
        }
        #expect(try await table.query(Query(indexName: "GSI1", partitionKey: "EMAILS")).count == 5)
    }

    @Test("Concurrent durable writes share LMDB commits (group commit)")
    func groupCommitBatches() async throws {
        let fixture = try TestStore(.lmdb, configuration: LMDBConfiguration(durability: .durable))
        let table = try await fixture.singleTable()
        let storage = try #require(fixture.store.storage as? LMDBStorage)
        let before = storage.commitCount
        // Eight threads of their own (not the concurrency pool, which other suites keep busy),
        // each writing 25 items one transaction at a time: writes arrive while others commit.
        let store = fixture.store
        let failures = Mutex(0)
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            let group = DispatchGroup()
            for thread in 0..<8 {
                group.enter()
                Thread {
                    for n in 0..<25 {
                        do {
                            _ = try store.writeSynchronously { tx in try tx.putItem(table, ["PK": "P", "SK": .s("\(thread)-\(n)")]) }
                        } catch {
                            failures.withLock { $0 += 1 }
                        }
                    }
                    group.leave()
                }.start()
            }
            group.notify(queue: .global()) { done.resume() }
        }
        #expect(failures.withLock { $0 } == 0)
        let commits = storage.commitCount - before
        #expect(commits >= 1 && commits < 200, "200 writes took \(commits) commits")
        #expect(try await table.query(Query(partitionKey: "P", countOnly: true)).count == 200)
    }

    @Test("In a group commit each write succeeds or fails on its own", arguments: Backend.allCases)
    func groupCommitIsolation(backend: Backend) async throws {
        let fixture = try TestStore(backend)
        let table = try await fixture.singleTable()
        let results = try await withThrowingTaskGroup(of: (Int, Bool).self) { group in
            for n in 0..<200 {
                group.addTask {
                    // Odd writes carry a condition that fails.
                    let condition: Condition? = n % 2 == 1 ? .exists("PK") : nil
                    do {
                        try await table.putItem(["PK": "P", "SK": .s("\(n)"), "GSI1PK": "G", "GSI1SK": .s("\(n)")], condition: condition)
                        return (n, true)
                    } catch KVTableError.conditionalCheckFailed {
                        return (n, false)
                    }
                }
            }
            var results: [Int: Bool] = [:]
            for try await (n, ok) in group { results[n] = ok }
            return results
        }
        #expect(results.filter(\.value).keys.sorted() == Array(stride(from: 0, to: 200, by: 2)))
        let stored = try await table.query(Query(partitionKey: "P")).items.map { Int($0["SK"]!.stringValue!)! }
        #expect(stored.sorted() == Array(stride(from: 0, to: 200, by: 2)))
        #expect(try await table.query(Query(indexName: "GSI1", partitionKey: "G", countOnly: true)).count == 100)
    }
}

import Foundation
import Synchronization
import Testing
@testable import KVTable

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A write that finds the LMDB writer idle runs on the caller's thread; under contention writes
/// still share group commits; the synchronous entry point behaves like the async one.
@Suite("Writes without the hand-off")
struct InlineWriteTests {
    /// The calling thread, as a number that can cross a `@Sendable` boundary.
    static func currentThread() -> UInt {
        #if canImport(Darwin)
        UInt(bitPattern: pthread_self())
        #else
        UInt(pthread_self())
        #endif
    }

    @Test("an idle writer lets the caller commit on its own thread, one commit per write")
    func inlineWhenIdle() async throws {
        let fixture = try TestStore(.lmdb)
        let table = try await fixture.singleTable()
        let storage = try #require(fixture.store.storage as? LMDBStorage)
        let before = storage.commitCount
        for n in 0..<20 {
            let caller = Self.currentThread()
            let writer = try await fixture.store.write { tx in
                try tx.putItem(table, ["PK": "P", "SK": .s("\(n)")])
                return Self.currentThread()
            }
            #expect(writer == caller, "write \(n) ran on another thread")
        }
        #expect(storage.commitCount - before == 20)
        #expect(try await table.query(Query(partitionKey: "P", countOnly: true)).count == 20)
    }

    @Test("writeSynchronously commits on a plain thread, fails on its own, and joins a busy writer", arguments: Backend.allCases)
    func synchronousWrites(backend: Backend) async throws {
        let fixture = try TestStore(backend)
        let table = try await fixture.singleTable()
        let store = fixture.store
        // From plain threads, racing async writers: every write lands exactly once.
        let failures = Mutex(0)
        let threads = (0..<4).map { t in
            Thread {
                for n in 0..<50 {
                    do {
                        try store.writeSynchronously { tx in _ = try tx.putItem(table, ["PK": "S", "SK": .s("\(t)-\(n)")]) }
                    } catch {
                        failures.withLock { $0 += 1 }
                    }
                }
            }
        }
        threads.forEach { $0.start() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for n in 0..<100 { group.addTask { try await table.putItem(["PK": "A", "SK": .s("\(n)")]) } }
            try await group.waitForAll()
        }
        while threads.contains(where: { !$0.isFinished }) { try await Task.sleep(for: .milliseconds(5)) }
        #expect(failures.withLock { $0 } == 0)
        #expect(try await table.query(Query(partitionKey: "S", countOnly: true)).count == 200)
        #expect(try await table.query(Query(partitionKey: "A", countOnly: true)).count == 100)

        // A body that throws after writing leaves nothing behind, and the error is the body's.
        #expect(throws: KVTableError.self) {
            try store.writeSynchronously { tx in
                try tx.putItem(table, ["PK": "S", "SK": "doomed"])
                try tx.putItem(table, ["PK": "S", "SK": "x"], condition: .notExists("PK"))
                try tx.putItem(table, ["PK": "S", "SK": "x"], condition: .notExists("PK"))
            }
        }
        #expect(try await table.getItem(["PK": "S", "SK": "doomed"]) == nil)
        #expect(try await table.getItem(["PK": "S", "SK": "x"]) == nil)
        // Its result comes back as from the async write.
        let result = try store.writeSynchronously { tx in try tx.getItem(table, ["PK": "A", "SK": "7"]) != nil }
        #expect(result)
    }

    @Test("a closed store refuses writes on both paths and reads", arguments: Backend.allCases)
    func closedStore(backend: Backend) async throws {
        let fixture = try TestStore(backend)
        let table = try await fixture.singleTable()
        try await table.putItem(["PK": "P", "SK": "1"])
        fixture.store.close()
        await #expect(throws: KVTableError.self) { try await table.putItem(["PK": "P", "SK": "2"]) }
        #expect(throws: KVTableError.self) {
            try fixture.store.writeSynchronously { tx in _ = try tx.putItem(table, ["PK": "P", "SK": "3"]) }
        }
        #expect(throws: KVTableError.self) { try table.read { try $0.getItem(["PK": "P", "SK": "1"]) } }
    }
}

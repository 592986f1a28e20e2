import Foundation
import Testing
@testable import KVTable

@Suite("Counters and optimistic versioning")
struct ConcurrencyHelpersTests {
    @Test("N tasks × M increments give exactly N×M", arguments: Backend.allCases)
    func counters(backend: Backend) async throws {
        let fixture = try TestStore(backend)
        let table = try await fixture.singleTable()
        let key: Item = ["PK": "COUNTER", "SK": "views"]
        let (tasks, increments) = (16, 25)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<tasks {
                group.addTask {
                    for _ in 0..<increments { try await table.increment(key, "count") }
                }
            }
            try await group.waitForAll()
        }
        #expect(try await table.getItem(key)?["count"] == .number(tasks * increments))
        #expect(try await table.increment(key, "count", by: -400) == .zero)
        #expect(try await table.increment(key, "nested", by: ExactDecimal("0.5")) == ExactDecimal("0.5"))
        await #expect(throws: KVTableError.validation("An operand in the update expression has an incorrect data type")) {
            try await table.putItem(["PK": "COUNTER", "SK": "text", "count": "seven"])
            try await table.increment(["PK": "COUNTER", "SK": "text"], "count")
        }
    }

    @Test("putVersioned bumps the version and rejects stale writes", arguments: Backend.allCases)
    func versioned(backend: Backend) async throws {
        let fixture = try TestStore(backend)
        let table = try await fixture.singleTable()
        let first = try await table.putVersioned(["PK": "DOC", "SK": "1", "body": "a"])
        #expect(first["version"] == 1)
        let second = try await table.putVersioned(first.merging(["body": "b"]) { $1 })
        #expect(second["version"] == 2)
        do {
            try await table.putVersioned(first.merging(["body": "stale"]) { $1 })
            Issue.record("a stale version must not be written")
        } catch KVTableError.conditionalCheckFailed(let current) {
            #expect(current?["body"] == "b")
        }
        await #expect(throws: KVTableError.conditionalCheckFailed(currentItem: ["PK": "DOC", "SK": "1", "body": "b", "version": 2])) {
            try await table.putVersioned(["PK": "DOC", "SK": "1", "body": "new without version"])
        }
        await #expect(throws: KVTableError.validation("The version attribute version must be a number")) {
            try await table.putVersioned(["PK": "DOC", "SK": "1", "version": "2"])
        }
        #expect(try await table.getItem(["PK": "DOC", "SK": "1"])?["body"] == "b")
    }

    @Test("Conflicting versioned read-modify-writes all eventually apply", arguments: Backend.allCases)
    func modifyRetries(backend: Backend) async throws {
        let fixture = try TestStore(backend)
        let table = try await fixture.singleTable()
        let key: Item = ["PK": "DOC", "SK": "list"]
        let writers = 12
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<writers {
                group.addTask {
                    try await table.modify(key, maxAttempts: 200) { current in
                        var item = current ?? key
                        var entries: [AttributeValue] = []
                        if case .l(let existing)? = item["entries"] { entries = existing }
                        item["entries"] = .l(entries + [AttributeValue.number(writer)])
                        return item
                    }
                }
            }
            try await group.waitForAll()
        }
        let final = try #require(try await table.getItem(key))
        guard case .l(let entries)? = final["entries"] else { Issue.record("no entries"); return }
        #expect(Set(entries.map { $0.numberValue!.intValue! }) == Set(0..<writers))
        #expect(entries.count == writers)
        #expect(final["version"] == .number(writers))
    }
}

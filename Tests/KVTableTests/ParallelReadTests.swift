import Foundation
import Synchronization
import Testing
@testable import KVTable

@Suite("read(inParallel:): several threads, one snapshot")
struct ParallelReadTests {
    @Test("parts split a range between them and see the same snapshot while a writer commits", arguments: Backend.allCases)
    func sameSnapshot(backend: Backend) async throws {
        let fixture = try TestStore(backend)
        let table = try await fixture.singleTable()
        try await table.batchWrite((0..<400).map { .put(["PK": "P", "SK": .s(String(format: "%04d", $0))]) })

        // A writer commits 1,000 items, one by one, while the parallel reads run.
        let written = Atomic(400)
        let writer = Task {
            for n in 400..<1400 {
                try await table.putItem(["PK": "P", "SK": .s(String(format: "%04d", n))])
                written.store(n + 1, ordering: .releasing)
                // An idle writer commits on its own thread without suspending: let the reads in.
                try await Task.sleep(for: .microseconds(200))
            }
        }
        var widest = 0
        var reads = 0
        var readWhileWriting = 0
        let deadline = ContinuousClock.now + .seconds(60)
        while (reads < 100 || written.load(ordering: .acquiring) < 1400) && ContinuousClock.now < deadline {
            reads += 1
            await Task.yield()   // the writer shares the test's threads
            // Each part counts the whole partition and its own share of it: a part that started
            // on a later commit would count more.
            let counts = try table.read(inParallel: 3) { reader, part -> (whole: Int, share: Int, part: ReadPart) in
                var whole = 0, share = 0
                try reader.forEachItem(Query(partitionKey: "P")) { item in
                    if Int(item["SK"]!.stringValue!)! % part.count == part.index { share += 1 }
                    whole += 1
                }
                return (whole, share, part)
            }
            widest = max(widest, counts.count)
            if counts[0].whole > 400 && counts[0].whole < 1400 { readWhileWriting += 1 }
            #expect((1...3).contains(counts.count))
            #expect(counts.map(\.part) == counts.indices.map { ReadPart(index: $0, count: counts.count) })
            #expect(Set(counts.map(\.whole)).count == 1, "every part reads the same snapshot: \(counts.map(\.whole))")
            #expect(counts.map(\.share).reduce(0, +) == counts[0].whole)
        }
        try await writer.value
        #expect(readWhileWriting > 0, "some reads ran between the writer's commits")
        #expect(widest == 3, "three readers shared a snapshot at least once")
    }

    @Test("a part's error is rethrown; zero parts and a dropped table are errors", arguments: Backend.allCases)
    func failures(backend: Backend) async throws {
        let fixture = try TestStore(backend)
        let table = try await fixture.singleTable()
        struct PartFailed: Error, Equatable { let index: Int }
        #expect(throws: PartFailed(index: 1)) {
            _ = try table.read(inParallel: 2) { _, part in
                if part.index == 1 || part.count == 1 { throw PartFailed(index: 1) }
                return part.index
            }
        }
        #expect(throws: KVTableError.validation("A parallel read needs at least 1 part, not 0")) {
            _ = try table.read(inParallel: 0) { _, part in part.index }
        }
        try await fixture.store.deleteTable("App")
        #expect(throws: KVTableError.self) {
            _ = try table.read(inParallel: 2) { _, part in part.index }
        }
    }
}

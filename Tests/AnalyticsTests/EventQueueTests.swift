import Foundation
@testable import KVTable
import Testing
@testable import Analytics

@Suite("Event queue")
struct EventQueueTests {
    /// An in-memory store on a manual clock, with write-failure injection.
    static func make(_ configure: (inout EventQueue.Configuration) -> Void = { _ in }) async throws -> (EventQueue, ManualTimeSource, MemoryStorage) {
        let time = ManualTimeSource()
        let store = KVStore.inMemory(time: time)
        let analytics = Analytics(store: store, table: try await store.createTable(.singleTable(name: "App")))
        try await analytics.enableEventExpiry()
        var configuration = EventQueue.Configuration()
        configure(&configuration)
        return (EventQueue(analytics: analytics, configuration: configuration), time, store.storage as! MemoryStorage)
    }

    /// The same on either backend (no failure injection); the fixture keeps the store alive.
    static func make(_ backend: Backend, _ configure: (inout EventQueue.Configuration) -> Void = { _ in })
        async throws -> (EventQueue, ManualTimeSource, AnalyticsFixture) {
        let time = ManualTimeSource()
        let fixture = try await AnalyticsFixture(backend, time: time)
        var configuration = EventQueue.Configuration()
        configure(&configuration)
        return (EventQueue(analytics: fixture.analytics, configuration: configuration), time, fixture)
    }

    static func stored(_ queue: EventQueue) async throws -> Int {
        try await queue.analytics.hourCounters(at: queue.analytics.store.time.now())["events"]?.intValue ?? 0
    }

    /// Waits (in real time, bounded) for work started in the background.
    static func eventually(milliseconds: Int = 10_000, _ condition: () async throws -> Bool) async throws {
        for _ in 0..<milliseconds {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(1))
        }
        Issue.record("condition not met in time")
    }

    @Test("Flushes when 25 events are queued; flush() is a barrier", arguments: Backend.allCases)
    func flushAtBatchSize(backend: Backend) async throws {
        let (queue, _, fixture) = try await Self.make(backend)
        _ = fixture
        for n in 0..<24 { queue.queueEvent(event("u\(n)")) }
        try await Task.sleep(for: .milliseconds(20))
        #expect(try await Self.stored(queue) == 0 && queue.queuedCount == 24)
        queue.queueEvent(event("u24"))
        try await Self.eventually { try await Self.stored(queue) == 25 }
        for n in 0..<7 { queue.queueEvent(event("late\(n)")) }
        let report = await queue.flush()
        #expect(report == EventQueue.FlushReport(stored: 7, duplicates: 0, failed: 0, error: nil))
        #expect(try await Self.stored(queue) == 32 && queue.queuedCount == 0)
    }

    @Test("Under load one flush at a time takes everything queued, in transactions of at most maxBatchSize", arguments: Backend.allCases)
    func batchesGrowUnderLoad(backend: Backend) async throws {
        let (queue, _, fixture) = try await Self.make(backend)
        _ = fixture
        // Far faster than one transaction per 25 events could keep up with: the queue must
        // neither drop events nor pile up flush tasks.
        for n in 0..<1000 { queue.queueEvent(event("u\(n % 40)")) }
        try await Self.eventually(milliseconds: 30_000) { try await Self.stored(queue) == 1000 }
        #expect(queue.queuedCount == 0 && queue.droppedCount == 0)
    }

    @Test("A manual flush stores what was queued in transactions of maxBatchSize; a failure keeps the rest queued, in order")
    func flushInTransactionsOfMaxBatchSize() async throws {
        let (queue, _, storage) = try await Self.make {
            $0.batchSize = 10_000   // no automatic flush
            $0.maxBatchSize = 100
        }
        for n in 0..<250 { queue.queueEvent(event("u\(n)")) }
        let order = queue.queuedIDs
        storage.injectedWriteFailures.withLock { $0 = 1 }
        let failed = await queue.flush()
        #expect(failed.stored == 0 && failed.failed == 250 && failed.error == .storage("Injected write failure"))
        #expect(queue.queuedIDs == order)
        storage.injectedWriteFailures.withLock { $0 = 0 }
        let report = await queue.flush()
        #expect(report == EventQueue.FlushReport(stored: 250, duplicates: 0, failed: 0, error: nil))
        #expect(try await Self.stored(queue) == 250 && queue.queuedCount == 0)
    }

    @Test("The service flushes 5 seconds after the oldest queued event, and on shutdown", arguments: Backend.allCases)
    func flushAfterDelayAndOnShutdown(backend: Backend) async throws {
        let (queue, time, fixture) = try await Self.make(backend)
        _ = fixture
        let service = Task { try await queue.run() }
        try await Self.eventually { time.sleeperCount == 1 }
        queue.queueEvent(event("a"))
        time.advance(by: .seconds(4))
        try await Task.sleep(for: .milliseconds(20))
        #expect(try await Self.stored(queue) == 0)
        time.advance(by: .seconds(1))   // 5 s after the oldest
        try await Self.eventually { try await Self.stored(queue) == 1 }
        try await Self.eventually { time.sleeperCount == 1 }
        queue.queueEvent(event("b"))
        queue.queueEvent(event("c"))
        service.cancel()                 // shutdown flushes what is left
        try await service.value
        #expect(try await Self.stored(queue) == 3 && queue.queuedCount == 0)
    }

    @Test("Failed flushes re-queue at the head in order, and back off before retrying automatically")
    func retriesAndBackoff() async throws {
        let (queue, time, storage) = try await Self.make { $0.initialBackoff = .seconds(10) }
        for n in 0..<3 { queue.queueEvent(event("first\(n)")) }
        let firstIDs = queue.queuedIDs
        storage.injectedWriteFailures.withLock { $0 = 2 }
        let failed = await queue.flush()
        #expect(failed.failed == 3 && failed.stored == 0 && failed.error == .storage("Injected write failure"))
        queue.queueEvent(event("next"))
        #expect(Array(queue.queuedIDs.prefix(3)) == firstIDs && queue.queuedCount == 4)   // head, in order
        let retryAfter = try #require(queue.retryAfter)
        #expect(retryAfter.timeIntervalSince(time.now()) >= 5)   // jittered within [5, 10] s

        let service = Task { try await queue.run() }
        try await Self.eventually { time.sleeperCount == 1 }
        time.advance(by: .seconds(4))
        try await Task.sleep(for: .milliseconds(20))
        #expect(queue.queuedCount == 4)                             // still backing off
        time.advance(by: .seconds(7))                              // past the backoff: fails once more
        // The failure is counted when the write fails, before the batch is re-queued: wait for both.
        try await Self.eventually { storage.injectedWriteFailures.withLock { $0 } == 0 && queue.queuedCount == 4 }
        #expect(queue.queuedIDs.prefix(3) == firstIDs[...])
        let second = try #require(queue.retryAfter)
        #expect(second.timeIntervalSince(time.now()) >= 10)        // the backoff doubled (≥ 20 s / 2)
        // The queue measures its backoff against the test clock, then sleeps: advance only once
        // it sleeps, or the advance can land between the two and the sleep starts after it.
        try await Self.eventually { time.sleeperCount == 1 }
        time.advance(by: .seconds(25))
        try await Self.eventually { try await Self.stored(queue) == 4 }
        service.cancel()
        try await service.value
    }

    @Test("The queue is bounded: a full queue drops new events and counts them; invalid events are counted, never thrown", arguments: Backend.allCases)
    func boundAndInvalid(backend: Backend) async throws {
        let (queue, _, fixture) = try await Self.make(backend) {
            $0.capacity = 5
            $0.batchSize = 100
        }
        _ = fixture
        for n in 0..<8 { queue.queueEvent(event("u\(n)")) }
        #expect(queue.queuedCount == 5 && queue.droppedCount == 3)
        queue.queueEvent(event(""))
        #expect(queue.invalidCount == 1 && queue.queuedCount == 5)
        #expect(await queue.flush().stored == 5)
    }

    @Test("A re-sent event is stored once", arguments: Backend.allCases)
    func idempotentRetries(backend: Backend) async throws {
        let (queue, _, fixture) = try await Self.make(backend)
        _ = fixture
        let original = event("u1", id: "0190b1d2-aaaa-7bbb-8ccc-000000000001")
        queue.queueEvent(original)
        queue.queueEvent(original)
        let report = await queue.flush()
        #expect(report.stored == 1 && report.duplicates == 1)
    }
}

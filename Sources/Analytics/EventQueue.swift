import Foundation
import KVTable
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// Fire-and-forget tracking: ``queueEvent(_:)`` never blocks and never throws; events are
/// stored in batches by ``flush()`` and by the queue's service loop (``run()``).
///
/// Semantics (SPEC §1.3, §5):
/// - An event gets its id and timestamp when it is queued, so retries are idempotent and the
///   event keeps the time it happened.
/// - A flush starts when `batchSize` (25) events are queued, or `maxDelay` (5 s) after the oldest
///   queued event — the latter is the service loop's job, so run the queue as a service.
/// - Under load the batches grow by themselves: one flush runs at a time, and it takes
///   everything queued meanwhile (up to `maxBatchSize`, 10,000, per transaction), so a busy
///   queue writes thousands of events per commit through the bulk path of
///   ``Analytics/trackEventBatch(_:allOrNothing:)`` while callers go on queueing.
/// - A failed flush puts its events back at the head of the queue, in order, and the next
///   automatic attempt waits an exponentially growing, jittered backoff.
/// - The queue holds at most `capacity` (10,000) events. When it is full, a new event is
///   **dropped** (the events already waiting are older and were promised first): it is logged,
///   and counted in ``droppedCount`` and the `kvtable.analytics.queue.dropped` metric.
/// - An invalid event is logged and counted (`kvtable.analytics.queue.invalid`), never thrown.
/// - ``flush()`` returns once everything queued before the call is stored, or reports what
///   could not be (those events stay queued).
/// - On graceful shutdown the service flushes what is left.
public final class EventQueue: Service, Sendable {
    /// The queue's tunables.
    public struct Configuration: Sendable {
        /// Queued events that start a flush.
        public var batchSize = 25
        /// The most events one flush stores in one transaction; a flush that finds more
        /// queued stores them in several.
        public var maxBatchSize = 10_000
        /// How long the oldest queued event waits at most before the service loop flushes.
        public var maxDelay: Duration = .seconds(5)
        /// The most events the queue holds; beyond it new events are dropped and counted.
        public var capacity = 10_000
        /// The first retry delay after a failed flush (doubled per failure, with jitter).
        public var initialBackoff: Duration = .milliseconds(200)
        /// The longest retry delay.
        public var maxBackoff: Duration = .seconds(60)
        /// The defaults: flush at 25 events or 5 seconds, at most 10,000 per transaction and 10,000
        /// queued, retries from 200 ms backing off to 60 s.
        public init() {}
    }

    /// What a flush did.
    public struct FlushReport: Sendable, Hashable {
        /// Events newly stored.
        public var stored: Int
        /// Events that were already stored (retries).
        public var duplicates: Int
        /// Events that could not be stored now; they are back at the head of the queue.
        public var failed: Int
        /// Why, when `failed > 0`: the store's error (an error of another type arrives as
        /// `KVTableError.storage(_:)` with its description).
        public var error: KVTableError?
    }

    private struct State {
        var pending: [AnalyticsEvent] = []
        var oldestQueuedAt: Date?
        var dropped = 0
        var invalid = 0
        var consecutiveFailures = 0
        var retryAfter: Date?
        /// An automatic flush task is running or about to: callers don't start another.
        var flushScheduled = false
    }

    /// Where the events are stored; its configuration validates them as they are queued.
    public let analytics: Analytics
    /// The queue's tunables.
    public let configuration: Configuration
    private let state = Mutex(State())
    private let flushing = FlushGate()
    private let logger: Logger
    private let droppedCounter = Counter(label: "kvtable.analytics.queue.dropped")
    private let invalidCounter = Counter(label: "kvtable.analytics.queue.invalid")
    private let failureCounter = Counter(label: "kvtable.analytics.queue.flush_failures")
    private let storedCounter = Counter(label: "kvtable.analytics.queue.stored")

    /// A queue in front of `analytics`; run it as a service (``run()``) so that it flushes on time.
    public init(analytics: Analytics, configuration: Configuration = Configuration(),
                logger: Logger = Logger(label: "kvtable.analytics.queue")) {
        self.analytics = analytics
        self.configuration = configuration
        self.logger = logger
    }

    private var time: any TimeSource { analytics.store.time }

    /// Events waiting to be stored.
    public var queuedCount: Int { state.withLock { $0.pending.count } }
    /// Events dropped because the queue was full.
    public var droppedCount: Int { state.withLock { $0.dropped } }
    /// Events rejected by validation (logged, never thrown).
    public var invalidCount: Int { state.withLock { $0.invalid } }
    /// Removes queued events that match; returns how many.
    func removeQueued(where match: (AnalyticsEvent) -> Bool) -> Int {
        state.withLock { state in
            let before = state.pending.count
            state.pending.removeAll(where: match)
            if state.pending.isEmpty { state.oldestQueuedAt = nil }
            return before - state.pending.count
        }
    }

    /// The queued events' ids, in queue order.
    var queuedIDs: [String] { state.withLock { $0.pending.map { $0.id! } } }
    /// When the next automatic attempt may run after a failure.
    var retryAfter: Date? { state.withLock { $0.retryAfter } }

    /// Queues an event; never blocks, never throws.
    public func queueEvent(_ event: AnalyticsEvent) {
        let now = time.now()
        let prepared: AnalyticsEvent
        do {
            prepared = try EventPreparation.prepare(event, now: now, configuration: analytics.configuration)
        } catch {
            state.withLock { $0.invalid += 1 }
            invalidCounter.increment()
            logger.warning("Dropped an invalid event", metadata: ["error": "\(error)"])
            return
        }
        let (accepted, full) = state.withLock { state -> (Bool, Bool) in
            guard state.pending.count < configuration.capacity else {
                state.dropped += 1
                return (false, false)
            }
            state.pending.append(prepared)
            if state.oldestQueuedAt == nil { state.oldestQueuedAt = now }
            guard !state.flushScheduled, state.pending.count >= configuration.batchSize,
                  state.retryAfter.map({ now >= $0 }) ?? true else { return (true, false) }
            state.flushScheduled = true
            return (true, true)
        }
        guard accepted else {
            droppedCounter.increment()
            // Log the first drop and then every 1,000th, not a flood.
            let dropped = droppedCount
            if dropped == 1 || dropped % 1000 == 0 {
                logger.error("Analytics queue full; dropping new events",
                             metadata: ["capacity": "\(configuration.capacity)", "droppedSoFar": "\(dropped)"])
            }
            return
        }
        if full {
            Task { await self.flushWhileFull() }
        }
    }

    /// The automatic flush: one task at a time, flushing again as long as a batch's worth
    /// queued up during the last flush.
    private func flushWhileFull() async {
        while true {
            _ = await flushNow()
            let now = time.now()
            let again = state.withLock { state -> Bool in
                let again = state.pending.count >= configuration.batchSize && state.retryAfter.map { now >= $0 } ?? true
                if !again { state.flushScheduled = false }
                return again
            }
            if !again { return }
        }
    }

    /// Stores everything queued before this call; returns what happened.
    @discardableResult
    public func flush() async -> FlushReport {
        await flushNow()
    }

    /// The service: flushes `maxDelay` after the oldest queued event (and after a backoff
    /// when flushing failed), until graceful shutdown or cancellation, then flushes the rest.
    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                while true {
                    try Task.checkCancellation()
                    try await self.time.sleep(for: self.delayUntilDue())
                    if self.isDue() { _ = await self.flushNow() }
                }
            }
        } catch is CancellationError {
            // Shutting down: fall through to the final flush.
        }
        let report = await flushNow()
        if report.failed > 0 {
            logger.error("Events left unstored at shutdown", metadata: ["count": "\(report.failed)", "error": "\(report.error.map(String.init(describing:)) ?? "")"])
        }
    }

    // MARK: Flushing

    private func isDue() -> Bool {
        let now = time.now()
        return state.withLock { state in
            guard let oldest = state.oldestQueuedAt else { return false }
            if let retryAfter = state.retryAfter, now < retryAfter { return false }
            return now.timeIntervalSince(oldest) >= Self.seconds(configuration.maxDelay)
                || state.pending.count >= configuration.batchSize
        }
    }

    /// How long the service sleeps before it looks again.
    private func delayUntilDue() -> Duration {
        let now = time.now()
        return state.withLock { state in
            var due = state.oldestQueuedAt.map { $0.addingTimeInterval(Self.seconds(configuration.maxDelay)) }
                ?? now.addingTimeInterval(Self.seconds(configuration.maxDelay))
            if let retryAfter = state.retryAfter, retryAfter > due { due = retryAfter }
            let seconds = max(0.001, due.timeIntervalSince(now))
            return .milliseconds(Int(seconds * 1000))
        }
    }

    /// Stores the events queued when it starts, in transactions of at most `maxBatchSize`; on
    /// failure puts the batch back at the head, in order, and leaves the rest queued.
    private func flushNow() async -> FlushReport {
        await flushing.run {
            var remaining = state.withLock { $0.pending.count }   // queued before this flush
            var report = FlushReport(stored: 0, duplicates: 0, failed: 0, error: nil)
            while remaining > 0 {
                let batch = state.withLock { state -> [AnalyticsEvent] in
                    let count = min(remaining, configuration.maxBatchSize, state.pending.count)
                    let batch = Array(state.pending.prefix(count))
                    state.pending.removeFirst(count)
                    if state.pending.isEmpty { state.oldestQueuedAt = nil }
                    return batch
                }
                guard !batch.isEmpty else { break }   // erased meanwhile
                remaining -= batch.count
                do {
                    let result = try await analytics.trackEventBatch(batch)
                    storedCounter.increment(by: result.stored.count)
                    state.withLock { state in
                        state.consecutiveFailures = 0
                        state.retryAfter = nil
                    }
                    report.stored += result.stored.count
                    report.duplicates += result.duplicates.count
                } catch {
                    let now = time.now()
                    state.withLock { state in
                        state.pending = batch + state.pending   // back at the head, in order
                        state.oldestQueuedAt = now
                        state.consecutiveFailures += 1
                        state.retryAfter = now.addingTimeInterval(backoff(attempt: state.consecutiveFailures))
                        // The queue stays bounded: drop the newest beyond capacity.
                        if state.pending.count > configuration.capacity {
                            state.dropped += state.pending.count - configuration.capacity
                            state.pending.removeLast(state.pending.count - configuration.capacity)
                        }
                    }
                    failureCounter.increment()
                    logger.error("Analytics flush failed; events re-queued", metadata: ["count": "\(batch.count)", "error": "\(error)"])
                    report.failed = batch.count + remaining
                    report.error = error as? KVTableError ?? .storage("\(error)")
                    break
                }
            }
            return report
        }
    }

    /// Exponential backoff with full jitter: a random delay up to initial × 2^(attempt−1),
    /// capped at `maxBackoff`.
    private func backoff(attempt: Int) -> TimeInterval {
        let ceiling = min(Self.seconds(configuration.maxBackoff),
                          Self.seconds(configuration.initialBackoff) * pow(2, Double(min(attempt - 1, 30))))
        return Double.random(in: ceiling / 2...ceiling)
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

/// Runs flushes one at a time, in call order. (An actor would not do: it lets a second call in
/// while the first one awaits the store.)
private final class FlushGate: Sendable {
    private struct State {
        var busy = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    func run<R>(_ body: () async -> R) async -> R {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let enter = state.withLock { state -> Bool in
                if state.busy {
                    state.waiters.append(continuation)
                    return false
                }
                state.busy = true
                return true
            }
            if enter { continuation.resume() }
        }
        defer {
            let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
                if state.waiters.isEmpty {
                    state.busy = false
                    return nil
                }
                return state.waiters.removeFirst()   // stays busy: handed over
            }
            next?.resume()
        }
        return await body()
    }
}

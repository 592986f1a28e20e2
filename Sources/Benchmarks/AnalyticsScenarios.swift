@_spi(Benchmarks) import Analytics
import Foundation
@_spi(Benchmarks) import KVTable

/// The analytics scenarios (issue 5): ingestion, the queue, real-time reads, engagement and
/// recalculation. Each runs on its own stores, created on first use.
enum AnalyticsScenarios {
    static let all: [Scenario] = [
        Scenario(name: "analytics-track-batch-1000-durable", summary: "trackEventBatch of 1,000 events with metrics, durable (events/s = ops/s × 1,000)") { bench, budget in
            let analytics = try await bench.analytics(durable: true)
            let clock = Clock()
            let kvtable = try await measureAsync("analytics-track-batch-1000-durable", "kvtable", budget: writeBudget(budget)) { _ in
                try await analytics.trackEventBatch(clock.events(1000))
            }
            return [kvtable, try await rawEventWrites(analytics, clock: clock, budget: writeBudget(budget))]
        },
        Scenario(name: "analytics-track-batch-1000-nosync", summary: "trackEventBatch of 1,000 events with metrics, no-sync") { bench, budget in
            let analytics = try await bench.analytics(durable: false)
            let clock = Clock()
            return [try await measureAsync("analytics-track-batch-1000-nosync", "kvtable", budget: writeBudget(budget)) { _ in
                try await analytics.trackEventBatch(clock.events(1000))
            }]
        },
        Scenario(name: "analytics-queue-event", summary: "queueEvent (returns at once; batches flush in the background)") { bench, budget in
            let queue = EventQueue(analytics: try await bench.analytics(durable: false))
            let clock = Clock()
            let events = clock.events(9000)
            // Fewer events than the queue holds: measure queueing, not the full-queue policy.
            let measurement = measure("analytics-queue-event", "kvtable", budget: Budget(duration: budget.duration, maxOperations: 9000)) { i in
                queue.queueEvent(events[i % events.count])
            }
            await queue.flush()
            return [measurement]
        },
        Scenario(name: "analytics-queue-sustained", summary: "--items events through queueEvent until durable (ops/s = events/s; the producer waits while the queue is nearly full)") { bench, budget in
            var configuration = EventQueue.Configuration()
            configuration.capacity = 100_000
            let queue = EventQueue(analytics: try await bench.analytics(durable: true), configuration: configuration)
            let total = bench.dataset.count
            let generator = Clock()
            let events = (0..<(total + 9_999) / 10_000).map { chunk in generator.events(min(10_000, total - chunk * 10_000)) }
            let clock = ContinuousClock()
            let start = clock.now
            for chunk in events {
                // A producer that backs off rather than have events dropped: measure what the
                // queue sustains, not the drop policy.
                while queue.queuedCount > configuration.capacity - chunk.count { try await Task.sleep(for: .milliseconds(1)) }
                for event in chunk { queue.queueEvent(event) }
            }
            let report = await queue.flush()
            let elapsed = clock.now - start
            guard report.failed == 0, queue.droppedCount == 0, queue.invalidCount == 0 else {
                throw BenchmarkError("queue-sustained: \(report.failed) failed, \(queue.droppedCount) dropped, \(queue.invalidCount) invalid")
            }
            // The floor: the same kind of events' keys and bytes, raw LMDB puts in key order, one
            // durable transaction per 10,000 events (the queue's largest batch), on the same
            // store — at most 200,000 events.
            guard let handles = queue.analytics.store.lmdbHandles else { throw BenchmarkError("not an LMDB store") }
            let table = try queue.analytics.store.table(queue.analytics.table.name)
            let raw = try RawLMDB(env: handles.environment, dbi: handles.database)
            defer { raw.close() }
            var rawElapsed = Duration.zero
            let rawEvents = min(total, 200_000)
            for _ in 0..<(rawEvents + 9_999) / 10_000 {
                let entries = try rawEntries(of: generator.events(10_000), queue.analytics, table)
                let start = clock.now
                try raw.put(entries)
                rawElapsed += clock.now - start
            }
            return [rate("analytics-queue-sustained", "kvtable", events: total, elapsed: elapsed),
                    rate("analytics-queue-sustained", "lmdb", events: (rawEvents + 9_999) / 10_000 * 10_000, elapsed: rawElapsed)]
        },
        Scenario(name: "analytics-realtime-read", summary: "real-time snapshot: the current hour's and day's counters") { bench, budget in
            let analytics = try await bench.analytics(durable: false)
            try await analytics.trackEventBatch(Clock().events(2000, around: Date()))
            let realtime = try await measureAsync("analytics-realtime-read", "kvtable", budget: budget) { _ in
                _ = try await analytics.realtimeSnapshot()
            }
            // The floor: raw LMDB getting (and copying) the same two counter items.
            let (raw, table) = try rawReader(analytics)
            defer { raw.close() }
            let keys = try analytics.realtimeKeys().map { try table.storageKey(of: $0) }
            let floor = try await measureAsync("analytics-realtime-read", "lmdb", budget: budget) { _ in
                for key in keys { guard try raw.get(key) != nil else { throw BenchmarkError("no counter item at the real-time key") } }
            }
            return [realtime, floor]
        },
        Scenario(name: "analytics-engagement-30d", summary: "getUserEngagement over 30 days (DAU, calendar and rolling WAU/MAU)") { bench, budget in
            let analytics = try await bench.analytics(durable: false)
            let now = Date()
            try await analytics.trackEventBatch(Clock().events(5000, around: now, spread: 30 * 86_400))
            let (start, budget) = (now.addingTimeInterval(-30 * 86_400), Budget(duration: budget.duration, maxOperations: 200))
            let engagement = try await measureAsync("analytics-engagement-30d", "kvtable", budget: budget) { _ in
                _ = try await analytics.getUserEngagement(start: start, end: now)
            }
            // The floor: raw LMDB reading every byte of every marker the call reads.
            let (raw, table) = try rawReader(analytics)
            defer { raw.close() }
            let prefixes = try analytics.engagementPartitions(start: start, end: now).map { try table.partitionPrefix($0) }
            let floor = try await measureAsync("analytics-engagement-30d", "lmdb", budget: budget) { _ in
                var markers = 0
                for prefix in prefixes { markers += try raw.readAll(prefix).entries }
                guard markers > 0 else { throw BenchmarkError("no distinct-user markers in the window") }
            }
            return [engagement, floor]
        },
        Scenario(name: "analytics-load-day", summary: "the benchmark's loader: --items events into one day, trackEventBatch of 5,000, no-sync (ops/s = events/s); raw LMDB: the same events' keys and bytes") { bench, _ in
            let (events, elapsed) = try await bench.dayLoad()
            let raw = try await bench.rawDayLoad()
            return [rate("analytics-load-day", "kvtable", events: events, elapsed: elapsed),
                    rate("analytics-load-day", "lmdb", events: events, elapsed: raw)]
        },
        Scenario(name: "analytics-recalculate-day", summary: "recalculate one day's rollups from its raw events (--items events in the day)") { bench, budget in
            let (analytics, day) = try await bench.recalculationDay()
            let recalculation = try await measureAsync("analytics-recalculate-day", "kvtable", budget: Budget(duration: budget.duration, maxOperations: 3)) { _ in
                _ = try await analytics.recalculate(granularity: .daily, from: day, to: day.addingTimeInterval(1))
            }
            // The floor: raw LMDB reading every byte of the day's events in place.
            let utcDay = ISO8601DateFormatter.string(from: day, timeZone: TimeZone(identifier: "UTC")!, formatOptions: .withFullDate)
            let (raw, table) = try rawReader(analytics)
            defer { raw.close() }
            let prefix = try table.partitionPrefix(.s("ANALYTICS#\(utcDay)"))
            let floor = try await measureAsync("analytics-recalculate-day", "lmdb", budget: Budget(duration: budget.duration, maxOperations: 3)) { _ in
                guard try raw.readAll(prefix).entries > 0 else { throw BenchmarkError("no events under the day's partition") }
            }
            return [recalculation, floor]
        },
    ]

    /// Raw LMDB on the analytics store (reads and writes), and its table (for keys).
    private static func rawReader(_ analytics: Analytics) throws -> (RawLMDB, Table) {
        guard let handles = analytics.store.lmdbHandles else { throw BenchmarkError("the analytics store is not LMDB") }
        return (try RawLMDB(env: handles.environment, dbi: handles.database), try analytics.store.table(analytics.table.name))
    }

    /// The floor for `trackEventBatch`: the same events' keys and bytes (id marker and event,
    /// with their `GSI1` and expiry entries), made before the clock starts and written by raw
    /// LMDB puts in key order, one durable transaction per 1,000 events, on the same store —
    /// everything but the metrics.
    private static func rawEventWrites(_ analytics: Analytics, clock: Clock, budget: Budget) async throws -> Measurement {
        let (raw, table) = try rawReader(analytics)
        defer { raw.close() }
        let batches = try (0..<min(budget.maxOperations, 100)).map { _ in
            try rawEntries(of: clock.events(1000), analytics, table)
        }
        return try await measureAsync("analytics-track-batch-1000-durable", "lmdb",
                                      budget: Budget(duration: budget.duration, maxOperations: batches.count)) { i in
            try raw.put(batches[i % batches.count])
        }
    }

    /// What a raw-LMDB baseline writes for `events`: their id markers and event items, with
    /// their `GSI1` and expiry entries, in key order.
    static func rawEntries(of events: [AnalyticsEvent], _ analytics: Analytics, _ table: Table) throws -> [([UInt8], [UInt8])] {
        try analytics.eventItems(of: events)
            .flatMap { try table.storageEntries(of: $0) }
            .sorted { $0.key.lexicographicallyPrecedes($1.key) }
            .map { ($0.key, $0.value) }
    }

    /// A throughput row: one operation of `elapsed`, its `ops_per_s` the events per second.
    static func rate(_ scenario: String, _ engine: String, events: Int, elapsed: Duration) -> Measurement {
        // One operation: its duration is every percentile (a histogram would cap it at 60 s).
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return Measurement(scenario: scenario, engine: engine, p50_ns: seconds * 1e9, p90_ns: seconds * 1e9,
                           p99_ns: seconds * 1e9, p999_ns: seconds * 1e9, ops_per_s: seconds > 0 ? Double(events) / seconds : 0)
    }

    private static func writeBudget(_ budget: Budget) -> Budget {
        Budget(duration: budget.duration, maxOperations: min(budget.maxOperations, 200))
    }

    /// Event generator: 10,000 users, sessions of one user, all event types, spread over the
    /// hour before `around` (or `spread` seconds).
    final class Clock: @unchecked Sendable {   // used by one scenario task at a time
        private var random = FastRandom(seed: 99)
        private var counter = 0

        func events(_ count: Int, around: Date = Date(), spread: Double = 3600) -> [AnalyticsEvent] {
            let types = [EventType.pageView, EventType.pageView, EventType.featureUse, EventType.contentCreate, EventType.aiRequest, EventType.error]
            return (0..<count).map { _ in
                counter += 1
                let user = random.below(10_000)
                let type = types[random.below(types.count)]
                var data: [String: AttributeValue] = [:]
                switch type {
                case EventType.featureUse: data["feature"] = .s(["search", "export", "share"][random.below(3)])
                case EventType.contentCreate: data["contentType"] = .s(["album", "track"][random.below(2)])
                case EventType.aiRequest: data["tokens"] = .number(random.below(4000))
                default: break
                }
                return AnalyticsEvent(userId: "user-\(user)", eventType: type, sessionId: "user-\(user)-\(counter / 5000)",
                                      metadata: .init(userAgent: "bench", ipAddress: "198.51.100.\(user % 250)", platform: "web"),
                                      eventData: data, timestamp: around.addingTimeInterval(-Double(random.below(Int(spread * 1000))) / 1000))
            }
        }
    }
}

@_spi(Benchmarks) import Analytics
import Foundation
@_spi(Benchmarks) import KVTable
import KVTableRemote
import KVTableServer

/// Everything the scenarios run against, loaded with the same data:
/// KVTable on LMDB (durable), KVTable in memory, raw LMDB on KVTable's own environment, SQLite,
/// and a small no-sync KVTable store for the no-sync write scenarios.
/// `@unchecked Sendable` is sound: every property is a `let` set once in `build`; the
/// non-thread-safe baselines (`RawLMDB`, `SQLiteBaseline`) are used only by the scenarios, one
/// after another on one task, and the concurrent scenario touches only the `Sendable` tables.
final class Bench: @unchecked Sendable {
    let dataset: Dataset
    let store: KVStore
    let table: Table
    let memoryTable: Table?
    let raw: RawLMDB
    let sqlite: SQLiteBaseline
    let noSyncStore: KVStore
    let noSyncTable: Table
    let noSyncRaw: RawLMDB

    /// Random sample of existing items: their key items, storage keys and (pk, sk) strings.
    let sampleKeys: [Item]
    let sampleStorageKeys: [[UInt8]]
    let sampleColumns: [(pk: String, sk: String)]
    /// Partition prefixes (table: users; GSI1: days), as KVTable encodes them.
    let userPrefixes: [[UInt8]]
    let dayPrefixes: [[UInt8]]
    /// A stored value, for raw writes of the same size.
    let sampleValue: [UInt8]

    private init(dataset: Dataset, directory: URL, store: KVStore, table: Table, memoryTable: Table?, raw: RawLMDB,
                 sqlite: SQLiteBaseline, noSyncStore: KVStore, noSyncTable: Table, noSyncRaw: RawLMDB) throws {
        self.dataset = dataset
        self.directory = directory
        self.store = store
        self.table = table
        self.memoryTable = memoryTable
        self.raw = raw
        self.sqlite = sqlite
        self.noSyncStore = noSyncStore
        self.noSyncTable = noSyncTable
        self.noSyncRaw = noSyncRaw
        var random = FastRandom(seed: 7)
        let indexes = (0..<10_000).map { _ in random.below(dataset.count) }
        sampleKeys = indexes.map(dataset.key)
        sampleStorageKeys = try sampleKeys.map { try table.storageKey(of: $0) }
        sampleColumns = sampleKeys.map { ($0["PK"]!.stringValue!, $0["SK"]!.stringValue!) }
        userPrefixes = try (0..<min(dataset.users, 10_000)).map { _ in
            try table.partitionPrefix(.s(Dataset.partitionKey(user: random.below(dataset.users))))
        }
        dayPrefixes = try (0..<min(dataset.days, 10_000)).map { _ in
            try table.partitionPrefix(.s(Dataset.dayKey(random.below(dataset.days))), index: "GSI1")
        }
        sampleValue = try raw.get(sampleStorageKeys[0]) ?? []
    }

    static func build(count: Int, directory: URL, needsMemory: Bool) async throws -> Bench {
        let dataset = Dataset(count: count)
        let clock = ContinuousClock()

        // A map larger than the data will ever need: the raw-LMDB write baselines write into
        // this environment directly and, unlike KVTable, do not grow the map themselves.
        var configuration = LMDBConfiguration(durability: .durable, initialMapSize: 16 << 30)
        configuration.maxReaders = 256
        let store = try KVStore.open(path: directory.appendingPathComponent("bench.kvt").path, configuration: configuration)
        let table = try await store.createTable(.singleTable(name: "Bench"))
        var start = clock.now
        try await load(dataset, into: table)
        report("KVTable (LMDB, durable)", count, clock.now - start)

        var memoryTable: Table?
        if needsMemory {
            start = clock.now
            memoryTable = try await KVStore.inMemory().createTable(.singleTable(name: "Bench"))
            try await load(dataset, into: memoryTable!)
            report("KVTable (in memory)", count, clock.now - start)
        }

        guard let handles = store.lmdbHandles else { throw BenchmarkError("not an LMDB store") }
        let raw = try RawLMDB(env: handles.environment, dbi: handles.database)

        start = clock.now
        let sqlite = try SQLiteBaseline(path: directory.appendingPathComponent("bench.sqlite").path)
        var rows: [(pk: String, sk: String, gsi1pk: String, gsi1sk: String, data: [UInt8])] = []
        for index in 0..<count {
            let item = dataset.item(index)
            let value = try raw.get(try table.storageKey(of: dataset.key(index))) ?? []   // the same bytes KVTable stores
            rows.append((item["PK"]!.stringValue!, item["SK"]!.stringValue!, item["GSI1PK"]!.stringValue!,
                         item["GSI1SK"]!.stringValue!, value))
            if rows.count == 50_000 {
                try sqlite.insert(rows)
                rows.removeAll(keepingCapacity: true)
            }
        }
        try sqlite.insert(rows)
        report("SQLite (WAL)", count, clock.now - start)

        let noSyncStore = try KVStore.open(path: directory.appendingPathComponent("nosync.kvt").path,
                                           configuration: LMDBConfiguration(durability: .noSync, initialMapSize: 4 << 30))
        let noSyncTable = try await noSyncStore.createTable(.singleTable(name: "Bench"))
        guard let noSyncHandles = noSyncStore.lmdbHandles else { throw BenchmarkError("not an LMDB store") }
        let noSyncRaw = try RawLMDB(env: noSyncHandles.environment, dbi: noSyncHandles.database)

        return try Bench(dataset: dataset, directory: directory, store: store, table: table, memoryTable: memoryTable, raw: raw, sqlite: sqlite,
                         noSyncStore: noSyncStore, noSyncTable: noSyncTable, noSyncRaw: noSyncRaw)
    }

    /// Bulk load with batch writes of 5,000 items (one transaction each).
    private static func load(_ dataset: Dataset, into table: Table) async throws {
        var index = 0
        while index < dataset.count {
            let end = min(dataset.count, index + 5000)
            try await table.batchWrite((index..<end).map { .put(dataset.item($0)) })
            index = end
        }
    }

    private static func report(_ what: String, _ count: Int, _ elapsed: Duration) {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("  loaded \(what): \(count) items in \(String(format: "%.1f", seconds)) s (\(Int(Double(count) / seconds)) items/s)")
    }

    // MARK: Analytics stores (created on first use)

    let directory: URL
    private let analyticsStores = AnalyticsStores()
    private let remoteEndpoint = RemoteEndpoint()

    /// The remote engine on the durable store, through KVTable's server on loopback.
    func remote() async throws -> (RemoteTable, DynamoDBService) {
        try await remoteEndpoint.connect(to: store, table: table.name)
    }

    /// The loopback port of KVTable's server on the durable store.
    func serverPort() async throws -> Int {
        try await remoteEndpoint.port(for: store, table: table.name)
    }

    /// An Analytics instance on a fresh store of its own (durable or no-sync).
    func analytics(durable: Bool) async throws -> Analytics {
        try await analyticsStores.analytics(durable: durable, directory: directory)
    }

    /// A no-sync store whose one UTC day holds `dataset.count` events, and that day.
    func recalculationDay() async throws -> (Analytics, Date) {
        try await analyticsStores.recalculationDay(events: dataset.count, directory: directory)
    }

    /// The recalculation day's load (loading it first if needed): events and time.
    func dayLoad() async throws -> (events: Int, elapsed: Duration) {
        _ = try await recalculationDay()
        return await analyticsStores.dayLoad!
    }

    /// The raw-LMDB floor of the day's load (see ``AnalyticsStores/rawDayLoad(events:directory:)``).
    func rawDayLoad() async throws -> Duration {
        try await analyticsStores.rawDayLoad(events: dataset.count, directory: directory)
    }

    func close() async {
        await remoteEndpoint.close()
        await analyticsStores.close()
        raw.close()
        noSyncRaw.close()
        store.close()
        noSyncStore.close()
    }
}

/// The analytics scenarios' stores, made when first needed.
actor AnalyticsStores {
    private var stores: [String: (KVStore, Analytics)] = [:]
    private var day: Date?

    func analytics(durable: Bool, directory: URL) async throws -> Analytics {
        let name = durable ? "analytics-durable" : "analytics-nosync"
        if let existing = stores[name] { return existing.1 }
        let store = try KVStore.open(path: directory.appendingPathComponent("\(name).kvt").path,
                                     configuration: LMDBConfiguration(durability: durable ? .durable : .noSync, initialMapSize: 16 << 30))
        let analytics = Analytics(store: store, table: try await store.createTable(.singleTable(name: "App")))
        try await analytics.enableEventExpiry()
        stores[name] = (store, analytics)
        return analytics
    }

    /// How long loading the recalculation day took (trackEventBatch calls only), and how many
    /// events it loaded.
    private(set) var dayLoad: (events: Int, elapsed: Duration)?

    /// The recalculation day's events: `count` events spread over one UTC day, in batches of
    /// 5,000 (the same events for every caller: the generator is seeded).
    static func dayEvents(_ count: Int, _ body: ([AnalyticsEvent]) async throws -> Void) async rethrows {
        let noon = Date(timeIntervalSince1970: 1_800_014_400)   // 2027-01-15 12:00 UTC
        let generator = AnalyticsScenarios.Clock()
        var loaded = 0
        while loaded < count {
            let batch = min(5000, count - loaded)
            try await body(generator.events(batch, around: noon.addingTimeInterval(43_199), spread: 86_399))
            loaded += batch
        }
    }

    func recalculationDay(events count: Int, directory: URL) async throws -> (Analytics, Date) {
        let noon = Date(timeIntervalSince1970: 1_800_014_400)
        if let existing = stores["analytics-day"], day != nil { return (existing.1, noon) }
        let store = try KVStore.open(path: directory.appendingPathComponent("analytics-day.kvt").path,
                                     configuration: LMDBConfiguration(durability: .noSync, initialMapSize: 4 << 30))
        let analytics = Analytics(store: store, table: try await store.createTable(.singleTable(name: "App")))
        try await analytics.enableEventExpiry()
        let clock = ContinuousClock()
        var elapsed = Duration.zero
        try await Self.dayEvents(count) { events in
            let start = clock.now
            try await analytics.trackEventBatch(events)
            elapsed += clock.now - start
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("  loaded \(count) analytics events into one day in \(String(format: "%.1f", seconds)) s (\(Int(Double(count) / seconds)) events/s, no-sync, batches of 5,000)")
        stores["analytics-day"] = (store, analytics)
        dayLoad = (count, elapsed)
        day = noon
        return (analytics, noon)
    }

    /// The raw-LMDB floor of the day's load: the same events' keys and bytes (id marker and
    /// event, with their `GSI1` and expiry entries; no metrics) put in key order, one no-sync
    /// transaction per 5,000 events, into a fresh store of the same layout. Only the puts are
    /// timed.
    func rawDayLoad(events count: Int, directory: URL) async throws -> Duration {
        // Raw puts do not grow the map as KVTable's writes do: make it large from the start
        // (the file grows only as pages are written).
        let store = try KVStore.open(path: directory.appendingPathComponent("analytics-day-raw.kvt").path,
                                     configuration: LMDBConfiguration(durability: .noSync, initialMapSize: 16 << 30))
        defer { store.close() }
        let analytics = Analytics(store: store, table: try await store.createTable(.singleTable(name: "App")))
        try await analytics.enableEventExpiry()
        let table = try store.table("App")
        guard let handles = store.lmdbHandles else { throw BenchmarkError("not an LMDB store") }
        let raw = try RawLMDB(env: handles.environment, dbi: handles.database)
        defer { raw.close() }
        let clock = ContinuousClock()
        var elapsed = Duration.zero
        try await Self.dayEvents(count) { events in
            let entries = try AnalyticsScenarios.rawEntries(of: events, analytics, table)
            let start = clock.now
            try raw.put(entries)
            elapsed += clock.now - start
        }
        return elapsed
    }

    func close() {
        for (store, _) in stores.values { store.close() }
        stores.removeAll()
    }
}

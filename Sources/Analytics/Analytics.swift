import Foundation
import KVTable

/// Event tracking with always-fresh metrics, on a single-table KVTable store (SPEC §1.3, §5).
///
/// ```swift
/// let analytics = try await Analytics(store: store, table: table)
/// let stored = try await analytics.trackEvent(AnalyticsEvent(
///     userId: "u1", eventType: EventType.pageView, sessionId: "s1",
///     metadata: .init(userAgent: "Safari", ipAddress: "203.0.113.9", platform: "web")))
/// let hour = try await analytics.hourCounters(at: Date())   // ["events": 1, "events:page_view": 1]
/// ```
public struct Analytics: Sendable {
    /// The store that holds `table`; an event without a timestamp gets its clock's time.
    public let store: KVStore
    /// The table of raw events, counters, markers and rollups.
    public let table: Table
    /// How events are validated, anonymised, bucketed and kept.
    public let configuration: AnalyticsConfiguration
    /// The user numbering ``getUserEngagement(start:end:)`` keeps between calls.
    let userNumbering = Reusable<StringInterner>()
    /// The counter names ``realtimeSnapshot()`` keeps between calls.
    let counterNames = Reusable<NameTable>()

    /// Tracks into `table` (a `TableSchema.singleTable(name:)` table). Creating an
    /// `Analytics` changes nothing in the store: raw events carry their expiry time in
    /// ``expiryAttribute``, and they expire only once the table's TTL reads that attribute —
    /// call ``enableEventExpiry()`` once, when you create the table.
    public init(store: KVStore, table: Table, configuration: AnalyticsConfiguration = AnalyticsConfiguration()) {
        self.store = store
        self.table = table
        self.configuration = configuration
    }

    /// The attribute in which every raw event and id marker stores its expiry time (epoch
    /// seconds, ``AnalyticsConfiguration/eventRetention`` after the event).
    public static let expiryAttribute = EventLayout.ttlAttribute

    /// Enables TTL on the table's ``expiryAttribute``, so raw events expire after
    /// ``AnalyticsConfiguration/eventRetention`` (metrics and rollups never expire). Does
    /// nothing when it is already enabled.
    ///
    /// - Throws: `KVTableError.validation(_:)` when the table's TTL is enabled on another
    ///   attribute (a table has one TTL attribute; events would never expire through it).
    public func enableEventExpiry() async throws {
        switch table.timeToLiveAttribute {
        case Self.expiryAttribute?:
            return
        case let other?:
            throw KVTableError.validation("TimeToLive is already enabled on attribute '\(other)' of table \(table.name); analytics events expire through '\(Self.expiryAttribute)'")
        case nil:
            try await store.updateTimeToLive(table: table.name, attribute: Self.expiryAttribute)
        }
    }

    /// Validates and stores one event durably, with its metrics, before returning.
    ///
    /// - Returns: the event as stored (with its id and timestamp), or — when an event with
    ///   this id is already stored — that event, unchanged: retries never double-count.
    /// - Throws: ``InvalidEvent`` naming the field that is wrong.
    @discardableResult
    public func trackEvent(_ event: AnalyticsEvent) async throws -> AnalyticsEvent {
        let result = try await trackEventBatch([event], allOrNothing: true)
        return result.stored.first ?? result.duplicates.first!
    }

    /// What ``trackEventBatch(_:allOrNothing:)`` did.
    public struct BatchResult: Sendable, Hashable {
        /// Newly stored events, in input order, with their ids and timestamps.
        public var stored: [AnalyticsEvent]
        /// Events whose id was already stored (left unchanged), as stored.
        public var duplicates: [AnalyticsEvent]
        /// Invalid events, in input order.
        public var rejected: [RejectedEvent]
    }

    /// An invalid event of a batch: its position in the batch and what is wrong with it.
    public struct RejectedEvent: Sendable, Hashable {
        /// The event's position in the batch given to ``trackEventBatch(_:allOrNothing:)``.
        public var index: Int
        /// What is wrong with the event.
        public var error: InvalidEvent

        /// The event at `index` of the batch, rejected for `error`.
        public init(index: Int, error: InvalidEvent) {
            self.index = index
            self.error = error
        }
    }

    /// The batch was all-or-nothing and some events were invalid; nothing was stored.
    public struct BatchRejected: Error, Sendable, Hashable {
        /// The invalid events, in input order.
        public var rejected: [RejectedEvent]
    }

    /// Stores any number of events in one transaction, with their metrics. Invalid events are
    /// reported by position and the valid ones stored — or, with `allOrNothing`, nothing is
    /// stored and ``BatchRejected`` is thrown (for a single event: its ``InvalidEvent``).
    @discardableResult
    public func trackEventBatch(_ events: [AnalyticsEvent], allOrNothing: Bool = false) async throws -> BatchResult {
        let now = store.time.now()
        var valid: [(event: AnalyticsEvent, item: Item)] = []
        valid.reserveCapacity(events.count)
        var rejected: [RejectedEvent] = []
        for (index, event) in events.enumerated() {
            do {
                let prepared = try EventPreparation.prepare(event, now: now, configuration: configuration)
                let builder = EventLayout.itemBuilder(for: prepared, retention: configuration.eventRetention, now: now)
                guard builder.dynamoDBItemSize <= configuration.maximumEventSize else {
                    throw InvalidEvent(field: "event", reason: "is larger than \(configuration.maximumEventSize / 1024) KB")
                }
                let item: Item
                do {
                    item = try builder.build()
                } catch {
                    throw InvalidEvent(field: "eventData", reason: error.message)
                }
                valid.append((prepared, item))
            } catch let error as InvalidEvent {
                rejected.append(RejectedEvent(index: index, error: error))
            }
        }
        if allOrNothing, !rejected.isEmpty {
            if events.count == 1 { throw rejected[0].error }
            throw BatchRejected(rejected: rejected)
        }
        let table = self.table
        let configuration = self.configuration
        let toStore = valid
        let (stored, duplicates) = try await store.write { tx -> ([AnalyticsEvent], [AnalyticsEvent]) in
            try Self.store(toStore, in: table, transaction: tx, configuration: configuration, now: now)
        }
        return BatchResult(stored: stored, duplicates: duplicates, rejected: rejected)
    }

    /// The bulk ingest path: one transaction, every key written once and in key order.
    ///
    /// 1. The id markers are inserted first: inserting is the idempotency check (the id decides,
    ///    not the key — a retry may carry another timestamp), one B-tree descent per event.
    /// 2. The events whose marker was new are inserted, with their `GSI1` and expiry entries.
    /// 3. Their metrics are folded in memory and written once per key (``FreshMetrics``).
    /// 4. Duplicates are looked up last, so that a duplicate inside the batch finds the event
    ///    its first copy stored.
    static func store(_ batch: [(event: AnalyticsEvent, item: Item)], in table: Table, transaction tx: StoreTransaction,
                      configuration: AnalyticsConfiguration, now: Date) throws -> ([AnalyticsEvent], [AnalyticsEvent]) {
        let retention = configuration.eventRetention
        let events = batch.map(\.event)
        let isNew = try tx.insertItems(table, try events.map { try EventLayout.idMarker($0, retention: retention) })
        var candidates: [AnalyticsEvent] = []
        var candidateItems: [Item] = []
        candidates.reserveCapacity(events.count)
        candidateItems.reserveCapacity(events.count)
        for (entry, new) in zip(batch, isNew) where new {
            candidates.append(entry.event)
            candidateItems.append(entry.item)
        }
        let inserted = try tx.insertItems(table, candidateItems)
        var stored: [AnalyticsEvent] = []
        stored.reserveCapacity(candidates.count)
        for (event, new) in zip(candidates, inserted) where new { stored.append(event) }
        try FreshMetrics.record(stored, in: table, transaction: tx, timeZone: configuration.timeZone, now: now)
        var duplicates: [AnalyticsEvent] = []
        for (event, new) in zip(events, isNew) where !new {
            let marker = try tx.getItem(table, EventLayout.idMarkerKey(event.id!))
            let existing = try marker.flatMap { marker in
                try tx.getItem(table, ["PK": marker["eventPK"]!, "SK": marker["eventSK"]!])
            }
            duplicates.append(existing.flatMap(EventLayout.event(from:)) ?? event)
        }
        // An event whose key was taken although its marker was new (its old marker expired
        // first): the stored one stands.
        for (event, new) in zip(candidates, inserted) where !new {
            duplicates.append(try tx.getItem(table, EventLayout.key(of: event)).flatMap(EventLayout.event(from:)) ?? event)
        }
        return (stored, duplicates)
    }

    // MARK: Real-time reads

    /// The counters of the hour containing `date` (in the configured time zone).
    public func hourCounters(at date: Date) async throws -> [String: ExactDecimal] {
        try await counters(EventLayout.hourCounters(TimeBuckets(date, in: configuration.timeZone)))
    }

    /// Exact distinct users of the day, ISO week or month containing `date` (in the
    /// configured time zone).
    ///
    /// - Throws: `KVTableError.validation(_:)` for ``Granularity/hourly``: distinct users are
    ///   counted per day, week and month only (an hour's would need a marker per user per hour).
    public func activeUsers(_ granularity: Granularity, at date: Date) async throws -> Int {
        guard granularity != .hourly else {
            throw KVTableError.validation("Distinct users are counted per day, week and month, not per hour")
        }
        let period = calendar.period(granularity, containing: date)
        return try await counters(EventLayout.counters(Self.periodKind(granularity), period.key))["activeUsers"]?.intValue ?? 0
    }

    /// Users whose first event ever falls on the day containing `date`.
    public func newUsers(on date: Date) async throws -> Int {
        try await counters(EventLayout.counters("DAY", TimeBuckets(date, in: configuration.timeZone).day))["newUsers"]?.intValue ?? 0
    }

    private func counters(_ key: Item) async throws -> [String: ExactDecimal] {
        guard let item = try await table.getItem(key) else { return [:] }
        var counters: [String: ExactDecimal] = [:]
        for (name, value) in item where name != "PK" && name != "SK" {
            if case .n(let n) = value { counters[name] = n }
        }
        return counters
    }

    /// A user's events in time order, a page at a time (GSI1).
    ///
    /// - Parameters:
    ///   - userId: the user whose events to read.
    ///   - limit: the most events in the page.
    ///   - cursor: the previous page's ``EventPage/nextCursor``.
    public func journey(of userId: String, limit: Int = 100, after cursor: PageCursor? = nil) async throws -> EventPage {
        let page = try await table.query(Query(indexName: "GSI1", partitionKey: .s("USER#\(KeyTemplate.escape(userId))"),
                                               sortKey: .beginsWith("EVENT#"), limit: limit, startAfter: cursor))
        return EventPage(events: page.items.compactMap(EventLayout.event(from:)), nextCursor: page.nextCursor)
    }
}

/// One page of raw events: ``Analytics/journey(of:limit:after:)`` and
/// ``Analytics/events(onUTCDay:after:limit:startAfter:)``.
public struct EventPage: Sendable, Hashable {
    /// The page's events, in the order the query reads them.
    public var events: [AnalyticsEvent]
    /// Where the next page starts; nil on the last page.
    public var nextCursor: PageCursor?

    /// A page of `events`; `nextCursor` is nil on the last page.
    public init(events: [AnalyticsEvent], nextCursor: PageCursor?) {
        self.events = events
        self.nextCursor = nextCursor
    }
}

import Foundation
@_spi(Benchmarks) import KVTable

/// What the benchmark's raw-LMDB baseline needs to write the same keys and bytes as
/// ``Analytics/trackEventBatch(_:allOrNothing:)``. Not part of the supported API
/// (`@_spi(Benchmarks) import Analytics`).
@_spi(Benchmarks)
extension Analytics {
    /// The items a batch of new, valid events stores for the events themselves — each event's
    /// id marker and the event — as they would be stored now (metrics items not included).
    public func eventItems(of events: [AnalyticsEvent]) throws -> [Item] {
        let now = store.time.now()
        return try events.flatMap { event -> [Item] in
            let prepared = try EventPreparation.prepare(event, now: now, configuration: configuration)
            return [try EventLayout.idMarker(prepared, retention: configuration.eventRetention),
                    try EventLayout.itemBuilder(for: prepared, retention: configuration.eventRetention, now: now).build()]
        }
    }

    /// The distinct-user marker partitions ``getUserEngagement(start:end:)`` reads for this
    /// range (the raw floor reads every byte under them).
    public func engagementPartitions(start: Date, end: Date) -> [AttributeValue] {
        engagementWindow(start: start, end: end).window.map { EventLayout.activePartition("DAY", $0.key) }
    }

    /// The keys of the two counter items ``realtimeSnapshot()`` reads now.
    public func realtimeKeys() -> [Item] {
        let frame = RealtimeFrame.cached(store.time.now(), in: configuration.timeZone)
        return [frame.hourKey, frame.dayKey]
    }
}

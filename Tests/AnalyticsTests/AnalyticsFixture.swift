import Foundation
import KVTable
@testable import Analytics

enum Backend: String, CaseIterable, Sendable, CustomStringConvertible {
    case lmdb, memory
    var description: String { rawValue }
}

/// An Analytics instance over a fresh single-table store (an LMDB file in a temporary
/// directory, or memory).
final class AnalyticsFixture: @unchecked Sendable {  // test helper: immutable after init
    let store: KVStore
    let analytics: Analytics
    let directory: URL?

    init(_ backend: Backend, configuration: AnalyticsConfiguration = AnalyticsConfiguration(),
         time: any TimeSource = SystemTimeSource()) async throws {
        switch backend {
        case .memory:
            store = KVStore.inMemory(time: time)
            directory = nil
        case .lmdb:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("analytics-tests-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            self.directory = directory
            store = try KVStore.open(path: directory.appendingPathComponent("a.kvt").path,
                                     configuration: LMDBConfiguration(durability: .noSync), time: time)
        }
        let table = try await store.createTable(.singleTable(name: "App"))
        analytics = Analytics(store: store, table: table, configuration: configuration)
        try await analytics.enableEventExpiry()
    }

    deinit {
        store.close()
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }
}

func event(_ user: String = "u1", _ type: String = EventType.pageView, session: String = "s1",
           at timestamp: Date? = nil, id: String? = nil, data: [String: AttributeValue]? = nil,
           ip: String = "203.0.113.77") -> AnalyticsEvent {
    AnalyticsEvent(userId: user, eventType: type, sessionId: session,
                   metadata: .init(userAgent: "Mozilla/5.0", ipAddress: ip, platform: "web"),
                   eventData: data, timestamp: timestamp, id: id)
}

extension Analytics {
    /// The additive metrics of a set of raw events, named like the hour counters.
    static func bruteForce(_ events: [AnalyticsEvent]) throws -> [String: ExactDecimal] {
        var values: [String: ExactDecimal] = [:]
        func add(_ name: String, _ amount: ExactDecimal) throws { values[name] = try (values[name] ?? .zero).adding(amount) }
        for event in events {
            try add("events", 1)
            try add("events:\(event.eventType)", 1)
            let data = event.eventData ?? [:]
            switch event.eventType {
            case EventType.featureUse: try add("features:\(data["feature"]?.stringValue ?? "unknown")", 1)
            case EventType.contentCreate:
                try add("content", 1)
                try add("content:\(data["contentType"]?.stringValue ?? "unknown")", 1)
            case EventType.aiRequest:
                try add("ai:requests", 1)
                if case .n(let tokens)? = data["tokens"] { try add("ai:tokens", tokens) }
                if case .n(let cost)? = data["cost"] { try add("ai:cost", cost) }
            case EventType.error: try add("errors", 1)
            default: break
            }
        }
        return values
    }
}

/// The `eventData` of a random event of `type`: a feature, a content type, or AI tokens and an
/// exact decimal cost.
func randomEventData(_ type: String, _ random: inout SplitMix) throws -> [String: AttributeValue] {
    var data: [String: AttributeValue] = [:]
    switch type {
    case EventType.featureUse: data["feature"] = .s(["search", "export", "share"][random.below(3)])
    case EventType.contentCreate: data["contentType"] = .s(["album", "track"][random.below(2)])
    case EventType.aiRequest:
        data["tokens"] = .number(random.below(5000))
        data["cost"] = try .number("0.\(random.below(9999) + 1)")
    default: break
    }
    return data
}

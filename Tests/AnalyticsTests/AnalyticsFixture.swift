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
        analytics = try await Analytics(store: store, table: table, configuration: configuration)
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

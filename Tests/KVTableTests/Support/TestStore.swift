import Foundation
import Synchronization
@testable import KVTable

/// The two backends every conformance test runs against.
enum Backend: String, CaseIterable, Sendable, CustomStringConvertible {
    case lmdb
    case memory

    var description: String { rawValue }
}

/// A store for one test: an LMDB file in a fresh temporary directory (removed afterwards), or
/// an in-memory store.
final class TestStore: @unchecked Sendable {  // test helper: immutable after init
    let store: KVStore
    let directory: URL?

    init(_ backend: Backend, configuration: LMDBConfiguration = .forTests,
         time: any TimeSource = SystemTimeSource()) throws {
        switch backend {
        case .memory:
            store = KVStore.inMemory(time: time)
            directory = nil
        case .lmdb:
            let directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("kvtable-tests-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            self.directory = directory
            store = try KVStore.open(path: directory.appendingPathComponent("store.kvt").path,
                                     configuration: configuration, time: time)
        }
    }

    var path: String? { directory?.appendingPathComponent("store.kvt").path }

    deinit {
        store.close()
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    /// A single-table-design table named "App".
    func singleTable() async throws -> Table {
        try await store.createTable(.singleTable(name: "App"))
    }
}

extension LMDBConfiguration {
    /// No device flushes: tests check semantics, not durability.
    static var forTests: LMDBConfiguration {
        LMDBConfiguration(durability: .noSync, initialMapSize: 8 << 20)
    }
}

/// A temporary directory for tests that manage store files themselves.
func makeTemporaryDirectory() throws -> URL {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kvtable-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory
}

/// A counter tasks and threads can share.
final class Counter: Sendable {
    private let value = Mutex(0)
    func add(_ n: Int = 1) { value.withLock { $0 += n } }
    var count: Int { value.withLock { $0 } }
    func raise(to n: Int) { value.withLock { $0 = max($0, n) } }
}

typealias ManualTime = ManualTimeSource

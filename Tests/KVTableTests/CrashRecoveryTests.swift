import Foundation
import Synchronization
import Testing
@testable import KVTable

/// `kill -9` under eight concurrent durable writers, again and again: after each kill the store
/// reopens, holds every acknowledged write (and at most the one write per writer that was in
/// flight), every transaction whole, and its indexes verify clean.
///
/// The child is `CrashWriter` (Tests/CrashWriter/main.swift). CI runs a few cycles; set
/// `KVTABLE_CRASH_CYCLES` for a long run (`KVTABLE_CRASH_CYCLES=60 swift test --filter CrashRecovery`).
@Suite("SIGKILL under concurrent durable writers", .serialized)
struct CrashRecoveryTests {
    static let writers = 8
    static let cycles = ProcessInfo.processInfo.environment["KVTABLE_CRASH_CYCLES"].flatMap { Int($0) } ?? 5

    @Test("no acknowledged write is lost, no transaction is half applied, indexes verify clean")
    func killedWritersLoseNothing() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kill9-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("crash.kvt").path

        // The n each writer acknowledges next: the child resumes each writer after its counter,
        // so after a kill that is the count found in the store (which may include the one write
        // that committed without being acknowledged).
        var next = [Int](repeating: 0, count: Self.writers)
        var generator = SystemRandomNumberGenerator()
        var killsWhileWriting = 0, acknowledgedWrites = 0
        for cycle in 0..<Self.cycles {
            // Kill at a random moment once writes are under way: 20–400 ms after `ready`.
            let delay = Double.random(in: 0.02...0.4, using: &generator)
            let lines = try await CrashChild.run(path: path, writers: Self.writers, killAfterReady: delay)
            var acknowledged = next.map { $0 - 1 }      // the highest acknowledged n per writer
            for line in lines.dropFirst() {
                let parts = line.split(separator: " ").compactMap { Int($0) }
                try #require(parts.count == 2 && (0..<Self.writers).contains(parts[0]), "an acknowledgement is `writer n`: \(line)")
                #expect(parts[1] == acknowledged[parts[0]] + 1, "writer \(parts[0]) acknowledges in order")
                acknowledged[parts[0]] = parts[1]
            }
            let made = zip(acknowledged, next).map { $0 - $1 + 1 }.reduce(0, +)
            acknowledgedWrites += made
            if made > 0 { killsWhileWriting += 1 }
            next = try Self.checkStore(at: path, acknowledged: acknowledged, cycle: cycle)
        }
        #expect(killsWhileWriting > 0, "at least one kill landed while writes were being acknowledged")
        #expect(next.allSatisfy { $0 > 0 }, "every writer got writes acknowledged: \(next)")
        print("crash recovery: \(Self.cycles) kills (\(killsWhileWriting) while writing), \(acknowledgedWrites) acknowledged writes, none lost")
    }

    /// Reopens the store the killed child left, checks it against what was acknowledged and
    /// returns each writer's count.
    static func checkStore(at path: String, acknowledged: [Int], cycle: Int) throws -> [Int] {
        let store = try KVStore.open(path: path)
        defer { store.close() }
        let table = try store.table("Crash")
        let counts = try table.read { reader in
            try (0..<writers).map { writer in
                let items = try reader.query(Query(partitionKey: .s("W#\(writer)"), sortKey: .beginsWith("N#"))).items
                let numbers = items.compactMap { $0["SK"]?.stringValue.flatMap { Int($0.dropFirst(2)) } }
                let count = try reader.getItem(["PK": .s("W#\(writer)"), "SK": "COUNT"])?["count"]?.numberValue?.intValue ?? 0
                // Items 0..<count, exactly: every transaction whole, none lost, none reordered.
                #expect(numbers == Array(0..<count), "cycle \(cycle), writer \(writer): items are 0..<count")
                // Every acknowledged write, and at most the one in flight when the kill came.
                #expect(count >= acknowledged[writer] + 1, "cycle \(cycle), writer \(writer): an acknowledged write is missing")
                #expect(count <= acknowledged[writer] + 2, "cycle \(cycle), writer \(writer): more writes than were made")
                return count
            }
        }
        #expect(try table.verifyIndexes() == [], "cycle \(cycle): indexes verify clean")
        return counts
    }
}

/// Runs `CrashWriter` and kills it.
enum CrashChild {
    /// Starts the child, waits for its `ready`, kills it with SIGKILL `delay` seconds later, and
    /// returns every whole line it printed (`ready` first). A child that exits by itself or
    /// never gets ready fails the test.
    static func run(path: String, writers: Int, killAfterReady delay: Double) async throws -> [String] {
        let process = Process()
        process.executableURL = try binary()
        process.arguments = [path, "\(writers)"]
        process.currentDirectoryURL = FileManager.default.temporaryDirectory
        let output = Pipe()
        process.standardOutput = output
        let errors = Pipe()
        process.standardError = errors
        let exited = AsyncStream<Void>.makeStream()
        process.terminationHandler = { _ in exited.continuation.finish() }
        try process.run()

        // The pipe is read on a thread of its own: a blocking read must not hold one of the
        // concurrency pool's threads.
        let reader = OutputReader(output.fileHandleForReading)
        let ready = await reader.waitForReady(timeout: 60)
        if ready {
            try await Task.sleep(for: .seconds(delay))
        }
        let wasRunning = process.isRunning
        kill(process.processIdentifier, SIGKILL)
        for await _ in exited.stream {}
        let lines = await reader.finish()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        try #require(ready, "CrashWriter never printed ready: \(stderr)")
        try #require(wasRunning, "CrashWriter exited by itself: \(stderr)")
        #expect(process.terminationReason == .uncaughtSignal)
        return lines
    }

    /// `CrashWriter`, built next to this test bundle (`swift build --build-tests` builds it).
    static func binary() throws -> URL {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("CrashWriter"),
            Bundle.main.bundleURL.appendingPathComponent("CrashWriter"),
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("CrashWriter"),
        ]
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "CrashWriter not built; looked at \(candidates.map(\.path))"])
        }
        return found
    }
}

/// Reads a child's standard output to its end on a dedicated thread, splitting it into lines.
final class OutputReader: Sendable {
    private struct State {
        var data = Data()
        var isReady = false
        var finished: CheckedContinuation<[String], Never>?
        var isFinished = false
    }
    private let state = Mutex(State())

    init(_ handle: FileHandle) {
        let thread = Thread { [self] in
            while true {
                let chunk = handle.availableData     // blocks; empty at end of file
                let finished: (CheckedContinuation<[String], Never>, [String])? = state.withLock { state in
                    state.data.append(chunk)
                    if state.data.starts(with: Data("ready\n".utf8)) { state.isReady = true }
                    guard chunk.isEmpty else { return nil }
                    state.isFinished = true
                    defer { state.finished = nil }
                    return state.finished.map { ($0, OutputReader.lines(state.data)) }
                }
                if chunk.isEmpty {
                    finished.map { $0.0.resume(returning: $0.1) }
                    return
                }
            }
        }
        thread.start()
    }

    /// Whole lines only: a line cut by the kill was never acknowledged.
    static func lines(_ data: Data) -> [String] {
        var text = String(decoding: data, as: UTF8.self)
        if let lastNewline = text.lastIndex(of: "\n") {
            text = String(text[...lastNewline])
        } else {
            text = ""
        }
        return text.split(separator: "\n").map(String.init)
    }

    /// True once `ready` has arrived; false after `timeout` seconds or at end of file without it.
    func waitForReady(timeout: Double) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(timeout)
        while ContinuousClock.now < deadline {
            let (isReady, isFinished) = state.withLock { ($0.isReady, $0.isFinished) }
            if isReady { return true }
            if isFinished { return false }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return false
    }

    /// Every whole line, once the output has ended.
    func finish() async -> [String] {
        await withCheckedContinuation { continuation in
            let lines: [String]? = state.withLock { state in
                guard state.isFinished else {
                    state.finished = continuation
                    return nil
                }
                return OutputReader.lines(state.data)
            }
            if let lines { continuation.resume(returning: lines) }
        }
    }
}

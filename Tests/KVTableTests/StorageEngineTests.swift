import Foundation
import Testing
@testable import KVTable

/// The ordered key-value layer under the table semantics: every backend (and the LMDB long-key
/// mapping, forced with a small threshold and with colliding hashes) must agree with a plain
/// sorted reference on gets and on ranges in both directions.
@Suite("Storage engines")
struct StorageEngineTests {
    enum Engine: String, CaseIterable, CustomStringConvertible {
        case memory
        case lmdb
        case lmdbLongKeys          // keys over 16 bytes take the long-key path
        case lmdbLongKeysCollide   // …and every long key has the same hash
        var description: String { rawValue }
    }

    final class Fixture: @unchecked Sendable {  // test helper: immutable after init
        let engine: any StorageEngine
        let directory: URL?
        init(_ kind: Engine) throws {
            var configuration = LMDBConfiguration.forTests
            switch kind {
            case .memory:
                engine = MemoryStorage()
                directory = nil
                return
            case .lmdb: break
            case .lmdbLongKeys: configuration.longKeyThreshold = 16
            case .lmdbLongKeysCollide:
                configuration.longKeyThreshold = 16
                configuration.longKeyHash = { _ in 7 }
            }
            let directory = try makeTemporaryDirectory()
            self.directory = directory
            engine = try LMDBStorage(path: directory.appendingPathComponent("s.kvt").path, configuration: configuration)
        }
        deinit {
            engine.close()
            if let directory { try? FileManager.default.removeItem(at: directory) }
        }
    }

    /// Keys from a tiny alphabet, so that many share long prefixes.
    static func randomKey<G: RandomNumberGenerator>(_ rng: inout G) -> [UInt8] {
        let alphabet: [UInt8] = [0x00, 0x01, 0x61, 0xFF]
        let length = Int.random(in: 1...40, using: &rng)
        let tail = (0..<length).map { _ in alphabet.randomElement(using: &rng)! }
        // Half the keys share an 18-byte prefix: large long-key groups under a 16-byte threshold.
        return Bool.random(using: &rng) ? [UInt8](repeating: 0x61, count: 18) + tail : tail
    }

    @Test("Gets and ranges agree with a sorted reference", arguments: Engine.allCases)
    func agreesWithReference(kind: Engine) async throws {
        let fixture = try Fixture(kind)
        var rng = SeededGenerator(seed: 42)
        var reference: [[UInt8]: [UInt8]] = [:]
        for round in 0..<4 {
            var puts: [([UInt8], [UInt8])] = []
            var deletes: [[UInt8]] = []
            for _ in 0..<300 {
                let key = Self.randomKey(&rng)
                puts.append((key, Array("v\(round)-\(key.count)".utf8)))
            }
            for key in reference.keys.shuffled(using: &rng).prefix(60) { deletes.append(key) }
            let (p, d) = (puts, deletes)
            try await fixture.engine.write { writer in
                for (key, value) in p { try writer.put(value, forKey: key) }
                for key in d { try writer.delete(key) }
            }
            for (key, value) in puts { reference[key] = value }
            for key in deletes { reference[key] = nil }
        }
        let sorted = reference.keys.sorted { compareBytes($0, $1) < 0 }
        try fixture.engine.read { (reader) throws in
            for key in sorted { #expect(try reader.value(forKey: key) == reference[key]) }
            #expect(try reader.value(forKey: [0x62, 0x62]) == nil)
            #expect(try reader.value(forKey: [UInt8](repeating: 0x61, count: 100)) == nil)

            var forward: [[UInt8]] = []
            try reader.scan(KeyRange(lower: [], upper: nil), reverse: false) { key, value in
                forward.append(Array(key))
                #expect(Array(value) == reference[Array(key)])
                return true
            }
            #expect(forward == sorted)
            var backward: [[UInt8]] = []
            try reader.scan(KeyRange(lower: [], upper: nil), reverse: true) { key, _ in
                backward.append(Array(key))
                return true
            }
            #expect(backward == sorted.reversed())

            for _ in 0..<150 {
                var a = Self.randomKey(&rng)
                var b = Self.randomKey(&rng)
                if compareBytes(a, b) > 0 { swap(&a, &b) }
                let range = KeyRange(lower: a, upper: Bool.random(using: &rng) ? b : nil)
                let expected = sorted.filter { key in key.withUnsafeBytes { range.contains($0) } }
                for reverse in [false, true] {
                    var seen: [[UInt8]] = []
                    let stopAfter = Int.random(in: 1...50, using: &rng)
                    try reader.scan(range, reverse: reverse) { key, _ in
                        seen.append(Array(key))
                        return seen.count < stopAfter
                    }
                    let want = Array((reverse ? expected.reversed() : expected).prefix(stopAfter))
                    #expect(seen == want, "range \(a)..<\(String(describing: range.upper)) reverse \(reverse)")
                }
            }
        }
    }

    @Test("A throwing write body leaves nothing behind", arguments: Engine.allCases)
    func failedWriteRollsBack(kind: Engine) async throws {
        struct Boom: Error {}
        let fixture = try Fixture(kind)
        try await fixture.engine.write { try $0.put([1], forKey: [1]) }
        await #expect(throws: Boom.self) {
            try await fixture.engine.write { writer in
                try writer.put([2], forKey: [2])
                try writer.delete([1])
                throw Boom()
            }
        }
        try fixture.engine.read { (reader) throws in
            #expect(try reader.value(forKey: [1]) == [1])
            #expect(try reader.value(forKey: [2]) == nil)
        }
    }
}

extension StorageEngineTests {
    @Test("In one group commit, bodies that throw after writing leave nothing and the others commit", arguments: Engine.allCases)
    func dirtyFailuresInABatch(kind: Engine) async throws {
        struct Boom: Error {}
        let fixture = try Fixture(kind)
        let outcomes = try await withThrowingTaskGroup(of: (UInt8, Bool).self) { group in
            for n in UInt8(0)..<60 {
                group.addTask {
                    do {
                        try await fixture.engine.write { writer in
                            try writer.put([n], forKey: [1, n])
                            if n % 3 == 0 {
                                try writer.put([n], forKey: [2, n])   // a second write, then a failure
                                throw Boom()
                            }
                        }
                        return (n, true)
                    } catch is Boom {
                        return (n, false)
                    }
                }
            }
            var outcomes: [UInt8: Bool] = [:]
            for try await (n, ok) in group { outcomes[n] = ok }
            return outcomes
        }
        try fixture.engine.read { (reader) throws in
            for n in UInt8(0)..<60 {
                #expect(outcomes[n] == (n % 3 != 0))
                #expect(try reader.value(forKey: [1, n]) == (n % 3 == 0 ? nil : [n]))
                #expect(try reader.value(forKey: [2, n]) == nil)
            }
        }
    }
}

/// A small deterministic generator (SplitMix64) so that failures reproduce.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

import Foundation
import KVTable
import Testing
@testable import Analytics

/// The tables a metrics pass keeps per user and per session, against plain dictionaries.
@Suite("Metrics pass tables: StringInterner, SessionSpans, ExactSum")
struct PassTablesTests {
    /// Ids of the shapes apps use: short (inline Swift strings), UUID-length, non-ASCII, empty.
    static func id(_ n: Int) -> String {
        switch n % 4 {
        case 0: return "u\(n)"
        case 1: return "session-\(n)-0f8fad5b-d9cb-469f-a165-70867728950e"
        case 2: return "ユーザー\(n)"
        default: return n % 1000 == 3 ? "" : "\(n)-\(n * 7919)"
        }
    }

    @Test("numbers are dense, in order of first sight, and stable while the table grows")
    func interner() {
        var interner = StringInterner(capacity: 4)
        var expected: [String: Int] = [:]
        var random = SystemRandomNumberGenerator()
        for _ in 0..<60_000 {
            let string = Self.id(Int.random(in: 0..<20_000, using: &random))
            let number = interner.number(of: string)
            let known = expected[string]
            #expect(known == nil ? number == expected.count : number == known)
            if known == nil { expected[string] = number }
        }
        #expect(interner.count == expected.count)
        let strings = interner.strings
        for (string, number) in expected {
            #expect(strings[number] == string)
            #expect(interner.withUTF8(of: number) { String(decoding: $0, as: UTF8.self) } == string)
        }
    }

    @Test("each session's first and last time, exactly, however many sessions there are")
    func sessions() {
        var spans = SessionSpans()
        var expected: [String: (Int, Int)] = [:]
        var random = SystemRandomNumberGenerator()
        for _ in 0..<80_000 {
            let session = Self.id(Int.random(in: 0..<30_000, using: &random))
            let millis = Int.random(in: -5_000...86_400_000, using: &random)
            spans.add(session, at: millis)
            let known = expected[session] ?? (millis, millis)
            expected[session] = (min(known.0, millis), max(known.1, millis))
        }
        let result = spans.spans()
        #expect(result.count == expected.count)
        let sorted = { (pairs: [(Int, Int)]) in pairs.sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 } }
        let got = sorted(result.map { ($0.first, $0.last) })
        let want = sorted(Array(expected.values))
        #expect(got.map(\.0) == want.map(\.0) && got.map(\.1) == want.map(\.1))
        #expect(SessionSpans().spans().isEmpty)
    }

    @Test("exact sums: integers fast, decimals exact, overflow carried, nothing added is nil")
    func sums() throws {
        // (Called through `total(of:)`: with Swift 6.3, a debug test that holds an `ExactSum`
        // itself crashes with a bad pointer dereference in the test's own frame, at an aligned
        // 16-byte move of the struct — a code-generation problem across the @testable boundary;
        // inside the module, and in release builds, it works.)
        #expect(try ExactSum.total(of: []) == nil)
        let values = [ExactDecimal(3), ExactDecimal("0.25"), ExactDecimal(Int.max), ExactDecimal(Int.max), ExactDecimal(-4)]
        #expect(try ExactSum.total(of: values) == ExactDecimal("18446744073709551613.25"))
        #expect(try ExactSum.total(of: [ExactDecimal(0)]) == ExactDecimal(0))
        #expect(try ExactSum.total(of: [ExactDecimal(Int.min), ExactDecimal(-1)]) == ExactDecimal("-9223372036854775809"))
    }
}

import Foundation

/// The printed report: one row per scenario and engine, then ratios and the targets.
enum Report {
    static func printRow(_ m: Measurement) {
        print(pad(m.scenario, 26) + pad(m.engine, 16) + [m.p50_ns, m.p90_ns, m.p99_ns, m.p999_ns].map { pad(format($0), 11) }.joined()
              + String(format: "%12.0f ops/s", m.ops_per_s))
    }

    static func printSummary(_ results: [Measurement]) {
        func find(_ scenario: String, _ engine: String) -> Measurement? {
            results.first { $0.scenario == scenario && $0.engine == engine }
        }
        print("\nRatios (p50 unless noted):")
        for scenario in Array(Set(results.map(\.scenario))).sorted() {
            guard let kvtable = find(scenario, "kvtable") else { continue }
            var parts: [String] = []
            if let lmdb = find(scenario, "lmdb") {
                parts.append(String(format: "kvtable ÷ lmdb %.2f", kvtable.p50_ns / lmdb.p50_ns))
            }
            if let sqlite = find(scenario, "sqlite") {
                parts.append(String(format: "sqlite ÷ kvtable %.2f", sqlite.p50_ns / kvtable.p50_ns))
            }
            if let memory = find(scenario, "kvtable-memory") {
                parts.append(String(format: "memory ÷ lmdb-backend %.2f", memory.p50_ns / kvtable.p50_ns))
            }
            if !parts.isEmpty { print("  " + pad(scenario, 26) + parts.joined(separator: ", ")) }
        }

        print("\nTargets:")
        func target(_ label: String, _ value: Double?, _ limit: Double, atMost: Bool) {
            guard let value else { return }
            let met = atMost ? value <= limit : value >= limit
            print("  " + pad(label, 62) + String(format: "%7.2f  (%@ %.1f)  %@", value, atMost ? "≤" : "≥", limit, met ? "met" : "MISSED"))
        }
        // The open issues' targets (B-tree speed; analytics at storage speed), as
        // `shared/tools/bench-targets.py` holds them.
        let p50 = { (scenario: String, engine: String) in find(scenario, engine)?.p50_ns }
        let ops = { (scenario: String, engine: String) in find(scenario, engine)?.ops_per_s }
        func quotient(_ a: Double?, _ b: Double?) -> Double? { a.flatMap { a in b.map { a / $0 } } }
        target("get-hit p50 ÷ raw LMDB", quotient(p50("get-hit", "kvtable"), p50("get-hit", "lmdb")), 1.3, atMost: true)
        target("get-entity p50 ÷ raw LMDB get-hit", quotient(p50("get-entity", "kvtable"), p50("get-hit", "lmdb")), 2, atMost: true)
        // Its floor: raw LMDB's get plus the struct built from the bytes by hand (no Codable).
        if let floor = quotient(p50("get-entity", "lmdb"), p50("get-hit", "lmdb")) {
            print("  " + pad("  floor: raw get + hand-built struct ÷ raw LMDB get-hit", 62) + String(format: "%7.2f", floor))
        }
        for scenario in ["query-10", "query-100", "gsi1-query-10"] {
            target("\(scenario) p50 ÷ raw LMDB", quotient(p50(scenario, "kvtable"), p50(scenario, "lmdb")), 1.5, atMost: true)
        }
        target("SQLite get-hit ÷ KVTable", quotient(p50("get-hit", "sqlite"), p50("get-hit", "kvtable")), 2.5, atMost: false)
        for scenario in ["query-10", "query-100", "gsi1-query-10", "gsi1-query-100"] {
            target("SQLite \(scenario) ÷ KVTable", quotient(p50(scenario, "sqlite"), p50(scenario, "kvtable")), 2, atMost: false)
        }
        target("batch-write-25 p50 ÷ raw LMDB", quotient(p50("batch-write-25", "kvtable"), p50("batch-write-25", "lmdb")), 2, atMost: true)
        target("put-conditional-nosync p50 ÷ raw LMDB", quotient(p50("put-conditional-nosync", "kvtable"), p50("put-conditional-nosync", "lmdb")), 3, atMost: true)
        target("put-conditional-durable ops/s ÷ raw LMDB", quotient(ops("put-conditional-durable", "kvtable"), ops("put-conditional-durable", "lmdb")), 0.9, atMost: false)
        target("kvtable-memory get-hit ÷ kvtable", quotient(p50("get-hit", "kvtable-memory"), p50("get-hit", "kvtable")), 1, atMost: true)
        target("wire-get ops/s", results.filter { $0.scenario == "wire-get" }.map(\.ops_per_s).max(), 30_000, atMost: false)
        let batch = p50("analytics-track-batch-1000-durable", "kvtable")
        target("trackEventBatch durable events/s (1000 / p50)", batch.map { 1000 * 1e9 / $0 }, 300_000, atMost: false)
        target("trackEventBatch rate ÷ raw LMDB rate", quotient(p50("analytics-track-batch-1000-durable", "lmdb"), batch), 0.5, atMost: false)
        target("analytics-queue-sustained events/s", ops("analytics-queue-sustained", "kvtable"), 200_000, atMost: false)
        target("analytics-load-day events/s", ops("analytics-load-day", "kvtable"), 300_000, atMost: false)
        target("analytics-recalculate-day s", p50("analytics-recalculate-day", "kvtable").map { $0 / 1e9 }, 2, atMost: true)
        target("analytics-realtime-read p50 µs", p50("analytics-realtime-read", "kvtable").map { $0 / 1e3 }, 10, atMost: true)
        target("analytics-engagement-30d p50 ms", p50("analytics-engagement-30d", "kvtable").map { $0 / 1e6 }, 5, atMost: true)
    }

    static func format(_ nanoseconds: Double) -> String {
        if nanoseconds < 10_000 { return String(format: "%.2fµs", nanoseconds / 1000) }
        if nanoseconds < 10_000_000 { return String(format: "%.1fµs", nanoseconds / 1000) }
        return String(format: "%.1fms", nanoseconds / 1_000_000)
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }
}

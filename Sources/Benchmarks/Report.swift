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
        func ratio(_ a: Measurement?, _ b: Measurement?, _ value: (Measurement) -> Double) -> Double? {
            guard let a, let b else { return nil }
            return value(a) / value(b)
        }
        target("getItem p50 ÷ raw LMDB get p50", ratio(find("get-hit", "kvtable"), find("get-hit", "lmdb"), \.p50_ns), 1.5, atMost: true)
        target("table query of 100 p50 ÷ raw LMDB 100-entry scan p50", ratio(find("query-100", "kvtable"), find("query-100", "lmdb"), \.p50_ns), 2, atMost: true)
        target("GSI1 query of 10 p50 ÷ raw LMDB equivalent p50", ratio(find("gsi1-query-10", "kvtable"), find("gsi1-query-10", "lmdb"), \.p50_ns), 2, atMost: true)
        target("SQLite get p50 ÷ KVTable get p50", ratio(find("get-hit", "sqlite"), find("get-hit", "kvtable"), \.p50_ns), 2, atMost: false)
        target("durable conditional puts/s ÷ raw LMDB durable commits/s", ratio(find("put-conditional-durable", "kvtable"), find("put-conditional-durable", "lmdb"), \.ops_per_s), 0.8, atMost: false)
        target("64 concurrent durable writers puts/s ÷ 1 writer puts/s", ratio(find("concurrent-writers-64", "kvtable"), find("concurrent-writers-1", "kvtable"), \.ops_per_s), 10, atMost: false)
        target("in-memory backend get p50 ÷ LMDB backend get p50", ratio(find("get-hit", "kvtable-memory"), find("get-hit", "kvtable"), \.p50_ns), 1, atMost: true)
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

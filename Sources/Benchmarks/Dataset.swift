import KVTable

/// The benchmark's data: `users × 100` files in the single-table layout, about 200 bytes of
/// attributes each, with `GSI1` populated (1,000 items per GSI1 partition).
///
/// | attribute | example |
/// |---|---|
/// | `PK` / `SK` | `USER#0001234` / `FILE#00042` |
/// | `GSI1PK` / `GSI1SK` | `DAY#00017` / `0000123442` |
/// | `filename`, `title`, `mime`, `size`, `uploaded_at`, `checksum`, `tags` | |
struct Dataset {
    static let filesPerUser = 100
    static let itemsPerDay = 1000

    let count: Int
    var users: Int { max(1, (count + Dataset.filesPerUser - 1) / Dataset.filesPerUser) }
    var days: Int { max(1, count / Dataset.itemsPerDay) }

    static func partitionKey(user: Int) -> String { "USER#" + pad(user, 7) }
    static func sortKey(file: Int) -> String { "FILE#" + pad(file, 5) }
    static func dayKey(_ day: Int) -> String { "DAY#" + pad(day, 5) }

    /// The dataset's item as a `Codable` struct (the `get-entity` scenario).
    struct File: Codable {
        var PK: String
        var SK: String
        var filename: String
        var title: String
        var mime: String
        var size: Int
        var uploaded_at: String
        var checksum: String
        var tags: Set<String>
        var GSI1PK: String
        var GSI1SK: String
    }

    func key(_ index: Int) -> Item {
        ["PK": .s(Dataset.partitionKey(user: index / Dataset.filesPerUser)),
         "SK": .s(Dataset.sortKey(file: index % Dataset.filesPerUser))]
    }

    func item(_ index: Int) -> Item {
        let user = index / Dataset.filesPerUser
        let file = index % Dataset.filesPerUser
        var item = key(index)
        item["filename"] = .s("recording-\(Dataset.pad(user, 7))-\(Dataset.pad(file, 5)).flac")
        item["title"] = .s("Session take \(file) of user \(user)")
        item["mime"] = "audio/flac"
        item["size"] = .number(1_000_000 + (index &* 7919) % 9_000_000)
        item["uploaded_at"] = .s("2026-11-\(Dataset.pad(1 + index % 28, 2))T\(Dataset.pad(index % 24, 2)):\(Dataset.pad(index % 60, 2)):00Z")
        item["checksum"] = .s(Dataset.hex(UInt64(index) &* 0x9E37_79B9_7F4A_7C15) + Dataset.hex(UInt64(index) ^ 0xDEAD_BEEF))
        item["tags"] = .ss(["music", "take"])
        item["GSI1PK"] = .s(Dataset.dayKey(index % days))
        item["GSI1SK"] = .s(Dataset.pad(index, 10))
        return item
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

/// SplitMix64: a fast, seeded generator so runs pick the same keys.
struct FastRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}

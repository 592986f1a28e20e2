/// Hashes that stay the same across processes and releases (Swift's `Hasher` is seeded per
/// process), for anything stored: long-key suffixes, transaction fingerprints.
enum StableHash {
    /// 64-bit FNV-1a.
    @Sendable static func fnv1a(_ bytes: [UInt8]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01b3
        }
        return hash
    }
}

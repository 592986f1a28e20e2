/// A fast seeded 64-bit hash of a string's UTF-8 bytes, for the tables of a metrics pass
/// (``StringInterner``, ``SessionSpans``): it reads the bytes eight at a time with a
/// multiply-and-fold mix. `Hasher` is the right default elsewhere; here its per-call setup
/// costs more than the mixing for the short names (user and session ids) hashed a million
/// times. The seed is random per instance, so one process's layout does not predict another's.
struct StringHash {
    private let seed: UInt64

    init() {
        var random = SystemRandomNumberGenerator()
        seed = random.next() | 1
    }

    func callAsFunction(_ string: String) -> UInt64 {
        var string = string
        return string.withUTF8 { self(UnsafeRawBufferPointer($0)) }
    }

    func callAsFunction(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h = seed ^ (UInt64(bytes.count) &* 0x9E37_79B9_7F4A_7C15)
        var i = 0
        while i + 8 <= bytes.count {
            h = Self.mix(h ^ bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self).littleEndian)
            i += 8
        }
        if i < bytes.count {
            var word: UInt64 = 0
            for j in 0..<(bytes.count - i) { word |= UInt64(bytes[i + j]) << (8 * j) }
            h = Self.mix(h ^ word)
        }
        return Self.mix(h)
    }

    @inline(__always)
    private static func mix(_ x: UInt64) -> UInt64 {
        let product = x.multipliedFullWidth(by: 0x2D35_8DCC_AA6C_78A5)
        return product.high ^ product.low
    }
}

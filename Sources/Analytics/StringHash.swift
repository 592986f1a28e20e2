/// A fast seeded 64-bit hash of a string's UTF-8 bytes, for the tables of a metrics pass
/// (``StringInterner``, ``SessionSpans``): it reads the bytes eight at a time with a
/// multiply-and-fold mix. `Hasher` is the right default elsewhere; here its per-call setup
/// costs more than the mixing for the short names (user and session ids) hashed a million
/// times. The seed is random per instance, so one process's layout does not predict another's.
struct StringHash: Sendable, Equatable {
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
        let count = bytes.count
        var h = seed ^ (UInt64(count) &* 0x9E37_79B9_7F4A_7C15)
        // Whole words, the last one overlapping the one before: a 14-byte id is two loads,
        // not one load and six single bytes. (The length is in the seed, so overlapping words
        // of different lengths do not collide by construction.)
        if count >= 8 {
            var i = 0
            while i + 8 < count {
                h = Self.mix(h ^ bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self).littleEndian)
                i += 8
            }
            h = Self.mix(h ^ bytes.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self).littleEndian)
        } else if count >= 4 {
            let low = UInt64(bytes.loadUnaligned(as: UInt32.self).littleEndian)
            let high = UInt64(bytes.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self).littleEndian)
            h = Self.mix(h ^ (low | high << 32))
        } else if count > 0 {
            h = Self.mix(h ^ (UInt64(bytes[0]) | UInt64(bytes[count / 2]) << 8 | UInt64(bytes[count - 1]) << 16))
        }
        return Self.mix(h)
    }

    @inline(__always)
    private static func mix(_ x: UInt64) -> UInt64 {
        let product = x.multipliedFullWidth(by: 0x2D35_8DCC_AA6C_78A5)
        return product.high ^ product.low
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Dense numbers for strings — 0, 1, 2 … in order of first sight — so that a pass over many
/// events can keep per-user and per-session state in arrays instead of hashing each name into
/// a dictionary again and again.
///
/// Open addressing over one array of 8-byte slots, each holding 32 bits of the string's hash
/// beside its number (hashed with ``StringHash``): a probe compares the string only when those
/// bits match. Size it with `capacity` when the count is known roughly: growing rehashes
/// nothing but still copies the slots.
struct StringInterner {
    /// The strings, by number.
    private(set) var strings: [String] = []
    /// Their hashes, by number (growing the slots places them again without rehashing).
    private var hashes: [UInt64] = []
    /// 0 when empty; else the hash's high 32 bits above `number + 1`.
    private var slots: [UInt64]
    private var mask: Int
    private let hash = StringHash()

    init(capacity: Int = 1024) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [UInt64](repeating: 0, count: size)
        mask = size - 1
    }

    var count: Int { strings.count }

    /// The number of `string`, given it the next number when it is new.
    mutating func number(of string: String) -> Int {
        var string = string
        return string.withUTF8 { number(ofUTF8: UnsafeRawBufferPointer($0)) }
    }

    /// The number of the string whose UTF-8 bytes are `utf8` (a string is built only when it
    /// is new).
    mutating func number(ofUTF8 utf8: UnsafeRawBufferPointer) -> Int {
        let hash = self.hash(utf8)
        let tag = hash >> 32
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = slots[slot]
            if entry == 0 { break }
            if entry >> 32 == tag {
                let number = Int(entry & 0xFFFF_FFFF) - 1
                if Self.equal(strings[number], utf8) { return number }
            }
            slot = (slot + 1) & mask
        }
        let number = strings.count
        let string = String(decoding: utf8, as: UTF8.self)
        strings.append(string)
        hashes.append(hash)
        slots[slot] = tag << 32 | UInt64(number + 1)
        if strings.count * 2 > slots.count { grow() }
        return number
    }

    private static func equal(_ string: String, _ utf8: UnsafeRawBufferPointer) -> Bool {
        string.utf8.withContiguousStorageIfAvailable { stored in
            stored.count == utf8.count && (stored.isEmpty || memcmp(stored.baseAddress!, utf8.baseAddress!, utf8.count) == 0)
        } ?? string.utf8.elementsEqual(utf8)
    }

    /// Doubles the slots and places every number again.
    private mutating func grow() {
        let size = slots.count * 2
        var grown = [UInt64](repeating: 0, count: size)
        let newMask = size - 1
        for (number, hash) in hashes.enumerated() {
            var slot = Int(truncatingIfNeeded: hash) & newMask
            while grown[slot] != 0 { slot = (slot + 1) & newMask }
            grown[slot] = (hash >> 32) << 32 | UInt64(number + 1)
        }
        slots = grown
        mask = newMask
    }
}

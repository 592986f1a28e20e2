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
/// beside its number (hashed with ``StringHash``): a probe compares bytes only when those bits
/// match. The strings' UTF-8 bytes are kept back to back in one array — no `String` is made
/// per entry, and a comparison reads memory next to the last one rather than a heap object of
/// its own. Size it with `capacity` when the count is known roughly: growing rehashes nothing
/// but still copies the slots.
struct StringInterner {
    /// Every string's UTF-8 bytes, back to back, by number.
    private var utf8: [UInt8] = []
    /// Where each string's bytes end in `utf8` (it starts where the previous one ends).
    private var ends: [UInt32] = []
    /// Their hashes, by number (growing the slots places them again without rehashing).
    private var hashes: [UInt64] = []
    /// 0 when empty; else the hash's high 32 bits above `number + 1`.
    private var slots: [UInt64]
    private var mask: Int
    /// The hash the interner places strings by (interners that split strings between them by
    /// hash share one).
    let hash: StringHash

    init(capacity: Int = 1024, hash: StringHash = StringHash()) {
        self.hash = hash
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [UInt64](repeating: 0, count: size)
        mask = size - 1
    }

    var count: Int { ends.count }

    /// The strings, by number (made on each call: take it once).
    var strings: [String] {
        (0..<count).map { number in withUTF8(of: number) { String(decoding: $0, as: UTF8.self) } }
    }

    /// Calls `body` with the UTF-8 bytes of string `number` (valid only during the call).
    func withUTF8<Result>(of number: Int, _ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        let (start, end) = (number == 0 ? 0 : Int(ends[number - 1]), Int(ends[number]))
        return try utf8.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[start..<end])) }
    }

    /// The number of `string`, given it the next number when it is new.
    mutating func number(of string: String) -> Int {
        var string = string
        return string.withUTF8 { number(ofUTF8: UnsafeRawBufferPointer($0)) }
    }

    /// The number of the string whose UTF-8 bytes are `bytes` (they are copied only when new).
    mutating func number(ofUTF8 bytes: UnsafeRawBufferPointer) -> Int {
        number(ofUTF8: bytes, hashed: hash(bytes))
    }

    /// ``number(ofUTF8:)`` for a caller that has hashed the bytes already: `hashed` must be
    /// `hash(bytes)`.
    mutating func number(ofUTF8 bytes: UnsafeRawBufferPointer, hashed hash: UInt64) -> Int {
        let tag = hash >> 32
        var slot = Int(truncatingIfNeeded: hash) & mask
        // The probe reads the arrays through buffers: no retain, release or uniqueness check
        // per step.
        let found: Int? = slots.withUnsafeBufferPointer { slots in
            ends.withUnsafeBufferPointer { ends in
                utf8.withUnsafeBytes { stored in
                    while true {
                        let entry = slots[slot]
                        if entry == 0 { return nil }
                        if entry >> 32 == tag {
                            let number = Int(entry & 0xFFFF_FFFF) - 1
                            let start = number == 0 ? 0 : Int(ends[number - 1])
                            if Int(ends[number]) - start == bytes.count
                                && (bytes.isEmpty || Self.equal(stored.baseAddress! + start, bytes.baseAddress!, bytes.count)) {
                                return number
                            }
                        }
                        slot = (slot + 1) & mask
                    }
                }
            }
        }
        if let found { return found }
        let number = count
        utf8.append(contentsOf: bytes)
        precondition(utf8.count <= Int(UInt32.max), "a StringInterner holds at most 4 GiB of strings")
        ends.append(UInt32(utf8.count))
        hashes.append(hash)
        slots[slot] = tag << 32 | UInt64(number + 1)
        if count * 2 > slots.count { grow() }
        return number
    }

    /// Whether `count` bytes at `a` and `b` are equal: ids of 8 to 16 bytes are two loads each,
    /// not a call to `memcmp`.
    @inline(__always)
    private static func equal(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ count: Int) -> Bool {
        guard count >= 8 else { return memcmp(a, b, count) == 0 }
        guard count <= 16 else { return memcmp(a, b, count) == 0 }
        return a.loadUnaligned(as: UInt64.self) == b.loadUnaligned(as: UInt64.self)
            && a.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self) == b.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
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

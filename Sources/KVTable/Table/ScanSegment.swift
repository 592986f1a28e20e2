/// One segment of a parallel scan (DynamoDB's `Segment` of `TotalSegments`).
///
/// Items are assigned to segments by a stable hash of their encoded partition key — as
/// DynamoDB does — so the segments are disjoint, their union is the whole table, all items of a
/// partition fall in one segment, and the assignment does not depend on what else is stored or
/// on when each segment is read. Each segment reads the key range of the whole table and skips
/// other segments' keys without decoding them.
struct ScanSegment: Sendable, Hashable {
    let index: Int
    let count: Int

    init(_ index: Int, of count: Int) throws(KVTableError) {
        try ConstraintViolation.check(.number(count, of: "totalSegments", within: 1...1_000_000))
        guard (0..<count).contains(index) else {
            throw .validation("The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: \(index) is not less than TotalSegments: \(count)")
        }
        self.index = index
        self.count = count
    }

    /// Whether the key that starts with this encoded partition key belongs to the segment.
    func contains(partitionKeyOf key: UnsafeRawBufferPointer, type: KeyType) -> Bool {
        if count == 1 { return true }
        let length = KeyEncoding.componentLength(key, type: type)
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key[..<(key.startIndex + length)] {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01b3
        }
        return Int(hash % UInt64(count)) == index
    }
}

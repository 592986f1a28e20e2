/// The floor of a typed get (issue 11's `get-entity`): the least work that turns the stored
/// bytes of the benchmark's item into ``Dataset/File`` — one pass over the item codec's format
/// in the item's own (sorted) attribute order, no name compared, no lookup, no `Decodable`,
/// no check. Any typed read must at least make these Swift values: nine strings (five too long
/// to be stored inline, so allocated) and a two-element `Set`. Used only next to raw LMDB's
/// get, never on data it does not know.
extension Dataset.File {
    init?(floorDecoding bytes: [UInt8]) {
        var offset = 1
        func varint() -> Int {
            var value = 0
            var shift = 0
            while true {
                let byte = bytes[offset]
                offset += 1
                value |= Int(byte & 0x7F) << shift
                if byte < 0x80 { return value }
                shift += 7
            }
        }
        func skipName() { offset += varint() }
        func string() -> String {
            offset += 1   // the tag
            let length = varint()
            defer { offset += length }
            return String(decoding: bytes[offset..<(offset + length)], as: UTF8.self)
        }
        guard bytes.count > 1, varint() == 11 else { return nil }
        // Byte order of the names: GSI1PK GSI1SK PK SK checksum filename mime size tags title uploaded_at.
        skipName(); GSI1PK = string()
        skipName(); GSI1SK = string()
        skipName(); PK = string()
        skipName(); SK = string()
        skipName(); checksum = string()
        skipName(); filename = string()
        skipName(); mime = string()
        skipName()
        offset += 2   // the number's tag and sign
        let exponent = varint() >> 1   // zigzag of a non-negative exponent
        var size = varint()
        for _ in 0..<exponent { size *= 10 }
        self.size = size
        skipName()
        offset += 1   // the string set's tag
        let count = varint()
        var tags = Set<String>(minimumCapacity: count)
        for _ in 0..<count {
            let length = varint()
            tags.insert(String(decoding: bytes[offset..<(offset + length)], as: UTF8.self))
            offset += length
        }
        self.tags = tags
        skipName(); title = string()
        skipName(); uploaded_at = string()
    }
}

/// Builds an item attribute by attribute straight into its stored form: for code that writes
/// many items of a known shape (a bulk load, an event pipeline) and would otherwise pay for a
/// dictionary per item — hashing every name on the way in, sorting the names again to encode.
///
/// ```swift
/// var builder = ItemBuilder()
/// builder.set("PK", "USER#42")
/// builder.set("SK", "PROFILE")
/// builder.set("visits", .number(3))
/// let item = try builder.build()   // checked and encoded once; nothing to re-check on write
/// ```
///
/// The item is checked as any write checks an item — sets non-empty and without duplicates,
/// nesting, DynamoDB's 400 KB size — so a write of it does not check it again. Names may come
/// in any order (in name order — UTF-8 bytes, capitals first — nothing needs sorting);
/// setting a name twice keeps the last value.
public struct ItemBuilder: Sendable {
    private var attributes: [(name: String, value: AttributeValue)] = []

    /// - Parameter capacity: how many attributes to make room for.
    public init(capacity: Int = 16) {
        attributes.reserveCapacity(capacity)
    }

    /// Sets attribute `name` to `value`.
    public mutating func set(_ name: String, _ value: AttributeValue) {
        attributes.append((name, value))
    }

    /// The number of attributes set so far (counting a name set twice twice).
    public var count: Int { attributes.count }

    /// The size DynamoDB would charge for the item (names plus values; see
    /// ``Item/dynamoDBItemSize``), before it is built.
    public var dynamoDBItemSize: Int {
        var seen = Set<String>(minimumCapacity: attributes.count)
        var size = 0
        for (name, value) in attributes.reversed() where seen.insert(name).inserted {
            size += name.utf8.count + value.storageSize
        }
        return size
    }

    /// The item, in its stored form.
    ///
    /// - Throws: ``KVTableError/validation(_:)`` with DynamoDB's message for a value no item
    ///   may hold (an empty or duplicated set, nesting deeper than 32, more than 400 KB), or an
    ///   attribute name that is empty or longer than 64 KB.
    public func build() throws(KVTableError) -> Item {
        // Name order (UTF-8 bytes), ties in the order set, so that the last one wins.
        // Builders of a fixed shape usually set their names in order: then nothing is sorted.
        let inOrder = attributes.indices.dropFirst().allSatisfy { utf8Less(attributes[$0 - 1].name, attributes[$0].name) }
        let order = inOrder ? Array(attributes.indices) : attributes.indices.sorted { lhs, rhs in
            let l = attributes[lhs].name, r = attributes[rhs].name
            if utf8Less(l, r) { return true }
            if utf8Less(r, l) { return false }
            return lhs < rhs
        }
        var kept: [Int] = []
        kept.reserveCapacity(order.count)
        for (position, index) in order.enumerated() {
            if position + 1 < order.count, attributes[order[position + 1]].name == attributes[index].name { continue }
            kept.append(index)
        }
        var size = 0
        for index in kept {
            let (name, value) = attributes[index]
            try ItemValidation.validateName(name)
            try ItemValidation.validate(value, depth: 0)
            size += name.utf8.count + value.storageSize
        }
        guard size <= ItemValidation.maximumItemSize else {
            throw .validation("Item size has exceeded the maximum allowed size")
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16 + size + kept.count * 4)
        bytes.append(ItemCodec.formatVersion)
        ItemCodec.appendVarint(UInt64(kept.count), to: &bytes)
        for index in kept {
            ItemCodec.appendString(attributes[index].name, to: &bytes)
            ItemCodec.appendValue(attributes[index].value, to: &bytes)
        }
        return Item(checkedBytes: bytes)
    }
}

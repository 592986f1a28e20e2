/// A stored item read in place, in the snapshot's memory, during
/// ``TableReader/forEachItem(_:_:)``: nothing is copied until you ask for it.
///
/// ```swift
/// let fields: AttributeNames = ["userId", "amount"]
/// var values: [AttributeValue?] = []
/// try table.read { reader in
///     try reader.forEachItem(Query(partitionKey: "ORDERS#2026-12-01")) { order in
///         order.values(named: fields, into: &values)      // no allocation per item
///         if values[1]?.numberValue == 0 { keep.append(order.item) }   // a copy to keep
///     }
/// }
/// ```
///
/// **Lifetime.** The bytes belong to the read's snapshot (LMDB's memory map) and are valid only
/// while the visit's closure runs. The type is non-copyable and the closure receives it
/// `borrowing`, so the compiler rejects storing it or letting it escape: copy what you keep
/// with ``item`` or by reading values out of it. The bytes were checked when the item was read
/// (a corrupt item makes the visit throw), so reading them cannot fail.
public struct StoredItem: ~Copyable {
    /// The item's ``ItemCodec`` bytes, checked, in the snapshot.
    let bytes: UnsafeRawBufferPointer
    /// Where each attribute lies, recorded by the check: a lookup is a search over these, not
    /// a walk over the bytes.
    let entries: UnsafeBufferPointer<AttributeEntry>

    init(checkedBytes bytes: UnsafeRawBufferPointer, entries: UnsafeBufferPointer<AttributeEntry>) {
        self.bytes = bytes
        self.entries = entries
    }

    /// The value of the attribute `name`, or nil.
    public subscript(name: String) -> AttributeValue? {
        valueOffset(of: name).flatMap { ItemCodec.value(at: $0, in: bytes) }
    }

    /// The value at a document path (`"eventData.feature"`, `"tags[0]"`), or nil when the
    /// path leads nowhere. Only the value reached is decoded: reading one key of a map
    /// attribute does not build the map.
    public subscript(path path: AttributePath) -> AttributeValue? {
        valueOffset(of: path.attributeName).flatMap { ItemCodec.value(following: path.elements.dropFirst(), at: $0, in: bytes) }
    }

    /// Calls `body` with the UTF-8 bytes of the string attribute `name`, in place — nil, without
    /// calling it, when the item has no such attribute or it is not a string. For loops that
    /// only hash or compare a string (counting distinct ids, matching a type) and need not
    /// build it. The bytes are valid only during `body`.
    public func withUTF8<Result>(ofString name: String, _ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result? {
        guard let offset = valueOffset(of: name) else { return nil }
        var reader = ByteReader(bytes)
        reader.offset = offset
        guard (try? reader.byte()) == ItemCodec.Tag.string.rawValue, let utf8 = try? reader.slice() else { return nil }
        return try body(utf8)
    }

    /// The values of `names`, in their order (nil where absent).
    public func values(named names: AttributeNames) -> [AttributeValue?] {
        var values: [AttributeValue?] = []
        self.values(named: names, into: &values)
        return values
    }

    /// ``values(named:)`` into an array the caller keeps across items (resized to
    /// `names.count`, every position set), so that a visit allocates it once.
    public func values(named names: AttributeNames, into values: inout [AttributeValue?]) {
        ItemCodec.values(named: names, in: bytes, entries: entries, into: &values)
    }

    /// How many attributes the item has.
    public var count: Int { entries.count }

    /// Calls `body` with the name (UTF-8 bytes, in place) and value of each number attribute,
    /// in name order, leaving the other attributes undecoded — for counter and metrics items,
    /// whose attributes are mostly numbers. The name bytes are valid only during each call.
    public func forEachNumber(_ body: (_ nameUTF8: UnsafeRawBufferPointer, _ value: ExactDecimal) throws -> Void) rethrows {
        for entry in entries {
            if let number = ItemCodec.number(at: Int(entry.valueStart), in: bytes) { try body(entry.name(in: bytes), number) }
        }
    }

    /// Where the value of the top-level attribute `name` starts, found in the recorded entries.
    private func valueOffset(of name: String) -> Int? {
        var name = name
        return name.withUTF8 { ItemCodec.position(of: UnsafeRawBufferPointer($0), in: bytes, entries: entries) }
    }

    /// A copy of the item that outlives the visit.
    public var item: Item {
        Item(checkedBytes: Array(bytes))
    }
}

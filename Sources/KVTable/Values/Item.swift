/// An item: attribute names to values, as in DynamoDB.
///
/// An item read from a store keeps the bytes copied out of the snapshot and decodes an
/// attribute only when it is looked at: reading a page of a hundred items costs a hundred
/// copies, not a hundred dictionaries. An item you build (a literal, ``init(_:)``,
/// a subscript assignment) holds its attributes as a dictionary. Both behave the same:
///
/// ```swift
/// var item: Item = ["PK": "USER#42", "SK": "PROFILE", "name": "Ada"]
/// item["age"] = 36
/// let name = item["name"]?.stringValue        // "Ada"
/// for (name, value) in item { print(name, value) }
/// let plain: [String: AttributeValue] = item.attributes
/// ```
///
/// **Lifetime and copying.** An item is a value: it owns its bytes (never a pointer into the
/// memory map), so it stays valid after the read's snapshot ends, may be sent across tasks,
/// and copying it copies a reference, not the bytes. The first change to a stored item
/// decodes all of it into a dictionary (copy on write); its stored bytes are then released
/// when no other copy holds them. Looking an attribute up in a stored item walks its names,
/// which the format keeps sorted, and stops at the first name past the one asked for; every
/// lookup decodes the value anew, so bind a value you use often to a local.
///
/// **Names.** In a stored item, names match by their UTF-8 bytes (as in DynamoDB); in a built
/// item they are Swift `String` dictionary keys, which compare with Unicode canonical
/// equivalence. The two differ only for names that are canonically equivalent but spelt
/// differently, which a store holds as different attributes.
///
/// Equality is DynamoDB's (the same names with equal values, see ``AttributeValue``) whatever
/// the representation.
public struct Item: Sendable {
    enum Storage: Sendable {
        /// ``ItemCodec`` bytes, checked when they were read.
        case encoded([UInt8])
        case attributes([String: AttributeValue])
    }

    var storage: Storage

    /// An empty item.
    public init() {
        storage = .attributes([:])
    }

    /// An empty item with room for `minimumCapacity` attributes.
    public init(minimumCapacity: Int) {
        storage = .attributes([String: AttributeValue](minimumCapacity: minimumCapacity))
    }

    /// An item with these attributes.
    public init(_ attributes: [String: AttributeValue]) {
        storage = .attributes(attributes)
    }

    /// An item with these attributes; the names must be distinct.
    public init<S: Sequence<(String, AttributeValue)>>(uniqueKeysWithValues attributes: S) {
        storage = .attributes(Dictionary(uniqueKeysWithValues: attributes))
    }

    /// Checks that `name` can name an attribute: 1 to 65,535 bytes of UTF-8, as DynamoDB allows
    /// (key attributes are limited to 255 bytes by the table's schema). Writes check every name
    /// they store; call this for a name given elsewhere, such as a projection.
    /// - Throws: ``KVTableError/validation(_:)`` in DynamoDB's words.
    public static func validateAttributeName(_ name: String) throws(KVTableError) {
        try ItemValidation.validateName(name)
    }

    /// An item over stored bytes that ``ItemCodec`` has checked.
    init(checkedBytes bytes: [UInt8]) {
        storage = .encoded(bytes)
    }

    // MARK: Attributes

    /// The value of the attribute `name`, or nil. Setting nil removes the attribute.
    public subscript(name: String) -> AttributeValue? {
        get {
            switch storage {
            case .attributes(let attributes): return attributes[name]
            case .encoded(let bytes): return ItemCodec.value(named: name, in: bytes)
            }
        }
        set {
            if let newValue {
                updateAttributes { $0[name] = newValue }
            } else {
                removeValue(forKey: name)
            }
        }
    }

    /// The values of several attributes at once, in the order of `names` (nil where absent).
    ///
    /// ```swift
    /// let values = item.values(named: ["userId", "eventType", "timestampMillis"])
    /// ```
    ///
    /// For an item read from a store this is one pass over its bytes, however many names are
    /// asked for — cheaper than one subscript per name when a loop reads several attributes
    /// of each of many items (a scan that aggregates, a report). Keep the ``AttributeNames``
    /// in a constant when the loop is hot: it is prepared once.
    public func values(named names: AttributeNames) -> [AttributeValue?] {
        var values: [AttributeValue?] = []
        self.values(named: names, into: &values)
        return values
    }

    /// ``values(named:)`` into an array the caller keeps across items, so that a loop over
    /// many items allocates it once: `values` is resized to `names.count` and every position
    /// set (nil where absent).
    public func values(named names: AttributeNames, into values: inout [AttributeValue?]) {
        switch storage {
        case .attributes(let attributes): values = names.names.map { attributes[$0] }
        case .encoded(let bytes): ItemCodec.values(named: names, in: bytes, into: &values)
        }
    }

    /// The value of the attribute `name`, or `defaultValue` when it is absent.
    public subscript(name: String, default defaultValue: @autoclosure () -> AttributeValue) -> AttributeValue {
        get { self[name] ?? defaultValue() }
        set { self[name] = newValue }
    }

    /// Whether the item has an attribute `name`.
    public func contains(_ name: String) -> Bool {
        switch storage {
        case .attributes(let attributes): return attributes[name] != nil
        case .encoded(let bytes): return ItemCodec.containsAttribute(named: name, in: bytes)
        }
    }

    /// The number of attributes.
    public var count: Int {
        switch storage {
        case .attributes(let attributes): return attributes.count
        case .encoded(let bytes): return ItemCodec.attributeCount(in: bytes)
        }
    }

    /// Whether the item has no attributes.
    public var isEmpty: Bool { count == 0 }

    /// The attribute names, in the order of iteration.
    public var keys: [String] {
        switch storage {
        case .attributes(let attributes): return Array(attributes.keys)
        case .encoded(let bytes): return ItemCodec.attributeNames(in: bytes)
        }
    }

    /// The attribute values, in the order of ``keys``.
    public var values: [AttributeValue] { map(\.value) }

    /// The attributes as a dictionary (decoding every attribute of a stored item).
    public var attributes: [String: AttributeValue] {
        switch storage {
        case .attributes(let attributes): return attributes
        case .encoded(let bytes): return ItemCodec.decodeAttributes(bytes)
        }
    }

    /// Removes the attribute `name`; returns its value, or nil when it was absent.
    @discardableResult
    public mutating func removeValue(forKey name: String) -> AttributeValue? {
        if case .encoded = storage, !contains(name) { return nil }
        var removed: AttributeValue?
        updateAttributes { removed = $0.removeValue(forKey: name) }
        return removed
    }

    /// Adds the attributes of `other`, resolving names present in both with `combine`.
    public mutating func merge(_ other: Item, uniquingKeysWith combine: (AttributeValue, AttributeValue) throws -> AttributeValue) rethrows {
        var attributes = self.attributes
        try attributes.merge(other.attributes, uniquingKeysWith: combine)
        storage = .attributes(attributes)
    }

    /// This item with the attributes of `other` added, names in both resolved with `combine`.
    public func merging(_ other: Item, uniquingKeysWith combine: (AttributeValue, AttributeValue) throws -> AttributeValue) rethrows -> Item {
        var copy = self
        try copy.merge(other, uniquingKeysWith: combine)
        return copy
    }

    /// The attributes for which `isIncluded` is true.
    public func filter(_ isIncluded: ((key: String, value: AttributeValue)) throws -> Bool) rethrows -> Item {
        var result = [String: AttributeValue]()
        for element in self where try isIncluded(element) { result[element.key] = element.value }
        return Item(result)
    }

    /// The item with each value transformed.
    public func mapValues(_ transform: (AttributeValue) throws -> AttributeValue) rethrows -> Item {
        Item(try attributes.mapValues(transform))
    }

    /// The stored form of this item: its bytes as read, or freshly encoded.
    var encodedBytes: [UInt8] {
        switch storage {
        case .encoded(let bytes): return bytes
        case .attributes: return ItemCodec.encode(self)
        }
    }

    /// Decodes a stored item into a dictionary first, then lets `body` change the attributes.
    private mutating func updateAttributes(_ body: (inout [String: AttributeValue]) -> Void) {
        switch storage {
        case .attributes(var attributes):
            // Drop the storage's reference first, so that `attributes` is uniquely referenced
            // and `body` changes it in place instead of copying the dictionary.
            storage = .attributes([:])
            body(&attributes)
            storage = .attributes(attributes)
        case .encoded(let bytes):
            var attributes = ItemCodec.decodeAttributes(bytes)
            body(&attributes)
            storage = .attributes(attributes)
        }
    }
}

extension Item: Sequence {
    /// The attributes: a stored item's in UTF-8 byte order of their names (the stored order), a
    /// built item's in its dictionary's order (unspecified, as for any dictionary).
    public func makeIterator() -> IndexingIterator<[(key: String, value: AttributeValue)]> {
        switch storage {
        case .attributes(let attributes):
            return attributes.map { (key: $0.key, value: $0.value) }.makeIterator()
        case .encoded(let bytes):
            return ItemCodec.decodePairs(bytes).makeIterator()
        }
    }

    /// The number of attributes.
    public var underestimatedCount: Int { count }

    /// Calls `body` with each attribute, in ``makeIterator()``'s order — for a stored item
    /// decoding one attribute at a time rather than all of them into an array first.
    public func forEach(_ body: ((key: String, value: AttributeValue)) throws -> Void) rethrows {
        switch storage {
        case .attributes(let attributes):
            for (key, value) in attributes { try body((key, value)) }
        case .encoded(let bytes):
            try ItemCodec.forEachPair(bytes, body)
        }
    }
}

extension Item: ExpressibleByDictionaryLiteral {
    /// An item literal; a name written twice keeps its last value.
    public init(dictionaryLiteral elements: (String, AttributeValue)...) {
        self.init(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}

extension Item: Hashable {
    /// DynamoDB's equality: the same names with equal values (see ``AttributeValue``), whether
    /// either side is stored bytes or a dictionary. Equal bytes are equal without decoding.
    public static func == (lhs: Item, rhs: Item) -> Bool {
        if case .encoded(let a) = lhs.storage, case .encoded(let b) = rhs.storage, a == b { return true }
        return lhs.attributes == rhs.attributes
    }

    /// Hashes the attributes (decoding a stored item), consistent with ``==(_:_:)``.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(attributes)
    }
}

extension Item: CustomStringConvertible, CustomDebugStringConvertible {
    /// DynamoDB JSON, names sorted: `{"PK":{"S":"USER#1"},"age":{"N":"42"}}`.
    public var description: String { dynamoDBJSON.text }
    /// The same as ``description``.
    public var debugDescription: String { description }
}

extension Item: Codable {
    /// Decodes an object of attribute names to DynamoDB JSON values.
    public init(from decoder: any Decoder) throws {
        self.init(try [String: AttributeValue](from: decoder))
    }

    /// Encodes an object of attribute names to DynamoDB JSON values.
    public func encode(to encoder: any Encoder) throws {
        try attributes.encode(to: encoder)
    }
}

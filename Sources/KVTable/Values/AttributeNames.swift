/// A list of attribute names prepared for ``Item/values(named:)``: sorted by UTF-8 bytes once,
/// so that reading several attributes of many stored items is one merge pass per item.
///
/// ```swift
/// let fields: AttributeNames = ["userId", "eventType", "timestampMillis"]
/// for item in page.items {
///     let values = item.values(named: fields)   // values[0] is userId, values[1] eventType …
/// }
/// ```
public struct AttributeNames: Sendable, Hashable, ExpressibleByArrayLiteral {
    /// The names, in the order given (the order of the values returned).
    public let names: [String]
    /// The names' UTF-8 bytes in byte order, and where each came from in `names`.
    let sortedUTF8: [[UInt8]]
    let positions: [Int]

    /// Prepares `names` (duplicates allowed: each position gets the value).
    public init(_ names: [String]) {
        self.names = names
        let utf8 = names.map { Array($0.utf8) }
        let order = utf8.indices.sorted { bytesLess(utf8[$0], utf8[$1]) }
        self.sortedUTF8 = order.map { utf8[$0] }
        self.positions = order
    }

    /// Prepares the names of an array literal.
    public init(arrayLiteral names: String...) {
        self.init(names)
    }

    /// How many names there are.
    public var count: Int { names.count }
}

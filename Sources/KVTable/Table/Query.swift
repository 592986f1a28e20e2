#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The sort-key part of a key condition.
public enum SortKeyCondition: Sendable, Hashable {
    case equal(AttributeValue)
    case lessThan(AttributeValue)
    case lessThanOrEqual(AttributeValue)
    case greaterThan(AttributeValue)
    case greaterThanOrEqual(AttributeValue)
    /// Inclusive at both ends; `lower` must not be above `upper`.
    case between(AttributeValue, AttributeValue)
    /// Strings and binary only.
    case beginsWith(AttributeValue)
}

/// A query: one partition of the table or of an index, optionally narrowed by a sort-key
/// condition, read in sort-key order.
///
/// ```swift
/// let files = try await table.query(Query(
///     partitionKey: "USER#42", sortKey: .beginsWith("FILE#"), ascending: false, limit: 20))
/// ```
public struct Query: Sendable, Hashable {
    /// Query this index instead of the table.
    public var indexName: String?
    /// The partition key value (equality).
    public var partitionKey: AttributeValue
    public var sortKey: SortKeyCondition?
    /// Sort-key order; false reads newest-first style, from the highest sort key down.
    public var ascending: Bool
    /// At most this many items are *read* (before the filter), as in DynamoDB.
    public var limit: Int?
    /// Applied after reading; items that fail it are counted in `scannedCount` only.
    public var filter: Condition?
    /// Return only these paths.
    public var projection: [AttributePath]?
    /// Return only counts (DynamoDB's `Select: COUNT`).
    public var countOnly: Bool
    /// Resume after this position (a previous page's ``Page/nextCursor``).
    public var startAfter: PageCursor?
    /// Also return items whose TTL has passed but that are not swept yet.
    public var includeExpired: Bool
    /// End the page once this many bytes of stored items have been read (DynamoDB ends every
    /// page at 1 MB); the page then has a ``Page/nextCursor`` when more items follow.
    public var maximumPageBytes: Int?

    public init(indexName: String? = nil, partitionKey: AttributeValue, sortKey: SortKeyCondition? = nil,
                ascending: Bool = true, limit: Int? = nil, filter: Condition? = nil,
                projection: [AttributePath]? = nil, countOnly: Bool = false, startAfter: PageCursor? = nil,
                includeExpired: Bool = false) {
        self.includeExpired = includeExpired
        self.indexName = indexName
        self.partitionKey = partitionKey
        self.sortKey = sortKey
        self.ascending = ascending
        self.limit = limit
        self.filter = filter
        self.projection = projection
        self.countOnly = countOnly
        self.startAfter = startAfter
    }
}

/// A scan: every item of the table (or entry of an index) in key order.
public struct Scan: Sendable, Hashable {
    public var indexName: String?
    /// At most this many items are read (before the filter).
    public var limit: Int?
    public var filter: Condition?
    public var projection: [AttributePath]?
    public var countOnly: Bool
    public var startAfter: PageCursor?
    /// Scan only segment `index` of `count` (DynamoDB's `Segment` / `TotalSegments`) — see
    /// ``ScanSegment``.
    public var segment: (index: Int, count: Int)? {
        get { segmentIndex.map { ($0, segmentCount) } }
        set {
            segmentIndex = newValue?.index
            segmentCount = newValue?.count ?? 1
        }
    }
    private var segmentIndex: Int?
    private var segmentCount = 1
    /// Also return items whose TTL has passed but that are not swept yet.
    public var includeExpired: Bool
    /// End the page once this many bytes of stored items have been read (DynamoDB ends every
    /// page at 1 MB); the page then has a ``Page/nextCursor`` when more items follow.
    public var maximumPageBytes: Int?

    public init(indexName: String? = nil, limit: Int? = nil, filter: Condition? = nil,
                projection: [AttributePath]? = nil, countOnly: Bool = false, startAfter: PageCursor? = nil,
                segment: (index: Int, count: Int)? = nil, includeExpired: Bool = false) {
        self.includeExpired = includeExpired
        self.segmentIndex = segment?.index
        self.segmentCount = segment?.count ?? 1
        self.indexName = indexName
        self.limit = limit
        self.filter = filter
        self.projection = projection
        self.countOnly = countOnly
        self.startAfter = startAfter
    }
}

/// One page of query or scan results.
public struct Page: Sendable, Hashable {
    /// The items that passed the filter (empty when counting only).
    public var items: [Item]
    /// Items that passed the filter (DynamoDB's `Count`).
    public var count: Int
    /// Items read before the filter (DynamoDB's `ScannedCount`).
    public var scannedCount: Int
    /// Where the next page starts; nil when there is nothing more.
    public var nextCursor: PageCursor?

    /// A page, as an engine reports it.
    public init(items: [Item], count: Int, scannedCount: Int, nextCursor: PageCursor?) {
        self.items = items
        self.count = count
        self.scannedCount = scannedCount
        self.nextCursor = nextCursor
    }
}

/// An opaque position to resume a query or scan from: the key attributes of the last item
/// read (DynamoDB's `LastEvaluatedKey`). Resuming never skips or repeats an item, even when
/// items were written in between: the next page starts strictly after this key.
public struct PageCursor: Sendable, Hashable {
    /// The key attributes (table keys, plus index keys for an index).
    public let lastEvaluatedKey: Item

    public init(lastEvaluatedKey: Item) {
        self.lastEvaluatedKey = lastEvaluatedKey
    }

    /// A URL-safe string form, to hand to clients.
    public var token: String {
        Data(ItemCodec.encode(lastEvaluatedKey)).base64EncodedString()
            .replacing("+", with: "-")
            .replacing("/", with: "_")
            .replacing("=", with: "")
    }

    /// Reads a ``token``; throws a validation error for anything else.
    public init(token: String) throws(KVTableError) {
        var base64 = token.replacing("-", with: "+").replacing("_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64),
              let key = try? ItemCodec.decode(Array(data)) else {
            throw .validation("The provided starting key is invalid: the cursor token is malformed")
        }
        self.lastEvaluatedKey = key
    }
}

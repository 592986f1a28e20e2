#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The sort-key part of a key condition.
public enum SortKeyCondition: Sendable, Hashable {
    /// `sortKey = value`.
    case equal(AttributeValue)
    /// `sortKey < value`.
    case lessThan(AttributeValue)
    /// `sortKey <= value`.
    case lessThanOrEqual(AttributeValue)
    /// `sortKey > value`.
    case greaterThan(AttributeValue)
    /// `sortKey >= value`.
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
    /// Narrows the partition to the sort keys that satisfy this condition (the sort-key part of
    /// DynamoDB's `KeyConditionExpression`); nil reads the whole partition.
    public var sortKey: SortKeyCondition?
    /// Sort-key order; false reads newest-first style, from the highest sort key down.
    public var ascending: Bool
    /// At most this many items are *read* (before the filter), as in DynamoDB.
    public var limit: Int?
    /// Applied after reading; items that fail it are counted in `scannedCount` only. It may not
    /// name a key attribute of what is queried, nor — on an index that does not project every
    /// attribute, global or local — an attribute the index does not project (DynamoDB's rules;
    /// both are ``KVTableError/validation(_:)``).
    public var filter: Condition?
    /// Return only these paths.
    public var projection: [AttributePath]?
    /// Return only counts (DynamoDB's `Select: COUNT`).
    public var countOnly: Bool
    /// On a local secondary index that does not project every attribute, return each entry's
    /// whole table item, read in the same snapshot (DynamoDB's `Select: ALL_ATTRIBUTES`).
    /// Refused on a global secondary index that does not project every attribute; no effect on
    /// the table or an index that projects everything. Without it an index query returns what
    /// the index projects (DynamoDB's default, `ALL_PROJECTED_ATTRIBUTES`).
    public var allAttributes: Bool
    /// Resume after this position (a previous page's ``Page/nextCursor``).
    public var startAfter: PageCursor?
    /// Also return items whose TTL has passed but that are not swept yet.
    public var includeExpired: Bool
    /// End the page once this many bytes of stored items have been read (DynamoDB ends every
    /// page at 1 MB); the page then has a ``Page/nextCursor`` when more items follow.
    public var maximumPageBytes: Int?

    /// A query of one partition of the table, or of `indexName`; by default every item of it in
    /// ascending sort-key order, without a filter, projection, limit or expired items.
    public init(indexName: String? = nil, partitionKey: AttributeValue, sortKey: SortKeyCondition? = nil,
                ascending: Bool = true, limit: Int? = nil, filter: Condition? = nil,
                projection: [AttributePath]? = nil, countOnly: Bool = false, allAttributes: Bool = false,
                startAfter: PageCursor? = nil, includeExpired: Bool = false, maximumPageBytes: Int? = nil) {
        self.allAttributes = allAttributes
        self.includeExpired = includeExpired
        self.maximumPageBytes = maximumPageBytes
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
    /// Scan this index instead of the table.
    public var indexName: String?
    /// At most this many items are read (before the filter).
    public var limit: Int?
    /// Applied after reading; items that fail it are counted in `scannedCount` only. It may not
    /// name a key attribute of what is queried, nor — on an index that does not project every
    /// attribute, global or local — an attribute the index does not project (DynamoDB's rules;
    /// both are ``KVTableError/validation(_:)``).
    public var filter: Condition?
    /// Return only these paths.
    public var projection: [AttributePath]?
    /// Return only counts (DynamoDB's `Select: COUNT`).
    public var countOnly: Bool
    /// On a local secondary index, return each entry's whole table item; see
    /// ``Query/allAttributes``.
    public var allAttributes: Bool
    /// Resume after this position (a previous page's ``Page/nextCursor``).
    public var startAfter: PageCursor?
    /// Scan only this segment of a parallel scan (DynamoDB's `Segment` / `TotalSegments`).
    public var segment: Segment?
    /// Also return items whose TTL has passed but that are not swept yet.
    public var includeExpired: Bool
    /// End the page once this many bytes of stored items have been read (DynamoDB ends every
    /// page at 1 MB); the page then has a ``Page/nextCursor`` when more items follow.
    public var maximumPageBytes: Int?

    /// A scan of the table, or of `indexName`; by default every item in one segment, without a
    /// filter, projection, limit or expired items.
    public init(indexName: String? = nil, limit: Int? = nil, filter: Condition? = nil,
                projection: [AttributePath]? = nil, countOnly: Bool = false, allAttributes: Bool = false,
                startAfter: PageCursor? = nil, segment: Segment? = nil, includeExpired: Bool = false,
                maximumPageBytes: Int? = nil) {
        self.allAttributes = allAttributes
        self.includeExpired = includeExpired
        self.segment = segment
        self.maximumPageBytes = maximumPageBytes
        self.indexName = indexName
        self.limit = limit
        self.filter = filter
        self.projection = projection
        self.countOnly = countOnly
        self.startAfter = startAfter
    }

    /// One segment of a parallel scan: segment `index` (from 0) of `count`.
    ///
    /// Every item belongs to exactly one segment, and all items of one partition to the same
    /// one, so `count` workers each scanning `Segment(i, of: count)` read the table once
    /// between them. The numbers are checked when the scan runs: `count` from 1 to 1,000,000,
    /// `index` below `count` (DynamoDB's `ValidationException` otherwise).
    public struct Segment: Sendable, Hashable {
        /// This segment, from 0 (DynamoDB's `Segment`).
        public var index: Int
        /// How many segments the scan is split into (DynamoDB's `TotalSegments`).
        public var count: Int

        /// Segment `index` (from 0) of `count`; checked when the scan runs.
        public init(_ index: Int, of count: Int) {
            self.index = index
            self.count = count
        }
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
    /// Where the next page starts; nil when there is nothing more. A page that stopped at its
    /// `limit` (or at DynamoDB's 1 MB of items read) always has one, even when nothing follows —
    /// DynamoDB's `LastEvaluatedKey` does not look ahead, and no engine here does — so the
    /// page after it may be empty. Loop until the cursor is nil, not until a page is short.
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

    /// A cursor that resumes after the item with these key attributes (DynamoDB's
    /// `ExclusiveStartKey`).
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

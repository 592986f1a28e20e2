import Synchronization

/// A store: several tables in one LMDB file, or in memory.
///
/// ```swift
/// let store = try KVStore.open(path: "app.kvt")            // or KVStore.inMemory()
/// let table = try await store.createTable(.singleTable(name: "App"))
/// try await table.putItem(["PK": "USER#42", "SK": "PROFILE", "name": "Ada"])
/// let user = try await table.getItem(["PK": "USER#42", "SK": "PROFILE"])
/// ```
///
/// Open one `KVStore` per file per process and share it (it is `Sendable`); opening the same
/// file twice in one process throws. ``close()`` releases it; it is also closed when the last
/// reference to it or to one of its ``Table`` handles goes away.
public final class KVStore: Sendable {
    let context: StoreContext
    /// Tables known to this process: name → shared state. Filled from the catalog at open.
    private let tables: Mutex<[String: TableState]>

    var storage: any StorageEngine { context.storage }

    private init(storage: any StorageEngine, time: any TimeSource, itemCollectionSizeLimit: Int) throws {
        let context = StoreContext(storage: storage, time: time, itemCollectionSizeLimit: itemCollectionSizeLimit)
        self.context = context
        let descriptions = try storage.read { try Catalog.allDescriptions(in: $0) }
        self.tables = Mutex(Dictionary(uniqueKeysWithValues: descriptions.map {
            ($0.schema.name, TableState($0, itemCollectionSizeLimit: context.itemCollectionSizeLimit))
        }))
    }

    /// Opens (creating when missing) the LMDB store file at `path`; its lock file is
    /// `path-lock`. Both are created readable and writable by the owner only.
    ///
    /// - Parameters:
    ///   - path: the store file; its directory must exist.
    ///   - configuration: durability, map size and reader slots (``LMDBConfiguration``).
    ///   - time: the clock for TTL expiry and background services.
    public static func open(path: String, configuration: LMDBConfiguration = LMDBConfiguration(),
                            time: any TimeSource = SystemTimeSource()) throws -> KVStore {
        try open(path: path, configuration: configuration, time: time,
                 itemCollectionSizeLimit: StoreContext.defaultItemCollectionSizeLimit)
    }

    /// ``open(path:configuration:time:)`` with a smaller item-collection limit than DynamoDB's
    /// 10 GB, for tests of the limit.
    package static func open(path: String, configuration: LMDBConfiguration, time: any TimeSource,
                             itemCollectionSizeLimit: Int) throws -> KVStore {
        let storage = try LMDBStorage(path: path, configuration: configuration)
        do {
            return try KVStore(storage: storage, time: time, itemCollectionSizeLimit: itemCollectionSizeLimit)
        } catch {
            storage.close()
            throw error
        }
    }

    /// A store that lives in memory only, with the same semantics as an LMDB store: for tests.
    public static func inMemory(time: any TimeSource = SystemTimeSource()) -> KVStore {
        inMemory(time: time, itemCollectionSizeLimit: StoreContext.defaultItemCollectionSizeLimit)
    }

    /// ``inMemory(time:)`` with a smaller item-collection limit than DynamoDB's 10 GB, for tests
    /// of the limit.
    package static func inMemory(time: any TimeSource, itemCollectionSizeLimit: Int) -> KVStore {
        // Reading the empty catalog of a new memory store cannot fail.
        try! KVStore(storage: MemoryStorage(), time: time, itemCollectionSizeLimit: itemCollectionSizeLimit)
    }

    /// The store's clock.
    public var time: any TimeSource { context.time }

    /// Creates a table; throws ``KVTableError/resourceInUse(_:)`` when the name is taken.
    ///
    /// - Parameters:
    ///   - schema: the table's name, key schema and indexes (validated as `CreateTable` is).
    ///   - tags: the table's initial ``Table/tags``.
    ///   - metadata: the table's initial ``Table/metadata``.
    ///
    /// The table, its tags and its metadata are recorded in one transaction: all or nothing.
    public func createTable(_ schema: TableSchema, tags: [String: String] = [:],
                            metadata: [String: String] = [:]) async throws -> Table {
        try schema.validate()
        try KVStore.validateTags(tags)
        let description = try await storage.write { writer in
            var description = try Catalog.create(schema, in: writer)
            if !tags.isEmpty || !metadata.isEmpty {
                description.tags = tags.isEmpty ? nil : tags
                description.metadata = metadata.isEmpty ? nil : metadata
                try Catalog.record(description, in: writer)
            }
            return description
        }
        let state = TableState(description, itemCollectionSizeLimit: context.itemCollectionSizeLimit)
        tables.withLock { $0[schema.name] = state }
        return Table(context: context, state: state)
    }

    /// The table named `name`; throws ``KVTableError/resourceNotFound(_:)`` when there is none,
    /// ``KVTableError/validation(_:)`` when no table could have that name (DynamoDB's rule: 3–255
    /// characters of `a-z A-Z 0-9 _ - .`).
    public func table(_ name: String) throws -> Table {
        guard let state = tables.withLock({ $0[name] }) else {
            // As DynamoDB: a name no table could have is invalid before it is unknown.
            try TableSchema.validateName(name, what: "TableName")
            throw KVTableError.resourceNotFound("Requested resource not found: Table: \(name) not found")
        }
        return Table(context: context, state: state)
    }

    /// The names of all tables, sorted.
    public func tableNames() -> [String] {
        tables.withLock { Array($0.keys) }.sorted()
    }

    /// Deletes a table with all its items and index entries.
    public func deleteTable(_ name: String) async throws {
        let state = try table(name).state
        let description = state.description
        try await storage.write { writer in
            try Catalog.ensureCurrent(description, in: writer)
            try Catalog.drop(description, in: writer)
        }
        state.markDropped()
        tables.withLock { _ = $0.removeValue(forKey: name) }
    }

    /// Enables time to live on a table with `attribute` as its expiry time (epoch seconds), or
    /// disables it with nil. Items whose attribute holds a number below the current time (by
    /// at most five years, ``TimeToLive/maximumAge``, as DynamoDB) are hidden from reads and
    /// deleted by ``Table/sweepExpired(now:batchSize:)``; items without it, or with a
    /// non-number in it, never expire.
    public func updateTimeToLive(table name: String, attribute: String?) async throws {
        let state = try table(name).state
        if let attribute, attribute.isEmpty || attribute.utf8.count > 255 {
            throw KVTableError.validation("TimeToLiveSpecification: AttributeName must be 1 to 255 bytes long")
        }
        let expected = state.description
        try await writeDescription(of: state, expected: expected) { writer in
            var description = try Catalog.committedDescription(of: expected, in: writer)
            description.timeToLiveAttribute = attribute
            try Catalog.record(description, in: writer)
            try ExpiryIndex.rebuild(description.layout, ttlAttribute: attribute, in: writer)
            return description
        }
        state.timeToLiveAttribute = attribute
    }

    /// Finishes queued writes, ends change streams, and releases the file. Later calls throw.
    ///
    /// Without it, the store closes when neither it nor any ``Table`` handle of it is
    /// referenced any more.
    public func close() {
        context.close()
    }
}

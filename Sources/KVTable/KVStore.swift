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
/// reference goes away.
public final class KVStore: Sendable {
    let storage: any StorageEngine
    /// Tables known to this process: name → handle. Filled from the catalog at open.
    private let tables: Mutex<[String: Table]>

    private init(storage: any StorageEngine) throws {
        self.storage = storage
        let descriptions = try storage.read { try Catalog.allDescriptions(in: $0) }
        var tables: [String: Table] = [:]
        for description in descriptions {
            tables[description.schema.name] = Table(storage: storage, description: description, dropped: DroppedFlag())
        }
        self.tables = Mutex(tables)
    }

    /// Opens (creating when missing) the LMDB store file at `path`; its lock file is
    /// `path-lock`. Both are created readable and writable by the owner only.
    public static func open(path: String, configuration: LMDBConfiguration = LMDBConfiguration()) throws -> KVStore {
        let storage = try LMDBStorage(path: path, configuration: configuration)
        do {
            return try KVStore(storage: storage)
        } catch {
            storage.close()
            throw error
        }
    }

    /// A store that lives in memory only, with the same semantics as an LMDB store: for tests.
    public static func inMemory() -> KVStore {
        // Reading the empty catalog of a new memory store cannot fail.
        try! KVStore(storage: MemoryStorage())
    }

    /// Creates a table; throws ``KVTableError/resourceInUse(_:)`` when the name is taken.
    public func createTable(_ schema: TableSchema) async throws -> Table {
        try schema.validate()
        let description = try await storage.write { try Catalog.create(schema, in: $0) }
        let table = Table(storage: storage, description: description, dropped: DroppedFlag())
        tables.withLock { $0[schema.name] = table }
        return table
    }

    /// The table named `name`; throws ``KVTableError/resourceNotFound(_:)`` when there is none.
    public func table(_ name: String) throws -> Table {
        guard let table = tables.withLock({ $0[name] }) else {
            throw KVTableError.resourceNotFound("Requested resource not found: Table: \(name) not found")
        }
        return table
    }

    /// The names of all tables, sorted.
    public func tableNames() -> [String] {
        tables.withLock { Array($0.keys) }.sorted()
    }

    /// Deletes a table with all its items and index entries.
    public func deleteTable(_ name: String) async throws {
        let table = try self.table(name)
        let description = table.description
        try await storage.write { writer in
            try Catalog.ensureCurrent(description, in: writer)
            try Catalog.drop(description, in: writer)
        }
        table.dropped.set()
        tables.withLock { _ = $0.removeValue(forKey: name) }
    }

    /// Finishes queued writes and releases the file. Later calls throw.
    public func close() {
        storage.close()
    }

    deinit {
        storage.close()
    }
}

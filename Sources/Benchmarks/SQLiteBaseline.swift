import CSQLite

/// SQLite through its C API on the same data: a `WITHOUT ROWID` table keyed `(pk, sk)` holding
/// the same value bytes KVTable stores, an index on `(gsi1pk, gsi1sk)` standing in for `GSI1`,
/// prepared statements, WAL, memory-mapped I/O.
final class SQLiteBaseline {
    private var db: OpaquePointer?
    private var getStatement: OpaquePointer?
    private var queryStatement: OpaquePointer?
    private var indexStatement: OpaquePointer?
    private var countStatement: OpaquePointer?
    private var insertStatement: OpaquePointer?
    /// SQLITE_TRANSIENT: SQLite copies bound text.
    private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    init(path: String) throws {
        guard sqlite3_open(path, &db) == SQLITE_OK else { throw BenchmarkError("sqlite3_open failed") }
        try execute("""
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = FULL;
            PRAGMA mmap_size = 4294967296;
            PRAGMA cache_size = -262144;
            CREATE TABLE IF NOT EXISTS items (pk TEXT NOT NULL, sk TEXT NOT NULL, gsi1pk TEXT, gsi1sk TEXT,
                                              data BLOB NOT NULL, PRIMARY KEY (pk, sk)) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS items_gsi1 ON items (gsi1pk, gsi1sk);
            """)
        getStatement = try prepare("SELECT data FROM items WHERE pk = ?1 AND sk = ?2")
        queryStatement = try prepare("SELECT sk, data FROM items WHERE pk = ?1 ORDER BY sk LIMIT ?2")
        indexStatement = try prepare("SELECT pk, sk, data FROM items WHERE gsi1pk = ?1 ORDER BY gsi1sk LIMIT ?2")
        countStatement = try prepare("SELECT count(*) FROM items WHERE pk = ?1")
        insertStatement = try prepare("INSERT OR REPLACE INTO items (pk, sk, gsi1pk, gsi1sk, data) VALUES (?1, ?2, ?3, ?4, ?5)")
    }

    deinit {
        for statement in [getStatement, queryStatement, indexStatement, countStatement, insertStatement] {
            sqlite3_finalize(statement)
        }
        sqlite3_close(db)
    }

    func execute(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        guard sqlite3_exec(db, sql, nil, nil, &message) == SQLITE_OK else {
            defer { sqlite3_free(message) }
            throw BenchmarkError("SQLite: \(message.map { String(cString: $0) } ?? "error")")
        }
    }

    private func prepare(_ sql: String) throws -> OpaquePointer? {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK else {
            throw BenchmarkError("SQLite prepare: \(String(cString: sqlite3_errmsg(db)))")
        }
        return statement
    }

    /// Inserts rows in one transaction.
    func insert(_ rows: [(pk: String, sk: String, gsi1pk: String, gsi1sk: String, data: [UInt8])]) throws {
        try execute("BEGIN")
        for row in rows {
            sqlite3_bind_text(insertStatement, 1, row.pk, -1, transient)
            sqlite3_bind_text(insertStatement, 2, row.sk, -1, transient)
            sqlite3_bind_text(insertStatement, 3, row.gsi1pk, -1, transient)
            sqlite3_bind_text(insertStatement, 4, row.gsi1sk, -1, transient)
            _ = row.data.withUnsafeBytes { sqlite3_bind_blob(insertStatement, 5, $0.baseAddress, Int32($0.count), transient) }
            guard sqlite3_step(insertStatement) == SQLITE_DONE else {
                throw BenchmarkError("SQLite insert: \(String(cString: sqlite3_errmsg(db)))")
            }
            sqlite3_reset(insertStatement)
        }
        try execute("COMMIT")
    }

    /// The value bytes of one row, copied.
    func get(pk: String, sk: String) -> [UInt8]? {
        sqlite3_bind_text(getStatement, 1, pk, -1, transient)
        sqlite3_bind_text(getStatement, 2, sk, -1, transient)
        defer { sqlite3_reset(getStatement) }
        guard sqlite3_step(getStatement) == SQLITE_ROW else { return nil }
        return blob(getStatement, 0)
    }

    /// Up to `limit` rows of a partition in sort-key order, copied.
    @discardableResult
    func query(pk: String, limit: Int) -> Int {
        sqlite3_bind_text(queryStatement, 1, pk, -1, transient)
        sqlite3_bind_int64(queryStatement, 2, Int64(limit))
        defer { sqlite3_reset(queryStatement) }
        var rows: [[UInt8]] = []
        while sqlite3_step(queryStatement) == SQLITE_ROW { rows.append(blob(queryStatement, 1)) }
        return rows.count
    }

    /// Up to `limit` rows of a GSI1 partition in index order, copied.
    @discardableResult
    func queryIndex(gsi1pk: String, limit: Int) -> Int {
        sqlite3_bind_text(indexStatement, 1, gsi1pk, -1, transient)
        sqlite3_bind_int64(indexStatement, 2, Int64(limit))
        defer { sqlite3_reset(indexStatement) }
        var rows: [[UInt8]] = []
        while sqlite3_step(indexStatement) == SQLITE_ROW { rows.append(blob(indexStatement, 2)) }
        return rows.count
    }

    func count(pk: String) -> Int {
        sqlite3_bind_text(countStatement, 1, pk, -1, transient)
        defer { sqlite3_reset(countStatement) }
        guard sqlite3_step(countStatement) == SQLITE_ROW else { return 0 }
        return Int(sqlite3_column_int64(countStatement, 0))
    }

    private func blob(_ statement: OpaquePointer?, _ column: Int32) -> [UInt8] {
        let count = Int(sqlite3_column_bytes(statement, column))
        guard count > 0, let base = sqlite3_column_blob(statement, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: base, count: count))
    }
}

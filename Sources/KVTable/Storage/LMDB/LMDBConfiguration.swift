/// How hard a commit works to survive a crash.
public enum Durability: String, Sendable, Hashable, Codable, CaseIterable {
    /// Every commit is flushed to the device before it is acknowledged (LMDB's default:
    /// two flushes per commit). A killed process or machine loses no acknowledged write.
    case durable
    /// The meta page is not flushed (`MDB_NOMETASYNC`): a machine crash may lose the last
    /// commits, but the file stays consistent. About 1.5× the commits per second.
    case noMetaSync
    /// Nothing is flushed (`MDB_NOSYNC`): the operating system writes pages when it likes.
    /// For bulk loads and tests; a machine crash can lose recent commits (a killed process
    /// cannot: the pages are in the page cache).
    case noSync
}

/// Options for an LMDB-backed store.
public struct LMDBConfiguration: Sendable, Hashable {
    /// Commit durability; ``Durability/durable`` by default.
    public var durability: Durability = .durable
    /// The map size to start with. The map grows by itself (doubling) whenever a write needs
    /// more room, so this only sets the first step. 64 MiB by default.
    public var initialMapSize: Int = 64 << 20
    /// Reader slots in the lock file (LMDB's `maxreaders`). More concurrent readers than this
    /// wait for a free slot instead of failing. 1,024 by default.
    public var maxReaders: Int = 1024
    /// At most this many queued write requests are committed in one LMDB transaction.
    public var maxWritesPerCommit: Int = 1000

    /// Keys longer than this are stored under a prefix plus a disambiguating suffix
    /// (see `LMDBKeyMapping`). Internal so that tests can exercise long keys cheaply.
    var longKeyThreshold: Int = LMDBKeyMapping.defaultThreshold
    /// The suffix function for long keys; tests replace it to force collisions.
    var longKeyHash: @Sendable ([UInt8]) -> UInt64 = StableHash.fnv1a

    /// Options with these values; by default durable commits, a 64 MiB first map size (in bytes)
    /// and 1,024 reader slots.
    public init(durability: Durability = .durable, initialMapSize: Int = 64 << 20, maxReaders: Int = 1024) {
        self.durability = durability
        self.initialMapSize = initialMapSize
        self.maxReaders = maxReaders
    }

    public static func == (lhs: LMDBConfiguration, rhs: LMDBConfiguration) -> Bool {
        lhs.durability == rhs.durability && lhs.initialMapSize == rhs.initialMapSize
            && lhs.maxReaders == rhs.maxReaders && lhs.maxWritesPerCommit == rhs.maxWritesPerCommit
            && lhs.longKeyThreshold == rhs.longKeyThreshold
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(durability)
        hasher.combine(initialMapSize)
        hasher.combine(maxReaders)
    }
}

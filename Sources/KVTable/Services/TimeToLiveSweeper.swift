import Logging
import ServiceLifecycle

/// Deletes expired items of every table with TTL enabled, every `period`, as a
/// `swift-service-lifecycle` service.
///
/// ```swift
/// let sweeper = TimeToLiveSweeper(store: store, period: .seconds(60))
/// let group = ServiceGroup(services: [sweeper], gracefulShutdownSignals: [.sigterm], logger: logger)
/// try await group.run()
/// ```
///
/// Each sweep deletes in transactions of `batchSize` items (see
/// ``Table/sweepExpired(now:batchSize:)``), so it never holds the writer for long. A failed
/// sweep is logged and retried at the next period; the service ends on graceful shutdown or
/// cancellation. Time comes from the store's ``TimeSource`` (inject one to test).
public struct TimeToLiveSweeper: Service {
    /// The store whose tables it sweeps (every table with TTL enabled); its ``KVStore/time``
    /// paces the sweeps.
    public let store: KVStore
    /// The wait before each sweep, the first included; 60 seconds by default.
    public let period: Duration
    /// The most items deleted in one transaction; 100 by default.
    public let batchSize: Int
    private let logger: Logger

    /// A sweeper of `store` that sweeps every `period` (60 seconds by default), deleting at most
    /// `batchSize` items (100 by default) per transaction.
    public init(store: KVStore, period: Duration = .seconds(60), batchSize: Int = 100,
                logger: Logger = Logger(label: "kvtable.ttl-sweeper")) {
        self.store = store
        self.period = period
        self.batchSize = batchSize
        self.logger = logger
    }

    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                while true {
                    try Task.checkCancellation()
                    try await store.time.sleep(for: period)
                    do {
                        let deleted = try await store.sweepExpired(batchSize: batchSize)
                        if deleted > 0 { logger.debug("Swept expired items", metadata: ["deleted": "\(deleted)"]) }
                    } catch is CancellationError {
                        throw CancellationError()
                    } catch {
                        logger.error("TTL sweep failed; retrying next period", metadata: ["error": "\(error)"])
                    }
                }
            }
        } catch is CancellationError {
            return   // graceful shutdown or cancellation: a normal end
        }
    }
}

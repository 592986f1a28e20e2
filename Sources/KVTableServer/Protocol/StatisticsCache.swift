import Foundation
import KVTable
import KVTableDynamoDB
import Synchronization

/// The item counts DescribeTable reports, counted exactly but not recounted on every call for
/// large tables.
///
/// Counting reads the whole table. A table that counts quickly (under 10 ms, some tens of
/// thousands of items) is recounted on every call, so small tables — tests, development — always
/// see exact, current counts. A slower count is reused for up to a minute: DynamoDB itself
/// refreshes these figures only about every six hours, and clients that call DescribeTable often
/// (waiters, startup checks) must not read a large table each time.
final class StatisticsCache: Sendable {
    private struct Entry {
        var statistics: TableStatistics
        var countedAt: ContinuousClock.Instant
    }

    /// Counts faster than this are not kept.
    let quickCount: Duration
    /// How long a kept count is reused.
    let reuseFor: Duration
    private let entries = Mutex<[String: Entry]>([:])

    init(quickCount: Duration = .milliseconds(10), reuseFor: Duration = .seconds(60)) {
        self.quickCount = quickCount
        self.reuseFor = reuseFor
    }

    func statistics(of table: Table) throws -> TableStatistics {
        let now = ContinuousClock.now
        let key = "\(table.name)#\(table.creationDate?.timeIntervalSince1970 ?? 0)"
        if let entry = entries.withLock({ $0[key] }), now - entry.countedAt < reuseFor {
            return entry.statistics
        }
        let statistics = try table.statistics()
        let elapsed = ContinuousClock.now - now
        entries.withLock { entries in
            if elapsed >= quickCount {
                entries[key] = Entry(statistics: statistics, countedAt: now)
            } else {
                entries[key] = nil
            }
        }
        return statistics
    }
}

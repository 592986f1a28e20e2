import Foundation
import KVTable
import Logging
import ServiceLifecycle

/// Periods whose rollups a late event made stale: `PK = METRICS#DIRTY`,
/// `SK = {granularity}#{period start}`.
enum DirtyPeriods {
    static func key(_ period: MetricPeriod) -> Item {
        ["PK": "METRICS#DIRTY", "SK": .s("\(period.granularity.rawValue)#\(EventLayout.iso8601(period.start))")]
    }
}

extension Analytics {
    /// Recomputes the rollups of every period marked stale by late events, and clears each
    /// mark unless it was marked again meanwhile.
    @discardableResult
    public func rollupStalePeriods() async throws -> Int {
        var done = 0
        var cursor: PageCursor?
        repeat {
            let page = try await table.query(Query(partitionKey: "METRICS#DIRTY", limit: 100, startAfter: cursor))
            for mark in page.items {
                guard let granularity = mark["granularity"]?.stringValue.flatMap(Granularity.init(rawValue:)),
                      let startText = mark["start"]?.stringValue,
                      let start = try? Date(startText, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)),
                      let markings = mark["markings"] else { continue }
                try await rollup(granularity, containing: start)
                _ = try? await table.deleteItem(["PK": mark["PK"]!, "SK": mark["SK"]!],
                                                condition: .attribute("markings") == .value(markings))
                done += 1
            }
            cursor = page.nextCursor
        } while cursor != nil
        return done
    }
}

/// Runs the rollups on schedule, as a `swift-service-lifecycle` service (SPEC §1.2): hourly
/// (the previous hour, on the hour), daily at 00:05 (the previous day), weekly on Monday at
/// 00:10 (the previous ISO week) and monthly on the 1st at 00:15 (the previous month) — in the
/// analytics time zone (UTC by default) — and after each run the periods late events made
/// stale. Time comes from the store's clock; a failed run is logged and retried next time.
public struct RollupScheduler: Service {
    /// The analytics it rolls up; its store's clock and its time zone set the schedule.
    public let analytics: Analytics
    private let logger: Logger

    /// A scheduler for `analytics`; run it in a `ServiceGroup`.
    public init(analytics: Analytics, logger: Logger = Logger(label: "kvtable.analytics.rollups")) {
        self.analytics = analytics
        self.logger = logger
    }

    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                while true {
                    try Task.checkCancellation()
                    let now = analytics.store.time.now()
                    let (fire, jobs) = RollupSchedule(timeZone: analytics.configuration.timeZone).next(after: now)
                    try await analytics.store.time.sleep(for: .milliseconds(Int(max(1, fire.timeIntervalSince(now) * 1000))))
                    for (granularity, date) in jobs {
                        do {
                            try await analytics.rollup(granularity, containing: date)
                        } catch {
                            logger.error("Rollup failed", metadata: ["granularity": "\(granularity)", "error": "\(error)"])
                        }
                    }
                    do {
                        try await analytics.rollupStalePeriods()
                    } catch {
                        logger.error("Re-rolling stale periods failed", metadata: ["error": "\(error)"])
                    }
                }
            }
        } catch is CancellationError {
            return
        }
    }
}

/// When rollups run, and which period each run covers.
struct RollupSchedule: Sendable {
    let timeZone: TimeZone

    /// The next run time after `now` and the jobs due then: (granularity, a date inside the
    /// period to roll up).
    func next(after now: Date) -> (Date, [(Granularity, Date)]) {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = timeZone
        let hour = calendar.dateInterval(of: .hour, for: now)!.start.addingTimeInterval(3600)
        var daily = calendar.startOfDay(for: now).addingTimeInterval(5 * 60)
        if daily <= now { daily = calendar.date(byAdding: .day, value: 1, to: daily)! }
        var weekly = calendar.dateInterval(of: .weekOfYear, for: now)!.start.addingTimeInterval(10 * 60)
        if weekly <= now { weekly = calendar.date(byAdding: .day, value: 7, to: weekly)! }
        var monthly = calendar.dateInterval(of: .month, for: now)!.start.addingTimeInterval(15 * 60)
        if monthly <= now { monthly = calendar.date(byAdding: .month, value: 1, to: monthly)! }
        let candidates: [(Date, Granularity, Date)] = [
            (hour, .hourly, hour.addingTimeInterval(-1800)),
            (daily, .daily, daily.addingTimeInterval(-86_400)),
            (weekly, .weekly, weekly.addingTimeInterval(-7 * 86_400)),
            (monthly, .monthly, monthly.addingTimeInterval(-86_400)),
        ]
        let fire = candidates.map(\.0).min()!
        return (fire, candidates.filter { $0.0 == fire }.map { ($0.1, $0.2) })
    }
}

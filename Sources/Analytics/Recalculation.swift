import Foundation
import KVTable

/// One pass over the raw events of a time window, in one snapshot, computing every metric of
/// every period in it at once: additive counters, exact distinct users, sessions, and — from
/// the first-seen records, read in the same snapshot — new and total users.
///
/// Events are read as stored bytes (each attribute decoded only when looked at); nothing is
/// materialised as an ``AnalyticsEvent``. Per event the pass costs a few lookups in its bytes,
/// one set insert (distinct users) and one dictionary update (its session).
struct Recalculation {
    /// Additive counts of one period, kept as counts per event type, feature and content type
    /// (the counter names are built once per period, not once per event).
    private struct Tally {
        var events = 0
        var byType: [String: Int] = [:]
        var features: [String: Int] = [:]
        var contentTypes: [String: Int] = [:]
        var content = 0
        var aiRequests = 0
        var aiTokens: ExactDecimal?
        var aiCost: ExactDecimal?
        var errors = 0
        var users = Set<String>()
    }

    let periods: [MetricPeriod]
    private var tallies: [Tally]
    /// Every session seen in the window: first and last event time, in milliseconds.
    private var sessions: [String: (first: Int, last: Int)] = [:]
    /// The first-seen times (ms) of every user, sorted.
    private var firstSeen: [Int] = []
    private let periodStarts: [Int]
    private let periodEnds: [Int]

    /// Reads the events of `periods` (and of the day before and after, for sessions that cross
    /// a period's edge; a session is taken to last less than a day) from `reader`.
    static func run(_ periods: [MetricPeriod], in reader: TableReader) throws -> Recalculation {
        var pass = Recalculation(periods: periods)
        guard let first = periods.first, let last = periods.last else { return pass }
        let start = first.start.addingTimeInterval(-86_400)
        let end = last.end.addingTimeInterval(86_400)
        let utc = PeriodCalendar(timeZone: TimeZone(identifier: "UTC")!)
        for day in utc.periods(.daily, from: start, to: end) {
            var cursor: PageCursor?
            repeat {
                let page = try reader.query(Query(
                    partitionKey: .s("ANALYTICS#\(day.key)"),
                    sortKey: .between(.s("EVENT#\(EventLayout.paddedMillis(max(start, day.start)))"),
                                      .s("EVENT#\(EventLayout.paddedMillis(min(end, day.end).addingTimeInterval(-0.001)))~")),
                    limit: 1000, startAfter: cursor))
                for item in page.items { try pass.add(item) }
                cursor = page.nextCursor
            } while cursor != nil
        }
        var cursor: PageCursor?
        repeat {
            let page = try reader.query(Query(partitionKey: "METRICS#FIRSTSEEN", limit: 1000, startAfter: cursor))
            for item in page.items {
                if let at = item["at"]?.numberValue?.intValue { pass.firstSeen.append(at) }
            }
            cursor = page.nextCursor
        } while cursor != nil
        pass.firstSeen.sort()
        return pass
    }

    private init(periods: [MetricPeriod]) {
        self.periods = periods
        self.tallies = Array(repeating: Tally(), count: periods.count)
        self.periodStarts = periods.map { Int(EventLayout.millis($0.start)) }
        self.periodEnds = periods.map { Int(EventLayout.millis($0.end)) }
    }

    /// The period containing `millis`, if any (periods are sorted and contiguous).
    private func period(containing millis: Int) -> Int? {
        guard let first = periodStarts.first, millis >= first, millis < periodEnds[periodEnds.count - 1] else { return nil }
        var low = 0, high = periodStarts.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if periodStarts[mid] <= millis { low = mid } else { high = mid - 1 }
        }
        return low
    }

    /// The attributes the pass reads of each event (one walk over its bytes).
    /// (`eventData` is read only for the types that count something from it.)
    private static let fields: AttributeNames = ["eventType", "sessionId", "timestampMillis", "userId"]

    private mutating func add(_ item: Item) throws {
        let fields = item.values(named: Self.fields)
        guard case .s(let session)? = fields[1], let millis = fields[2]?.numberValue?.intValue else { return }
        if let span = sessions[session] {
            if millis < span.first || millis > span.last { sessions[session] = (min(span.first, millis), max(span.last, millis)) }
        } else {
            sessions[session] = (millis, millis)
        }
        guard let index = period(containing: millis), case .s(let type)? = fields[0],
              case .s(let user)? = fields[3] else { return }
        var data: [String: AttributeValue]? {
            if case .m(let map)? = item["eventData"] { return map }
            return nil
        }
        tallies[index].events += 1
        tallies[index].byType[type, default: 0] += 1
        tallies[index].users.insert(user)
        switch type {
        case EventType.featureUse:
            tallies[index].features[data?["feature"]?.stringValue ?? "unknown", default: 0] += 1
        case EventType.contentCreate:
            tallies[index].content += 1
            tallies[index].contentTypes[data?["contentType"]?.stringValue ?? "unknown", default: 0] += 1
        case EventType.aiRequest:
            tallies[index].aiRequests += 1
            let data = data
            if case .n(let tokens)? = data?["tokens"] { tallies[index].aiTokens = try (tallies[index].aiTokens ?? .zero).adding(tokens) }
            if case .n(let cost)? = data?["cost"] { tallies[index].aiCost = try (tallies[index].aiCost ?? .zero).adding(cost) }
        case EventType.error:
            tallies[index].errors += 1
        default:
            break
        }
    }

    /// Users whose first event is before `millis`.
    private func usersFirstSeen(before millis: Int) -> Int {
        var low = 0, high = firstSeen.count
        while low < high {
            let mid = (low + high) / 2
            if firstSeen[mid] < millis { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// The metric values of period `index`, named like the hour counters (see ``FreshMetrics``).
    func values(ofPeriod index: Int) throws -> [String: ExactDecimal] {
        let tally = tallies[index]
        var values: [String: ExactDecimal] = [:]
        if tally.events > 0 { values["events"] = ExactDecimal(tally.events) }
        for (type, count) in tally.byType { values["events:\(type)"] = ExactDecimal(count) }
        for (feature, count) in tally.features { values["features:\(feature)"] = ExactDecimal(count) }
        if tally.content > 0 { values["content"] = ExactDecimal(tally.content) }
        for (contentType, count) in tally.contentTypes { values["content:\(contentType)"] = ExactDecimal(count) }
        if tally.aiRequests > 0 { values["ai:requests"] = ExactDecimal(tally.aiRequests) }
        if let tokens = tally.aiTokens { values["ai:tokens"] = tokens }
        if let cost = tally.aiCost { values["ai:cost"] = cost }
        if tally.errors > 0 { values["errors"] = ExactDecimal(tally.errors) }
        let period = periods[index]
        if period.granularity != .hourly {
            values["activeUsers"] = ExactDecimal(tally.users.count)
            let (start, end) = (periodStarts[index], periodEnds[index])
            var count = 0
            var totalMillis = 0
            for (_, span) in sessions where span.first >= start && span.first < end {
                count += 1
                totalMillis += span.last - span.first
            }
            values["sessions"] = ExactDecimal(count)
            if count > 0 {
                let average = Double(totalMillis) / 1000 / Double(count)
                values["averageSessionSeconds"] = try ExactDecimal(String(format: "%.3f", average))
            }
            values["newUsers"] = ExactDecimal(usersFirstSeen(before: end) - usersFirstSeen(before: start))
        }
        values["totalUsers"] = ExactDecimal(usersFirstSeen(before: periodEnds[index]))
        return values
    }
}

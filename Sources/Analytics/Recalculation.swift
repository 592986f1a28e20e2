import Foundation
import KVTable

/// One pass over the raw events of a time window, in one snapshot, computing every metric of
/// every period in it at once: additive counters, exact distinct users, sessions, and — from
/// the first-seen records, read in the same snapshot — new and total users.
///
/// Events are visited in place in the snapshot (``TableReader/forEachItem(_:_:)``): nothing is
/// copied or materialised as an ``AnalyticsEvent``. Per event the pass costs one walk over its
/// bytes (the check, which records where its attributes lie), its session and time decoded from
/// there, its type and user numbered from their UTF-8 bytes by ``StringInterner``s (distinct
/// users are bits in a per-period bitset), its session logged for ``SessionSpans``, and one key
/// of `eventData` decoded when its type counts from it.
struct Recalculation {
    /// Additive counts of one period, kept as counts per event type, feature and content type
    /// (the counter names are built once per period, not once per event).
    private struct Tally {
        var events = 0
        /// Events by type number (see `typeNumbers`).
        var byType: [Int] = []
        var features: [String: Int] = [:]
        var contentTypes: [String: Int] = [:]
        var content = 0
        var aiRequests = 0
        var aiTokens = ExactSum()
        var aiCost = ExactSum()
        var errors = 0
        /// Bit `n` is set when user number `n` has an event in the period.
        var users: [UInt64] = []
        var activeUsers = 0

        mutating func add(type number: Int) {
            if number >= byType.count { byType += repeatElement(0, count: number + 1 - byType.count) }
            byType[number] += 1
        }

        mutating func add(user number: Int) {
            let (word, bit) = (number >> 6, UInt64(1) << UInt64(number & 63))
            if word >= users.count { users += repeatElement(0, count: max(word + 1 - users.count, users.count)) }
            if users[word] & bit == 0 {
                users[word] |= bit
                activeUsers += 1
            }
        }
    }

    let periods: [MetricPeriod]
    private var tallies: [Tally]
    /// Every session seen in the window: first and last event time, in milliseconds.
    private var sessionLog = SessionSpans()
    /// Every session's span, once the events are read.
    private var sessions: [SessionSpans.Span] = []
    private var userNumbers = StringInterner(capacity: 1 << 12)
    private var typeNumbers = StringInterner(capacity: 16)
    /// The values of ``fields`` of the event being added (one array for the whole pass).
    private var fieldValues: [AttributeValue?] = []
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
            try reader.forEachItem(Query(
                partitionKey: .s("ANALYTICS#\(day.key)"),
                sortKey: .between(.s("EVENT#\(EventLayout.paddedMillis(max(start, day.start)))"),
                                  .s("EVENT#\(EventLayout.paddedMillis(min(end, day.end).addingTimeInterval(-0.001)))~")))) { event in
                try pass.add(event)
            }
        }
        try reader.forEachItem(Query(partitionKey: "METRICS#FIRSTSEEN")) { record in
            if let at = record["at"]?.numberValue?.intValue { pass.firstSeen.append(at) }
        }
        pass.firstSeen.sort()
        pass.sessions = pass.sessionLog.spans()
        pass.sessionLog = SessionSpans()
        return pass
    }

    private init(periods: [MetricPeriod]) {
        self.periods = periods
        self.tallies = Array(repeating: Tally(), count: periods.count)
        self.periodStarts = periods.map { Int(EventLayout.millis($0.start)) }
        self.periodEnds = periods.map { Int(EventLayout.millis($0.end)) }
        for (number, type) in [EventType.featureUse, EventType.contentCreate, EventType.aiRequest, EventType.error].enumerated() {
            let given = typeNumbers.number(of: type)
            assert(given == number)
        }
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

    /// The attributes the pass decodes of each event (found through the offsets its check recorded).
    /// (`eventData` is read only for the types that count something from it.)
    private static let fields: AttributeNames = ["sessionId", "timestampMillis"]
    /// The numbers of the types that count something of their own (numbered first, in `init`).
    private static let featureUse = 0, contentCreate = 1, aiRequest = 2, error = 3
    private static let feature: AttributePath = "eventData.feature"
    private static let contentType: AttributePath = "eventData.contentType"
    private static let tokens: AttributePath = "eventData.tokens"
    private static let cost: AttributePath = "eventData.cost"

    private mutating func add(_ item: borrowing StoredItem) throws {
        item.values(named: Self.fields, into: &fieldValues)
        guard case .s(let session)? = fieldValues[0], let millis = fieldValues[1]?.numberValue?.intValue else { return }
        sessionLog.add(session, at: millis)
        // The type and the user are numbered from their bytes in place: no string is built.
        guard let index = period(containing: millis),
              let type = item.withUTF8(ofString: "eventType", { typeNumbers.number(ofUTF8: $0) }),
              let user = item.withUTF8(ofString: "userId", { userNumbers.number(ofUTF8: $0) }) else { return }
        tallies[index].events += 1
        tallies[index].add(type: type)
        tallies[index].add(user: user)
        switch type {
        case Self.featureUse:
            tallies[index].features[item[path: Self.feature]?.stringValue ?? "unknown", default: 0] += 1
        case Self.contentCreate:
            tallies[index].content += 1
            tallies[index].contentTypes[item[path: Self.contentType]?.stringValue ?? "unknown", default: 0] += 1
        case Self.aiRequest:
            tallies[index].aiRequests += 1
            if case .n(let tokens)? = item[path: Self.tokens] { try tallies[index].aiTokens.add(tokens) }
            if case .n(let cost)? = item[path: Self.cost] { try tallies[index].aiCost.add(cost) }
        case Self.error:
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
        for (number, count) in tally.byType.enumerated() where count > 0 {
            values["events:\(typeNumbers.strings[number])"] = ExactDecimal(count)
        }
        for (feature, count) in tally.features { values["features:\(feature)"] = ExactDecimal(count) }
        if tally.content > 0 { values["content"] = ExactDecimal(tally.content) }
        for (contentType, count) in tally.contentTypes { values["content:\(contentType)"] = ExactDecimal(count) }
        if tally.aiRequests > 0 { values["ai:requests"] = ExactDecimal(tally.aiRequests) }
        if let tokens = try tally.aiTokens.total() { values["ai:tokens"] = tokens }
        if let cost = try tally.aiCost.total() { values["ai:cost"] = cost }
        if tally.errors > 0 { values["errors"] = ExactDecimal(tally.errors) }
        let period = periods[index]
        if period.granularity != .hourly {
            values["activeUsers"] = ExactDecimal(tally.activeUsers)
            let (start, end) = (periodStarts[index], periodEnds[index])
            var count = 0
            var totalMillis = 0
            for span in sessions where span.first >= start && span.first < end {
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

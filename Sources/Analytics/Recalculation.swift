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
///
/// The pass runs on two cores (``Table/read(inParallel:_:)``): the window is cut into UTC
/// hours and each ``Part`` reads every other hour — alternate hours carry about the same
/// traffic whatever the day's shape — numbering users, types and sessions its own way. The
/// parts are then merged: their numbers are mapped onto one numbering, their user bits moved
/// to it, their counts added and their session logs joined before the spans are found.
struct Recalculation {
    /// Additive counts of one period, kept as counts per event type, feature and content type
    /// (the counter names are built once per period, not once per event).
    fileprivate struct Tally {
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

        mutating func add(type number: Int, count: Int = 1) {
            if number >= byType.count { byType += repeatElement(0, count: number + 1 - byType.count) }
            byType[number] += count
        }

        mutating func add(user number: Int) {
            let (word, bit) = (number >> 6, UInt64(1) << UInt64(number & 63))
            if word >= users.count { users += repeatElement(0, count: max(word + 1 - users.count, users.count)) }
            if users[word] & bit == 0 {
                users[word] |= bit
                activeUsers += 1
            }
        }

        /// Adds another part's tally of the same period, whose users and types are numbered
        /// `users[n]` and `types[n]` here.
        mutating func add(_ other: Tally, users userNumbers: [Int], types typeNumbers: [Int]) throws {
            events += other.events
            for (number, count) in other.byType.enumerated() where count > 0 {
                add(type: typeNumbers[number], count: count)
            }
            features.merge(other.features, uniquingKeysWith: +)
            contentTypes.merge(other.contentTypes, uniquingKeysWith: +)
            content += other.content
            aiRequests += other.aiRequests
            try aiTokens.add(other.aiTokens)
            try aiCost.add(other.aiCost)
            errors += other.errors
            for (word, bits) in other.users.enumerated() {
                var bits = bits
                while bits != 0 {
                    add(user: userNumbers[word << 6 | bits.trailingZeroBitCount])
                    bits &= bits - 1
                }
            }
        }
    }

    let periods: [MetricPeriod]
    private var tallies: [Tally]
    /// Every session's span.
    private var sessions: [SessionSpans.Span] = []
    /// The names of the event types, by the numbers the tallies count them under.
    private var typeNames: [String] = []
    /// The first-seen times (ms) of every user, sorted.
    private var firstSeen: [Int] = []
    /// The periods' bounds in milliseconds.
    private let window: Window

    /// Reads the events of `periods` (and of the day before and after, for sessions that cross
    /// a period's edge; a session is taken to last less than a day) in one snapshot of `table`.
    static func run(_ periods: [MetricPeriod], in table: Table) throws -> Recalculation {
        var pass = Recalculation(periods: periods)
        guard let first = periods.first, let last = periods.last else { return pass }
        let window = pass.window
        let hours = PeriodCalendar(timeZone: TimeZone(identifier: "UTC")!)
            .periods(.hourly, from: first.start.addingTimeInterval(-86_400), to: last.end.addingTimeInterval(86_400))
            .map { (utcDay: String($0.key.prefix(10)), start: $0.start, end: $0.end) }
        let sessionHash = StringHash()
        let parts = try table.read(inParallel: 2) { reader, share in
            var part = Part(window: window, sessionHash: sessionHash)
            for hour in stride(from: share.index, to: hours.count, by: share.count) {
                let (day, start, end) = hours[hour]
                try reader.forEachItem(Query(
                    partitionKey: .s("ANALYTICS#\(day)"),
                    sortKey: .between(.s("EVENT#\(EventLayout.paddedMillis(start))"),
                                      .s("EVENT#\(EventLayout.paddedMillis(end.addingTimeInterval(-0.001)))~")))) { event in
                    try part.add(event)
                }
            }
            if share.index == share.count - 1 {
                try reader.forEachItem(Query(partitionKey: "METRICS#FIRSTSEEN")) { record in
                    if let at = record["at"]?.numberValue?.intValue { part.firstSeen.append(at) }
                }
            }
            return part
        }
        try pass.merge(parts)
        return pass
    }

    private init(periods: [MetricPeriod]) {
        self.periods = periods
        self.tallies = Array(repeating: Tally(), count: periods.count)
        self.window = Window(periods: periods)
    }

    /// Takes over the parts' counts under one numbering of users and types.
    private mutating func merge(_ parts: [Part]) throws {
        guard var users = parts.first?.userNumbers, var types = parts.first?.typeNumbers,
              var sessionLog = parts.first?.sessionLog else { return }
        tallies = parts[0].tallies
        for part in parts.dropFirst() {
            let userNumbers = (0..<part.userNumbers.count).map { n in part.userNumbers.withUTF8(of: n) { users.number(ofUTF8: $0) } }
            let typeNumbers = part.typeNumbers.strings.map { types.number(of: $0) }
            for index in tallies.indices {
                try tallies[index].add(part.tallies[index], users: userNumbers, types: typeNumbers)
            }
            sessionLog.add(part.sessionLog)
        }
        typeNames = types.strings
        sessions = sessionLog.spans()
        firstSeen = parts.flatMap(\.firstSeen).sorted()
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
            values["events:\(typeNames[number])"] = ExactDecimal(count)
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
            let (start, end) = (window.starts[index], window.ends[index])
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
        values["totalUsers"] = ExactDecimal(usersFirstSeen(before: window.ends[index]))
        return values
    }
}

extension Recalculation {
    /// The periods' bounds in milliseconds, shared by the parts.
    fileprivate struct Window: Sendable {
        let starts: [Int]
        let ends: [Int]

        init(periods: [MetricPeriod]) {
            starts = periods.map { Int(EventLayout.millis($0.start)) }
            ends = periods.map { Int(EventLayout.millis($0.end)) }
        }

        /// The period containing `millis`, if any (periods are sorted and contiguous).
        func period(containing millis: Int) -> Int? {
            guard let first = starts.first, millis >= first, millis < ends[ends.count - 1] else { return nil }
            var low = 0, high = starts.count - 1
            while low < high {
                let mid = (low + high + 1) / 2
                if starts[mid] <= millis { low = mid } else { high = mid - 1 }
            }
            return low
        }
    }

    /// What one thread of the pass counts from its share of the events, numbering users and
    /// types in its own order (``Recalculation/merge(_:)`` maps them onto one).
    fileprivate struct Part: Sendable {
        let window: Window
        var tallies: [Tally]
        /// Every session seen: first and last event time, in milliseconds.
        var sessionLog: SessionSpans
        var userNumbers = StringInterner(capacity: 1 << 12)
        var typeNumbers = StringInterner(capacity: 16)
        /// The values of ``fields`` of the event being added (one array for the whole pass).
        private var fieldValues: [AttributeValue?] = []
        /// First-seen times (ms), read by one part.
        var firstSeen: [Int] = []

        init(window: Window, sessionHash: StringHash) {
            self.window = window
            self.tallies = Array(repeating: Tally(), count: window.starts.count)
            self.sessionLog = SessionSpans(hash: sessionHash)
            for (number, type) in [EventType.featureUse, EventType.contentCreate, EventType.aiRequest, EventType.error].enumerated() {
                let given = typeNumbers.number(of: type)
                assert(given == number)
            }
        }

        /// The attributes the pass decodes of each event (found through the offsets its check
        /// recorded). (`eventData` is read only for the types that count something from it.)
        private static let fields: AttributeNames = ["sessionId", "timestampMillis"]
        /// The numbers of the types that count something of their own (numbered first, in `init`).
        private static let featureUse = 0, contentCreate = 1, aiRequest = 2, error = 3
        private static let feature: AttributePath = "eventData.feature"
        private static let contentType: AttributePath = "eventData.contentType"
        private static let tokens: AttributePath = "eventData.tokens"
        private static let cost: AttributePath = "eventData.cost"

        mutating func add(_ item: borrowing StoredItem) throws {
            item.values(named: Self.fields, into: &fieldValues)
            guard case .s(let session)? = fieldValues[0], let millis = fieldValues[1]?.numberValue?.intValue else { return }
            sessionLog.add(session, at: millis)
            // The type and the user are numbered from their bytes in place: no string is built.
            guard let index = window.period(containing: millis),
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
    }
}

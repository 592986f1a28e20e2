import Foundation
import KVTable

extension Analytics {
    /// Erases one user (SPEC §5): deletes every stored event of theirs (and its id marker),
    /// takes those events back out of every counter — hour counters, distinct users, new users,
    /// sessions — and recomputes the rollups of every closed period they counted in.
    ///
    /// Works in transactions of at most 100 events, each one consistent: counters never count an
    /// event that is no longer stored. Erase queued events too with ``EventQueue/erase(userId:)``.
    ///
    /// - Returns: how many events were deleted.
    @discardableResult
    public func eraseUser(_ userId: String) async throws -> Int {
        let table = self.table
        let configuration = self.configuration
        let calendar = self.calendar
        var erased = 0
        var touched = Set<MetricPeriod>()
        while true {
            let page = try await table.query(Query(indexName: "GSI1", partitionKey: .s("USER#\(KeyTemplate.escape(userId))"),
                                                   sortKey: .beginsWith("EVENT#"), limit: 100))
            let events = page.items.compactMap(EventLayout.event(from:)).filter { $0.userId == userId }
            if events.isEmpty { break }
            try await store.write { tx in
                for event in events {
                    guard try tx.deleteItem(table, EventLayout.key(of: event)) != nil else { continue }
                    try tx.deleteItem(table, EventLayout.idMarkerKey(event.id!))
                    let buckets = TimeBuckets(event.timestamp!, in: configuration.timeZone)
                    try tx.updateItem(table, EventLayout.hourCounters(buckets), FreshMetrics.hourlyUpdate(event, sign: -1))
                    try tx.updateItem(table, EventLayout.counters("DAY", buckets.day), FreshMetrics.hourlyUpdate(event, sign: -1))
                }
            }
            erased += events.count
            for event in events {
                for granularity in Granularity.allCases { touched.insert(calendar.period(granularity, containing: event.timestamp!)) }
            }
        }
        try await eraseDistinctCounts(of: userId, periods: touched)
        // Rollups of closed periods that counted the user are recomputed now.
        let now = store.time.now()
        for period in touched where period.end <= now {
            try await rollup(period.granularity, containing: period.start)
        }
        return erased
    }

    /// Removes the user's distinct-user markers, first-seen record and sessions, and the counts
    /// they added.
    private func eraseDistinctCounts(of userId: String, periods: Set<MetricPeriod>) async throws {
        let table = self.table
        let userSK = AttributeValue.s("USER#\(KeyTemplate.escape(userId))")
        let sessionDays = Set(periods.filter { $0.granularity == .daily }.map(\.key))
        var sessions: [Item] = []
        for day in sessionDays {
            sessions += try await table.query(Query(partitionKey: EventLayout.sessionPartition(day: day),
                                                    filter: .attribute("userId") == .value(.s(userId)))).items
        }
        let userSessions = sessions
        try await store.write { tx in
            for period in periods where period.granularity != .hourly {
                let kind = Self.periodKind(period.granularity)
                let marker = try EventLayout.activeMarker(kind, period.key, user: userId)
                if try tx.deleteItem(table, marker) != nil {
                    try tx.updateItem(table, EventLayout.counters(kind, period.key), [.add("activeUsers", -1)])
                }
            }
            if let first = try tx.deleteItem(table, ["PK": "METRICS#FIRSTSEEN", "SK": userSK]),
               let day = first["day"]?.stringValue {
                try tx.updateItem(table, EventLayout.counters("DAY", day), [.add("newUsers", -1)])
            }
            for session in userSessions {
                try tx.deleteItem(table, ["PK": session["PK"]!, "SK": session["SK"]!])
                if let id = session["sessionId"]?.stringValue { try tx.deleteItem(table, EventLayout.sessionPointer(id: id)) }
            }
        }
    }
}

extension EventQueue {
    /// Drops the queued (not yet stored) events of one user.
    @discardableResult
    public func erase(userId: String) -> Int {
        removeQueued { $0.userId == userId }
    }
}

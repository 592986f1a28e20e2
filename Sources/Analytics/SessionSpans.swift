/// The first and last event time (ms) of every session seen in a pass, exactly.
///
/// A pass over a day can meet about as many sessions as events, and a hash table that large
/// misses the cache on every lookup. So events are first appended, as (time, session), to one
/// of 256 partitions chosen by the top byte of the session's hash — appends to 256 places stay
/// in the cache — and each partition is then numbered with a ``StringInterner`` of its own,
/// small enough to stay there too. Sessions are told apart by their ids, not their hashes.
struct SessionSpans {
    struct Span {
        var first: Int
        var last: Int
    }

    private struct Event {
        var millis: Int
        var session: String
    }

    private static let partitionBits = 8
    private var partitions = [[Event]](repeating: [], count: 1 << partitionBits)
    private let hash: StringHash

    /// Logs that are to be joined (``add(_:)``) must share their `hash`.
    init(hash: StringHash = StringHash()) {
        self.hash = hash
    }

    mutating func add(_ session: String, at millis: Int) {
        partitions[Int(hash(session) >> UInt64(64 - Self.partitionBits))].append(Event(millis: millis, session: session))
    }

    /// Joins another log made with the same hash (a session seen by both is one session).
    mutating func add(_ other: SessionSpans) {
        precondition(hash == other.hash, "session logs are joined only when they share a hash")
        for index in partitions.indices { partitions[index] += other.partitions[index] }
    }

    /// One span per distinct session, in no particular order.
    func spans() -> [Span] {
        var spans: [Span] = []
        for partition in partitions where !partition.isEmpty {
            var numbers = StringInterner(capacity: partition.count)
            let base = spans.count
            for event in partition {
                let index = base + numbers.number(of: event.session)
                if index == spans.count {
                    spans.append(Span(first: event.millis, last: event.millis))
                } else {
                    spans[index].first = min(spans[index].first, event.millis)
                    spans[index].last = max(spans[index].last, event.millis)
                }
            }
        }
        return spans
    }
}

/// The first and last event time (ms) of every session seen in a pass, exactly.
///
/// A pass over a day can meet about as many sessions as events, and a hash table that large
/// misses the cache on every lookup. So events are first appended, as (hash, time, session),
/// to one of 256 partitions chosen by the hash's top byte — appends to 256 places stay in the
/// cache — and each partition is then folded with a small table of its own that does.
/// Sessions are told apart by their strings, not only their hashes: equal hashes of different
/// sessions stay two sessions.
struct SessionSpans {
    struct Span {
        var first: Int
        var last: Int
    }

    private struct Event {
        var hash: UInt64
        var millis: Int
        var session: String
    }

    private static let partitionBits = 8
    private var partitions = [[Event]](repeating: [], count: 1 << partitionBits)
    private let hash = StringHash()

    mutating func add(_ session: String, at millis: Int) {
        let hash = self.hash(session)
        partitions[Int(hash >> UInt64(64 - Self.partitionBits))].append(Event(hash: hash, millis: millis, session: session))
    }

    /// One span per distinct session, in no particular order.
    func spans() -> [Span] {
        var spans: [Span] = []
        var slots: [Int32] = []   // index into the partition's spans + 1; 0 when empty
        var sessions: [(hash: UInt64, session: String)] = []
        for partition in partitions where !partition.isEmpty {
            var size = 16
            while size < partition.count * 2 { size <<= 1 }
            slots.removeAll(keepingCapacity: true)
            slots.append(contentsOf: repeatElement(0, count: size))
            sessions.removeAll(keepingCapacity: true)
            let base = spans.count
            let mask = size - 1
            for event in partition {
                var slot = Int(truncatingIfNeeded: event.hash) & mask
                while true {
                    let entry = Int(slots[slot])
                    if entry == 0 {
                        slots[slot] = Int32(sessions.count + 1)
                        sessions.append((event.hash, event.session))
                        spans.append(Span(first: event.millis, last: event.millis))
                        break
                    }
                    if sessions[entry - 1].hash == event.hash, sessions[entry - 1].session == event.session {
                        let index = base + entry - 1
                        if event.millis < spans[index].first { spans[index].first = event.millis }
                        if event.millis > spans[index].last { spans[index].last = event.millis }
                        break
                    }
                    slot = (slot + 1) & mask
                }
            }
        }
        return spans
    }
}

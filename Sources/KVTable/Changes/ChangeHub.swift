import Synchronization

/// Delivers committed changes to change-stream subscribers, in commit order.
///
/// Writers record ``PendingChange``s inside their transaction; the storage calls
/// ``publish(_:)`` right after the commit, on the writer (LMDB: the writer thread, in commit
/// order; memory: inside the writer lock), so rolled-back work is never seen and the order of
/// sequence numbers is the commit order.
///
/// Slow consumers: each subscription buffers up to its `bufferSize` changes. Publishing never
/// waits for a consumer (a stalled consumer must not stall every writer); when a buffer is full,
/// that subscription ends with ``KVTableError/changeStreamLagged(_:)`` after the consumer has
/// read what was buffered — a change is never dropped silently.
final class ChangeHub: Sendable {
    private struct Subscriber {
        let keyspace: UInt32
        let continuation: AsyncThrowingStream<Change, any Error>.Continuation
    }

    private struct State {
        var subscribers: [UInt64: Subscriber] = [:]
        var nextSubscriberID: UInt64 = 0
        var nextSequenceNumber: UInt64 = 1
    }

    private let state = Mutex(State())

    func subscribe(keyspace: UInt32, bufferSize: Int) -> AsyncThrowingStream<Change, any Error> {
        let (stream, continuation) = AsyncThrowingStream<Change, any Error>.makeStream(
            bufferingPolicy: .bufferingOldest(max(1, bufferSize)))
        let id = state.withLock { state in
            let id = state.nextSubscriberID
            state.nextSubscriberID += 1
            state.subscribers[id] = Subscriber(keyspace: keyspace, continuation: continuation)
            return id
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    func publish(_ changes: [PendingChange]) {
        guard !changes.isEmpty else { return }
        // Ended outside the lock: finishing runs `onTermination`, which takes the lock.
        var lagged: [(AsyncThrowingStream<Change, any Error>.Continuation, UInt64)] = []
        state.withLock { state in
            guard !state.subscribers.isEmpty else {
                state.nextSequenceNumber += UInt64(changes.count)
                return
            }
            for pending in changes {
                let sequenceNumber = state.nextSequenceNumber
                state.nextSequenceNumber += 1
                guard state.subscribers.values.contains(where: { $0.keyspace == pending.keyspace }) else { continue }
                let change = Change(sequenceNumber: sequenceNumber, tableName: pending.tableName,
                                    kind: pending.kind, keys: pending.keys, oldImage: pending.oldImage,
                                    newImage: pending.newImage, isTimeToLiveDeletion: pending.isTimeToLiveDeletion)
                for (id, subscriber) in state.subscribers where subscriber.keyspace == pending.keyspace {
                    if case .dropped = subscriber.continuation.yield(change) {
                        state.subscribers[id] = nil
                        lagged.append((subscriber.continuation, change.sequenceNumber))
                    }
                }
            }
        }
        for (continuation, missedFrom) in lagged {
            continuation.finish(throwing: KVTableError.changeStreamLagged(
                "The change stream consumer fell behind by more than its buffer; resubscribe and resynchronise from the table (missed from sequence number \(missedFrom))"))
        }
    }

    /// Ends every subscription (the store is closing).
    func finishAll() {
        let subscribers = state.withLock { state in
            defer { state.subscribers.removeAll() }
            return Array(state.subscribers.values)
        }
        for subscriber in subscribers { subscriber.continuation.finish() }
    }
}

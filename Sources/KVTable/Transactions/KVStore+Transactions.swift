#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension KVStore {
    /// DynamoDB's limit on actions per transaction.
    public static let maximumTransactionActions = 100
    /// DynamoDB's bound on the aggregate size of the items one transaction writes: 4 MB.
    public static let maximumTransactionBytes = 4 * 1024 * 1024
    /// How long an idempotency token protects a transaction from being applied twice.
    public static let idempotencyWindow: Duration = .seconds(600)

    /// Applies up to 100 actions on items of this store's tables, all or none.
    ///
    /// Every condition is checked against the items as they were before the transaction; if
    /// any fails (or an update cannot apply to its item) nothing is written and
    /// ``KVTableError/transactionCanceled(_:)`` carries one ``CancellationReason`` per action,
    /// in order. Each item may appear in one action only.
    ///
    /// - Parameters:
    ///   - actions: 1 to 100 puts, updates, deletes and condition checks, on distinct items.
    ///   - clientRequestToken: an idempotency token. A transaction retried with the same token
    ///     within 10 minutes succeeds without being applied again; the same token with other
    ///     actions throws ``KVTableError/idempotentParameterMismatch(_:)``.
    ///   - returnItemsOnConditionFailure: put the current item into each failed condition's
    ///     reason.
    public func transactWrite(_ actions: [TransactionAction], clientRequestToken: String? = nil,
                              returnItemsOnConditionFailure: Bool = false) async throws {
        try await context.transactWrite(actions, clientRequestToken: clientRequestToken,
                                        returnItemsOnConditionFailure: returnItemsOnConditionFailure)
    }

    /// ``transactWrite(_:clientRequestToken:returnItemsOnConditionFailure:)`` that hands back,
    /// per action, the item before and after it (a condition check's item is both; empty for
    /// a retry the token recognised, which writes nothing): the server's consumed capacity
    /// needs their sizes.
    package func transactWriteWithImages(_ actions: [TransactionAction], clientRequestToken: String?,
                                         returnItemsOnConditionFailure: Bool) async throws -> [(old: Item?, new: Item?)] {
        try await context.transactWrite(actions, clientRequestToken: clientRequestToken,
                                        returnItemsOnConditionFailure: returnItemsOnConditionFailure)
    }

    /// Reads up to 100 items, from any tables of this store, in one consistent snapshot.
    /// Returns one entry per request, nil for an absent item.
    ///
    /// `async` like every operation engines share (``ItemStore``), although the local engine
    /// never suspends here; ``transactGetSynchronously(_:)`` is the same read for callers on a
    /// thread that must not suspend (the server's event loop).
    public func transactGet(_ gets: [TransactionGet]) async throws -> [Item?] {
        try transactGetSynchronously(gets)
    }

    /// ``transactGet(_:)`` on the calling thread, without suspending.
    public func transactGetSynchronously(_ gets: [TransactionGet]) throws -> [Item?] {
        try ConstraintViolation.check(.length(gets.count, of: "transactItems", within: 1...KVStore.maximumTransactionActions))
        for get in gets {
            guard get.table.context === context else {
                throw KVTableError.validation("Transaction gets must use tables of this store: \(get.table.name)")
            }
            try get.table.state.checkNotDropped()
        }
        let now = context.time.epochSeconds
        return try storage.read { reader in
            try gets.map { get in
                try TableReader(layout: get.table.layout, reader: reader,
                                ttlAttribute: get.table.state.timeToLiveAttribute, now: now)
                    .getItem(get.key, projection: get.projection)
            }
        }
    }
}

extension StoreContext {
    /// ``KVStore/transactWrite(_:clientRequestToken:returnItemsOnConditionFailure:)``, for the
    /// store and for its tables (``Table/transactWrite(_:clientRequestToken:returnItemsOnConditionFailure:)``).
    @discardableResult
    func transactWrite(_ actions: [TransactionAction], clientRequestToken: String?,
                       returnItemsOnConditionFailure: Bool) async throws -> [(old: Item?, new: Item?)] {
        try ConstraintViolation.check(.length(actions.count, of: "transactItems", within: 1...KVStore.maximumTransactionActions))
        if let token = clientRequestToken {
            try ConstraintViolation.check(.length(token.utf8.count, of: "clientRequestToken", value: token, within: 1...36))
        }
        var seen = Set<[UInt8]>()
        var writes: [PreparedWrite] = []
        // An action whose key or item breaks the table's rules (a key of the wrong type, an
        // update of a key attribute) cancels the transaction with a `ValidationError` reason
        // for that action, as DynamoDB reports it. DynamoDB stops there: every other action's
        // reason is `None`, a later invalid one's included.
        for (position, action) in actions.enumerated() {
            guard action.table.context === self else {
                throw KVTableError.validation("Transaction actions must use tables of this store: \(action.table.name)")
            }
            let write: PreparedWrite
            do {
                write = try action.prepare(returnItemOnConditionFailure: returnItemsOnConditionFailure)
            } catch KVTableError.validation(let message) {
                throw KVTableError.transactionCanceled(actions.indices.map { $0 == position ? .validationError(message) : .none })
            }
            guard seen.insert(TableLayout.prefix(write.table.layout.keyspace) + write.key).inserted else {
                throw KVTableError.validation("Transaction request cannot include multiple operations on one item")
            }
            writes.append(write)
        }
        let token = clientRequestToken.map {
            IdempotencyRecord(token: $0, fingerprint: StableHash.fnv1a(Array(actions.map(\.fingerprintText).joined(separator: "\n").utf8)))
        }
        let time = self.time
        let prepared = writes
        return try await write { log -> [(old: Item?, new: Item?)] in
            let now = time.now()
            if let token, try token.alreadyApplied(at: now, in: log.writer) { return [] }
            let epochSeconds = FixedTime(now).epochSeconds
            // Phase 1: every condition against the state before the transaction.
            var writers: [UInt32: ItemWriter] = [:]
            var planned: [(PreparedWrite, ItemWriter, ItemWriter.Current, PreparedWrite.Effect)] = []
            var reasons: [CancellationReason] = []
            var cancelled = false
            for write in prepared {
                let keyspace = write.table.layout.keyspace
                let items = try writers[keyspace] ?? ItemWriter(writer: log.writer, table: write.table, now: epochSeconds)
                writers[keyspace] = items
                let current = try items.current(write.key)
                do {
                    planned.append((write, items, current, try write.effect(on: current)))
                    reasons.append(.none)
                } catch KVTableError.conditionalCheckFailed(let item) {
                    reasons.append(.conditionalCheckFailed(currentItem: item))
                    cancelled = true
                } catch KVTableError.validation(let message) {
                    reasons.append(.validationError(message))
                    cancelled = true
                }
            }
            if cancelled { throw KVTableError.transactionCanceled(reasons) }
            // DynamoDB's bound on the items a transaction writes, counted on the items it stores.
            let aggregate = planned.reduce(0) { total, step in
                if case .store(let item, _) = step.3 { return total + item.dynamoDBItemSize }
                return total
            }
            if aggregate > KVStore.maximumTransactionBytes {
                throw KVTableError.validation("Transaction request size cannot exceed 4 MB: its items total \(aggregate) bytes")
            }
            // Phase 2: apply them all.
            for (offset, (write, items, current, effect)) in planned.enumerated() {
                do {
                    try write.apply(effect, over: current, with: items, log: &log)
                } catch KVTableError.itemCollectionSizeLimitExceeded(let message) {
                    // As DynamoDB reports it: a reason for the action that would grow the
                    // collection, `None` for the others (the whole transaction is undone).
                    throw KVTableError.transactionCanceled(planned.indices.map {
                        $0 == offset ? .itemCollectionSizeLimitExceeded(message) : .none
                    })
                }
            }
            try token?.record(at: now, in: log.writer)
            return planned.map { _, _, current, effect in
                switch effect {
                case .store(let item, _): (current.live, item)
                case .remove: (current.live, nil)
                case .nothing: (current.live, current.live)
                }
            }
        }
    }

}

/// A transaction's idempotency token as stored in the catalog keyspace:
/// `00000000 02 ‖ token` → `u64 BE milliseconds ‖ u64 BE fingerprint of the actions`.
struct IdempotencyRecord: Sendable {
    static let prefix: [UInt8] = TableLayout.prefix(Catalog.catalogKeyspace) + [0x02]
    let token: String
    let fingerprint: UInt64

    var key: [UInt8] { IdempotencyRecord.prefix + Array(token.utf8) }

    private static func milliseconds(_ date: Date) -> UInt64 {
        UInt64(max(0, date.timeIntervalSince1970 * 1000))
    }

    private static var windowMilliseconds: UInt64 { UInt64(KVStore.idempotencyWindow.components.seconds) * 1000 }

    /// True when this token was used for the same actions within the window; throws when it
    /// was used for other actions.
    func alreadyApplied(at now: Date, in reader: any StorageReader) throws -> Bool {
        guard let value = try reader.value(forKey: key), value.count == 16 else { return false }
        let (at, stored) = value.withUnsafeBytes {
            (UInt64(bigEndian: $0.loadUnaligned(as: UInt64.self)),
             UInt64(bigEndian: $0.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
        }
        guard IdempotencyRecord.milliseconds(now) < at + IdempotencyRecord.windowMilliseconds else { return false }
        guard stored == fingerprint else {
            throw KVTableError.idempotentParameterMismatch("The request uses the same client token as a previous, but non-identical request within the last 10 minutes")
        }
        return true
    }

    /// Records the token, and forgets a few tokens whose window has passed.
    func record(at now: Date, in writer: any StorageWriter) throws {
        let nowMilliseconds = IdempotencyRecord.milliseconds(now)
        var expired: [[UInt8]] = []
        try writer.scan(.prefix(IdempotencyRecord.prefix), reverse: false) { key, value in
            if value.count == 16,
               UInt64(bigEndian: value.loadUnaligned(as: UInt64.self)) + IdempotencyRecord.windowMilliseconds <= nowMilliseconds {
                expired.append(Array(key))
            }
            return expired.count < 16
        }
        for key in expired { try writer.delete(key) }
        var value = withUnsafeBytes(of: nowMilliseconds.bigEndian) { Array($0) }
        value += withUnsafeBytes(of: fingerprint.bigEndian) { Array($0) }
        try writer.put(value, forKey: key)
    }
}

extension StoreTransaction {
    /// Inserts many new items at once: the bulk form of
    /// `putItem(table, item, condition: .notExists(partitionKey))`, for loads of thousands of
    /// items per transaction (analytics events, imports).
    ///
    /// ```swift
    /// let inserted = try tx.insertItems(table, events)   // [true, false, …] in input order
    /// ```
    ///
    /// Each item is stored only when no live item has its key (an expired one is replaced, as
    /// a conditional put would); otherwise it is left out and the stored item stays unchanged.
    /// Two items of the batch with the same key: the first one wins. Every item is
    /// validated first — one invalid item throws and, as with any error in a write, nothing of
    /// the transaction is kept.
    ///
    /// Why it is faster than a loop of ``putItem(_:_:condition:)``: the items are written in
    /// key order, the existence check and the write are one B-tree descent (LMDB's
    /// `MDB_NOOVERWRITE`), and the index and expiry entries of the whole batch are written
    /// afterwards, sorted, so time-ordered keys append at the right edge of their trees.
    /// Change-stream records are the same as for single puts.
    ///
    /// - Returns: for each item, in input order, whether it was stored.
    public func insertItems(_ table: Table, _ items: [Item]) throws -> [Bool] {
        try table.state.checkNotDropped()
        return try withItemWriter(table) { writer, log in
            // Everything is checked before anything is written.
            let batch = try writer.prepareNew(items)
            return try writer.insert(batch, log: &log)
        }
    }
}

extension StoreTransaction {
    /// Puts many items at once, replacing what is stored at their keys: the bulk form of
    /// ``putItem(_:_:condition:)`` without a condition.
    ///
    /// ```swift
    /// try tx.putItems(table, sessions)
    /// ```
    ///
    /// Written in key order, as ``insertItems(_:_:)`` is: a new key costs one B-tree descent,
    /// a replaced item one read and the updates its index entries need. When a key appears
    /// twice in the batch the later item is the one stored. Every item is checked before
    /// anything is written; index, expiry and change-stream records are those of single puts.
    public func putItems(_ table: Table, _ items: [Item]) throws {
        try table.state.checkNotDropped()
        try withItemWriter(table) { writer, log in
            let batch = try writer.prepareNew(items)
            try writer.put(batch, log: &log)
        }
    }
}

extension ItemWriter {
    /// A validated item with its bytes and storage entries.
    struct NewItem {
        let item: Item
        let encoded: [UInt8]
        let entries: TableLayout.NewItemEntries
        var key: [UInt8] { entries.key }
    }

    func prepareNew(_ item: Item, lookup: AttributeNames) throws -> NewItem {
        try ItemValidation.validate(item)
        let encoded = ItemCodec.encode(item)
        return NewItem(item: item, encoded: encoded,
                       entries: try layout.entries(ofNew: item, encoded: encoded, ttlAttribute: ttlAttribute, lookup: lookup))
    }

    /// Every item of a bulk write checked and prepared, before anything is written.
    func prepareNew(_ items: [Item]) throws -> [NewItem] {
        let lookup = layout.lookupNames(ttlAttribute: ttlAttribute)
        return try items.map { try prepareNew($0, lookup: lookup) }
    }

    /// See ``StoreTransaction/insertItems(_:_:)``.
    func insert(_ batch: [NewItem], log: inout ChangeLog) throws -> [Bool] {
        var inserted = [Bool](repeating: false, count: batch.count)
        var entries: [(key: [UInt8], value: [UInt8])] = []
        entries.reserveCapacity(batch.count * (layout.indexes.count + 1))
        for position in Self.keyOrder(batch) {
            let new = batch[position]
            if try insertNew(new, entries: &entries, log: &log) {
                inserted[position] = true
            } else {
                // Present: a live item wins; an expired one is replaced (and reported removed).
                let current = try self.current(new.key)
                guard current.live == nil else { continue }
                try put(new.item, encoded: new.encoded, over: current, log: &log)
                inserted[position] = true
            }
        }
        try writeSorted(&entries)
        return inserted
    }

    /// See ``StoreTransaction/putItems(_:_:)``; with `rejectingDuplicates` (``Table/batchWrite(_:)``'s
    /// rule) two items with one key throw before anything is written, instead of the later winning.
    func put(_ batch: [NewItem], rejectingDuplicates: Bool = false, log: inout ChangeLog) throws {
        var entries: [(key: [UInt8], value: [UInt8])] = []
        let order = Self.keyOrder(batch)
        if rejectingDuplicates, zip(order, order.dropFirst()).contains(where: { batch[$0].key == batch[$1].key }) {
            throw KVTableError.validation("Provided list of item keys contains duplicates")
        }
        for (rank, position) in order.enumerated() {
            // Of equal keys only the last one is put.
            if rank + 1 < order.count, batch[order[rank + 1]].key == batch[position].key { continue }
            let new = batch[position]
            if try !insertNew(new, entries: &entries, log: &log) {
                try put(new.item, encoded: new.encoded, over: try current(new.key), log: &log)
            }
        }
        try writeSorted(&entries)
    }

    /// The batch's positions in key order; equal keys in input order.
    private static func keyOrder(_ batch: [NewItem]) -> [Int] {
        batch.indices.sorted {
            let order = compareBytes(batch[$0].key, batch[$1].key)
            return order != 0 ? order < 0 : $0 < $1
        }
    }

    /// Stores `new` when its key is absent — one descent — recording its change and keeping
    /// its index and expiry entries for ``writeSorted(_:)``; returns false when the key is taken.
    private func insertNew(_ new: NewItem, entries: inout [(key: [UInt8], value: [UInt8])], log: inout ChangeLog) throws -> Bool {
        guard try writer.insert(new.encoded, forKey: new.key) else { return false }
        try updateCollectionSize(old: nil, new: new.item)
        entries += new.entries.secondary
        log.changes.append(change(.insert, old: nil, new: new.item, timeToLive: false))
        return true
    }

    /// Writes a batch's index and expiry entries in key order.
    private func writeSorted(_ entries: inout [(key: [UInt8], value: [UInt8])]) throws {
        entries.sort { compareBytes($0.key, $1.key) < 0 }
        for entry in entries { try writer.put(entry.value, forKey: entry.key) }
    }
}

/// A request of a batch write (``ItemTable/batchWrite(_:)``): put an item, or delete one by key.
public enum WriteRequest: Sendable, Hashable {
    /// Stores the item, replacing any item with its primary key (DynamoDB's `PutRequest`).
    case put(Item)
    /// Deletes the item with this primary key, if any (DynamoDB's `DeleteRequest`).
    case delete(key: Item)
}

extension Table {
    /// A request of ``Table/batchWrite(_:)`` (the top-level ``WriteRequest``).
    public typealias WriteRequest = KVTable.WriteRequest

    /// The items with these keys, in the order of `keys`, leaving out absent ones, all read in
    /// one snapshot. Any number of keys; duplicates are rejected.
    public func batchGet(_ keys: [Item], projection: [AttributePath]? = nil) async throws -> [Item] {
        try read { try $0.batchGetItems(keys, projection: projection) }
    }

    /// Puts and deletes any number of items (no conditions), rejecting two requests for one
    /// key.
    ///
    /// Unlike DynamoDB's `BatchWriteItem` — which may apply some requests and return the rest
    /// as unprocessed — a local batch is **atomic**: one transaction, all requests or none.
    /// (Its size is bounded only by what one LMDB transaction can hold, hundreds of megabytes.)
    ///
    /// A batch of puts only (an import, a load) takes the bulk path of
    /// ``StoreTransaction/putItems(_:_:)``: written in key order, new keys in one descent each.
    public func batchWrite(_ requests: [WriteRequest]) async throws {
        let puts = requests.compactMap { request -> Item? in
            if case .put(let item) = request { return item } else { return nil }
        }
        if puts.count == requests.count { return try await bulkPut(puts) }
        var seen = Set<[UInt8]>()
        let writes = try requests.map { request -> PreparedWrite in
            let write: PreparedWrite
            switch request {
            case .put(let item): write = try PreparedWrite.put(item, into: self.state, condition: nil)
            case .delete(let key): write = try PreparedWrite.delete(key, from: self.state, condition: nil)
            }
            guard seen.insert(write.key).inserted else {
                throw KVTableError.validation("Provided list of item keys contains duplicates")
            }
            return write
        }
        guard !writes.isEmpty else { return }
        let state = self.state
        let time = context.time
        try await context.write { log in
            let items = try ItemWriter(writer: log.writer, table: state, now: time.epochSeconds)
            for write in writes {
                let current = try items.current(write.key)
                try write.apply(try write.effect(on: current), over: current, with: items, log: &log)
            }
        }
    }

    /// ``batchWrite(_:)`` of puts only, through ``ItemWriter/put(_:rejectingDuplicates:log:)``.
    private func bulkPut(_ items: [Item]) async throws {
        guard !items.isEmpty else { return }
        let state = self.state
        let time = context.time
        try await context.write { log in
            let writer = try ItemWriter(writer: log.writer, table: state, now: time.epochSeconds)
            try writer.put(try writer.prepareNew(items), rejectingDuplicates: true, log: &log)
        }
    }

    /// Committed changes to this table, in commit order, from now on.
    ///
    /// The stream buffers up to `bufferSize` changes for a slow consumer. Writers never wait
    /// for it: when the buffer overflows, the stream delivers what it buffered and then ends
    /// with ``KVTableError/changeStreamLagged(_:)`` — no change is ever dropped silently.
    /// Resubscribe and resynchronise from the table after that error.
    public func changes(bufferSize: Int = 10_000) -> ChangeStream {
        ChangeStream(base: context.changes.subscribe(keyspace: layout.keyspace, bufferSize: bufferSize))
    }
}

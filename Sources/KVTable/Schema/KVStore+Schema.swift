#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A change to a table's global secondary indexes (DynamoDB's `GlobalSecondaryIndexUpdates`).
public enum IndexChange: Sendable, Hashable {
    /// Adds an index and fills it from the items already stored.
    case create(GlobalSecondaryIndex)
    /// Removes an index and all its entries.
    case delete(String)
}

extension KVStore {
    /// Adds or removes a global secondary index of table `name` (local secondary indexes are
    /// fixed when the table is created).
    ///
    /// A new index is filled (backfilled) in the same write transaction, so it is complete
    /// the moment the call returns; items whose index key attributes have the wrong type or an
    /// empty value are left out of it, as DynamoDB leaves them out. Other writes wait while a
    /// large table is backfilled. Existing ``Table`` handles see the change at once.
    ///
    /// - Throws: ``KVTableError/validation(_:)`` for an invalid or duplicate index, an
    ///   attribute declared with a second type, or deleting a local index;
    ///   ``KVTableError/resourceNotFound(_:)`` for an unknown table or deleting an index the
    ///   table does not have.
    public func updateTable(_ name: String, _ change: IndexChange) async throws {
        let state = try table(name).state
        let expected = state.description
        switch change {
        case .create(let index):
            guard expected.schema.index(named: index.name) == nil else {
                throw KVTableError.validation("Attempting to create an index which already exists")   // DynamoDB names no index
            }
            var schema = expected.schema
            schema.globalSecondaryIndexes.append(index)
            try schema.validate()
        case .delete(let indexName):
            guard let index = expected.schema.index(named: indexName) else {
                throw KVTableError.resourceNotFound("Requested resource not found: Requested index \(indexName) not found for table \(name)")
            }
            guard !index.isLocal else {
                throw KVTableError.validation("Cannot delete an index that is not a GlobalSecondaryIndex: \(indexName)")
            }
        }
        try await writeDescription(of: state, expected: expected) { writer in
            // The committed description, not the in-memory one: a replayed group commit must
            // start from what is stored.
            let old = try Catalog.committedDescription(of: expected, in: writer)
            var new = old
            switch change {
            case .create(let index):
                let keyspace = try Catalog.allocateKeyspace(in: writer)
                new.schema.globalSecondaryIndexes.append(index)
                new.indexKeyspaces[index.name] = keyspace
                try Self.backfill(new.layout.index(named: index.name), of: new.layout, in: writer)
            case .delete(let indexName):
                if let keyspace = old.indexKeyspaces[indexName] {
                    try Catalog.clear(keyspace: keyspace, in: writer)
                }
                new.schema.globalSecondaryIndexes.removeAll { $0.name == indexName }
                new.indexKeyspaces[indexName] = nil
            }
            try Catalog.record(new, in: writer)
            return new
        }
    }

    /// Runs a catalog change and installs the new description on the writer thread, inside the
    /// transaction (so that later write bodies maintain the new indexes); puts the old one
    /// back if the transaction does not commit.
    func writeDescription(of state: TableState, expected: TableDescription,
                          _ body: @escaping @Sendable (any StorageWriter) throws -> TableDescription) async throws {
        do {
            try await storage.write { writer in
                let new = try body(writer)
                state.replaceDescription(new)
            }
        } catch {
            state.replaceDescription(expected)
            throw error
        }
    }

    /// Writes the entry of every stored item that has valid keys for `index`.
    private static func backfill(_ index: TableLayout.IndexLayout, of layout: TableLayout,
                                 in writer: any StorageWriter) throws {
        var entries: [([UInt8], [UInt8])] = []
        try writer.scan(.prefix(TableLayout.prefix(layout.keyspace)), reverse: false) { _, value in
            let item = try ItemCodec.decode(value)
            if let key = layout.validIndexKey(of: item, in: index) {
                entries.append((key, layout.indexValue(of: item, encoded: Array(value), in: index)))
            }
            return true
        }
        for (key, value) in entries { try writer.put(value, forKey: key) }
    }

    /// Adds or replaces tags of table `name` (DynamoDB's `TagResource`).
    ///
    /// All or nothing: if one tag breaks a rule of ``validateTag(key:value:)``, or the table would
    /// have more than 50 tags, nothing changes.
    public func tagTable(_ name: String, _ tags: [String: String]) async throws {
        guard !tags.isEmpty else { throw KVTableError.validation("Atleast one Tag needs to be provided as Input.") }
        try KVStore.validateTags(tags)
        try await changeDescription(of: name) { description in
            description.tags = (description.tags ?? [:]).merging(tags) { $1 }
            try KVStore.validateTags(description.tags!)
        }
    }

    /// DynamoDB's tag rules for each tag (in key order, so the error named is always the same
    /// one) and the limit of 50 tags on a table.
    static func validateTags(_ tags: [String: String]) throws(KVTableError) {
        for key in tags.keys.sorted() {
            try validateTag(key: key, value: tags[key]!)
        }
        guard tags.count <= 50 else {
            throw .validation("Number of Tags exceed the current limit for the provided ResourceArn")
        }
    }

    /// One tag as DynamoDB checks it: a key of 1 to 128 characters and a value of at most 256,
    /// both made of letters, digits and spaces of any script and `+ - = . _ : / @` (the AWS tag
    /// pattern `[\p{L}\p{Z}\p{N}_.:/=+\-@]*`); a key may not begin with `aws:`, the prefix AWS
    /// keeps for itself. The messages are DynamoDB's.
    public static func validateTag(key: String, value: String) throws(KVTableError) {
        guard (1...128).contains(key.unicodeScalars.count), isTagText(key) else {
            throw .validation("The Tag Key provided is invalid, Key: \(key)")
        }
        guard !key.hasPrefix("aws:") else {
            throw .validation("Tag Key cannot be prefixed with aws:, Key: \(key)")
        }
        guard value.unicodeScalars.count <= 256, isTagText(value) else {
            throw .validation("The Tag Value provided is invalid, Value: \(value)")
        }
    }

    private static func isTagText(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { scalar in
            switch scalar.properties.generalCategory {
            case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
                 .spaceSeparator, .lineSeparator, .paragraphSeparator,
                 .decimalNumber, .letterNumber, .otherNumber:
                return true
            default:
                return "_.:/=+-@".unicodeScalars.contains(scalar)
            }
        }
    }

    /// Removes tags of table `name` (DynamoDB's `UntagResource`); absent keys are ignored, keys no
    /// tag could have (see ``validateTag(key:value:)``) are refused.
    public func untagTable(_ name: String, keys: [String]) async throws {
        guard !keys.isEmpty else { throw KVTableError.validation("Atleast one Tag Key needs to be provided as Input.") }
        guard keys.count <= 50 else {
            throw KVTableError.validation("Number of Tags exceed the current limit for the provided ResourceArn")
        }
        for key in keys {
            guard (1...128).contains(key.unicodeScalars.count) else {
                throw KVTableError.validation("The Tag Key provided is invalid, Key: \(key)")
            }
        }
        try await changeDescription(of: name) { description in
            for key in keys { description.tags?[key] = nil }
        }
    }

    /// Sets (or, with nil, removes) entries of table `name`'s ``Table/metadata``.
    public func updateTableMetadata(_ name: String, _ changes: [String: String?]) async throws {
        try await changeDescription(of: name) { description in
            var metadata = description.metadata ?? [:]
            for (key, value) in changes { metadata[key] = value }
            description.metadata = metadata.isEmpty ? nil : metadata
        }
    }

    private func changeDescription(of name: String,
                                   _ change: @escaping @Sendable (inout TableDescription) throws -> Void) async throws {
        let state = try table(name).state
        let expected = state.description
        try await writeDescription(of: state, expected: expected) { writer in
            var description = try Catalog.committedDescription(of: expected, in: writer)
            try change(&description)
            try Catalog.record(description, in: writer)
            return description
        }
    }
}

extension Table {
    /// When the table was created (nil for tables created by KVTable versions that did not
    /// record it).
    public var creationDate: Date? { state.description.createdAt.map(Date.init(timeIntervalSince1970:)) }

    /// The table's tags.
    public var tags: [String: String] { state.description.tags ?? [:] }

    /// Settings that layers above the table keep with it, in the store file (the DynamoDB
    /// server keeps a table's `BillingMode` and `ProvisionedThroughput` here). Change them with
    /// ``KVStore/updateTableMetadata(_:_:)``.
    public var metadata: [String: String] { state.description.metadata ?? [:] }
}

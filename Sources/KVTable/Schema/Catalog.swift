#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A table as recorded in the store: its schema and the keyspaces of its data and indexes.
struct TableDescription: Sendable, Codable, Hashable {
    var schema: TableSchema
    var keyspace: UInt32
    var indexKeyspaces: [String: UInt32]
    /// Where the expiry index lives: `ks ‖ enc(ttl) ‖ enc(table key)` → empty.
    var expiryKeyspace: UInt32
    /// Where the sizes of item collections live, for a table with local secondary indexes
    /// (``TableLayout/collectionKeyspace``); nil for other tables.
    var collectionKeyspace: UInt32? = nil
    /// The TTL attribute (epoch seconds), when TTL is enabled.
    var timeToLiveAttribute: String?
    /// When the table was created (epoch seconds); nil in catalogs written before it was kept.
    var createdAt: Double?
    /// Tags (DynamoDB's `TagResource`), kept with the table.
    var tags: [String: String]?
    /// Settings of layers above the table (``Table/metadata``), kept with it.
    var metadata: [String: String]?

    var layout: TableLayout {
        TableLayout(schema: schema, keyspace: keyspace, indexKeyspaces: indexKeyspaces, expiryKeyspace: expiryKeyspace,
                    collectionKeyspace: collectionKeyspace)
    }
}

/// The catalog: table descriptions stored in keyspace 0 of the store itself, so that
/// reopening a store file restores its tables and indexes.
///
/// ```
/// 00000000 00             → next free keyspace number (u32 big-endian)
/// 00000000 01 ‖ name      → keyspace (u32 BE) ‖ TTL attribute (u16 BE length ‖ UTF-8)
///                           ‖ TableDescription as JSON
/// 00000000 02 ‖ token     → idempotency record of a transaction (see `IdempotencyRecord`)
/// ```
/// The binary header lets every write check cheaply, inside its transaction, that its table
/// still exists and which attribute is its TTL.
/// Keyspaces are never reused, so data of a deleted table can never show through a new one.
enum Catalog {
    static let catalogKeyspace: UInt32 = 0
    private static let nextKeyspaceKey: [UInt8] = TableLayout.prefix(catalogKeyspace) + [0x00]
    private static let tablePrefix: [UInt8] = TableLayout.prefix(catalogKeyspace) + [0x01]

    static func key(forTable name: String) -> [UInt8] {
        tablePrefix + Array(name.utf8)
    }

    static func allDescriptions(in reader: any StorageReader) throws -> [TableDescription] {
        var result: [TableDescription] = []
        try reader.scan(.prefix(tablePrefix), reverse: false) { _, value in
            result.append(try decode(Array(value)))
            return true
        }
        return result
    }

    /// Records a new table, giving it and its indexes fresh keyspaces.
    static func create(_ schema: TableSchema, in writer: any StorageWriter) throws -> TableDescription {
        guard try writer.value(forKey: key(forTable: schema.name)) == nil else {
            throw KVTableError.resourceInUse("Table already exists: \(schema.name)")
        }
        var next: UInt32 = 1
        if let bytes = try writer.value(forKey: nextKeyspaceKey), bytes.count == 4 {
            next = bytes.withUnsafeBytes { UInt32(bigEndian: $0.loadUnaligned(as: UInt32.self)) }
        }
        let keyspace = next
        var indexKeyspaces: [String: UInt32] = [:]
        let indexes = schema.secondaryIndexes
        for (offset, index) in indexes.enumerated() {
            indexKeyspaces[index.name] = next + 1 + UInt32(offset)
        }
        let expiryKeyspace = next + 1 + UInt32(indexes.count)
        let collectionKeyspace = schema.localSecondaryIndexes.isEmpty ? nil : expiryKeyspace + 1
        next = (collectionKeyspace ?? expiryKeyspace) + 1
        try writer.put(withUnsafeBytes(of: next.bigEndian) { Array($0) }, forKey: nextKeyspaceKey)
        let description = TableDescription(schema: schema, keyspace: keyspace, indexKeyspaces: indexKeyspaces,
                                           expiryKeyspace: expiryKeyspace, collectionKeyspace: collectionKeyspace,
                                           timeToLiveAttribute: nil, createdAt: Date().timeIntervalSince1970, tags: nil, metadata: nil)
        try record(description, in: writer)
        return description
    }

    /// Takes the next free keyspace number (for an index added to an existing table).
    static func allocateKeyspace(in writer: any StorageWriter) throws -> UInt32 {
        var next: UInt32 = 1
        if let bytes = try writer.value(forKey: nextKeyspaceKey), bytes.count == 4 {
            next = bytes.withUnsafeBytes { UInt32(bigEndian: $0.loadUnaligned(as: UInt32.self)) }
        }
        try writer.put(withUnsafeBytes(of: (next + 1).bigEndian) { Array($0) }, forKey: nextKeyspaceKey)
        return next
    }

    /// The committed description of table `name`, after checking it is still the table
    /// `expected` stands for (same keyspace).
    static func committedDescription(of expected: TableDescription, in reader: any StorageReader) throws -> TableDescription {
        try ensureCurrent(expected, in: reader)
        guard let bytes = try reader.value(forKey: key(forTable: expected.schema.name)) else {
            throw KVTableError.resourceNotFound("Requested resource not found: Table: \(expected.schema.name) not found")
        }
        return try decode(bytes)
    }

    /// Removes every entry of one keyspace.
    static func clear(keyspace: UInt32, in writer: any StorageWriter) throws {
        var keys: [[UInt8]] = []
        try writer.scan(.prefix(TableLayout.prefix(keyspace)), reverse: false) { key, _ in
            keys.append(Array(key))
            return true
        }
        for key in keys { try writer.delete(key) }
    }

    /// Writes (or rewrites) a table's catalog entry.
    static func record(_ description: TableDescription, in writer: any StorageWriter) throws {
        var value = TableLayout.prefix(description.keyspace)
        let ttl = Array((description.timeToLiveAttribute ?? "").utf8)
        value += withUnsafeBytes(of: UInt16(ttl.count).bigEndian) { Array($0) }
        value += ttl
        value += try JSONEncoder().encode(description)
        try writer.put(value, forKey: key(forTable: description.schema.name))
    }

    /// Removes a table's description, items and index entries.
    static func drop(_ description: TableDescription, in writer: any StorageWriter) throws {
        let keyspaces = [description.keyspace, description.expiryKeyspace] + (description.collectionKeyspace.map { [$0] } ?? [])
            + description.indexKeyspaces.values.sorted()
        for keyspace in keyspaces {
            try clear(keyspace: keyspace, in: writer)
        }
        try writer.delete(key(forTable: description.schema.name))
    }

    /// The table's TTL attribute as committed, after checking that `description` is still the
    /// table recorded under its name (it may have been deleted, or deleted and created again);
    /// throws ``KVTableError/resourceNotFound(_:)`` otherwise.
    @discardableResult
    static func ensureCurrent(_ description: TableDescription, in reader: any StorageReader) throws -> String? {
        let header = try reader.withValue(forKey: key(forTable: description.schema.name)) { value -> (UInt32, String?)? in
            guard let value, value.count >= 6 else { return nil }
            let keyspace = UInt32(bigEndian: value.loadUnaligned(as: UInt32.self))
            let length = Int(UInt16(bigEndian: value.loadUnaligned(fromByteOffset: 4, as: UInt16.self)))
            guard value.count >= 6 + length else { return nil }
            let ttl = length == 0 ? nil : String(decoding: UnsafeRawBufferPointer(rebasing: value[6..<6 + length]), as: UTF8.self)
            return (keyspace, ttl)
        }
        guard let header, header.0 == description.keyspace else {
            throw KVTableError.resourceNotFound("Requested resource not found: Table: \(description.schema.name) not found")
        }
        return header.1
    }

    private static func decode(_ bytes: [UInt8]) throws -> TableDescription {
        do {
            guard bytes.count >= 6 else { throw KVTableError.storage("truncated header") }
            let length = Int(bytes[4]) << 8 | Int(bytes[5])
            return try JSONDecoder().decode(TableDescription.self, from: Data(bytes.dropFirst(6 + length)))
        } catch {
            throw KVTableError.storage("The catalog entry of a table is unreadable: \(error)")
        }
    }
}

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

    var layout: TableLayout {
        TableLayout(schema: schema, keyspace: keyspace, indexKeyspaces: indexKeyspaces)
    }
}

/// The catalog: table descriptions stored in keyspace 0 of the store itself, so that
/// reopening a store file restores its tables and indexes.
///
/// ```
/// 00000000 00             → next free keyspace number (u32 big-endian)
/// 00000000 01 ‖ name      → keyspace (u32 big-endian) ‖ TableDescription as JSON
/// ```
/// The leading keyspace lets every write check cheaply that its table still exists.
/// Keyspaces are never reused, so data of a deleted table can never show through a new one.
enum Catalog {
    static let catalogKeyspace: UInt32 = 0
    private static let nextKeyspaceKey: [UInt8] = TableLayout.prefix(catalogKeyspace) + [0x00]
    private static let tablePrefix: [UInt8] = TableLayout.prefix(catalogKeyspace) + [0x01]

    static func key(forTable name: String) -> [UInt8] {
        tablePrefix + Array(name.utf8)
    }

    static func description(named name: String, in reader: any StorageReader) throws -> TableDescription? {
        guard let bytes = try reader.value(forKey: key(forTable: name)) else { return nil }
        return try decode(bytes)
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
        for (offset, index) in schema.globalSecondaryIndexes.enumerated() {
            indexKeyspaces[index.name] = next + 1 + UInt32(offset)
        }
        next += 1 + UInt32(schema.globalSecondaryIndexes.count)
        try writer.put(withUnsafeBytes(of: next.bigEndian) { Array($0) }, forKey: nextKeyspaceKey)
        let description = TableDescription(schema: schema, keyspace: keyspace, indexKeyspaces: indexKeyspaces)
        let json = try JSONEncoder().encode(description)
        try writer.put(TableLayout.prefix(keyspace) + json, forKey: key(forTable: schema.name))
        return description
    }

    /// Removes a table's description, items and index entries.
    static func drop(_ description: TableDescription, in writer: any StorageWriter) throws {
        let keyspaces = [description.keyspace] + description.indexKeyspaces.values.sorted()
        for keyspace in keyspaces {
            var keys: [[UInt8]] = []
            try writer.scan(.prefix(TableLayout.prefix(keyspace)), reverse: false) { key, _ in
                keys.append(Array(key))
                return true
            }
            for key in keys { try writer.delete(key) }
        }
        try writer.delete(key(forTable: description.schema.name))
    }

    /// Throws ``KVTableError/resourceNotFound(_:)`` unless `description` is still the table
    /// recorded under its name (it may have been deleted, or deleted and created again).
    static func ensureCurrent(_ description: TableDescription, in reader: any StorageReader) throws {
        let recorded = try reader.withValue(forKey: key(forTable: description.schema.name)) { value in
            value.map { $0.count >= 4 && $0.loadUnaligned(as: UInt32.self) == description.keyspace.bigEndian } ?? false
        }
        guard recorded else {
            throw KVTableError.resourceNotFound("Requested resource not found: Table: \(description.schema.name) not found")
        }
    }

    private static func decode(_ bytes: [UInt8]) throws -> TableDescription {
        do {
            return try JSONDecoder().decode(TableDescription.self, from: Data(bytes.dropFirst(4)))
        } catch {
            throw KVTableError.storage("The catalog entry of a table is unreadable: \(error)")
        }
    }
}

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A typed item of a single-table design: a `Codable` type that declares its name and how its
/// keys are built from its properties.
///
/// ```swift
/// struct User: Entity {
///     static let entityType = "User"
///     static let key = KeyTemplate(partition: "USER#{userId}", sort: "PROFILE")
///     static let indexKeys = ["GSI3": KeyTemplate(partition: "USERS", sort: "{name}#{userId}")]
///     static let uniqueAttributes = ["email"]
///
///     var userId: String
///     var name: String
///     var email: String
/// }
/// ```
///
/// The stored item is the encoded entity (``ItemEncoder``) plus `EntityType` and the key
/// attributes of the table and of every index whose template variables the entity has (indexes
/// stay sparse). Keys are always recomputed from the whole entity, so an update can never leave a
/// stale index key behind.
public protocol Entity: Codable, Sendable {
    /// Stored as the `EntityType` attribute; tells entity types apart in one partition.
    static var entityType: String { get }
    /// The table's partition and sort key.
    static var key: KeyTemplate { get }
    /// Index name → that index's partition and sort key.
    static var indexKeys: [String: KeyTemplate] { get }
    /// Attributes whose values must be unique among entities of this type (an e-mail address).
    /// Enforced with marker items written in the same transaction as the entity.
    static var uniqueAttributes: [String] { get }
    /// How `Date` properties are stored.
    static var dateEncoding: DateEncoding { get }
}

extension Entity {
    public static var indexKeys: [String: KeyTemplate] { [:] }
    public static var uniqueAttributes: [String] { [] }
    public static var dateEncoding: DateEncoding { .iso8601 }

    /// The attribute that stores ``entityType``.
    public static var entityTypeAttribute: String { "EntityType" }

    /// The partition key value of the table (or of `index`) for these template variables:
    /// what a ``Query`` needs.
    ///
    /// ```swift
    /// Query(partitionKey: try AudioFile.partitionKey(["userId": "42"]), sortKey: .beginsWith("FILE#"))
    /// ```
    public static func partitionKey(_ variables: Item, index: String? = nil) throws -> AttributeValue {
        .s(try template(for: index).renderPartition(variables))
    }

    /// The sort key value of the table (or of `index`) for these template variables.
    public static func sortKey(_ variables: Item, index: String? = nil) throws -> AttributeValue {
        let template = try template(for: index)
        guard let sort = template.sort else {
            throw KVTableError.validation("\(entityType) has no sort key template\(index.map { " for index \($0)" } ?? "")")
        }
        return .s(try KeyTemplate.render(sort, with: variables))
    }

    static func template(for index: String?) throws -> KeyTemplate {
        guard let index else { return key }
        guard let template = indexKeys[index] else {
            throw KVTableError.validation("\(entityType) declares no key template for index \(index)")
        }
        return template
    }
}

/// How a key is built from an entity's properties: `USER#{userId}`, `FILE#{uploadedAt}#{fileId}`.
///
/// `{name}` is replaced by the entity's top-level attribute `name`: a string as itself, a number
/// in canonical form, binary as base64, a Boolean as `true`/`false`. Every substituted value is
/// escaped — `%` as `%25`, `#` as `%23` — so a `#` inside a value can never make two different
/// entities' keys equal, nor make `begins_with("USER#1#")` match user `1#2`.
public struct KeyTemplate: Sendable, Hashable {
    /// The partition key's template (`USER#{userId}`).
    public var partition: String
    /// The sort key's template (`FILE#{uploadedAt}#{fileId}`); nil for a key without a sort key.
    public var sort: String?

    /// A template for a partition key and, optionally, a sort key.
    public init(partition: String, sort: String? = nil) {
        self.partition = partition
        self.sort = sort
    }

    /// The variable names the template uses.
    public var variables: [String] {
        ([partition] + (sort.map { [$0] } ?? [])).flatMap(KeyTemplate.variables(in:))
    }

    func renderPartition(_ item: Item) throws -> String {
        try KeyTemplate.render(partition, with: item)
    }

    static func variables(in template: String) -> [String] {
        var names: [String] = []
        var rest = template[...]
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            names.append(String(rest[rest.index(after: open)..<close]))
            rest = rest[rest.index(after: close)...]
        }
        return names
    }

    /// Fills `template` from `item`; throws for a missing variable or a value that cannot be
    /// part of a key.
    static func render(_ template: String, with item: Item) throws -> String {
        var result = ""
        var rest = template[...]
        while let open = rest.firstIndex(of: "{") {
            guard let close = rest[open...].firstIndex(of: "}") else {
                throw KVTableError.validation("Key template \(template.debugDescription) has an unclosed '{'")
            }
            result += rest[..<open]
            let name = String(rest[rest.index(after: open)..<close])
            guard let value = item[name] else {
                throw KVTableError.validation("Key template \(template.debugDescription) needs the attribute \(name)")
            }
            guard let text = keyText(value) else {
                throw KVTableError.validation("Key template \(template.debugDescription): attribute \(name) is \(value.type.rawValue); only S, N, B and BOOL can be part of a key")
            }
            result += escape(text)
            rest = rest[rest.index(after: close)...]
        }
        return result + rest
    }

    /// A value as key text (unescaped): a string as itself, a number in canonical form,
    /// binary as base64, a Boolean as `true`/`false`; nil for other types.
    static func keyText(_ value: AttributeValue) -> String? {
        switch value {
        case .s(let s): return s
        case .n(let n): return n.description
        case .b(let b): return b.base64EncodedString()
        case .bool(let flag): return flag ? "true" : "false"
        default: return nil
        }
    }

    /// Escapes a value for use inside a `#`-separated key: `%` → `%25`, `#` → `%23`.
    public static func escape(_ value: String) -> String {
        guard value.contains(where: { $0 == "%" || $0 == "#" }) else { return value }
        var escaped = ""
        for character in value {
            switch character {
            case "%": escaped += "%25"
            case "#": escaped += "%23"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}


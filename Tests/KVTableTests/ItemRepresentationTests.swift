import Foundation
import Testing
@testable import KVTable

/// `Item` keeps a stored item's bytes and decodes attributes on access; built items hold a
/// dictionary. Both must behave identically.
@Suite("Items backed by stored bytes")
struct ItemRepresentationTests {
    static let sample: Item = [
        "PK": "USER#1", "SK": "PROFILE", "name": "Ada", "age": 36, "score": .n(ExactDecimal("1.50")),
        "tags": .ss(["b", "a"]), "nested": ["list": [1, "two", nil], "flag": true], "blob": .b(Data([0, 255])),
        "é": "composed", "": "empty name",   // the codec stores any name; a table refuses this one
    ]

    /// ``sample`` without the name a table refuses.
    static var storable: Item { Item(sample.attributes.filter { !$0.key.isEmpty }) }

    static func stored(_ item: Item) throws -> Item {
        try ItemCodec.decode(ItemCodec.encode(item))
    }

    @Test("a stored item answers every lookup as the dictionary does")
    func lookups() throws {
        let stored = try Self.stored(Self.sample)
        guard case .encoded = stored.storage else { Issue.record("decode should keep bytes"); return }
        #expect(stored.count == Self.sample.count)
        for (name, value) in Self.sample.attributes {
            #expect(stored[name] == value, "attribute \(name)")
            #expect(stored.contains(name))
        }
        #expect(stored["missing"] == nil)
        #expect(!stored.contains("missing"))
        #expect(stored["zzz"] == nil)   // past the last name
        #expect(stored[""] == "empty name")
        #expect(stored == Self.sample)
        #expect(stored.hashValue == Self.sample.hashValue)
    }

    @Test("in stored items names match by their UTF-8 bytes, as in DynamoDB")
    func namesByBytes() throws {
        // Two names a Swift dictionary would take for one: "e" + U+0301 and the composed "é".
        func string(_ text: String) -> [UInt8] { [UInt8(text.utf8.count)] + Array(text.utf8) }
        let bytes: [UInt8] = [1, 2] + string("e\u{301}") + [1] + string("decomposed") + string("é") + [1] + string("composed")
        let stored = try ItemCodec.decode(bytes)
        #expect(stored.count == 2)
        #expect(stored["é"] == "composed")
        #expect(stored["e\u{301}"] == "decomposed")
        #expect(stored.keys.map { Array($0.utf8) } == [Array("e\u{301}".utf8), Array("é".utf8)])
    }

    @Test("a stored item iterates in UTF-8 name order; a built one has the same attributes")
    func iteration() throws {
        let stored = try Self.stored(Self.sample)
        let expected = Self.sample.attributes.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        #expect(stored.keys == expected)
        #expect(Self.sample.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) } == expected)
        #expect(stored.map(\.key) == expected)
        #expect(stored.values == expected.map { Self.sample[$0]! })
        var visited = 0
        for (name, value) in stored {
            #expect(Self.sample[name] == value)
            visited += 1
        }
        #expect(visited == Self.sample.count)
    }

    @Test("changing a stored item decodes it first and leaves other copies alone")
    func copyOnWrite() throws {
        let stored = try Self.stored(Self.sample)
        var changed = stored
        changed["age"] = 37
        changed["name"] = nil
        #expect(changed.removeValue(forKey: "PK") == "USER#1")
        #expect(changed.removeValue(forKey: "missing") == nil)
        #expect(changed["age"] == 37 && changed["name"] == nil && changed["PK"] == nil)
        #expect(changed.count == Self.sample.count - 2)
        #expect(stored == Self.sample)   // the original copy still has its bytes and values
        if case .encoded = stored.storage {} else { Issue.record("the original should still be bytes") }
        #expect(stored != changed)
        // Re-encoding a changed item gives the bytes of the same item built from scratch.
        var built = Self.sample
        built["age"] = 37
        built["name"] = nil
        built["PK"] = nil
        #expect(ItemCodec.encode(changed) == ItemCodec.encode(built))
    }

    @Test("a stored item's bytes are reused, not re-encoded, when it is written back")
    func bytesReused() throws {
        let bytes = ItemCodec.encode(Self.sample)
        let stored = try ItemCodec.decode(bytes)
        #expect(stored.encodedBytes == bytes)
        #expect(ItemCodec.encode(stored) == bytes)
    }

    @Test("equality is DynamoDB's across representations: set order and number spelling do not matter")
    func equality() throws {
        let one: Item = ["s": .ss(["a", "b"]), "n": .n(ExactDecimal("1.0"))]
        let other: Item = ["s": .ss(["b", "a"]), "n": 1]
        #expect(one == other)
        #expect(try Self.stored(one) == other)
        #expect(try Self.stored(one) == Self.stored(other))   // different bytes, equal items
        #expect(try Self.stored(one) != Self.stored(["s": .ss(["a"]), "n": 1]))
    }

    @Test("conversions: dictionaries, literals, DynamoDB JSON, Codable")
    func conversions() throws {
        let dictionary: [String: AttributeValue] = ["a": 1, "b": "x"]
        #expect(Item(dictionary).attributes == dictionary)
        #expect(try Self.stored(Item(dictionary)).attributes == dictionary)
        #expect(Item(uniqueKeysWithValues: [("a", 1), ("b", "x")]) == Item(dictionary))
        let stored = try Self.stored(Self.sample)
        #expect(try Item(dynamoDBJSON: stored.description) == Self.sample)
        let json = try JSONEncoder().encode(stored)
        #expect(try JSONDecoder().decode(Item.self, from: json) == Self.sample)
        #expect(stored.filter { $0.key.hasPrefix("n") } == ["name": "Ada", "nested": Self.sample["nested"]!])
        #expect(stored.mapValues { _ in .null }.count == Self.sample.count)
        let merged = stored.merging(["name": "Grace", "new": 1]) { _, new in new }
        #expect(merged["name"] == "Grace" && merged["new"] == 1 && merged["age"] == 36)
    }

    @Test("corrupt stored bytes are a storage error when read, never a trap")
    func corruptBytes() throws {
        let bytes = ItemCodec.encode(Self.sample)
        for cut in [1, 2, bytes.count / 2, bytes.count - 1] {
            #expect(throws: KVTableError.self) { try ItemCodec.decode(Array(bytes.prefix(cut))) }
        }
        #expect(throws: KVTableError.self) { try ItemCodec.decode(bytes + [0]) }   // trailing bytes
        var badTag = ItemCodec.encode(["a": 1])
        badTag[4] = 0x7F   // the value's tag
        #expect(throws: KVTableError.self) { try ItemCodec.decode(badTag) }
        #expect(throws: KVTableError.self) { try ItemCodec.decode([2, 0]) }   // unknown version
    }

    struct Profile: Codable, Equatable {
        var PK: String
        var name: String
        var age: Int
        var big: Int64
        var flag: Bool
        var score: ExactDecimal
        var tags: Set<String>
        var missingSet: Set<String>
        var nested: Nested
        var optional: String?
        var presentCount: Int?
        var nullFlag: Bool?
        var presentName: String?
        struct Nested: Codable, Equatable {
            var list: [AttributeValue]
            var flag: Bool
        }
    }

    @Test("Decodable types decode straight from stored bytes as they do from a built item")
    func decodingFromBytes() throws {
        var item = Self.sample
        item["flag"] = true
        item["big"] = .n(ExactDecimal(Int(Int64.max)))
        item["presentCount"] = 3
        item["nullFlag"] = nil as AttributeValue
        item["presentName"] = "here"
        let decoder = ItemDecoder(dateEncoding: .iso8601)
        let fromBuilt = try decoder.decode(Profile.self, from: item)
        let fromBytes = try decoder.decode(Profile.self, from: try Self.stored(item))
        #expect(fromBuilt == fromBytes)
        #expect(fromBytes.tags == ["a", "b"] && fromBytes.missingSet.isEmpty && fromBytes.optional == nil)
        #expect(fromBytes.nested.list == [1, "two", nil])
        #expect(fromBytes.presentCount == 3 && fromBytes.nullFlag == nil && fromBytes.presentName == "here")
        // Failure modes are the same too: a missing attribute, a type mismatch, an inexact integer.
        for broken: Item in [item.filter { $0.key != "name" }, item.merging(["age": "old"]) { $1 },
                             item.merging(["age": .n(ExactDecimal("1.5"))]) { $1 },
                             item.merging(["presentCount": "three"]) { $1 }, item.merging(["presentName": 1]) { $1 },
                             item.merging(["nullFlag": "no"]) { $1 }] {
            #expect(throws: DecodingError.self) { try decoder.decode(Profile.self, from: broken) }
            #expect(throws: DecodingError.self) { try decoder.decode(Profile.self, from: try Self.stored(broken)) }
        }
        // The whole item as a dictionary or an AttributeValue.
        #expect(try decoder.decode([String: AttributeValue].self, from: try Self.stored(item)) == item.attributes)
        #expect(try decoder.decode(AttributeValue.self, from: try Self.stored(item)) == .m(item.attributes))
    }

    @Test("reads return stored items that stay valid after the snapshot", arguments: Backend.allCases)
    func readsReturnBytes(backend: Backend) async throws {
        let store = try TestStore(backend)
        let table = try await store.singleTable()
        try await table.putItem(Self.storable)
        let read = try #require(try await table.getItem(["PK": "USER#1", "SK": "PROFILE"]))
        if case .encoded = read.storage {} else { Issue.record("a read should hand back stored bytes") }
        try await table.putItem(["PK": "USER#1", "SK": "PROFILE"])   // overwrite: the copy is unaffected
        #expect(read == Self.storable)
        let page = try await table.query(Query(partitionKey: "USER#1"))
        #expect(page.items == [["PK": "USER#1", "SK": "PROFILE"]])
    }
}

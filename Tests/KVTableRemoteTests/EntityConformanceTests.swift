import Foundation
import KVTable
import Testing

/// Typed entities written against ``ItemTable``, as user code generic over the engine is:
/// the same calls, unique attributes and key moves on LMDB, in memory, remotely and on moto.
@Suite("Typed entities on every engine")
struct EntityConformanceTests {
    struct Customer: Entity, Equatable {
        static let entityType = "Customer"
        static let key = KeyTemplate(partition: "CUSTOMER#{id}", sort: "PROFILE")
        static let indexKeys = ["GSI1": KeyTemplate(partition: "COUNTRY#{country}", sort: "{name}")]
        static let uniqueAttributes = ["email"]
        var id: String
        var name: String
        var email: String
        var country: String

        /// The typed key: a misspelt property does not compile.
        struct Key: EntityKey {
            typealias Entity = Customer
            var id: String
        }
    }

    /// A key declaration that does not match its entity's template.
    struct MisdeclaredKey: EntityKey {
        typealias Entity = Customer
        var id: String
        var country: String
    }

    struct IncompleteKey: EntityKey {
        typealias Entity = Customer
    }

    @Test("put, get, find by a unique attribute; a taken value is refused", arguments: Engine.all)
    func uniqueness(engine: Engine) async throws {
        try await withEngine(engine) { fixture in
            try await Self.uniqueness(try await fixture.createTable(.singleTable(name: "Shop")))
        }
    }

    static func uniqueness(_ table: some ItemTable) async throws {
        let ada = Customer(id: "1", name: "Ada", email: "ada@example.com", country: "GB")
        try await table.put(ada)
        #expect(try await table.get(Customer.self, ["id": "1"]) == ada)
        #expect(try await table.find(Customer.self, unique: "email", "ada@example.com") == ada)
        await #expect(throws: KVTableError.uniqueConstraintViolation(#"Customer.email {"S":"ada@example.com"} is already taken"#)) {
            try await table.put(Customer(id: "2", name: "Eve", email: "ada@example.com", country: "FR"))
        }
        #expect(try await table.get(Customer.self, ["id": "2"]) == nil)
        try await table.put(ada)   // the owner may store it again
        await #expect(throws: KVTableError.conditionalCheckFailed(currentItem: nil)) {
            try await table.put(ada, condition: .attribute("name") == "Someone else")
        }
        let british = try await table.queryEntities(Query(indexName: "GSI1", partitionKey: "COUNTRY#GB"), as: [Customer.self])
        #expect(british.entities(of: Customer.self) == [ada])
        await #expect(throws: KVTableError.self) { try await table.find(Customer.self, unique: "name", "Ada") }
    }

    @Test("updates move unique markers and keys; deletes free the values", arguments: Engine.all)
    func updatesAndDeletes(engine: Engine) async throws {
        try await withEngine(engine) { fixture in
            try await Self.updatesAndDeletes(try await fixture.createTable(.singleTable(name: "Shop")))
        }
    }

    static func updatesAndDeletes(_ table: some ItemTable) async throws {
        try await table.put(Customer(id: "1", name: "Ada", email: "ada@example.com", country: "GB"))
        let renamed = try await table.update(Customer.self, ["id": "1"]) { $0.email = "lovelace@example.com" }
        #expect(renamed.email == "lovelace@example.com")
        #expect(try await table.find(Customer.self, unique: "email", "ada@example.com") == nil)
        try await table.put(Customer(id: "2", name: "Eve", email: "ada@example.com", country: "FR"))   // freed

        // A primary-key move: the unique marker follows the entity to its new key.
        let moved = try await table.update(Customer.self, ["id": "1"]) { $0.id = "10" }
        #expect(try await table.get(Customer.self, ["id": "1"]) == nil)
        #expect(try await table.find(Customer.self, unique: "email", "lovelace@example.com") == moved)
        await #expect(throws: KVTableError.self) {
            try await table.update(Customer.self, ["id": "10"]) { $0.id = "2" }   // onto an existing entity
        }
        await #expect(throws: KVTableError.conditionalCheckFailed(currentItem: nil)) {
            try await table.update(Customer.self, ["id": "404"]) { $0.name = "nobody" }
        }

        #expect(try await table.delete(Customer.self, ["id": "10"]))
        #expect(try await !table.delete(Customer.self, ["id": "10"]))
        #expect(try await table.find(Customer.self, unique: "email", "lovelace@example.com") == nil)
        try await table.put(Customer(id: "3", name: "Grace", email: "lovelace@example.com", country: "US"))
    }

    @Test("typed keys: get, update and delete by the entity's Key type; a Key that does not match the template is an error", arguments: Engine.all)
    func typedKeys(engine: Engine) async throws {
        try await withEngine(engine) { fixture in
            try await Self.typedKeys(try await fixture.createTable(.singleTable(name: "Shop")))
        }
    }

    static func typedKeys(_ table: some ItemTable) async throws {
        let ada = Customer(id: "1", name: "Ada", email: "ada@example.com", country: "GB")
        try await table.put(ada)
        #expect(try await table.get(Customer.Key(id: "1")) == ada)
        #expect(try await table.get(Customer.Key(id: "2")) == nil)
        var seen: [String] = []   // not Sendable-captured: the transform runs in this task
        let renamed = try await table.update(Customer.Key(id: "1")) { seen.append($0.name); $0.name = "Lovelace" }
        #expect(renamed.name == "Lovelace" && seen == ["Ada"])
        await #expect(throws: KVTableError.validation("MisdeclaredKey has the property country, which the key template of Customer does not use (it uses id)")) {
            try await table.get(MisdeclaredKey(id: "1", country: "GB"))
        }
        await #expect(throws: KVTableError.validation("IncompleteKey has no property id, which the key template of Customer needs")) {
            try await table.delete(IncompleteKey())
        }
        #expect(try await table.delete(Customer.Key(id: "1")))
        #expect(try await table.delete(Customer.Key(id: "1")) == false)
        #expect(try await table.find(Customer.self, unique: "email", "ada@example.com") == nil)
    }
}

import Foundation
import Testing
@testable import KVTable

@Suite("Typed entities")
struct EntityTests {
    struct Member: Entity, Equatable {
        static let entityType = "Member"
        static let key = KeyTemplate(partition: "ORG#{orgId}", sort: "MEMBER#{memberId}")
        static let indexKeys = ["GSI1": KeyTemplate(partition: "TEAM#{team}", sort: "{name}")]
        static let uniqueAttributes = ["email"]
        var orgId: String
        var memberId: String
        var name: String
        var email: String
        var team: String?

        struct Key: EntityKey {
            typealias Entity = Member
            var orgId: String
            var memberId: String
        }
    }

    struct Project: Entity, Equatable {
        static let entityType = "Project"
        static let key = KeyTemplate(partition: "ORG#{orgId}", sort: "PROJECT#{projectId}")
        var orgId: String
        var projectId: String
        var title: String
    }

    struct Bad: Entity {
        static let entityType = "Bad"
        static let key = KeyTemplate(partition: "BAD#{id}", sort: "X")
        var id: String
        var PK: String
    }

    @Test("An update that moves an entity to a new key moves its unique markers with it", arguments: Backend.allCases)
    func moveKeepsUniqueMarkers(backend: Backend) async throws {
        let fixture = try TestStore(backend)
        let table = try await fixture.singleTable()
        try await table.put(Member(orgId: "acme", memberId: "1", name: "Ada", email: "ada@acme.test"))
        let moved = try await table.update(Member.self, ["orgId": "acme", "memberId": "1"]) { $0.memberId = "9" }
        #expect(try await table.find(Member.self, unique: "email", "ada@acme.test") == moved)
        await #expect(throws: KVTableError.self) {
            try await table.put(Member(orgId: "acme", memberId: "2", name: "Eve", email: "ada@acme.test"))
        }
        try await table.delete(Member.self, ["orgId": "acme", "memberId": "9"])
        try await table.put(Member(orgId: "acme", memberId: "2", name: "Eve", email: "ada@acme.test"))   // freed
    }

    @Test("Typed put, get, update, delete and multi-type queries", arguments: Backend.allCases)
    func crud(backend: Backend) async throws {
        let fixture = try TestStore(backend)
        let table = try await fixture.singleTable()
        let ada = Member(orgId: "acme", memberId: "1", name: "Ada", email: "ada@acme.test", team: "core")
        try await table.put(ada)
        try await table.put(Project(orgId: "acme", projectId: "p1", title: "Engine"))
        try await table.putItem(["PK": "ORG#acme", "SK": "NOTE#1", "EntityType": "Note"])   // a type we do not decode

        #expect(try await table.get(Member.self, ["orgId": "acme", "memberId": "1"]) == ada)
        #expect(try await table.get(Member.self, ["orgId": "acme", "memberId": "2"]) == nil)
        let stored = try #require(try await table.getItem(["PK": "ORG#acme", "SK": "MEMBER#1"]))
        #expect(stored["EntityType"] == "Member" && stored["GSI1PK"] == "TEAM#core" && stored["GSI1SK"] == "Ada")

        let page = try await table.queryEntities(Query(partitionKey: try Member.partitionKey(["orgId": "acme"])),
                                                 as: [Member.self, Project.self])
        #expect(page.entities(of: Member.self) == [ada])
        #expect(page.entities(of: Project.self).map(\.title) == ["Engine"])
        #expect(page.unrecognized.map { $0["SK"] } == ["NOTE#1"])

        // A partial change recomputes every key: the member leaves the index partition it was in.
        let moved = try await table.update(Member.self, ["orgId": "acme", "memberId": "1"]) { $0.team = "web" }
        #expect(moved.team == "web")
        #expect(try await table.query(Query(indexName: "GSI1", partitionKey: "TEAM#core")).count == 0)
        #expect(try await table.query(Query(indexName: "GSI1", partitionKey: "TEAM#web")).items.first?["name"] == "Ada")
        try await table.update(Member.self, ["orgId": "acme", "memberId": "1"]) { $0.team = nil }
        #expect(try await table.scan(Scan(indexName: "GSI1")).count == 0)   // sparse: no team, no entry

        // Changing a key property moves the item.
        try await table.update(Member.self, ["orgId": "acme", "memberId": "1"]) { $0.memberId = "7" }
        #expect(try await table.get(Member.self, ["orgId": "acme", "memberId": "1"]) == nil)
        #expect(try await table.get(Member.self, ["orgId": "acme", "memberId": "7"])?.name == "Ada")

        await #expect(throws: KVTableError.conditionalCheckFailed(currentItem: nil)) {
            try await table.update(Member.self, ["orgId": "acme", "memberId": "404"]) { $0.name = "ghost" }
        }
        await #expect(throws: KVTableError.validation("The item is a Project, not a Member")) {
            try await table.get(Member.self, ["orgId": "acme", "memberId": "x"]).map { _ in () }
            try await table.putItem(["PK": "ORG#acme", "SK": "MEMBER#x", "EntityType": "Project", "orgId": "acme", "projectId": "x", "title": "t"])
            _ = try await table.get(Member.self, ["orgId": "acme", "memberId": "x"])
        }
        #expect(try await table.delete(Member.self, ["orgId": "acme", "memberId": "7"]))
        #expect(try await table.delete(Member.self, ["orgId": "acme", "memberId": "7"]) == false)
    }

    @Test("update runs its transform in the caller's task, and again when another writer changed the entity meanwhile", arguments: Backend.allCases)
    func updateRetransformsAfterAConflict(backend: Backend) async throws {
        let fixture = try TestStore(backend)
        let table = try await fixture.singleTable()
        let store = fixture.store
        try await table.put(Member(orgId: "acme", memberId: "1", name: "Ada", email: "ada@acme.test", team: "core"))
        var seen: [String] = []   // a captured var: the transform is neither @Sendable nor sent away
        let updated = try await table.update(Member.Key(orgId: "acme", memberId: "1")) { member in
            seen.append(member.name)
            if seen.count == 1 {
                // Another writer renames the member between the read and the write.
                _ = try store.writeSynchronously { tx in
                    try tx.updateItem(table, ["PK": "ORG#acme", "SK": "MEMBER#1"], [.set("name", "Grace")])
                }
            }
            member.team = "web"
        }
        #expect(seen == ["Ada", "Grace"])
        #expect(updated.name == "Grace" && updated.team == "web")
        #expect(try await table.get(Member.Key(orgId: "acme", memberId: "1")) == updated)
        #expect(try await table.query(Query(indexName: "GSI1", partitionKey: "TEAM#web")).items.map { $0["name"] } == ["Grace"])
        await #expect(throws: KVTableError.conditionalCheckFailed(currentItem: nil)) {
            try await table.update(Member.Key(orgId: "acme", memberId: "404")) { $0.name = "ghost" }
        }
    }

    @Test("A # inside a template value can never make two keys collide")
    func escaping() throws {
        let a = try Project.sortKey(["projectId": "1#2"])
        let b = try Project.sortKey(["projectId": "1%232"])
        #expect(a == "PROJECT#1%232")
        #expect(b == "PROJECT#1%25232")
        #expect(a != b)
        let twoVariables = KeyTemplate(partition: "X#{a}#{b}")
        #expect(try twoVariables.renderPartition(["a": "1#2", "b": "3"]) != twoVariables.renderPartition(["a": "1", "b": "2#3"]))
        #expect(try KeyTemplate(partition: "N#{n}").renderPartition(["n": .number("1.50")]) == "N#1.5")
        #expect(throws: KVTableError.validation("Key template \"ORG#{orgId}\" needs the attribute orgId")) {
            try Member.partitionKey([:])
        }
        #expect(throws: KVTableError.validation("Key template \"N#{n}\": attribute n is L; only S, N, B and BOOL can be part of a key")) {
            try KeyTemplate(partition: "N#{n}").renderPartition(["n": ["x"]])
        }
    }

    @Test("Unique e-mail: a second owner fails, a change moves the marker, a delete frees it", arguments: Backend.allCases)
    func uniqueness(backend: Backend) async throws {
        let fixture = try TestStore(backend)
        let table = try await fixture.singleTable()
        try await table.put(Member(orgId: "o", memberId: "1", name: "Ada", email: "a@x.test"))
        await #expect(throws: KVTableError.uniqueConstraintViolation("Member.email {\"S\":\"a@x.test\"} is already taken")) {
            try await table.put(Member(orgId: "o", memberId: "2", name: "Eve", email: "a@x.test"))
        }
        #expect(try await table.get(Member.self, ["orgId": "o", "memberId": "2"]) == nil)   // nothing written
        try await table.put(Member(orgId: "o", memberId: "1", name: "Ada L.", email: "a@x.test"))   // same owner: fine
        #expect(try await table.find(Member.self, unique: "email", "a@x.test")?.name == "Ada L.")

        try await table.update(Member.self, ["orgId": "o", "memberId": "1"]) { $0.email = "ada@x.test" }
        #expect(try await table.find(Member.self, unique: "email", "a@x.test") == nil)
        #expect(try await table.find(Member.self, unique: "email", "ada@x.test")?.memberId == "1")
        try await table.put(Member(orgId: "o", memberId: "2", name: "Eve", email: "a@x.test"))   // freed

        // Racing registrations of one address: exactly one wins.
        let winners = Counter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for n in 10..<30 {
                group.addTask {
                    do {
                        try await table.put(Member(orgId: "o", memberId: "\(n)", name: "racer", email: "race@x.test"))
                        winners.add()
                    } catch KVTableError.uniqueConstraintViolation {}
                }
            }
            try await group.waitForAll()
        }
        #expect(winners.count == 1)

        try await table.delete(Member.self, ["orgId": "o", "memberId": "1"])
        #expect(try await table.find(Member.self, unique: "email", "ada@x.test") == nil)
        try await table.put(Member(orgId: "o", memberId: "3", name: "New", email: "ada@x.test"))
        await #expect(throws: KVTableError.validation("name is not a unique attribute of Member")) {
            try await table.find(Member.self, unique: "name", "x")
        }
    }

    @Test("Property names that clash with key attributes are rejected", arguments: Backend.allCases)
    func reservedNames(backend: Backend) async throws {
        let fixture = try TestStore(backend)
        let table = try await fixture.singleTable()
        await #expect(throws: KVTableError.validation("Bad has a property named PK, which the table uses for keys or entity types; rename it")) {
            try await table.put(Bad(id: "1", PK: "sneaky"))
        }
        #expect(try await table.scan().count == 0)
    }
}

import Foundation
import Testing
@testable import KVTable

// The README's examples, as they are written there (DocumentationExampleTests checks that each
// README code block appears in this file).

struct Customer: Entity {
    static let entityType = "Customer"
    static let key = KeyTemplate(partition: "CUSTOMER#{id}", sort: "PROFILE")
    static let indexKeys = ["GSI1": KeyTemplate(partition: "COUNTRY#{country}", sort: "{name}")]
    static let uniqueAttributes = ["email"]
    var id: String
    var name: String
    var email: String
    var country: String

    struct Key: EntityKey {          // the typed key: Customer.Key(idd: "7") does not compile
        typealias Entity = Customer
        var id: String
    }
}

func readmeTypedExample(_ table: Table) async throws -> (Customer?, EntityPage) {
    try await table.put(Customer(id: "7", name: "Ada", email: "ada@example.com", country: "GB"))
    let ada = try await table.get(Customer.Key(id: "7"))
    let british = try await table.queryEntities(Query(indexName: "GSI1", partitionKey: "COUNTRY#GB"), as: [Customer.self])
    try await table.update(Customer.Key(id: "7")) { $0.country = "FR" }   // GSI1 keys follow
    return (ada, british)
}

func readmeExample() async throws -> (Page, Item?) {
    let store = try KVStore.open(path: "app.kvt")          // or KVStore.inMemory() in tests
    let table = try await store.createTable(.singleTable(name: "App"))   // PK/SK + GSI1-3, GSI7

    try await table.putItem([
        "PK": "USER#42", "SK": "FILE#2026-11-22T10:00:00Z#7",
        "filename": "take-7.flac", "size": 1_048_576,
        "GSI1PK": "UPLOADS#2026-11-22", "GSI1SK": "10:00:00Z#42",
    ], condition: .notExists("PK"))

    // A user's newest files, 20 per page.
    let page = try await table.query(Query(
        partitionKey: "USER#42", sortKey: .beginsWith("FILE#"), ascending: false, limit: 20))
    for file in page.items { print(file["filename"]!) }
    let next = page.nextCursor   // pass as `startAfter:` to resume

    // The latency-critical path: synchronous reads in one snapshot, on the calling thread.
    let profile = try table.read { try $0.getItem(["PK": "USER#42", "SK": "PROFILE"]) }
    _ = next
    return (page, profile)
}

func readmeValuesExample(_ table: Table, plan: String, userId: String) async throws {
    let price: ExactDecimal = "19.99"                    // an exact decimal literal, never a Double
    try await table.updateItem(["PK": "USER#42", "SK": "PROFILE"],
                               [.set("plan", plan), .add("credits", price)],   // Swift values, no wrapping
                               condition: .attribute("owner") == .value(userId))
}

func readmeExpressionExample(_ table: Table) async throws -> Page {
    let orders = try await table.query(
        keyCondition: "PK = :pk AND begins_with(SK, :prefix)", filter: "#s = :open",
        names: ["#s": "status"], values: [":pk": "USER#42", ":prefix": "ORDER#", ":open": "open"])
    return orders
}

@Suite("Documentation examples")
struct DocumentationExampleTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The ```swift blocks of a Markdown file, each as its lines with indentation trimmed.
    static func swiftBlocks(_ markdown: String) -> [[String]] {
        var blocks: [[String]] = []
        var current: [String]?
        for line in markdown.components(separatedBy: "\n") {
            if current == nil, line.hasPrefix("```swift") {
                current = []
            } else if current != nil, line.hasPrefix("```") {
                blocks.append(current!)
                current = nil
            } else if current != nil {
                current!.append(line.trimmingCharacters(in: .whitespaces))
            }
        }
        return blocks.map { $0.filter { !$0.isEmpty && !$0.hasPrefix("import ") } }
    }

    static func contains(_ source: String, _ block: [String]) -> Bool {
        let lines = source.components(separatedBy: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard block.count <= lines.count else { return false }
        return (0...(lines.count - block.count)).contains { start in Array(lines[start..<start + block.count]) == block }
    }

    /// The README and every article of every DocC catalog (`Sources/*/*.docc/*.md`).
    static var documents: [String] {
        let sources = root.appendingPathComponent("Sources")
        let catalogs = (try? FileManager.default.contentsOfDirectory(atPath: sources.path)) ?? []
        var documents = ["README.md"]
        for module in catalogs.sorted() {
            let catalog = "Sources/\(module)/\(module).docc"
            let articles = (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(catalog).path)) ?? []
            documents += articles.filter { $0.hasSuffix(".md") }.sorted().map { "\(catalog)/\($0)" }
        }
        return documents
    }

    /// Every Swift source of the test targets: where documented code is compiled.
    static func testSources() throws -> [String] {
        let tests = root.appendingPathComponent("Tests")
        let files = FileManager.default.enumerator(atPath: tests.path)?.compactMap { $0 as? String } ?? []
        return try files.filter { $0.hasSuffix(".swift") }.sorted().map {
            try String(contentsOf: tests.appendingPathComponent($0), encoding: .utf8)
        }
    }

    @Test("The README and every DocC catalog article are found")
    func documentsAreFound() {
        let documents = Self.documents
        for expected in ["README.md", "Sources/KVTable/KVTable.docc/Usage.md", "Sources/KVTable/KVTable.docc/SingleTableDesign.md",
                         "Sources/Analytics/Analytics.docc/Analytics.md", "Sources/KVTableServer/KVTableServer.docc/DynamoDBAPI.md"] {
            #expect(documents.contains(expected), "\(expected)")
        }
    }

    @Test("scripts/check-documentation.py passes documented and compiler-made symbols, and names an undocumented one", arguments: [true, false])
    func documentationCheck(documented: Bool) throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        func symbol(_ name: String, uri: String?, doc: Bool) -> [String: Any] {
            var symbol: [String: Any] = ["accessLevel": "public", "pathComponents": [name],
                                         "kind": ["identifier": "swift.func", "displayName": "Function"]]
            if let uri { symbol["location"] = ["uri": uri, "position": ["line": 6, "character": 4]] }
            if doc { symbol["docComment"] = ["lines": [["text": "Does it."]]] }
            return symbol
        }
        let source = "file://" + Self.root.appendingPathComponent("Sources/Example/Example.swift").path
        let graph: [String: Any] = ["symbols": [
            symbol("documented()", uri: source, doc: true),
            symbol("synthesised()", uri: nil, doc: false),                                  // the compiler's
            symbol("dependency()", uri: "file:///elsewhere/Sources/Other/Other.swift", doc: false),   // not ours
            symbol("checked()", uri: source, doc: documented),
        ]]
        try JSONSerialization.data(withJSONObject: graph).write(to: directory.appendingPathComponent("Example.symbols.json"))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.root.appendingPathComponent("scripts/check-documentation.py").path, directory.path, "Example"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == (documented ? 0 : 1))
        #expect(printed == (documented ? "" : "Sources/Example/Example.swift:7: function checked()\n"))
    }

    @Test("A block matches only its exact lines, in order and consecutive (indentation and blank lines aside)")
    func blockMatching() {
        let source = "func f() {\n    let a = 1\n\n    let b = 2\n}"
        #expect(Self.contains(source, ["let a = 1", "let b = 2"]))
        #expect(!Self.contains(source, ["let b = 2", "let a = 1"]))
        #expect(!Self.contains(source, ["let a = 1", "}"]))
        #expect(!Self.contains(source, ["let a = 1 // changed"]))
        #expect(Self.swiftBlocks("text\n```swift\nimport KVTable\n  let x = 1\n```\n```sh\nmake\n```") == [["let x = 1"]])
    }

    @Test("Every Swift code block of the README and of the DocC catalogs is compiled verbatim in a test source")
    func blocksAreCompiled() throws {
        let codes = try Self.testSources()
        for document in Self.documents {
            let markdown = try String(contentsOf: Self.root.appendingPathComponent(document), encoding: .utf8)
            for block in Self.swiftBlocks(markdown) where !block.isEmpty {
                #expect(codes.contains { Self.contains($0, block) }, "\(document): the block starting \(block.first!) is in no test source")
            }
        }
    }

    @Test("README examples run")
    func readme() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let previous = FileManager.default.currentDirectoryPath
        #expect(FileManager.default.changeCurrentDirectoryPath(directory.path))   // "app.kvt" lands here
        defer { _ = FileManager.default.changeCurrentDirectoryPath(previous) }
        let (page, profile) = try await readmeExample()
        #expect(page.items.map { $0["filename"] } == ["take-7.flac"])
        #expect(profile == nil)

        let table = try await KVStore.inMemory().createTable(.singleTable(name: "App"))
        try await table.putItem(["PK": "USER#42", "SK": "PROFILE", "owner": "u42", "credits": 1])
        try await readmeValuesExample(table, plan: "pro", userId: "u42")
        #expect(try await table.getItem(["PK": "USER#42", "SK": "PROFILE"]) == ["PK": "USER#42", "SK": "PROFILE", "owner": "u42", "plan": "pro", "credits": .n("20.99")])
        await #expect(throws: KVTableError.conditionalCheckFailed(currentItem: nil)) {
            try await readmeValuesExample(table, plan: "free", userId: "someone else")
        }
        let (ada, british) = try await readmeTypedExample(table)
        #expect(ada?.name == "Ada")
        #expect(british.entities(of: Customer.self).map(\.id) == ["7"])
        #expect(try await table.query(Query(indexName: "GSI1", partitionKey: "COUNTRY#FR")).count == 1)
        #expect(try await table.query(Query(indexName: "GSI1", partitionKey: "COUNTRY#GB")).count == 0)
    }

    @Test("Single-table design examples run", arguments: Backend.allCases)
    func singleTableDesign(backend: Backend) async throws {
        let fixture = try TestStore(backend)
        let table = try await fixture.singleTable()
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        try await table.put(User(userId: "42", email: "ada@example.com", name: "Ada", createdAt: start))
        try await table.put(User(userId: "43", email: "bob@example.com", name: "Bob", createdAt: start))
        for n in 0..<25 {
            try await table.put(AudioFile(fileId: "f\(n)", userId: "42", filename: "take-\(n).flac", sizeBytes: 1000 + n,
                                          uploadedAt: start.addingTimeInterval(Double(n) * 3600), uploadDay: "2027-01-15"))
        }
        try await table.put(AudioFile(fileId: "b1", userId: "43", filename: "bob.flac", sizeBytes: 1,
                                      uploadedAt: start, uploadDay: "2027-01-15"))

        #expect(try await user(id: "42", in: table)?.name == "Ada")
        #expect(try await user(email: "bob@example.com", in: table)?.userId == "43")
        #expect(try await user(email: "nobody@example.com", in: table) == nil)
        await #expect(throws: KVTableError.self) {
            try await table.put(User(userId: "44", email: "ada@example.com", name: "Mallory", createdAt: start))
        }

        let (first, cursor) = try await audioFiles(of: "42", in: table)
        #expect(first.map(\.fileId) == (5..<25).reversed().map { "f\($0)" })   // newest first
        let (rest, end) = try await audioFiles(of: "42", in: table, after: cursor)
        #expect(rest.map(\.fileId) == (0..<5).reversed().map { "f\($0)" } && end == nil)

        #expect(try await audioFile("f3", requestedBy: "42", in: table)?.filename == "take-3.flac")
        #expect(try await audioFile("b1", requestedBy: "42", in: table) == nil)   // Bob's file: not reachable
        #expect(try await audioFile("b1", requestedBy: "43", in: table)?.filename == "bob.flac")

        let (profile, files) = try await profileAndFiles(in: table)
        #expect(profile?.name == "Ada" && files.count == 25)
        #expect(try await table.query(Query(indexName: "GSI7", partitionKey: "UPLOADS#2027-01-15", countOnly: true)).count == 26)

        for (type, day, value) in [("users", "2027-01-01", ExactDecimal("10.5")), ("users", "2027-01-02", 12), ("media", "2027-01-01", 5), ("media", "2027-02-01", 7)] {
            try await table.put(RollupRecord(metricType: type, granularity: "daily", timestamp: "\(day)T00:00:00Z",
                                             endTimestamp: "\(day)T23:59:59Z", metrics: ["total": value],
                                             calculatedAt: start, version: 1))
        }
        try await table.put(RollupRecord(metricType: "users", granularity: "monthly", timestamp: "2027-01-01T00:00:00Z",
                                         endTimestamp: "2027-01-31T23:59:59Z", metrics: ["total": 12], calculatedAt: start, version: 1))
        let january = try await metrics(granularity: "daily", from: "2027-01-01", to: "2027-01-31", in: table)
        #expect(january.map { "\($0.metricType)@\($0.timestamp.prefix(10))" } == ["media@2027-01-01", "users@2027-01-01", "users@2027-01-02"])
        let users = try await history(of: "users", from: "2027-01-01", to: "2027-12-31", in: table)
        #expect(users.map(\.granularity) == ["daily", "monthly", "daily"])
        let stored = try #require(try await table.getItem(["PK": "ANALYTICS#users#daily", "SK": "2027-01-02T00:00:00Z"]))
        #expect(stored["GSI1PK"] == "ANALYTICS" && stored["GSI1SK"] == "daily#2027-01-02T00:00:00Z#users")
        #expect(stored["GSI2PK"] == "ANALYTICS_TYPE#users" && stored["GSI2SK"] == "2027-01-02T00:00:00Z")
    }
}

import Foundation
import KVTable
import KVTableRemote
import Testing

// The README's remote-engine example, as written there (DocumentationExampleTests checks that
// each README code block appears verbatim in one of its example files).
func readmeRemoteExample() async throws {
    let remote = try RemoteStore(configuration: .aws())   // AWS_* environment variables
    let files = try await remote.table("App")             // a RemoteTable: the same ItemTable API
    try await files.putItem(["PK": "USER#42", "SK": "PROFILE", "name": "Ada"], condition: .notExists("PK"))
}

/// The example as it would run against AWS, minus AWS: without credentials it fails with the
/// typed error the documentation promises, before any request is sent.
@Test("the README's remote example compiles, and without credentials says what is missing")
func readmeRemoteExampleNeedsCredentials() async throws {
    guard AWSCredentialsPresent.none else { return }
    await #expect(throws: RemoteError.self) { try await readmeRemoteExample() }
}

enum AWSCredentialsPresent {
    /// True when the environment holds no AWS credentials (so the example cannot reach AWS).
    static var none: Bool {
        let environment = ProcessInfo.processInfo.environment
        return environment["AWS_ACCESS_KEY_ID"] == nil || environment["AWS_SECRET_ACCESS_KEY"] == nil
    }
}

// The code of Sources/KVTable/KVTable.docc/ScaleOut.md, as written there.
func scaleOutExample() async throws -> ([Item], [Item]) {
    // Written once, against the protocol:
    func newestFiles(of user: String, in table: some ItemTable) async throws -> [Item] {
        try await table.query(Query(partitionKey: .s("USER#\(user)"), sortKey: .beginsWith("FILE#"),
                                    ascending: false, limit: 20)).items
    }

    // On one machine:
    let local = try KVStore.open(path: "app.kvt")
    let files = try await newestFiles(of: "42", in: try local.table("App"))

    // On DynamoDB (credentials and region from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
    // AWS_SESSION_TOKEN, AWS_REGION):
    let remote = try RemoteStore(configuration: .aws())
    let same = try await newestFiles(of: "42", in: try await remote.table("App"))
    try await remote.close()
    return (files, same)
}

func transfer<S: ItemStore>(in store: S, _ table: S.TableHandle, amount: Int) async throws {
    try await store.transactWrite([
        .update(table, key: ["PK": "ACC", "SK": "from"], [.set("balance", .attribute("balance") - .value(amount))],
                condition: .attribute("balance") >= .value(amount)),
        .update(table, key: ["PK": "ACC", "SK": "to"], [.set("balance", .attribute("balance") + .value(amount))]),
    ])
}

@Test("ScaleOut's transfer, written against ItemStore, runs on every engine and refuses an overdraft", arguments: Engine.all)
func scaleOutTransfer(engine: Engine) async throws {
    try await withEngine(engine) { fixture in
        let table = try await fixture.createTable(.singleTable(name: "Bank"))
        try await table.putItem(["PK": "ACC", "SK": "from", "balance": 50])
        try await table.putItem(["PK": "ACC", "SK": "to", "balance": 0])
        try await transfer(on: fixture.store, tableNamed: table.name, amount: 30)
        #expect(try await table.getItem(["PK": "ACC", "SK": "from"])?["balance"] == 20)
        #expect(try await table.getItem(["PK": "ACC", "SK": "to"])?["balance"] == 30)
        await #expect(throws: KVTableError.self) { try await transfer(on: fixture.store, tableNamed: table.name, amount: 30) }
        #expect(try await table.getItem(["PK": "ACC", "SK": "to"])?["balance"] == 30)
    }
}

/// Opens the fixture's `any ItemStore` for the generic `transfer`.
func transfer<S: ItemStore>(on store: S, tableNamed name: String, amount: Int) async throws {
    try await transfer(in: store, try await store.table(name), amount: amount)
}

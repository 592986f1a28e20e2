import ArgumentParser
import Foundation
import KVTable
import KVTableDynamoDB
import KVTableRemote

/// The options of commands that work on any engine: a store file (`--path`) or a
/// DynamoDB-protocol endpoint (`--endpoint`, with `--region`; credentials from
/// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`).
struct EngineOptions: ParsableArguments {
    @Option(help: "The store file.")
    var path: String?

    @Option(help: "A DynamoDB-protocol endpoint instead of a store file, e.g. https://dynamodb.eu-west-1.amazonaws.com or http://127.0.0.1:8000.")
    var endpoint: String?

    @Option(help: "The endpoint's region (default: AWS_REGION, then us-east-1).")
    var region: String?

    @Option(help: "Commit durability of a store file: \(Durability.allCases.map(\.rawValue).joined(separator: ", ")).")
    var durability: Durability = .durable

    func validate() throws {
        guard (path == nil) != (endpoint == nil) else { throw ValidationError("Give exactly one of --path FILE and --endpoint URL") }
        if region != nil && endpoint == nil { throw ValidationError("--region goes with --endpoint") }
    }

    /// Runs `body` with the store, and closes it afterwards.
    @discardableResult
    func withStore<R>(create: Bool = false, _ body: (any ItemStore) async throws -> R) async throws -> R {
        if let path {
            return try await EngineOptions.withFile(path, durability: durability, create: create, body)
        }
        return try await EngineOptions.withRemote(endpoint!, region: region, body)
    }

    /// Runs `body` with the store at `location` — an `http(s)://` endpoint or a store file —
    /// and closes it afterwards.
    static func withStore<R>(at location: String, region: String?, durability: Durability, create: Bool,
                             _ body: (any ItemStore) async throws -> R) async throws -> R {
        if location.hasPrefix("http://") || location.hasPrefix("https://") {
            return try await withRemote(location, region: region, body)
        }
        return try await withFile(location, durability: durability, create: create, body)
    }

    private static func withFile<R>(_ path: String, durability: Durability, create: Bool,
                                    _ body: (any ItemStore) async throws -> R) async throws -> R {
        let store = try StoreOptions.open(path, durability: durability, create: create)
        defer { store.close() }
        return try await body(store)
    }

    /// Runs `body` with a remote store on `endpoint`, and closes it afterwards.
    private static func withRemote<R>(_ endpoint: String, region: String?, _ body: (any ItemStore) async throws -> R) async throws -> R {
        let environment = ProcessInfo.processInfo.environment
        let credentials: AWSCredentials
        do { credentials = try AWSCredentials.fromEnvironment(environment) } catch {
            throw ValidationError("\(error.message): set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY to reach \(endpoint)")
        }
        let store = try RemoteStore(configuration: RemoteConfiguration(
            endpoint: endpoint, region: region ?? AWSCredentials.region(from: environment) ?? "us-east-1",
            credentials: credentials))
        do {
            let result = try await body(store)
            try await store.close()
            return result
        } catch {
            try? await store.close()
            throw error
        }
    }
}

import ArgumentParser
import Foundation
import KVTable

extension Durability: ExpressibleByArgument {}

/// The options every command that opens a store file shares.
struct StoreOptions: ParsableArguments {
    @Option(help: "The store file.")
    var path: String

    @Option(help: "Commit durability: \(Durability.allCases.map(\.rawValue).joined(separator: ", ")).")
    var durability: Durability = .durable

    /// Opens the store; unless `create`, the file must exist already.
    func open(create: Bool = false) throws -> KVStore {
        try StoreOptions.open(path, durability: durability, create: create)
    }

    static func open(_ path: String, durability: Durability, create: Bool) throws -> KVStore {
        if !create && !FileManager.default.fileExists(atPath: path) {
            throw ValidationError("No store file at \(path)")
        }
        return try KVStore.open(path: path, configuration: LMDBConfiguration(durability: durability))
    }
}

/// DynamoDB JSON on the command line: `{"PK": {"S": "USER#1"}}` in, the same out.
enum CommandLineJSON {
    static func item(_ text: String, option: String) throws -> Item {
        do {
            return try Item(dynamoDBJSON: text)
        } catch {
            throw ValidationError("\(option) must be a DynamoDB JSON object such as {\"PK\": {\"S\": \"USER#1\"}}: \(error)")
        }
    }

    static func names(_ text: String?) throws -> [String: String] {
        guard let text else { return [:] }
        do {
            return try JSONDecoder().decode([String: String].self, from: Data(text.utf8))
        } catch {
            throw ValidationError("--names must be a JSON object such as {\"#s\": \"status\"}: \(error)")
        }
    }

    static func values(_ text: String?) throws -> [String: AttributeValue] {
        guard let text else { return [:] }
        return try item(text, option: "--values").attributes
    }

    /// One line of DynamoDB JSON, keys sorted by their UTF-8 bytes.
    static func line(_ item: Item) -> String {
        item.dynamoDBJSON.text
    }
}

/// Expression options shared by `get`, `put`, `query` and `scan`.
struct ExpressionOptions: ParsableArguments {
    @Option(help: "ExpressionAttributeNames as JSON, e.g. '{\"#s\": \"status\"}'.")
    var names: String?

    @Option(help: "ExpressionAttributeValues as DynamoDB JSON, e.g. '{\":pk\": {\"S\": \"USER#1\"}}'.")
    var values: String?

    func parser() throws -> ExpressionParser {
        try ExpressionParser(names: try CommandLineJSON.names(names), values: try CommandLineJSON.values(values))
    }
}

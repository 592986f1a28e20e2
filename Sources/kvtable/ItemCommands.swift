import ArgumentParser
import Foundation
import KVTable
import KVTableRemote

/// `kvtable tables`: the tables of a store and their keys.
struct TablesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tables", abstract: "List the tables of a store with their keys and indexes.")

    @OptionGroup var store: EngineOptions

    func run() async throws {
        try await self.store.withStore { store in
            for name in try await store.tableNames() {
                let schema = try await store.table(name).schema
            let keys = schema.keySchema.attributes.map { "\($0.name) (\($0.type.rawValue))" }.joined(separator: ", ")
                let indexes = schema.secondaryIndexes.map(\.name).joined(separator: ", ")
                print("\(name)\tkeys: \(keys)\(indexes.isEmpty ? "" : "\tindexes: \(indexes)")")
            }
        }
    }
}

/// `kvtable get`: one item by key.
struct GetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "get", abstract: "Print one item (DynamoDB JSON) by its key.")

    @OptionGroup var store: EngineOptions
    @Option(help: "The table.") var table: String
    @Option(help: "The key as DynamoDB JSON.") var key: String
    @Option(help: "A ProjectionExpression.") var projection: String?
    @OptionGroup var expressions: ExpressionOptions

    func run() async throws {
        var parser = try expressions.parser()
        let projection = try self.projection.map { try parser.projection($0) }
        try parser.checkAllUsed()
        let key = try CommandLineJSON.item(key, option: "--key")
        let item = try await self.store.withStore { store in
            try await store.table(table).getItem(key, projection: projection)
        }
        guard let item else { throw ExitCode(1) }    // nothing printed: no such item
        print(CommandLineJSON.line(item))
    }
}

/// `kvtable put`: stores one item.
struct PutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "put", abstract: "Store one item given as DynamoDB JSON.")

    @OptionGroup var store: EngineOptions
    @Option(help: "The table.") var table: String
    @Option(help: "The item as DynamoDB JSON.") var item: String
    @Option(help: "A ConditionExpression the stored item must satisfy.") var condition: String?
    @OptionGroup var expressions: ExpressionOptions

    func run() async throws {
        var parser = try expressions.parser()
        let condition = try self.condition.map { try parser.condition($0) }
        try parser.checkAllUsed()
        let item = try CommandLineJSON.item(item, option: "--item")
        try await self.store.withStore { store in
            try await store.table(table).putItem(item, condition: condition)
        }
    }
}

/// `kvtable query`: one partition, with expression strings; prints items as JSON lines.
struct QueryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query", abstract: "Query a partition; prints matching items as DynamoDB JSON lines.")

    @OptionGroup var store: EngineOptions
    @Option(help: "The table.") var table: String
    @Option(help: "Query this global secondary index.") var index: String?
    @Option(help: "A KeyConditionExpression, e.g. 'PK = :pk AND begins_with(SK, :p)'.") var keyCondition: String
    @Option(help: "A FilterExpression.") var filter: String?
    @Option(help: "A ProjectionExpression.") var projection: String?
    @Option(help: "Read at most this many items (before the filter), across pages.") var limit: Int?
    @Flag(help: "Highest sort key first.") var descending = false
    @Flag(help: "Print only the count.") var count = false
    @OptionGroup var expressions: ExpressionOptions

    func run() async throws {
        try await self.store.withStore { store in
            let table = try await store.table(self.table)
            var query = try table.makeQuery(
                keyCondition: keyCondition, filter: filter, projection: projection,
                names: try CommandLineJSON.names(expressions.names), values: try CommandLineJSON.values(expressions.values),
                indexName: index, ascending: !descending, limit: limit, countOnly: count)
            var total = 0
            repeat {
                let page = try await table.query(query)
                for item in page.items { print(CommandLineJSON.line(item)) }
                total += page.count
                query.startAfter = limit == nil ? page.nextCursor : nil
            } while query.startAfter != nil
            if count { print(total) }
        }
    }
}

/// `kvtable scan`: every item (optionally filtered); prints JSON lines.
struct ScanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "scan", abstract: "Scan a table or index; prints items as DynamoDB JSON lines.")

    @OptionGroup var store: EngineOptions
    @Option(help: "The table.") var table: String
    @Option(help: "Scan this global secondary index.") var index: String?
    @Option(help: "A FilterExpression.") var filter: String?
    @Option(help: "A ProjectionExpression.") var projection: String?
    @Option(help: "Read at most this many items (before the filter).") var limit: Int?
    @OptionGroup var expressions: ExpressionOptions

    func run() async throws {
        var parser = try expressions.parser()
        let filter = try self.filter.map { try parser.condition($0, kind: .filter) }
        let projection = try self.projection.map { try parser.projection($0) }
        try parser.checkAllUsed()
        try await self.store.withStore { store in
            let table = try await store.table(self.table)
            var scan = Scan(indexName: index, limit: limit, filter: filter, projection: projection)
            repeat {
                let page = try await table.scan(scan)
                for item in page.items { print(CommandLineJSON.line(item)) }
                scan.startAfter = limit == nil ? page.nextCursor : nil
            } while scan.startAfter != nil
        }
    }
}

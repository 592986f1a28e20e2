import Foundation
import KVTable
import KVTableDynamoDB

/// DynamoDB's JSON protocol (API version 2012-08-10) over a `KVStore`: one request body in,
/// one response body out. Transport-free, so that it can be tested and embedded without HTTP;
/// ``DynamoDBServer`` puts it behind `POST /`.
///
/// ```swift
/// let service = DynamoDBService(store: store)
/// let response = await service.handle(target: "DynamoDB_20120810.ListTables", body: Array("{}".utf8))
/// // response.status == 200, response.body == {"TableNames":[…]}
/// ```
///
/// Every operation and parameter it supports, and every known difference from DynamoDB, is
/// listed in the DynamoDB API article (`Sources/KVTableServer/KVTableServer.docc/DynamoDBAPI.md`).
public final class DynamoDBService: Sendable {
    /// The response to one request.
    public struct Response: Sendable {
        /// The HTTP status: 200, or the error's (400, 413, 500).
        public var status: Int
        /// The JSON body: the result, or DynamoDB's error shape.
        public var body: [UInt8]

        init(status: Int, body: [UInt8]) {
            self.status = status
            self.body = body
        }

        init(error: WireError) {
            self.init(status: error.status, body: error.body.serialized())
        }
    }

    let store: KVStore
    /// The region and account that table ARNs name.
    let region: String
    let account = "000000000000"
    let statisticsCache = StatisticsCache()

    /// The most a query or scan page reads (DynamoDB's 1 MB).
    static let maximumPageBytes = 1 << 20

    /// A service over `store`; table ARNs name `region` (`local` by default).
    public init(store: KVStore, region: String = "local") {
        self.store = store
        self.region = region
    }

    /// The target prefix of every operation (`X-Amz-Target: DynamoDB_20120810.<Operation>`).
    public static let targetPrefix = "DynamoDB_20120810."

    private typealias Handler = @Sendable (DynamoDBService, WireRequest) async throws -> JSONValue
    private typealias SynchronousHandler = @Sendable (DynamoDBService, WireRequest) throws -> JSONValue

    /// The operations that read from one snapshot and never suspend: answered on the calling
    /// thread (the server's event loop) by ``handleSynchronously(target:body:host:)``.
    private static let synchronousHandlers: [String: SynchronousHandler] = [
        "DescribeTable": { try $0.describeTable($1) },
        "ListTables": { try $0.listTables($1) },
        "DescribeTimeToLive": { try $0.describeTimeToLive($1) },
        "ListTagsOfResource": { try $0.listTagsOfResource($1) },
        "GetItem": { try $0.getItem($1) },
        "Query": { try $0.query($1) },
        "Scan": { try $0.scan($1) },
        "BatchGetItem": { try $0.batchGetItem($1) },
        "TransactGetItems": { try $0.transactGetItems($1) },
    ]

    /// The operations that write: they wait for the store's writer.
    private static let handlers: [String: Handler] = [
        "CreateTable": { try await $0.createTable($1) },
        "DeleteTable": { try await $0.deleteTable($1) },
        "UpdateTable": { try await $0.updateTable($1) },
        "UpdateTimeToLive": { try await $0.updateTimeToLive($1) },
        "TagResource": { try await $0.tagResource($1) },
        "UntagResource": { try await $0.untagResource($1) },
        "PutItem": { try await $0.putItem($1) },
        "DeleteItem": { try await $0.deleteItem($1) },
        "UpdateItem": { try await $0.updateItem($1) },
        "BatchWriteItem": { try await $0.batchWriteItem($1) },
        "TransactWriteItems": { try await $0.transactWriteItems($1) },
    ]

    /// The operations, by name.
    public static let operations: [String] = (Array(handlers.keys) + Array(synchronousHandlers.keys) + ["DescribeEndpoints"]).sorted()

    /// Runs one request.
    ///
    /// - Parameters:
    ///   - target: the `X-Amz-Target` header.
    ///   - body: the JSON request body.
    public func handle(target: String?, body: [UInt8]) async -> Response {
        if let response = handleSynchronously(target: target, body: body) { return response }
        let operation = DynamoDBService.operation(of: target)!
        var response = await respond {
            let request = WireRequest(try DynamoDBService.requestObject(body))
            return try await DynamoDBService.handlers[operation]!(self, request)
        }
        if response.status == 200, DynamoDBService.bodilessOperations.contains(operation) { response.body = [] }
        return response
    }

    /// The operations whose success DynamoDB answers with an empty HTTP body, not `{}` (their
    /// output shape has no members).
    private static let bodilessOperations: Set<String> = ["TagResource", "UntagResource"]

    /// Runs one request on the calling thread if it is a read (`GetItem`, `Query`, `Scan`,
    /// `BatchGetItem`, `TransactGetItems`, the table descriptions) or is refused before any
    /// work (an unknown operation); returns nil, doing nothing, for a write, which must go
    /// through ``handle(target:body:)``. A read never blocks on the writer: it runs against a
    /// snapshot, so an event loop may call this.
    ///
    /// - Parameters:
    ///   - target: the `X-Amz-Target` header.
    ///   - body: the JSON request body.
    ///   - host: the request's `Host` header, which `DescribeEndpoints` reports as the endpoint
    ///     to use (`localhost` when nil).
    public func handleSynchronously(target: String?, body: [UInt8], host: String? = nil) -> Response? {
        guard let operation = DynamoDBService.operation(of: target) else {
            return Response(error: WireError(type: "UnknownOperationException",
                                             message: "An unknown operation was requested: \(target ?? "(no X-Amz-Target header)")"))
        }
        if operation == "DescribeEndpoints" {
            // The endpoint is the address the client reached (DynamoDB answers its regional
            // host name), cached for a day as DynamoDB says.
            return Response(status: 200, body: JSONValue.object(["Endpoints": .array([.object([
                "Address": .string(host ?? "localhost"), "CachePeriodInMinutes": .number(1440),
            ])])]).serialized())
        }
        guard let handler = DynamoDBService.synchronousHandlers[operation] else { return nil }
        do {
            let request = WireRequest(try DynamoDBService.requestObject(body))
            return Response(status: 200, body: try handler(self, request).serialized())
        } catch {
            return Response(error: DynamoDBService.wireError(error))
        }
    }

    /// The operation a target names, when it is one of ours.
    private static func operation(of target: String?) -> String? {
        guard let target, target.hasPrefix(targetPrefix) else { return nil }
        let name = String(target.dropFirst(targetPrefix.count))
        return handlers[name] != nil || synchronousHandlers[name] != nil || name == "DescribeEndpoints" ? name : nil
    }

    private func respond(_ body: () async throws -> JSONValue) async -> Response {
        do {
            return Response(status: 200, body: try await body().serialized())
        } catch {
            return Response(error: DynamoDBService.wireError(error))
        }
    }

    /// Parses a request body; anything but a JSON object is a `SerializationException`.
    static func requestObject(_ body: [UInt8]) throws(WireError) -> [String: JSONValue] {
        if body.isEmpty { return [:] }
        let json: JSONValue
        do { json = try JSONValue.parse(body) } catch {
            throw WireError.serialization("The request body is \(error)")
        }
        guard case .object(let object) = json else {
            throw WireError.serialization("The request body must be a JSON object")
        }
        return object
    }

    static func wireError(_ error: any Error) -> WireError {
        switch error {
        case let wire as WireError: return wire
        case let kvtable as KVTableError: return WireError(kvtable)
        default: return WireError(type: "InternalServerError", message: "\(error)", status: 500)
        }
    }

    // MARK: Shared pieces

    func table(_ request: WireRequest) throws -> Table {
        let name = try request.required("TableName", request.string)
        return try table(named: name)
    }

    func table(named name: String) throws -> Table {
        // An invalid name is a ValidationException before it can be a ResourceNotFoundException.
        try TableSchema.validateName(name, what: "tableName")
        do {
            return try store.table(name)
        } catch KVTableError.resourceNotFound {
            throw WireError(type: "ResourceNotFoundException", message: "Requested resource not found: Table: \(name) not found")
        }
    }

    func tableArn(_ name: String) -> String {
        "arn:aws:dynamodb:\(region):\(account):table/\(name)"
    }

    /// `ReturnValuesOnConditionCheckFailure: ALL_OLD`.
    static func wantsItemOnFailure(_ request: WireRequest) throws(WireError) -> Bool {
        try request.choice("ReturnValuesOnConditionCheckFailure", ["ALL_OLD", "NONE"]) == "ALL_OLD"
    }

    /// Checks `ReturnConsumedCapacity` / `ReturnItemCollectionMetrics` (the operations that
    /// report them read them again: ``ConsumedCapacity``, `itemCollectionMetrics(_:key:)`).
    static func acceptReporting(_ request: WireRequest) throws(WireError) {
        _ = try request.choice("ReturnConsumedCapacity", ["INDEXES", "TOTAL", "NONE"])
        _ = try request.choice("ReturnItemCollectionMetrics", ["SIZE", "NONE"])
    }
}

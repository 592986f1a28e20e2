import Foundation
import KVTable
import KVTableDynamoDB

/// DynamoDB's JSON protocol (API version 2012-08-10) over a ``KVStore``: one request body in,
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
/// listed in `Docs/DynamoDBAPI.md`.
public final class DynamoDBService: Sendable {
    /// The response to one request.
    public struct Response: Sendable {
        public var status: Int
        public var body: [UInt8]
    }

    let store: KVStore
    /// The region and account that table ARNs name.
    let region: String
    let account = "000000000000"
    let statisticsCache = StatisticsCache()

    /// The most a query or scan page reads (DynamoDB's 1 MB).
    static let maximumPageBytes = 1 << 20

    public init(store: KVStore, region: String = "local") {
        self.store = store
        self.region = region
    }

    /// The target prefix of every operation (`X-Amz-Target: DynamoDB_20120810.<Operation>`).
    public static let targetPrefix = "DynamoDB_20120810."

    /// The operations, by name.
    public static let operations: [String] = Array(handlers.keys).sorted()

    private typealias Handler = @Sendable (DynamoDBService, WireRequest) async throws -> JSONValue

    private static let handlers: [String: Handler] = [
        "CreateTable": { try await $0.createTable($1) },
        "DescribeTable": { try $0.describeTable($1) },
        "ListTables": { try $0.listTables($1) },
        "DeleteTable": { try await $0.deleteTable($1) },
        "UpdateTable": { try await $0.updateTable($1) },
        "UpdateTimeToLive": { try await $0.updateTimeToLive($1) },
        "DescribeTimeToLive": { try $0.describeTimeToLive($1) },
        "TagResource": { try await $0.tagResource($1) },
        "UntagResource": { try await $0.untagResource($1) },
        "ListTagsOfResource": { try $0.listTagsOfResource($1) },
        "PutItem": { try await $0.putItem($1) },
        "GetItem": { try await $0.getItem($1) },
        "DeleteItem": { try await $0.deleteItem($1) },
        "UpdateItem": { try await $0.updateItem($1) },
        "Query": { try await $0.query($1) },
        "Scan": { try await $0.scan($1) },
        "BatchGetItem": { try await $0.batchGetItem($1) },
        "BatchWriteItem": { try await $0.batchWriteItem($1) },
        "TransactWriteItems": { try await $0.transactWriteItems($1) },
        "TransactGetItems": { try $0.transactGetItems($1) },
    ]

    /// Runs one request.
    ///
    /// - Parameters:
    ///   - target: the `X-Amz-Target` header.
    ///   - body: the JSON request body.
    public func handle(target: String?, body: [UInt8]) async -> Response {
        do {
            guard let target, target.hasPrefix(DynamoDBService.targetPrefix),
                  let handler = DynamoDBService.handlers[String(target.dropFirst(DynamoDBService.targetPrefix.count))] else {
                throw WireError(type: "UnknownOperationException", message: "An unknown operation was requested: \(target ?? "(no X-Amz-Target header)")")
            }
            let request = WireRequest(try DynamoDBService.requestObject(body))
            let result = try await handler(self, request)
            return Response(status: 200, body: result.serialized())
        } catch {
            let wire = DynamoDBService.wireError(error)
            return Response(status: wire.status, body: wire.body.serialized())
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

    /// Accepts `ReturnConsumedCapacity` / `ReturnItemCollectionMetrics` (KVTable reports no
    /// capacity: there is none to consume).
    static func acceptReporting(_ request: WireRequest) throws(WireError) {
        _ = try request.choice("ReturnConsumedCapacity", ["INDEXES", "TOTAL", "NONE"])
        _ = try request.choice("ReturnItemCollectionMetrics", ["SIZE", "NONE"])
    }
}

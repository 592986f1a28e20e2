import Foundation
import KVTable
import Testing
@testable import KVTableServer

/// The protocol layer without HTTP: request bodies in, DynamoDB response bodies out, on both
/// backends. (The boto3 suite in Tests/EndToEnd drives the same through `kvtable serve`.)
@Suite("DynamoDB JSON protocol")
struct DynamoDBServiceTests {
    enum Backend: String, CaseIterable, CustomStringConvertible {
        case lmdb, memory
        var description: String { rawValue }
    }

    final class Fixture: Sendable {
        let store: KVStore
        let directory: URL
        let service: DynamoDBService

        init(_ backend: Backend) throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("kvtable-server-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            store = backend == .memory
                ? KVStore.inMemory()
                : try KVStore.open(path: directory.appendingPathComponent("s.kvt").path,
                                   configuration: LMDBConfiguration(durability: .noSync))
            service = DynamoDBService(store: store)
        }

        deinit {
            store.close()
            try? FileManager.default.removeItem(at: directory)
        }

        /// Sends `body` (JSON text) to `operation`; returns the status and the parsed response.
        func call(_ operation: String, _ body: String) async throws -> (Int, JSONValue) {
            let response = await service.handle(target: "DynamoDB_20120810." + operation, body: Array(body.utf8))
            return (response.status, try JSONValue.parse(response.body))
        }

        func createTable() async throws {
            let (status, _) = try await call("CreateTable", """
                {"TableName": "Tbl", "BillingMode": "PAY_PER_REQUEST", "AttributeDefinitions": [{"AttributeName": "PK", "AttributeType": "S"},
                 {"AttributeName": "SK", "AttributeType": "N"}],
                 "KeySchema": [{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}]}
                """)
            #expect(status == 200)
        }
    }

    static func error(_ type: String, _ message: String) -> JSONValue {
        .object(["__type": .string("com.amazonaws.dynamodb.v20120810#" + type), "message": .string(message)])
    }

    @Test("reads are answered synchronously (the server's event-loop path); writes are left to the async path", arguments: Backend.allCases)
    func synchronousReads(backend: Backend) async throws {
        let fixture = try Fixture(backend)
        try await fixture.createTable()
        let service = fixture.service
        func target(_ operation: String) -> String { "DynamoDB_20120810." + operation }
        let put = #"{"TableName": "Tbl", "Item": {"PK": {"S": "a"}, "SK": {"N": "1"}, "v": {"S": "x"}}}"#
        // A write does nothing on the synchronous path, so the item is not there yet.
        #expect(service.handleSynchronously(target: target("PutItem"), body: Array(put.utf8)) == nil)
        let get = Array(#"{"TableName": "Tbl", "Key": {"PK": {"S": "a"}, "SK": {"N": "1"}}}"#.utf8)
        let before = try #require(service.handleSynchronously(target: target("GetItem"), body: get))
        #expect(before.status == 200)
        #expect(try JSONValue.parse(before.body) == .object([:]))
        #expect(await service.handle(target: target("PutItem"), body: Array(put.utf8)).status == 200)
        // Every read operation answers on the synchronous path, as the async one does.
        let reads: [(String, String)] = [
            ("GetItem", String(decoding: get, as: UTF8.self)),
            ("Query", #"{"TableName": "Tbl", "KeyConditionExpression": "PK = :p", "ExpressionAttributeValues": {":p": {"S": "a"}}}"#),
            ("Scan", #"{"TableName": "Tbl"}"#),
            ("BatchGetItem", #"{"RequestItems": {"Tbl": {"Keys": [{"PK": {"S": "a"}, "SK": {"N": "1"}}]}}}"#),
            ("TransactGetItems", #"{"TransactItems": [{"Get": {"TableName": "Tbl", "Key": {"PK": {"S": "a"}, "SK": {"N": "1"}}}}]}"#),
            ("DescribeTable", #"{"TableName": "Tbl"}"#),
            ("ListTables", "{}"),
        ]
        for (operation, body) in reads {
            let sync = try #require(service.handleSynchronously(target: target(operation), body: Array(body.utf8)), "\(operation)")
            let async = await service.handle(target: target(operation), body: Array(body.utf8))
            #expect(sync.status == 200, "\(operation)")
            if operation != "DescribeTable" { #expect(sync.body == async.body, "\(operation)") }
        }
        // Failures come back on the same path, with DynamoDB's shape.
        let missing = try #require(service.handleSynchronously(target: target("GetItem"), body: Array(#"{"TableName": "Nope", "Key": {"PK": {"S": "a"}}}"#.utf8)))
        #expect(missing.status == 400)
        #expect(try JSONValue.parse(missing.body) == Self.error("ResourceNotFoundException", "Requested resource not found: Table: Nope not found"))
        let unknown = try #require(service.handleSynchronously(target: target("Fly"), body: []))
        #expect(unknown.status == 400)
        let noTarget = try #require(service.handleSynchronously(target: nil, body: []))
        #expect(try JSONValue.parse(noTarget.body) == Self.error("UnknownOperationException", "An unknown operation was requested: (no X-Amz-Target header)"))
    }

    @Test("errors have DynamoDB's shape: __type with the namespace, message, HTTP 400", arguments: Backend.allCases)
    func errorShapes(backend: Backend) async throws {
        let fixture = try Fixture(backend)
        #expect(try await fixture.call("DescribeTable", #"{"TableName": "Nope"}"#)
            == (400, Self.error("ResourceNotFoundException", "Requested resource not found: Table: Nope not found")))
        #expect(try await fixture.call("GetItem", "{}")
            == (400, Self.error("ValidationException", "1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null")))
        #expect(try await fixture.call("ListTables", "[1]")
            == (400, Self.error("SerializationException", "The request body must be a JSON object")))
        let unknown = await fixture.service.handle(target: "DynamoDB_20120810.Explode", body: [])
        #expect(unknown.status == 400)
        #expect(String(decoding: unknown.body, as: UTF8.self)
            == #"{"__type":"com.amazonaws.dynamodb.v20120810#UnknownOperationException","message":"An unknown operation was requested: DynamoDB_20120810.Explode"}"#)
        try await fixture.createTable()
        #expect(try await fixture.call("CreateTable", #"{"TableName": "Tbl", "BillingMode": "PAY_PER_REQUEST", "AttributeDefinitions": [{"AttributeName": "PK", "AttributeType": "S"}], "KeySchema": [{"AttributeName": "PK", "KeyType": "HASH"}]}"#)
            == (400, Self.error("ResourceInUseException", "Table already exists: Tbl")))
    }

    @Test("BillingMode and ProvisionedThroughput are checked as DynamoDB checks them, kept, and reported", arguments: Backend.allCases)
    func capacity(backend: Backend) async throws {
        let fixture = try Fixture(backend)
        let keys = #""AttributeDefinitions": [{"AttributeName": "PK", "AttributeType": "S"}, {"AttributeName": "G", "AttributeType": "S"}], "KeySchema": [{"AttributeName": "PK", "KeyType": "HASH"}]"#
        let index = #"{"IndexName": "ByG", "KeySchema": [{"AttributeName": "G", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}"#
        #expect(try await fixture.call("CreateTable", #"{"TableName": "Cap", \#(keys), "GlobalSecondaryIndexes": [\#(index)}]}"#)
            == (400, Self.error("ValidationException", "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED")))
        #expect(try await fixture.call("CreateTable", #"{"TableName": "Cap", \#(keys), "BillingMode": "PAY_PER_REQUEST", "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}, "GlobalSecondaryIndexes": [\#(index)}]}"#)
            == (400, Self.error("ValidationException", "One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST")))
        #expect(try await fixture.call("CreateTable", #"{"TableName": "Cap", \#(keys), "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 2}, "GlobalSecondaryIndexes": [\#(index)}]}"#)
            == (400, Self.error("ValidationException", "One or more parameter values were invalid: ProvisionedThroughput must be specified for index: ByG")))
        #expect(try await fixture.call("CreateTable", #"{"TableName": "Cap", \#(keys), "ProvisionedThroughput": {"ReadCapacityUnits": 0, "WriteCapacityUnits": 2}, "GlobalSecondaryIndexes": [\#(index)}]}"#)
            == (400, Self.error("ValidationException", "1 validation error detected: Value '0' at 'provisionedThroughput.readCapacityUnits' failed to satisfy constraint: Member must have value greater than or equal to 1")))
        #expect(try await fixture.call("CreateTable", #"{"TableName": "Cap", \#(keys), "ProvisionedThroughput": {"ReadCapacityUnits": 5}, "GlobalSecondaryIndexes": [\#(index)}]}"#)
            == (400, Self.error("ValidationException", "1 validation error detected: Value null at 'provisionedThroughput.writeCapacityUnits' failed to satisfy constraint: Member must not be null")))
        let badTags = #", "BillingMode": "PAY_PER_REQUEST", "GlobalSecondaryIndexes": [\#(index)}], "Tags": [{"Key": "", "Value": "x"}]}"#
        #expect(try await fixture.call("CreateTable", #"{"TableName": "Cap", \#(keys)"# + badTags).0 == 400)
        #expect(fixture.store.tableNames().isEmpty)     // nothing was created by the failed requests
        let created = try await fixture.call("CreateTable", #"{"TableName": "Cap", \#(keys), "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 2}, "GlobalSecondaryIndexes": [\#(index), "ProvisionedThroughput": {"ReadCapacityUnits": 3, "WriteCapacityUnits": 1}}]}"#)
        guard case .object(let body) = created.1, case .object(let table)? = body["TableDescription"],
              case .array(let indexes)? = table["GlobalSecondaryIndexes"], case .object(let gsi)? = indexes.first else {
            Issue.record("unexpected CreateTable response \(created)")
            return
        }
        #expect(table["BillingModeSummary"] == .object(["BillingMode": .string("PROVISIONED")]))
        #expect(table["ProvisionedThroughput"] == .object(["ReadCapacityUnits": .number(5), "WriteCapacityUnits": .number(2), "NumberOfDecreasesToday": .number(0)]))
        #expect(gsi["ProvisionedThroughput"] == .object(["ReadCapacityUnits": .number(3), "WriteCapacityUnits": .number(1), "NumberOfDecreasesToday": .number(0)]))
        #expect(try await fixture.call("UpdateTable", #"{"TableName": "Cap", "BillingMode": "PAY_PER_REQUEST"}"#).0 == 200)
        guard case .object(let described) = try await fixture.call("DescribeTable", #"{"TableName": "Cap"}"#).1,
              case .object(let after)? = described["Table"] else { return }
        guard case .object(let summary)? = after["BillingModeSummary"] else { return }
        #expect(summary["BillingMode"] == .string("PAY_PER_REQUEST"))
        #expect(after["ProvisionedThroughput"] == .object(["ReadCapacityUnits": .number(0), "WriteCapacityUnits": .number(0), "NumberOfDecreasesToday": .number(0)]))
        guard case .array(let indexesAfter)? = after["GlobalSecondaryIndexes"], case .object(let gsiAfter)? = indexesAfter.first else { return }
        #expect(gsiAfter["ProvisionedThroughput"] == .object(["ReadCapacityUnits": .number(0), "WriteCapacityUnits": .number(0), "NumberOfDecreasesToday": .number(0)]))
    }

    @Test("ConsumedCapacity: index entries cost only when written; an invalid mode is refused", arguments: Backend.allCases)
    func consumedCapacity(backend: Backend) async throws {
        let fixture = try Fixture(backend)
        #expect(try await fixture.call("CreateTable", #"""
            {"TableName": "Cap", "BillingMode": "PAY_PER_REQUEST",
             "AttributeDefinitions": [{"AttributeName": "PK", "AttributeType": "S"}, {"AttributeName": "G", "AttributeType": "S"}],
             "KeySchema": [{"AttributeName": "PK", "KeyType": "HASH"}],
             "GlobalSecondaryIndexes": [{"IndexName": "ByG", "KeySchema": [{"AttributeName": "G", "KeyType": "HASH"}],
                                         "Projection": {"ProjectionType": "KEYS_ONLY"}}]}
            """#).0 == 200)
        func units(_ operation: String, _ body: String) async throws -> JSONValue? {
            guard case .object(let answer) = try await fixture.call(operation, body).1 else { return nil }
            return answer["ConsumedCapacity"]
        }
        func shares(total: Double, table: Double, index: Double?) -> JSONValue {
            var members: [String: JSONValue] = ["TableName": .string("Cap"), "CapacityUnits": .number(total),
                                                "WriteCapacityUnits": .number(total), "Table": .object(["CapacityUnits": .number(table)])]
            if let index { members["GlobalSecondaryIndexes"] = .object(["ByG": .object(["CapacityUnits": .number(index)])]) }
            return .object(members)
        }
        let big = String(repeating: "x", count: 1500)
        // Put: the 2 KB item and its small KEYS_ONLY entry.
        #expect(try await units("PutItem", #"{"TableName": "Cap", "Item": {"PK": {"S": "p"}, "G": {"S": "g"}, "v": {"S": "\#(big)"}}, "ReturnConsumedCapacity": "INDEXES"}"#)
                == shares(total: 3, table: 2, index: 1))
        // An attribute the index does not project: its entry is unchanged, the index not written.
        #expect(try await units("UpdateItem", #"{"TableName": "Cap", "Key": {"PK": {"S": "p"}}, "UpdateExpression": "SET v = :v", "ExpressionAttributeValues": {":v": {"S": "y"}}, "ReturnConsumedCapacity": "INDEXES"}"#)
                == shares(total: 2, table: 2, index: nil))
        // Its key moves: the old entry removed and the new one put.
        #expect(try await units("UpdateItem", #"{"TableName": "Cap", "Key": {"PK": {"S": "p"}}, "UpdateExpression": "SET G = :g", "ExpressionAttributeValues": {":g": {"S": "h"}}, "ReturnConsumedCapacity": "INDEXES"}"#)
                == shares(total: 3, table: 1, index: 2))
        #expect(try await units("DeleteItem", #"{"TableName": "Cap", "Key": {"PK": {"S": "p"}}, "ReturnConsumedCapacity": "TOTAL"}"#)
                == .object(["TableName": .string("Cap"), "CapacityUnits": .number(2), "WriteCapacityUnits": .number(2)]))
        #expect(try await fixture.call("GetItem", #"{"TableName": "Cap", "Key": {"PK": {"S": "p"}}, "ReturnConsumedCapacity": "ALL"}"#)
                == (400, Self.error("ValidationException", "1 validation error detected: Value 'ALL' at 'returnConsumedCapacity' failed to satisfy constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]")))
    }

    @Test("items round-trip in DynamoDB JSON; numbers come back canonical", arguments: Backend.allCases)
    func items(backend: Backend) async throws {
        let fixture = try Fixture(backend)
        try await fixture.createTable()
        let put = try await fixture.call("PutItem", #"{"TableName": "Tbl", "Item": {"PK": {"S": "a\"b"}, "SK": {"N": "01.50"}, "n": {"NS": ["1e2", "3"]}, "x": {"NULL": true}}}"#)
        #expect(put == (200, .object([:])))
        let got = try await fixture.call("GetItem", #"{"TableName": "Tbl", "Key": {"PK": {"S": "a\"b"}, "SK": {"N": "1.5"}}}"#)
        #expect(got.1 == .object(["Item": .object([
            "PK": .object(["S": .string("a\"b")]), "SK": .object(["N": .string("1.5")]),
            "n": .object(["NS": .array([.string("100"), .string("3")])]), "x": .object(["NULL": .bool(true)]),
        ])]))
        #expect(try await fixture.call("PutItem", #"{"TableName": "Tbl", "Item": {"PK": {"S": "a"}, "SK": {"N": "1"}, "bad": {}}}"#)
            == (400, Self.error("ValidationException", "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes")))
        #expect(try await fixture.call("PutItem", #"{"TableName": "Tbl", "Item": {"PK": {"S": "a"}, "SK": {"N": "1"}, "bad": {"S": "x", "N": "1"}}}"#)
            == (400, Self.error("ValidationException", "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes")))
        #expect(try await fixture.call("PutItem", #"{"TableName": "Tbl", "Item": {"PK": {"S": "a"}, "SK": {"N": "1"}, "x": {"NULL": false}}}"#)
            == (400, Self.error("ValidationException", "One or more parameter values were invalid: Null attribute value types must have the value of true")))
    }

    @Test("UpdateItem without an update creates the item from its key; ReturnValues of PutItem are checked", arguments: Backend.allCases)
    func updateWithoutActions(backend: Backend) async throws {
        let fixture = try Fixture(backend)
        try await fixture.createTable()
        let created = try await fixture.call("UpdateItem", #"{"TableName": "Tbl", "Key": {"PK": {"S": "k"}, "SK": {"N": "7"}}, "ReturnValues": "ALL_NEW"}"#)
        #expect(created == (200, .object(["Attributes": .object(["PK": .object(["S": .string("k")]), "SK": .object(["N": .string("7")])])])))
        #expect(try await fixture.call("UpdateItem", #"{"TableName": "Tbl", "Key": {"PK": {"S": "k"}, "SK": {"N": "7"}}, "ReturnValues": "SOME"}"#)
            == (400, Self.error("ValidationException", "1 validation error detected: Value 'SOME' at 'returnValues' failed to satisfy constraint: Member must satisfy enum value set: [NONE, ALL_OLD, UPDATED_OLD, ALL_NEW, UPDATED_NEW]")))
        #expect(try await fixture.call("DeleteItem", #"{"TableName": "Tbl", "Key": {"PK": {"S": "k"}, "SK": {"N": "7"}}, "ReturnValues": "ALL_NEW"}"#)
            == (400, Self.error("ValidationException", "ReturnValues can only be ALL_OLD or NONE")))
        #expect(try await fixture.call("DeleteItem", #"{"TableName": "Tbl", "Key": {"PK": {"S": "k"}, "SK": {"N": "7"}}, "ReturnValues": "ALL_OLD"}"#).1
            == .object(["Attributes": .object(["PK": .object(["S": .string("k")]), "SK": .object(["N": .string("7")])])]))
    }

    @Test("legacy parameters: Expected rules and ConditionalOperator", arguments: Backend.allCases)
    func legacy(backend: Backend) async throws {
        let fixture = try Fixture(backend)
        try await fixture.createTable()
        let item = #""Item": {"PK": {"S": "a"}, "SK": {"N": "1"}, "v": {"N": "1"}}"#
        #expect(try await fixture.call("PutItem", #"{"TableName": "Tbl", \#(item), "Expected": {"v": {"Exists": false, "Value": {"N": "1"}}}}"#)
            == (400, Self.error("ValidationException", "One or more parameter values were invalid: Value cannot be used when Exists is false for Attribute: v")))
        #expect(try await fixture.call("PutItem", #"{"TableName": "Tbl", \#(item), "Expected": {"v": {"ComparisonOperator": "EQ"}}}"#)
            == (400, Self.error("ValidationException", "One or more parameter values were invalid: Invalid number of argument(s) for the EQ ComparisonOperator")))
        #expect(try await fixture.call("PutItem", #"{"TableName": "Tbl", \#(item), "ConditionalOperator": "OR"}"#)
            == (400, Self.error("ValidationException", "ConditionalOperator can only be used when Expected or QueryFilter or ScanFilter is present")))
        #expect(try await fixture.call("PutItem", #"{"TableName": "Tbl", \#(item), "Expected": {"v": {"Exists": false}}}"#).0 == 200)
        // OR: the first fails (v is 1), the second holds.
        #expect(try await fixture.call("PutItem", #"{"TableName": "Tbl", \#(item), "ConditionalOperator": "OR", "Expected": {"v": {"Exists": false}, "PK": {"ComparisonOperator": "NOT_NULL"}}}"#).0 == 200)
        #expect(try await fixture.call("PutItem", #"{"TableName": "Tbl", \#(item), "ConditionalOperator": "AND", "Expected": {"v": {"Exists": false}, "PK": {"ComparisonOperator": "NOT_NULL"}}}"#)
            == (400, Self.error("ConditionalCheckFailedException", "The conditional request failed")))
    }

    @Test("Select and paging members of Query", arguments: Backend.allCases)
    func select(backend: Backend) async throws {
        let fixture = try Fixture(backend)
        try await fixture.createTable()
        for i in 1...3 {
            _ = try await fixture.call("PutItem", #"{"TableName": "Tbl", "Item": {"PK": {"S": "p"}, "SK": {"N": "\#(i)"}}}"#)
        }
        let query = #""TableName": "Tbl", "KeyConditionExpression": "PK = :p", "ExpressionAttributeValues": {":p": {"S": "p"}}"#
        #expect(try await fixture.call("Query", "{\(query), \"Select\": \"SPECIFIC_ATTRIBUTES\"}")
            == (400, Self.error("ValidationException", "Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES")))
        #expect(try await fixture.call("Query", "{\(query), \"Select\": \"ALL_PROJECTED_ATTRIBUTES\"}")
            == (400, Self.error("ValidationException", "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName")))
        #expect(try await fixture.call("Query", "{\(query), \"Limit\": 0}")
            == (400, Self.error("ValidationException", "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1")))
        #expect(try await fixture.call("Query", #"{"TableName": "Tbl", "KeyConditionExpression": "PK = :p", "ExpressionAttributeValues": {}}"#)
            == (400, Self.error("ValidationException", "ExpressionAttributeValues must not be empty")))
        let page = try await fixture.call("Query", "{\(query), \"Limit\": 2, \"Select\": \"COUNT\"}")
        #expect(page.1 == .object(["Count": .number(2), "ScannedCount": .number(2),
                                   "LastEvaluatedKey": .object(["PK": .object(["S": .string("p")]), "SK": .object(["N": .string("2")])])]))
    }

    @Test("the JSON parser: escapes, surrogate pairs, numbers, and its errors")
    func parser() throws {
        let text = #"{"a": [1, -2.5e3, true, false, null], "s": "q\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00é", "o": {}}"#
        #expect(try JSONValue.parse(Array(text.utf8)) == .object([
            "a": .array([.number(1), .number(-2500), .bool(true), .bool(false), .null]),
            "s": .string("q\"\\/\u{8}\u{C}\n\r\té😀é"), "o": .object([:]),
        ]))
        for bad in ["{", "[1,]", "{\"a\" 1}", "\"\\ud83d\"", "tru", "{} x", "\"a\u{1}\"", "1e", String(repeating: "[", count: 200)] {
            #expect(throws: JSONSyntaxError.self) { try JSONValue.parse(Array(bad.utf8)) }
        }
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse([0x22, 0xFF, 0x22]) }     // invalid UTF-8
    }

    @Test("JSON output escapes control characters and writes integral numbers without a fraction")
    func serialization() {
        let value: JSONValue = .object(["s": .string("a\"\\\n\u{1}é"), "n": .number(3), "f": .number(1.5), "l": .array([.null, .bool(false)])])
        #expect(String(decoding: value.serialized(), as: UTF8.self) == #"{"f":1.5,"l":[null,false],"n":3,"s":"a\"\\\n\u0001é"}"#)
    }

    @Test("a write past the item-collection limit is ItemCollectionSizeLimitExceededException (a cancellation reason in a transaction) and writes nothing")
    func itemCollectionLimit() async throws {
        let store = KVStore.inMemory(time: SystemTimeSource(), itemCollectionSizeLimit: 600)
        defer { store.close() }
        let service = DynamoDBService(store: store)
        func call(_ operation: String, _ body: String) async throws -> (Int, JSONValue) {
            let response = await service.handle(target: "DynamoDB_20120810." + operation, body: Array(body.utf8))
            return (response.status, try JSONValue.parse(response.body))
        }
        let (created, _) = try await call("CreateTable", """
            {"TableName": "Lsi", "BillingMode": "PAY_PER_REQUEST", "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "S"},
             {"AttributeName": "c", "AttributeType": "S"}, {"AttributeName": "b", "AttributeType": "S"}],
             "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}, {"AttributeName": "c", "KeyType": "RANGE"}],
             "LocalSecondaryIndexes": [{"IndexName": "byB", "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"},
               {"AttributeName": "b", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "ALL"}}]}
            """)
        #expect(created == 200)
        let filler = String(repeating: "x", count: 150)
        let first = #"{"TableName": "Lsi", "Item": {"p": {"S": "k"}, "c": {"S": "1"}, "b": {"S": "b"}, "v": {"S": "\#(filler)"}}, "ReturnItemCollectionMetrics": "SIZE"}"#
        let (status, answer) = try await call("PutItem", first)
        #expect(status == 200)
        guard case .object(let members) = answer, case .object(let metrics)? = members["ItemCollectionMetrics"] else {
            Issue.record("no ItemCollectionMetrics in \(answer)"); return
        }
        #expect(metrics["SizeEstimateRangeGB"] == .array([.number(0), .number(1)]))
        // 414 bytes (157 for the item, 257 for its index entry): a second such item passes 600.
        let second = #"{"TableName": "Lsi", "Item": {"p": {"S": "k"}, "c": {"S": "2"}, "b": {"S": "b"}, "v": {"S": "\#(filler)"}}}"#
        let (refused, error) = try await call("PutItem", second)
        #expect(refused == 400)
        guard case .object(let body) = error else { Issue.record("not an object: \(error)"); return }
        #expect(body["__type"] == .string("com.amazonaws.dynamodb.v20120810#ItemCollectionSizeLimitExceededException"))
        let secondPut = second.dropFirst().dropLast()    // the PutItem request's members, as a Put action's
        let (canceled, reasons) = try await call("TransactWriteItems", #"{"TransactItems": [{"ConditionCheck": {"TableName": "Lsi", "Key": {"p": {"S": "k"}, "c": {"S": "1"}}, "ConditionExpression": "attribute_exists(p)"}}, {"Put": {"# + secondPut + "}}]}")
        #expect(canceled == 400)
        guard case .object(let cancellation) = reasons, case .array(let list)? = cancellation["CancellationReasons"] else {
            Issue.record("no CancellationReasons in \(reasons)"); return
        }
        #expect(list.count == 2)
        #expect(list.first == .object(["Code": .string("None")]))
        if case .object(let reason)? = list.last { #expect(reason["Code"] == .string("ItemCollectionSizeLimitExceeded")) }
        // Another partition key is its own collection; nothing of the refused writes was stored.
        #expect(try await call("PutItem", second.replacingOccurrences(of: #""S": "k""#, with: #""S": "other""#)).0 == 200)
        let (_, count) = try await call("Scan", #"{"TableName": "Lsi", "Select": "COUNT"}"#)
        guard case .object(let counted) = count else { Issue.record("not an object: \(count)"); return }
        #expect(counted["Count"] == .number(2))
    }

    @Test("DescribeTable counts: recounted when counting is quick, reused for a while when it is not")
    func statisticsCache() async throws {
        let store = KVStore.inMemory()
        let table = try await store.createTable(.singleTable(name: "App"))
        try await table.putItem(["PK": "a", "SK": "1"])
        let always = StatisticsCache(quickCount: .seconds(3600))        // every count counts as quick
        let keeps = StatisticsCache(quickCount: .zero, reuseFor: .seconds(3600))   // every count is kept
        #expect(try always.statistics(of: table).itemCount == 1)
        #expect(try keeps.statistics(of: table).itemCount == 1)
        try await table.putItem(["PK": "a", "SK": "2"])
        #expect(try always.statistics(of: table).itemCount == 2)
        #expect(try keeps.statistics(of: table).itemCount == 1)
        #expect(try StatisticsCache(quickCount: .zero, reuseFor: .zero).statistics(of: table).itemCount == 2)
    }

}

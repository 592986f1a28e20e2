import Foundation
import KVTable
import Testing

/// DynamoDB JSON has one codec; `Codable`, `description` and the text initialiser all go
/// through it, so they accept and reject the same input.
@Suite struct DynamoDBJSONTests {
    static let values: [AttributeValue] = [
        "text", "", .n(ExactDecimal("-1.5e3")), .b(Data([0, 255])), true, nil,
        ["a", 1, [false]], ["k": "v", "é": 2], .ss(["a", "b"]), .ns([1, 2]), .bs([Data([1]), Data()]),
    ]

    @Test(arguments: values)
    func everyTypeRoundTrips(_ value: AttributeValue) throws {
        #expect(try AttributeValue(dynamoDBJSON: value.dynamoDBJSON) == value)
        #expect(try AttributeValue(dynamoDBJSON: JSONValue.parse(value.description)) == value)
        let encoded = try JSONEncoder().encode(value)
        #expect(try JSONDecoder().decode(AttributeValue.self, from: encoded) == value)
    }

    @Test func numbersAreCanonical() throws {
        #expect(AttributeValue.n(ExactDecimal("1e3")).description == #"{"N":"1000"}"#)
        #expect(try Item(dynamoDBJSON: #"{"n": {"N": "0.10"}}"#)["n"] == .n(ExactDecimal("0.1")))
    }

    /// The disagreement that motivated one codec: `{"NULL": false}` is invalid everywhere.
    static let invalid: [(String, DynamoDBJSONError.Kind)] = [
        (#"{"NULL": false}"#, .validation),
        (#"{}"#, .validation),
        (#"{"S": "a", "N": "1"}"#, .validation),
        (#"{"N": "dog"}"#, .validation),
        (#"{"N": "1e126"}"#, .validation),
        (#"{"S": 1}"#, .serialization),
        (#"{"B": "not base64!"}"#, .serialization),
        (#"{"X": "a"}"#, .serialization),
        (#"{"SS": ["a", 1]}"#, .serialization),
        (#""just a string""#, .serialization),
    ]

    @Test(arguments: invalid)
    func invalidValuesAreRejectedTheSameEverywhere(_ text: String, _ kind: DynamoDBJSONError.Kind) throws {
        let json = try JSONValue.parse(text)
        do {
            _ = try AttributeValue(dynamoDBJSON: json)
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.kind == kind, "\(error)")
        }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(AttributeValue.self, from: Data(text.utf8)) }
        #expect(throws: DynamoDBJSONError.self) { try Item(dynamoDBJSON: "{\"a\": \(text)}") }
    }

    @Test func nullMembersAreIgnoredAsSDKsSendThem() throws {
        #expect(try Item(dynamoDBJSON: #"{"a": {"S": "x", "N": null}}"#) == ["a": "x"])
    }

    @Test func malformedTextIsASerializationError() {
        #expect(throws: DynamoDBJSONError.self) { try Item(dynamoDBJSON: #"{"a": {"S": "x"}"#) }
        #expect(throws: DynamoDBJSONError.self) { try Item(dynamoDBJSON: #"[]"#) }
    }

    @Test func mapMembersAreOrderedByUTF8Bytes() {
        // "é" composed (C3 A9) sorts after "z" (7A) by bytes.
        #expect(AttributeValue.m(["é": 1, "z": 2]).description == #"{"M":{"z":{"N":"2"},"é":{"N":"1"}}}"#)
    }
}

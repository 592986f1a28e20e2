@testable import KVTable

/// The input is a request body. Whatever the bytes, `JSONValue.parse` ends in a value or a
/// `JSONSyntaxError`, and DynamoDB JSON decoding in a value or a `DynamoDBJSONError` — never a
/// trap, a hang or a read out of bounds. What parses round-trips: serialising a value and
/// parsing that again gives the same value, and an item read from DynamoDB JSON is read back
/// equal from the JSON it writes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRequestJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    guard let json = try? JSONValue.parse(bytes) else { return 0 }
    let written = json.serialized()
    guard let reread = try? JSONValue.parse(written) else {
        preconditionFailure("serialized JSON parses: \(String(decoding: written, as: UTF8.self))")
    }
    precondition(reread == json, "JSON round-trips")

    if let value = try? AttributeValue(dynamoDBJSON: json) {
        precondition((try? AttributeValue(dynamoDBJSON: value.dynamoDBJSON)) == value, "a value round-trips")
    }
    if let item = try? Item(dynamoDBJSON: json) {
        precondition((try? Item(dynamoDBJSON: item.dynamoDBJSON)) == item, "an item round-trips")
        // What a write would store: the codec's bytes read back equal.
        precondition((try? ItemCodec.decode(ItemCodec.encode(item))) == item, "an item's bytes round-trip")
    }
    // A request's members, as the server reads them.
    if case .object(let members) = json {
        for (_, member) in members {
            _ = try? [String: AttributeValue](dynamoDBJSON: member)
            if case .array(let elements) = member {
                for element in elements { _ = try? Item(dynamoDBJSON: element) }
            }
        }
    }
    return 0
}

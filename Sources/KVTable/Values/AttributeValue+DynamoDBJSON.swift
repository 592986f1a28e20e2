#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// DynamoDB JSON, the one codec: `{"S":"text"}`, `{"N":"1.5"}`, `{"B":"base64"}`,
/// `{"BOOL":true}`, `{"NULL":true}`, `{"L":[…]}`, `{"M":{…}}`, `{"SS":[…]}`, `{"NS":["1"]}`,
/// `{"BS":["base64"]}`.
///
/// Everything that reads or writes DynamoDB JSON goes through here — the server's requests and
/// responses, the command line's items, `Codable` (``AttributeValue``'s conformance), and
/// ``AttributeValue/description`` — so they accept and reject exactly the same input, with
/// DynamoDB's messages.
extension AttributeValue {
    /// The value as DynamoDB JSON.
    public var dynamoDBJSON: JSONValue {
        switch self {
        case .s(let s): return .object(["S": .string(s)])
        case .n(let n): return .object(["N": .string(n.description)])
        case .b(let b): return .object(["B": .string(b.base64EncodedString())])
        case .bool(let flag): return .object(["BOOL": .bool(flag)])
        case .null: return .object(["NULL": .bool(true)])
        case .l(let list): return .object(["L": .array(list.map(\.dynamoDBJSON))])
        case .m(let map): return .object(["M": map.dynamoDBJSON])
        case .ss(let set): return .object(["SS": .array(set.map { .string($0) })])
        case .ns(let set): return .object(["NS": .array(set.map { .string($0.description) })])
        case .bs(let set): return .object(["BS": .array(set.map { .string($0.base64EncodedString()) })])
        }
    }

    /// Reads a value from DynamoDB JSON.
    ///
    /// JSON `null` members are ignored (`{"S": "x", "N": null}` is an `S`), as DynamoDB's SDKs
    /// send them; the value must then hold exactly one type.
    ///
    /// - Throws: ``DynamoDBJSONError`` — `.validation` where DynamoDB answers
    ///   `ValidationException` (no type or several, `NULL` not `true`, a bad number),
    ///   `.serialization` where it answers `SerializationException` (a member of the wrong JSON
    ///   type, bad base64, an unknown type).
    public init(dynamoDBJSON json: JSONValue) throws(DynamoDBJSONError) {
        guard case .object(let members) = json else {
            throw .serialization("An AttributeValue must be an object such as {\"S\": \"text\"}")
        }
        let present = members.filter { if case .null = $0.value { return false } else { return true } }
        guard present.count == 1, let (type, value) = present.first else {
            if present.isEmpty {
                throw .validation("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes")
            }
            throw .validation("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes")
        }
        let reader = MemberReader(type: type, value: value)
        switch type {
        case "S": self = .s(try reader.string())
        case "N": self = .n(try reader.number(try reader.string()))
        case "B": self = .b(try reader.binary(try reader.string()))
        case "BOOL":
            guard case .bool(let flag) = value else { throw .serialization("BOOL must be true or false") }
            self = .bool(flag)
        case "NULL":
            guard case .bool(true) = value else {
                throw .validation("One or more parameter values were invalid: Null attribute value types must have the value of true")
            }
            self = .null
        case "L":
            guard case .array(let elements) = value else { throw .serialization("L must be a list of attribute values") }
            var list: [AttributeValue] = []
            list.reserveCapacity(elements.count)
            for element in elements { list.append(try AttributeValue(dynamoDBJSON: element)) }
            self = .l(list)
        case "M":
            self = .m(try [String: AttributeValue](dynamoDBJSON: value, member: "M"))
        case "SS":
            self = .ss(try reader.strings())
        case "NS":
            var set: [ExactDecimal] = []
            for text in try reader.strings() { set.append(try reader.number(text)) }
            self = .ns(set)
        case "BS":
            var set: [Data] = []
            for text in try reader.strings() { set.append(try reader.binary(text)) }
            self = .bs(set)
        default:
            throw .serialization("Unknown AttributeValue type: \(type)")
        }
    }

    /// Reads the payload of one type member.
    private struct MemberReader {
        let type: String
        let value: JSONValue

        func string() throws(DynamoDBJSONError) -> String {
            guard case .string(let text) = value else {
                throw .serialization("The \(type) member of an AttributeValue must be a string")
            }
            return text
        }

        func strings() throws(DynamoDBJSONError) -> [String] {
            guard case .array(let elements) = value else {
                throw .serialization("The \(type) member of an AttributeValue must be a list of strings")
            }
            var result: [String] = []
            result.reserveCapacity(elements.count)
            for element in elements {
                guard case .string(let text) = element else {
                    throw .serialization("The \(type) member of an AttributeValue must be a list of strings")
                }
                result.append(text)
            }
            return result
        }

        func number(_ text: String) throws(DynamoDBJSONError) -> ExactDecimal {
            do { return try ExactDecimal(text) } catch { throw .validation(error.message) }
        }

        func binary(_ text: String) throws(DynamoDBJSONError) -> Data {
            guard let data = Data(base64Encoded: text) else {
                throw .serialization("Base64 encoded length is expected a multiple of 4 bytes but found: \(text.utf8.count)")
            }
            return data
        }
    }
}

extension Item {
    /// The item as DynamoDB JSON: an object of attribute names to typed values.
    public var dynamoDBJSON: JSONValue {
        attributes.dynamoDBJSON
    }

    /// Reads an item (a map of attribute names to DynamoDB JSON values).
    ///
    /// - Parameters:
    ///   - json: a JSON object of names to DynamoDB JSON values.
    ///   - member: the request member it came from, named in the error when `json` is
    ///     not an object.
    public init(dynamoDBJSON json: JSONValue, member: String = "Item") throws(DynamoDBJSONError) {
        self.init(try [String: AttributeValue](dynamoDBJSON: json, member: member))
    }

    /// Reads an item from DynamoDB JSON text: `{"PK": {"S": "USER#1"}, "age": {"N": "42"}}`.
    public init(dynamoDBJSON text: String) throws(DynamoDBJSONError) {
        let json: JSONValue
        do { json = try JSONValue.parse(text) } catch { throw .serialization("The item is \(error)") }
        try self.init(dynamoDBJSON: json)
    }
}

extension Dictionary where Key == String, Value == AttributeValue {
    /// The map as DynamoDB JSON: an object of names to typed values.
    public var dynamoDBJSON: JSONValue {
        .object(mapValues(\.dynamoDBJSON))
    }

    /// Reads a map of names to DynamoDB JSON values (an item's attributes or an `M` value).
    ///
    /// - Parameters:
    ///   - json: a JSON object of names to DynamoDB JSON values.
    ///   - member: the request member it came from, named in the error when `json` is
    ///     not an object.
    public init(dynamoDBJSON json: JSONValue, member: String = "Item") throws(DynamoDBJSONError) {
        guard case .object(let members) = json else {
            throw .serialization("\(member) must be a map of attribute names to attribute values")
        }
        self.init(minimumCapacity: members.count)
        for (name, value) in members {
            self[name] = try AttributeValue(dynamoDBJSON: value)
        }
    }
}

/// DynamoDB JSON that does not describe a valid value, with the exception DynamoDB answers.
public struct DynamoDBJSONError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Which of DynamoDB's exceptions the input earns.
    public enum Kind: String, Sendable, Equatable {
        /// `SerializationException`: the JSON does not have the protocol's shape.
        case serialization = "SerializationException"
        /// `ValidationException`: the shape is right, the value is not allowed.
        case validation = "ValidationException"
    }

    /// The exception DynamoDB answers for this input.
    public var kind: Kind
    /// What is wrong, in DynamoDB's words where it has them.
    public var message: String

    /// An error of `kind` with its message.
    public init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }

    static func serialization(_ message: String) -> DynamoDBJSONError { .init(kind: .serialization, message: message) }
    static func validation(_ message: String) -> DynamoDBJSONError { .init(kind: .validation, message: message) }

    public var description: String { "\(kind.rawValue): \(message)" }
}

extension AttributeValue: Codable {
    /// Decodes DynamoDB JSON (through ``init(dynamoDBJSON:)``, so the rules are the same).
    /// (``ItemEncoder`` stores an `AttributeValue` property as the value itself.)
    public init(from decoder: any Decoder) throws {
        let json = try JSONValue(from: decoder)
        do {
            self = try AttributeValue(dynamoDBJSON: json)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    /// Encodes DynamoDB JSON (``dynamoDBJSON``).
    public func encode(to encoder: any Encoder) throws {
        try dynamoDBJSON.encode(to: encoder)
    }
}

/// A number encodes as its canonical decimal string (so no JSON parser turns it into a
/// `Double`); ``ItemEncoder`` stores it as `N`.
extension ExactDecimal: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do {
            self = try ExactDecimal(text)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "\(error)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

import Foundation
import KVTable

/// DynamoDB JSON ↔ KVTable values, with DynamoDB's messages for malformed attribute values.
enum WireFormat {
    static func json(_ item: Item) -> JSONValue {
        .object(item.mapValues(json))
    }

    static func json(_ value: AttributeValue) -> JSONValue {
        switch value {
        case .s(let s): return .object(["S": .string(s)])
        case .n(let n): return .object(["N": .string(n.description)])
        case .b(let b): return .object(["B": .string(b.base64EncodedString())])
        case .bool(let flag): return .object(["BOOL": .bool(flag)])
        case .null: return .object(["NULL": .bool(true)])
        case .l(let list): return .object(["L": .array(list.map(json))])
        case .m(let map): return .object(["M": json(map)])
        case .ss(let set): return .object(["SS": .array(set.map { .string($0) })])
        case .ns(let set): return .object(["NS": .array(set.map { .string($0.description) })])
        case .bs(let set): return .object(["BS": .array(set.map { .string($0.base64EncodedString()) })])
        }
    }

    static func item(_ json: JSONValue, member: String) throws(WireError) -> Item {
        guard case .object(let members) = json else {
            throw WireError.serialization("\(member) must be a map of attribute names to attribute values")
        }
        var item = Item(minimumCapacity: members.count)
        for (name, value) in members {
            item[name] = try attributeValue(value)
        }
        return item
    }

    static func attributeValue(_ json: JSONValue) throws(WireError) -> AttributeValue {
        guard case .object(let members) = json else {
            throw WireError.serialization("An AttributeValue must be an object such as {\"S\": \"text\"}")
        }
        let present = members.filter { if case .null = $0.value { return false } else { return true } }
        guard present.count == 1, let (type, value) = present.first else {
            if present.isEmpty {
                throw WireError.validation("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes")
            }
            throw WireError.validation("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes")
        }
        func string() throws(WireError) -> String {
            guard case .string(let text) = value else { throw WireError.serialization("The \(type) member of an AttributeValue must be a string") }
            return text
        }
        func strings() throws(WireError) -> [String] {
            guard case .array(let elements) = value else { throw WireError.serialization("The \(type) member of an AttributeValue must be a list of strings") }
            var result: [String] = []
            for element in elements {
                guard case .string(let text) = element else { throw WireError.serialization("The \(type) member of an AttributeValue must be a list of strings") }
                result.append(text)
            }
            return result
        }
        func number(_ text: String) throws(WireError) -> ExactDecimal {
            do { return try ExactDecimal(text) } catch { throw WireError(error) }
        }
        func binary(_ text: String) throws(WireError) -> Data {
            guard let data = Data(base64Encoded: text) else {
                throw WireError.serialization("Base64 encoded length is expected a multiple of 4 bytes but found: \(text.utf8.count)")
            }
            return data
        }
        switch type {
        case "S": return .s(try string())
        case "N": return .n(try number(try string()))
        case "B": return .b(try binary(try string()))
        case "BOOL":
            guard case .bool(let flag) = value else { throw WireError.serialization("BOOL must be true or false") }
            return .bool(flag)
        case "NULL":
            guard case .bool(true) = value else {
                throw WireError.validation("One or more parameter values were invalid: Null attribute value types must have the value of true")
            }
            return .null
        case "L":
            guard case .array(let elements) = value else { throw WireError.serialization("L must be a list of attribute values") }
            var list: [AttributeValue] = []
            for element in elements { list.append(try attributeValue(element)) }
            return .l(list)
        case "M":
            return .m(try item(value, member: "M"))
        case "SS": return .ss(try strings())
        case "NS":
            var set: [ExactDecimal] = []
            for text in try strings() { set.append(try number(text)) }
            return .ns(set)
        case "BS":
            var set: [Data] = []
            for text in try strings() { set.append(try binary(text)) }
            return .bs(set)
        default:
            throw WireError.serialization("Unknown AttributeValue type: \(type)")
        }
    }
}

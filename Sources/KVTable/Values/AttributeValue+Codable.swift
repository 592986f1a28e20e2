#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// DynamoDB JSON: `{"S":"text"}`, `{"N":"1.5"}`, `{"B":"base64"}`, `{"BOOL":true}`,
/// `{"NULL":true}`, `{"L":[…]}`, `{"M":{…}}`, `{"SS":[…]}`, `{"NS":["1"]}`, `{"BS":["base64"]}`.
/// (``ItemEncoder`` stores an `AttributeValue` property as the value itself.)
extension AttributeValue: Codable {
    private struct TypeKey: CodingKey {
        let stringValue: String
        init(_ type: AttributeType) { stringValue = type.rawValue }
        init?(stringValue: String) { self.stringValue = stringValue }
        var intValue: Int? { nil }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: TypeKey.self)
        guard container.allKeys.count == 1, let key = container.allKeys.first,
              let type = AttributeType(rawValue: key.stringValue) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                debugDescription: "An AttributeValue has exactly one of S, N, B, BOOL, NULL, L, M, SS, NS, BS"))
        }
        func number(_ text: String) throws -> ExactDecimal {
            do { return try ExactDecimal(text) } catch {
                throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "\(error)")
            }
        }
        func binary(_ text: String) throws -> Data {
            guard let data = Data(base64Encoded: text) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "Invalid base64")
            }
            return data
        }
        switch type {
        case .string: self = .s(try container.decode(String.self, forKey: key))
        case .number: self = .n(try number(try container.decode(String.self, forKey: key)))
        case .binary: self = .b(try binary(try container.decode(String.self, forKey: key)))
        case .boolean: self = .bool(try container.decode(Bool.self, forKey: key))
        case .null: self = .null
        case .list: self = .l(try container.decode([AttributeValue].self, forKey: key))
        case .map: self = .m(try container.decode([String: AttributeValue].self, forKey: key))
        case .stringSet: self = .ss(try container.decode([String].self, forKey: key))
        case .numberSet: self = .ns(try container.decode([String].self, forKey: key).map(number))
        case .binarySet: self = .bs(try container.decode([String].self, forKey: key).map(binary))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: TypeKey.self)
        let key = TypeKey(type)
        switch self {
        case .s(let s): try container.encode(s, forKey: key)
        case .n(let n): try container.encode(n.description, forKey: key)
        case .b(let b): try container.encode(b.base64EncodedString(), forKey: key)
        case .bool(let flag): try container.encode(flag, forKey: key)
        case .null: try container.encode(true, forKey: key)
        case .l(let list): try container.encode(list, forKey: key)
        case .m(let map): try container.encode(map, forKey: key)
        case .ss(let set): try container.encode(set, forKey: key)
        case .ns(let set): try container.encode(set.map(\.description), forKey: key)
        case .bs(let set): try container.encode(set.map { $0.base64EncodedString() }, forKey: key)
        }
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

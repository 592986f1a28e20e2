import KVTable
import KVTableDynamoDB

/// The members of one request body, read with DynamoDB's messages for missing or mistyped
/// parameters (`1 validation error detected: Value null at 'tableName' failed to satisfy
/// constraint: Member must not be null`).
struct WireRequest {
    let members: [String: JSONValue]

    init(_ members: [String: JSONValue]) {
        self.members = members
    }

    /// DynamoDB names a parameter in validation messages with a lower-case first letter.
    static func constraintName(_ member: String) -> String {
        member.prefix(1).lowercased() + member.dropFirst()
    }

    private func present(_ member: String) -> JSONValue? {
        switch members[member] {
        case nil, .null?: return nil
        case let value?: return value
        }
    }

    func has(_ member: String) -> Bool { present(member) != nil }

    func required<T>(_ member: String, _ read: (String) throws(WireError) -> T?) throws(WireError) -> T {
        guard let value = try read(member) else {
            throw WireError.validation("1 validation error detected: Value null at '\(WireRequest.constraintName(member))' failed to satisfy constraint: Member must not be null")
        }
        return value
    }

    func string(_ member: String) throws(WireError) -> String? {
        guard let value = present(member) else { return nil }
        guard case .string(let text) = value else { throw WireError.serialization("\(member) must be a string") }
        return text
    }

    func bool(_ member: String) throws(WireError) -> Bool? {
        guard let value = present(member) else { return nil }
        guard case .bool(let flag) = value else { throw WireError.serialization("\(member) must be a boolean") }
        return flag
    }

    func int(_ member: String) throws(WireError) -> Int? {
        guard let value = present(member) else { return nil }
        guard case .number(let number) = value, number.rounded() == number, abs(number) < 1e15 else {
            throw WireError.serialization("\(member) must be an integer")
        }
        return Int(number)
    }

    func object(_ member: String) throws(WireError) -> [String: JSONValue]? {
        guard let value = present(member) else { return nil }
        guard case .object(let object) = value else { throw WireError.serialization("\(member) must be a map") }
        return object
    }

    func array(_ member: String) throws(WireError) -> [JSONValue]? {
        guard let value = present(member) else { return nil }
        guard case .array(let array) = value else { throw WireError.serialization("\(member) must be a list") }
        return array
    }

    func request(_ member: String) throws(WireError) -> WireRequest? {
        try object(member).map(WireRequest.init)
    }

    func strings(_ member: String) throws(WireError) -> [String]? {
        guard let array = try array(member) else { return nil }
        var result: [String] = []
        for element in array {
            guard case .string(let text) = element else { throw WireError.serialization("\(member) must be a list of strings") }
            result.append(text)
        }
        return result
    }

    func item(_ member: String) throws(WireError) -> Item? {
        guard let value = present(member) else { return nil }
        return try WireRequest.item(value, member: member)
    }

    /// A member that must be one of `allowed` (an enum parameter such as `ReturnValues`).
    func choice(_ member: String, _ allowed: [String]) throws(WireError) -> String? {
        guard let value = try string(member) else { return nil }
        guard allowed.contains(value) else {
            throw WireError.validation("1 validation error detected: Value '\(value)' at '\(WireRequest.constraintName(member))' failed to satisfy constraint: Member must satisfy enum value set: [\(allowed.joined(separator: ", "))]")
        }
        return value
    }

    /// `Limit`-style members: at least 1.
    func positiveInt(_ member: String) throws(WireError) -> Int? {
        guard let value = try int(member) else { return nil }
        guard value >= 1 else {
            throw WireError.validation("1 validation error detected: Value '\(value)' at '\(WireRequest.constraintName(member))' failed to satisfy constraint: Member must have value greater than or equal to 1")
        }
        return value
    }

    /// `ExpressionAttributeNames`: present means non-empty.
    func expressionNames() throws(WireError) -> [String: String]? {
        guard let object = try object("ExpressionAttributeNames") else { return nil }
        guard !object.isEmpty else { throw WireError.validation("ExpressionAttributeNames must not be empty") }
        var names: [String: String] = [:]
        for (key, value) in object {
            guard case .string(let name) = value else { throw WireError.serialization("ExpressionAttributeNames values must be strings") }
            names[key] = name
        }
        return names
    }

    /// `ExpressionAttributeValues`: present means non-empty.
    func expressionValues() throws(WireError) -> [String: AttributeValue]? {
        guard let object = try object("ExpressionAttributeValues") else { return nil }
        guard !object.isEmpty else { throw WireError.validation("ExpressionAttributeValues must not be empty") }
        var values: [String: AttributeValue] = [:]
        for (key, value) in object {
            do {
                values[key] = try AttributeValue(dynamoDBJSON: value)
            } catch where error.kind == .serialization {
                throw WireError(error)
            } catch {
                throw WireError.validation("ExpressionAttributeValues contains invalid value: \(error.message) for key \(key)")
            }
        }
        return values
    }

    /// An item in DynamoDB JSON (through the one codec, ``Item/init(dynamoDBJSON:member:)``).
    static func item(_ json: JSONValue, member: String) throws(WireError) -> Item {
        do { return try Item(dynamoDBJSON: json, member: member) } catch { throw WireError(error) }
    }

    /// A value in DynamoDB JSON (through the one codec, ``AttributeValue/init(dynamoDBJSON:)``).
    static func attributeValue(_ json: JSONValue) throws(WireError) -> AttributeValue {
        do { return try AttributeValue(dynamoDBJSON: json) } catch { throw WireError(error) }
    }
}

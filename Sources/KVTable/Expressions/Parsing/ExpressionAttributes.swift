/// The `ExpressionAttributeNames` and `ExpressionAttributeValues` of one request, and which of
/// them its expressions used: DynamoDB rejects a request that defines a placeholder no
/// expression uses, and an expression that uses one the request does not define.
struct ExpressionAttributes: Sendable {
    let names: [String: String]
    let values: [String: AttributeValue]
    private(set) var usedNames: Set<String> = []
    private(set) var usedValues: Set<String> = []

    init(names: [String: String], values: [String: AttributeValue]) throws(KVTableError) {
        for (placeholder, name) in names {
            guard ExpressionAttributes.isPlaceholder(placeholder, sigil: "#") else {
                throw .validation("ExpressionAttributeNames contains invalid key: Syntax error; key: \"\(placeholder)\"")
            }
            guard !name.isEmpty else {
                throw .validation("ExpressionAttributeNames contains invalid value: Empty attribute name for key \(placeholder)")
            }
            // No item can hold a longer name, so no expression may name one (a projection or
            // a condition included), as DynamoDB refuses it.
            let bytes = name.utf8.count
            guard bytes <= ItemValidation.maximumNameBytes else {
                throw .validation("ExpressionAttributeNames contains invalid value: An attribute name is \(bytes) bytes long; the limit is \(ItemValidation.maximumNameBytes) for key \(placeholder)")
            }
        }
        for (placeholder, value) in values {
            guard ExpressionAttributes.isPlaceholder(placeholder, sigil: ":") else {
                throw .validation("ExpressionAttributeValues contains invalid key: Syntax error; key: \"\(placeholder)\"")
            }
            do {
                try ItemValidation.validate(value, depth: 0)
            } catch {
                guard case .validation(let message) = error else { throw error }
                throw .validation("ExpressionAttributeValues contains invalid value: \(message) for key \(placeholder)")
            }
        }
        self.names = names
        self.values = values
    }

    /// `#` or `:` followed by one or more letters, digits or underscores.
    private static func isPlaceholder(_ text: String, sigil: Character) -> Bool {
        guard text.first == sigil, text.count > 1 else { return false }
        return text.utf8.dropFirst().allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F
        }
    }

    mutating func name(_ placeholder: String, kind: ExpressionKind) throws(KVTableError) -> String {
        guard let name = names[placeholder] else {
            throw .validation("Invalid \(kind.rawValue): An expression attribute name used in the document path is not defined; attribute name: \(placeholder)")
        }
        usedNames.insert(placeholder)
        return name
    }

    mutating func value(_ placeholder: String, kind: ExpressionKind) throws(KVTableError) -> AttributeValue {
        guard let value = values[placeholder] else {
            throw .validation("Invalid \(kind.rawValue): An expression attribute value used in expression is not defined; attribute value: \(placeholder)")
        }
        usedValues.insert(placeholder)
        return value
    }

    /// Throws for the first kind of placeholder (values, then names) that has unused entries,
    /// listing them all, as DynamoDB does.
    func checkAllUsed() throws(KVTableError) {
        let unusedValues = Set(values.keys).subtracting(usedValues)
        if !unusedValues.isEmpty {
            throw .validation("Value provided in ExpressionAttributeValues unused in expressions: keys: {\(unusedValues.sorted().joined(separator: ", "))}")
        }
        let unusedNames = Set(names.keys).subtracting(usedNames)
        if !unusedNames.isEmpty {
            throw .validation("Value provided in ExpressionAttributeNames unused in expressions: keys: {\(unusedNames.sorted().joined(separator: ", "))}")
        }
    }
}

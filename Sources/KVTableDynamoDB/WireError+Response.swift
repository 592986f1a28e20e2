import KVTable

extension WireError {
    /// Reads an error answer: `{"__type": "…#ValidationException", "message": "…"}` (AWS writes
    /// `Message` for some types; the namespace before `#` varies by service and is dropped).
    public init(responseBody json: JSONValue, status: Int) {
        guard case .object(var members) = json else {
            self.init(type: "UnknownError", message: "HTTP \(status) without an error body", status: status)
            return
        }
        var type = "UnknownError"
        if case .string(let text)? = members.removeValue(forKey: "__type") {
            type = String(text.split(separator: "#").last ?? Substring(text))
        }
        var message = ""
        for key in ["message", "Message"] {
            if case .string(let text)? = members.removeValue(forKey: key) { message = text }
        }
        self.init(type: type, message: message, extra: members, status: status)
    }
}

extension KVTableError {
    /// The local error that a DynamoDB error answer stands for — the inverse of
    /// ``WireError/init(_:returnItems:)`` — or nil when there is no local equivalent.
    public init?(_ wire: WireError) {
        switch wire.type {
        case "ValidationException":
            self = .validation(wire.message)
        case "ConditionalCheckFailedException":
            self = .conditionalCheckFailed(currentItem: wire.extra["Item"].flatMap { try? Item(dynamoDBJSON: $0) })
        case "ResourceNotFoundException":
            self = .resourceNotFound(wire.message)
        case "ResourceInUseException":
            self = .resourceInUse(wire.message)
        case "IdempotentParameterMismatchException":
            self = .idempotentParameterMismatch(wire.message)
        case "ItemCollectionSizeLimitExceededException":
            self = .itemCollectionSizeLimitExceeded(wire.message)
        case "TransactionCanceledException":
            guard case .array(let entries)? = wire.extra["CancellationReasons"] else { return nil }
            var reasons: [CancellationReason] = []
            for entry in entries {
                guard case .object(let members) = entry, case .string(let code)? = members["Code"] else { return nil }
                var message = ""
                if case .string(let text)? = members["Message"] { message = text }
                switch code {
                case "None": reasons.append(.none)
                case "ConditionalCheckFailed":
                    reasons.append(.conditionalCheckFailed(currentItem: members["Item"].flatMap { try? Item(dynamoDBJSON: $0) }))
                case "ValidationError": reasons.append(.validationError(message))
                case "ItemCollectionSizeLimitExceeded": reasons.append(.itemCollectionSizeLimitExceeded(message))
                default: return nil   // TransactionConflict, ThrottlingError, …: no local equivalent
                }
            }
            self = .transactionCanceled(reasons)
        default:
            return nil
        }
    }
}

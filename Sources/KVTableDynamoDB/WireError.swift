import KVTable

/// An error as DynamoDB returns it: HTTP 400 (500 for internal errors) with a JSON body
/// `{"__type": "com.amazonaws.dynamodb.v20120810#<Type>", "message": "…"}` plus, for some
/// types, more members (`CancellationReasons`, `Item`).
public struct WireError: Error, Sendable, Equatable {
    /// The short type name, e.g. `ValidationException`.
    public var type: String
    /// What is wrong, as DynamoDB words it.
    public var message: String
    /// Extra members of the error body.
    public var extra: [String: JSONValue] = [:]
    /// The HTTP status: 400 for the client's errors, 500 for internal ones.
    public var status: Int = 400

    /// An error of `type` (without the namespace) with its message.
    public init(type: String, message: String, extra: [String: JSONValue] = [:], status: Int = 400) {
        self.type = type
        self.message = message
        self.extra = extra
        self.status = status
    }

    /// A `ValidationException`.
    public static func validation(_ message: String) -> WireError {
        WireError(type: "ValidationException", message: message)
    }

    /// A `SerializationException`.
    public static func serialization(_ message: String) -> WireError {
        WireError(type: "SerializationException", message: message)
    }

    /// The namespace prefix of `__type` for errors DynamoDB defines in its own API.
    public static let namespace = "com.amazonaws.dynamodb.v20120810#"

    /// The response body.
    public var body: JSONValue {
        var members = extra
        members["__type"] = .string(WireError.namespace + type)
        members["message"] = .string(message)
        return .object(members)
    }

    /// Maps a KVTable error onto DynamoDB's error types.
    ///
    /// - Parameter returnItems: whether the request asked for the current item on a failed
    ///   condition (`ReturnValuesOnConditionCheckFailure: ALL_OLD`); per transaction action.
    public init(_ error: KVTableError, returnItems: [Bool] = []) {
        switch error {
        case .validation(let message):
            self = .validation(message)
        case .conditionalCheckFailed(let item):
            self.init(type: "ConditionalCheckFailedException", message: "The conditional request failed")
            if let item, returnItems.first == true { extra["Item"] = item.dynamoDBJSON }
        case .resourceNotFound(let message):
            self.init(type: "ResourceNotFoundException", message: message)
        case .resourceInUse(let message):
            self.init(type: "ResourceInUseException", message: message)
        case .transactionCanceled(let reasons):
            self.init(type: "TransactionCanceledException", message: error.description
                .replacingOccurrences(of: "TransactionCanceledException: ", with: ""))
            extra["CancellationReasons"] = .array(reasons.enumerated().map { offset, reason in
                var member: [String: JSONValue] = ["Code": .string(reason.code)]
                switch reason {
                case .none:
                    break
                case .conditionalCheckFailed(let item):
                    member["Message"] = .string("The conditional request failed")
                    if let item, offset < returnItems.count, returnItems[offset] { member["Item"] = item.dynamoDBJSON }
                case .validationError(let message), .itemCollectionSizeLimitExceeded(let message):
                    member["Message"] = .string(message)
                }
                return .object(member)
            })
        case .idempotentParameterMismatch(let message):
            self.init(type: "IdempotentParameterMismatchException", message: message)
        case .itemCollectionSizeLimitExceeded(let message):
            self.init(type: "ItemCollectionSizeLimitExceededException", message: message)
        case .storage(let message):
            self.init(type: "InternalServerError", message: message, status: 500)
        case .changeStreamLagged(let message), .uniqueConstraintViolation(let message):
            self.init(type: "InternalServerError", message: message, status: 500)
        }
    }
}

extension WireError {
    /// Malformed DynamoDB JSON, as the exception DynamoDB answers for it.
    public init(_ error: DynamoDBJSONError) {
        self.init(type: error.kind.rawValue, message: error.message)
    }

}

/// Every error KVTable throws.
///
/// Messages are worded like DynamoDB's where DynamoDB has an equivalent, so that code written
/// against DynamoDB (and people who know its errors) recognise them. A failed operation never
/// leaves stored data changed.
public enum KVTableError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The request is malformed: a bad value, key, schema, condition or option
    /// (DynamoDB's `ValidationException`). The message says what is wrong.
    case validation(String)
    /// A write's condition evaluated to false (DynamoDB's `ConditionalCheckFailedException`).
    /// Carries the item as it is stored now when the caller asked for it
    /// (`returnValuesOnConditionCheckFailure`), `nil` otherwise or when there is no item.
    case conditionalCheckFailed(currentItem: Item?)
    /// A table or index that does not exist (DynamoDB's `ResourceNotFoundException`).
    case resourceNotFound(String)
    /// A table that already exists (DynamoDB's `ResourceInUseException`).
    case resourceInUse(String)
    /// The storage engine failed (an LMDB error code and its text, an I/O error, a closed store).
    case storage(String)

    public var description: String {
        switch self {
        case .validation(let message): return "ValidationException: \(message)"
        case .conditionalCheckFailed: return "ConditionalCheckFailedException: The conditional request failed"
        case .resourceNotFound(let message): return "ResourceNotFoundException: \(message)"
        case .resourceInUse(let message): return "ResourceInUseException: \(message)"
        case .storage(let message): return "StorageError: \(message)"
        }
    }
}

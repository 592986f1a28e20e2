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
    /// A transaction was cancelled; one reason per action, in order
    /// (DynamoDB's `TransactionCanceledException`).
    case transactionCanceled([CancellationReason])
    /// A retried transaction reused an idempotency token with different actions
    /// (DynamoDB's `IdempotentParameterMismatchException`).
    case idempotentParameterMismatch(String)
    /// A change-stream consumer fell behind its buffer; its stream ended with this error.
    case changeStreamLagged(String)
    /// An entity's unique attribute value is already taken by another entity.
    case uniqueConstraintViolation(String)

    public var description: String {
        switch self {
        case .validation(let message): return "ValidationException: \(message)"
        case .conditionalCheckFailed: return "ConditionalCheckFailedException: The conditional request failed"
        case .resourceNotFound(let message): return "ResourceNotFoundException: \(message)"
        case .resourceInUse(let message): return "ResourceInUseException: \(message)"
        case .storage(let message): return "StorageError: \(message)"
        case .transactionCanceled(let reasons):
            return "TransactionCanceledException: Transaction cancelled, please refer cancellation reasons for specific reasons [\(reasons.map(\.code).joined(separator: ", "))]"
        case .idempotentParameterMismatch(let message): return "IdempotentParameterMismatchException: \(message)"
        case .changeStreamLagged(let message): return "ChangeStreamLagged: \(message)"
        case .uniqueConstraintViolation(let message): return "UniqueConstraintViolation: \(message)"
        }
    }
}

/// Why one action of a cancelled transaction failed (or `none` when it did not).
public enum CancellationReason: Sendable, Equatable {
    /// This action was fine; another one cancelled the transaction.
    case none
    /// This action's condition was false; carries the current item when it was asked for.
    case conditionalCheckFailed(currentItem: Item?)
    /// This action was invalid for the item as stored (for example an update type mismatch).
    case validationError(String)

    /// DynamoDB's reason code: `None`, `ConditionalCheckFailed`, `ValidationError`.
    public var code: String {
        switch self {
        case .none: return "None"
        case .conditionalCheckFailed: return "ConditionalCheckFailed"
        case .validationError: return "ValidationError"
        }
    }
}

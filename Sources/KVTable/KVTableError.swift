/// Every error KVTable throws.
///
/// Messages are worded like DynamoDB's where DynamoDB has an equivalent, so that code written
/// against DynamoDB (and people who know its errors) recognise them. A failed operation never
/// leaves stored data changed.
public enum KVTableError: Error, Sendable, Hashable, CustomStringConvertible {
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
    /// A write would grow an item collection — the items of one partition key value of a table
    /// with local secondary indexes, and their local index entries — past 10 GB
    /// (DynamoDB's `ItemCollectionSizeLimitExceededException`).
    case itemCollectionSizeLimitExceeded(String)

    /// DynamoDB's exception name for this error (`ValidationException`,
    /// `ConditionalCheckFailedException`, …); KVTable's own name where DynamoDB has none.
    public var code: String {
        switch self {
        case .validation: return "ValidationException"
        case .conditionalCheckFailed: return "ConditionalCheckFailedException"
        case .resourceNotFound: return "ResourceNotFoundException"
        case .resourceInUse: return "ResourceInUseException"
        case .storage: return "StorageError"
        case .transactionCanceled: return "TransactionCanceledException"
        case .idempotentParameterMismatch: return "IdempotentParameterMismatchException"
        case .changeStreamLagged: return "ChangeStreamLagged"
        case .uniqueConstraintViolation: return "UniqueConstraintViolation"
        case .itemCollectionSizeLimitExceeded: return "ItemCollectionSizeLimitExceededException"
        }
    }

    /// What went wrong, without the code.
    public var message: String {
        switch self {
        case .validation(let message), .resourceNotFound(let message), .resourceInUse(let message),
             .storage(let message), .idempotentParameterMismatch(let message),
             .changeStreamLagged(let message), .uniqueConstraintViolation(let message),
             .itemCollectionSizeLimitExceeded(let message):
            return message
        case .conditionalCheckFailed: return "The conditional request failed"
        case .transactionCanceled(let reasons):
            return "Transaction cancelled, please refer cancellation reasons for specific reasons [\(reasons.map(\.code).joined(separator: ", "))]"
        }
    }

    public var description: String { "\(code): \(message)" }
}

/// Why one action of a cancelled transaction failed (or `none` when it did not).
public enum CancellationReason: Sendable, Hashable {
    /// This action was fine; another one cancelled the transaction.
    case none
    /// This action's condition was false; carries the current item when it was asked for.
    case conditionalCheckFailed(currentItem: Item?)
    /// This action was invalid for the item as stored (for example an update type mismatch).
    case validationError(String)
    /// This action would have grown its item collection past 10 GB
    /// (``KVTableError/itemCollectionSizeLimitExceeded(_:)``).
    case itemCollectionSizeLimitExceeded(String)

    /// DynamoDB's reason code: `None`, `ConditionalCheckFailed`, `ValidationError`,
    /// `ItemCollectionSizeLimitExceeded`.
    public var code: String {
        switch self {
        case .none: return "None"
        case .conditionalCheckFailed: return "ConditionalCheckFailed"
        case .validationError: return "ValidationError"
        case .itemCollectionSizeLimitExceeded: return "ItemCollectionSizeLimitExceeded"
        }
    }
}

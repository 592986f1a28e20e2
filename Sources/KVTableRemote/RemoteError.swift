/// A remote engine failure that is not one of DynamoDB's answers KVTable knows locally.
///
/// DynamoDB's own errors that have a local equivalent (`ValidationException`,
/// `ConditionalCheckFailedException`, `TransactionCanceledException`, …) are thrown as the same
/// `KVTableError` a local store throws, so code handles them once for every engine.
public enum RemoteError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No credentials, or no region, could be found.
    case missingCredentials(String)
    /// The endpoint URL is not an `http://` or `https://` URL.
    case invalidEndpoint(String)
    /// The endpoint could not be reached (refused, unresolvable, TLS failure, connection
    /// closed), after every allowed attempt.
    case unreachable(endpoint: String, operation: String, reason: String)
    /// Connecting or the whole request took longer than the configured timeout.
    case timeout(endpoint: String, operation: String)
    /// The answer is not what DynamoDB's protocol promises (not JSON, a missing member, an
    /// unexpected status).
    case malformedResponse(operation: String, reason: String)
    /// An error DynamoDB answered that has no local equivalent (throttling after every
    /// retry, an access problem, an internal error): its type and message.
    case service(operation: String, type: String, message: String, status: Int)

    public var description: String {
        switch self {
        case .missingCredentials(let reason): return "Missing credentials: \(reason)"
        case .invalidEndpoint(let endpoint): return "Invalid endpoint '\(endpoint)': expected an http:// or https:// URL"
        case .unreachable(let endpoint, let operation, let reason): return "\(operation): \(endpoint) is unreachable: \(reason)"
        case .timeout(let endpoint, let operation): return "\(operation): \(endpoint) did not answer in time"
        case .malformedResponse(let operation, let reason): return "\(operation): malformed response: \(reason)"
        case .service(let operation, let type, let message, let status): return "\(operation): \(type) (HTTP \(status)): \(message)"
        }
    }
}

/// Why a request's AWS Signature Version 4 was rejected, or why credentials could not be found.
///
/// Each case carries the human-readable message DynamoDB would send, so a server can answer
/// with ``dynamoDBType`` and ``message`` verbatim and SDKs react exactly as they do against AWS
/// (for example, botocore retries on clock skew only when it sees `InvalidSignatureException`
/// with a "Signature expired" message).
public enum SignatureError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The request has no `Authorization` header at all.
    case missingAuthenticationToken(String)
    /// The `Authorization` header (or the date it depends on) is malformed or incomplete.
    case incompleteSignature(String)
    /// The access key ID is not one the verifier knows.
    case unrecognizedClient(String)
    /// The signature, or its credential scope, does not match what the server computes.
    case invalidSignature(String)
    /// The request's timestamp is outside the allowed clock skew, in either direction.
    ///
    /// Kept apart from ``invalidSignature(_:)`` so callers can tell a clock problem from a
    /// wrong key, although DynamoDB reports both as `InvalidSignatureException`.
    case signatureExpired(String)
    /// A required environment variable (named by the payload) is missing or empty.
    ///
    /// Client-side only: it never travels over the wire.
    case missingCredentials(String)

    /// The standard message for a request without an `Authorization` header.
    public static let missingTokenMessage = "Request is missing Authentication Token"
    /// The standard message for an access key ID the server does not know.
    public static let unrecognizedClientMessage = "The security token included in the request is invalid."
    /// The standard message for a signature that does not match.
    public static let invalidSignatureMessage =
        "The request signature we calculated does not match the signature you provided. "
        + "Check your AWS Secret Access Key and signing method. "
        + "Consult the service documentation for details."

    /// DynamoDB's exception name for this error, as sent in the `__type` of an error response.
    public var dynamoDBType: String {
        switch self {
        case .missingAuthenticationToken: "MissingAuthenticationTokenException"
        case .incompleteSignature: "IncompleteSignatureException"
        case .unrecognizedClient: "UnrecognizedClientException"
        case .invalidSignature, .signatureExpired: "InvalidSignatureException"
        case .missingCredentials: "MissingCredentials"
        }
    }

    /// The human-readable message, worded as DynamoDB words it.
    public var message: String {
        switch self {
        case .missingAuthenticationToken(let message), .incompleteSignature(let message),
            .unrecognizedClient(let message), .invalidSignature(let message),
            .signatureExpired(let message):
            message
        case .missingCredentials(let variable):
            "Unable to locate AWS credentials: environment variable \(variable) is not set or empty"
        }
    }

    /// `Type: message`, which is how the error reads in logs and test failures.
    public var description: String { "\(dynamoDBType): \(message)" }
}

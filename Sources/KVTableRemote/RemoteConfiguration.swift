#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KVTableDynamoDB

/// Where a ``RemoteStore`` sends its requests and how it signs, times out and retries them.
///
/// ```swift
/// // AWS: credentials and region from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
/// // AWS_SESSION_TOKEN and AWS_REGION.
/// let aws = try RemoteConfiguration.aws()
/// // Any DynamoDB-protocol endpoint (ScyllaDB Alternator, `kvtable serve`, moto):
/// let local = RemoteConfiguration(endpoint: "http://127.0.0.1:8000", region: "us-east-1",
///                                 credentials: AWSCredentials(accessKeyID: "key", secretAccessKey: "secret"))
/// ```
public struct RemoteConfiguration: Sendable {
    /// The endpoint's base URL, `http://` or `https://` (TLS), e.g.
    /// `https://dynamodb.eu-west-1.amazonaws.com`.
    public var endpoint: String
    /// The region named in each request's signature.
    public var region: String
    /// The key that signs each request (AWS Signature Version 4).
    public var credentials: AWSCredentials
    /// How long establishing a connection may take.
    public var connectTimeout: Duration
    /// How long one request may take, from sending to the last byte of the answer.
    public var requestTimeout: Duration
    /// When to retry, and how long to wait between attempts.
    public var retry: RetryPolicy
    /// Answers larger than this are refused as malformed (DynamoDB's pages are at most 1 MB
    /// of items, which their JSON can inflate several times).
    public var maximumResponseBytes: Int

    /// A configuration for `endpoint`; the defaults suit AWS (5 s to connect, 30 s per request,
    /// 8 attempts).
    public init(endpoint: String, region: String, credentials: AWSCredentials,
                connectTimeout: Duration = .seconds(5), requestTimeout: Duration = .seconds(30),
                retry: RetryPolicy = RetryPolicy(), maximumResponseBytes: Int = 64 << 20) {
        self.endpoint = endpoint
        self.region = region
        self.credentials = credentials
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.retry = retry
        self.maximumResponseBytes = maximumResponseBytes
    }

    /// AWS DynamoDB in `region` (default: `AWS_REGION` / `AWS_DEFAULT_REGION`), with
    /// credentials from the standard environment variables.
    ///
    /// - Throws: ``RemoteError/missingCredentials(_:)`` when a variable is missing.
    public static func aws(region: String? = nil,
                           environment: [String: String] = ProcessInfo.processInfo.environment) throws(RemoteError) -> RemoteConfiguration {
        let credentials: AWSCredentials
        do { credentials = try AWSCredentials.fromEnvironment(environment) } catch {
            throw .missingCredentials(error.message)
        }
        guard let region = region ?? AWSCredentials.region(from: environment) else {
            throw .missingCredentials("No region: pass one, or set AWS_REGION")
        }
        return RemoteConfiguration(endpoint: "https://dynamodb.\(region).amazonaws.com", region: region,
                                   credentials: credentials)
    }
}

/// Retries with capped exponential backoff and full jitter: attempt *n* waits a random time
/// between 0 and `min(maximumDelay, baseDelay × 2ⁿ)`.
///
/// What is retried, and why it is safe:
/// - throttling (`ProvisionedThroughputExceededException`, `ThrottlingException`,
///   `RequestLimitExceeded`) — always: DynamoDB did not apply a throttled request;
/// - HTTP 5xx and broken connections — only for requests whose replay cannot change the
///   outcome: reads, puts and deletes that return nothing old, updates that only `SET`
///   constants or `REMOVE`, and transactions (sent with a `ClientRequestToken`).
public struct RetryPolicy: Sendable {
    /// Attempts in all, the first included (1 = never retry).
    public var maximumAttempts: Int
    /// The cap of the first wait.
    public var baseDelay: Duration
    /// The cap of any wait.
    public var maximumDelay: Duration

    /// A policy; `maximumAttempts` below 1 counts as 1.
    public init(maximumAttempts: Int = 8, baseDelay: Duration = .milliseconds(25), maximumDelay: Duration = .seconds(2)) {
        self.maximumAttempts = max(1, maximumAttempts)
        self.baseDelay = baseDelay
        self.maximumDelay = maximumDelay
    }

    /// The wait before retry number `retry` (0 for the first retry): uniformly random in
    /// `0 ... min(maximumDelay, baseDelay × 2^retry)`.
    public func delay(beforeRetry retry: Int, using random: inout some RandomNumberGenerator) -> Duration {
        let base = Double(baseDelay.components.seconds) + Double(baseDelay.components.attoseconds) / 1e18
        let cap = Double(maximumDelay.components.seconds) + Double(maximumDelay.components.attoseconds) / 1e18
        let ceiling = min(cap, base * Double(1 << min(retry, 30)))
        return .nanoseconds(Int64(Double.random(in: 0...ceiling, using: &random) * 1e9))
    }
}

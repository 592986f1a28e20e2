import AsyncHTTPClient
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KVTable
import KVTableDynamoDB
import NIOCore
import Synchronization

/// One DynamoDB-protocol endpoint: signs each request (SigV4), sends it over a pooled
/// keep-alive connection (TLS for `https://`), retries what is safe to retry, and turns error
/// answers into typed errors.
///
/// ``RemoteStore`` and ``RemoteTable`` are written on top of ``call(_:_:retry:)``; use it
/// directly for operations they do not cover.
public final class DynamoDBClient: Sendable {
    /// What a failed attempt may be retried on. See ``RetryPolicy``.
    public enum RetrySafety: Sendable {
        /// Reads, idempotent writes, transactions with a client token: any transient failure.
        case always
        /// Writes whose replay could change the outcome: only throttling, which DynamoDB
        /// guarantees was not applied.
        case throttlingOnly
    }

    /// The endpoint, credentials, timeouts and retry policy this client was made with.
    public let configuration: RemoteConfiguration
    private let http: HTTPClient
    private let signer: SignatureV4
    private let url: String
    private let hostHeader: String
    /// Whether ``shutdown()`` ran, so that `deinit` knows whether it still must.
    private let isShutDown = Mutex(false)

    /// DynamoDB's JSON protocol version, in `Content-Type` and `X-Amz-Target`.
    static let contentType = "application/x-amz-json-1.0"
    static let targetPrefix = "DynamoDB_20120810."

    /// Errors that mean the request was refused, not applied.
    static let throttlingTypes: Set<String> = [
        "ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded",
    ]

    /// - Throws: ``RemoteError/invalidEndpoint(_:)`` for anything but an `http(s)://host[:port]` URL.
    public init(configuration: RemoteConfiguration) throws(RemoteError) {
        guard let endpoint = URL(string: configuration.endpoint), let scheme = endpoint.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = endpoint.host, !host.isEmpty else {
            throw .invalidEndpoint(configuration.endpoint)
        }
        self.configuration = configuration
        let defaultPort = scheme == "https" ? 443 : 80
        let bracketed = host.contains(":") ? "[\(host)]" : host
        hostHeader = endpoint.port.map { $0 == defaultPort ? bracketed : "\(bracketed):\($0)" } ?? bracketed
        let path = endpoint.path.isEmpty ? "/" : endpoint.path
        url = "\(scheme)://\(hostHeader)\(path)"
        var http = HTTPClient.Configuration()
        http.timeout = .init(connect: TimeAmount(configuration.connectTimeout), read: TimeAmount(configuration.requestTimeout))
        http.connectionPool.idleTimeout = .seconds(60)
        // Retries are this client's decision (which ones are safe depends on the operation).
        http.connectionPool.retryConnectionEstablishment = false
        self.http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: http)
        signer = SignatureV4(credentials: configuration.credentials, region: configuration.region)
    }

    /// Closes the connection pool. Call it when done; later requests fail.
    ///
    /// A client released without it closes its pool in the background (async-http-client
    /// would otherwise trap in debug builds), so an error path that forgets it cannot crash.
    public func shutdown() async throws {
        let already = isShutDown.withLock { shut in
            defer { shut = true }
            return shut
        }
        if !already { try await http.shutdown() }
    }

    deinit {
        if !isShutDown.withLock({ $0 }) {
            http.shutdown { _ in }
        }
    }

    /// Sends one operation (`GetItem`, `Query`, …) and returns the answer's members.
    ///
    /// - Throws: `KVTableError` for DynamoDB errors with a local equivalent,
    ///   ``RemoteError`` for the rest (transport, timeouts, malformed answers, other service
    ///   errors), after the retries ``RetryPolicy`` allows.
    public func call(_ operation: String, _ request: [String: JSONValue], retry safety: RetrySafety) async throws -> [String: JSONValue] {
        let body = JSONValue.object(request).serialized()
        var random = SystemRandomNumberGenerator()
        var attempt = 0
        while true {
            attempt += 1
            let outcome = await send(operation, body: body)
            let retryable: Bool
            switch outcome {
            case .success(let members):
                return members
            case .failure(let failure):
                switch failure {
                case .answered(let wire):
                    retryable = DynamoDBClient.throttlingTypes.contains(wire.type)
                        || (safety == .always && wire.status >= 500)
                case .transport:
                    retryable = safety == .always
                case .final:
                    retryable = false
                }
                guard retryable, attempt < configuration.retry.maximumAttempts else {
                    throw failure.error(operation: operation, endpoint: configuration.endpoint)
                }
            }
            try await Task.sleep(for: configuration.retry.delay(beforeRetry: attempt - 1, using: &random))
        }
    }

    /// Why one attempt failed.
    private enum Failure: Error {
        /// The endpoint answered with an error.
        case answered(WireError)
        /// No answer: connection refused or reset, timeout.
        case transport(RemoteError)
        /// Not worth retrying: a malformed answer.
        case final(RemoteError)

        func error(operation: String, endpoint: String) -> any Error {
            switch self {
            case .answered(let wire):
                if let local = KVTableError(wire) { return local }
                return RemoteError.service(operation: operation, type: wire.type, message: wire.message, status: wire.status)
            case .transport(let error), .final(let error):
                return error
            }
        }
    }

    private func send(_ operation: String, body: [UInt8]) async -> Result<[String: JSONValue], Failure> {
        var headers: [(name: String, value: String)] = [
            ("Host", hostHeader),
            ("Content-Type", DynamoDBClient.contentType),
            ("X-Amz-Target", DynamoDBClient.targetPrefix + operation),
        ]
        let signable = SignableRequest(method: "POST", path: "/", headers: headers, body: body)
        headers += signer.sign(signable, date: Date()).map { (name: $0.0, value: $0.1) }

        var request = HTTPClientRequest(url: url)
        request.method = .POST
        for header in headers { request.headers.add(name: header.name, value: header.value) }
        request.body = .bytes(ByteBuffer(bytes: body))

        let status: Int
        let bytes: ByteBuffer
        do {
            let response = try await http.execute(request, timeout: TimeAmount(configuration.requestTimeout))
            status = Int(response.status.code)
            bytes = try await response.body.collect(upTo: configuration.maximumResponseBytes)
        } catch let error as HTTPClientError where error == .connectTimeout || error == .readTimeout || error == .deadlineExceeded {
            return .failure(.transport(.timeout(endpoint: configuration.endpoint, operation: operation)))
        } catch let error as NIOTooManyBytesError {
            return .failure(.final(.malformedResponse(operation: operation, reason: "the answer is larger than \(error.maxBytes.map(String.init) ?? "the limit") bytes")))
        } catch {
            return .failure(.transport(.unreachable(endpoint: configuration.endpoint, operation: operation, reason: "\(error)")))
        }
        let json: JSONValue
        do {
            json = try JSONValue.parse(Array(buffer: bytes))
        } catch {
            if status >= 500 {   // a proxy's or load balancer's HTML page
                return .failure(.answered(WireError(type: "HTTP\(status)", message: "HTTP \(status) without a DynamoDB body", status: status)))
            }
            return .failure(.final(.malformedResponse(operation: operation, reason: "HTTP \(status), \(error)")))
        }
        guard status == 200 else {
            return .failure(.answered(WireError(responseBody: json, status: status)))
        }
        guard case .object(let members) = json else {
            return .failure(.final(.malformedResponse(operation: operation, reason: "the answer is not a JSON object")))
        }
        return .success(members)
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}

import Foundation
import KVTable
import KVTableDynamoDB
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization

/// How ``DynamoDBServer`` listens and whom it serves.
public struct ServerConfiguration: Sendable {
    /// The address to bind: loopback unless told otherwise.
    public var host: String
    /// The TCP port; 0 picks a free one (reported through `onListening`).
    public var port: Int
    /// When not empty, every request must carry a valid AWS Signature Version 4 from one of
    /// these keys, made within 15 minutes of the server's clock (`SignatureVerifier`, the
    /// same code the remote engine signs with). When empty, signatures are ignored, as local
    /// DynamoDB tools do.
    public var credentials: [AWSCredentials]
    /// Larger request bodies are refused with HTTP 413 (DynamoDB's own limit is 16 MB).
    public var maximumBodyBytes: Int
    /// A connection that starts no request for this long is closed.
    public var idleTimeout: Duration
    /// A request must arrive whole (head and body) within this long of its first byte, or it is
    /// answered with `408` and its connection closed.
    public var requestTimeout: Duration
    /// At most this many connections are open at once; further ones are closed as they are
    /// accepted (and logged, sparingly).
    public var maximumConnections: Int

    /// By default: `127.0.0.1` port 8000, signatures ignored, bodies of at most 16 MiB, idle
    /// connections closed after 60 s, 30 s for a request to arrive, 1,024 connections.
    public init(host: String = "127.0.0.1", port: Int = 8000, credentials: [AWSCredentials] = [],
                maximumBodyBytes: Int = 16 << 20, idleTimeout: Duration = .seconds(60),
                requestTimeout: Duration = .seconds(30), maximumConnections: Int = 1024) {
        self.host = host
        self.port = port
        self.credentials = credentials
        self.maximumBodyBytes = maximumBodyBytes
        self.idleTimeout = idleTimeout
        self.requestTimeout = requestTimeout
        self.maximumConnections = maximumConnections
    }
}

/// DynamoDB's HTTP endpoint: `POST /` with `X-Amz-Target: DynamoDB_20120810.<Operation>` and
/// an `application/x-amz-json-1.0` body, answered by a ``DynamoDBService``.
///
/// ```swift
/// let server = DynamoDBServer(service: DynamoDBService(store: store),
///                             configuration: ServerConfiguration(port: 8000))
/// try await ServiceGroup(services: [server.application()], gracefulShutdownSignals: [.sigterm, .sigint],
///                        logger: logger).run()
/// ```
///
/// HTTP/1.1 on SwiftNIO's event loops, keep-alive and pipelining included. Reads (`GetItem`,
/// `Query`, `Scan`, `BatchGetItem`, `TransactGetItems`, descriptions) are answered on the event
/// loop that received them, from a snapshot; writes run in a task until the store's writer has
/// committed them. On graceful shutdown (or cancellation) the server stops accepting
/// connections and finishes the writes in flight.
public struct DynamoDBServer: Sendable {
    /// The service that answers each request.
    public let service: DynamoDBService
    /// Where the server listens, whom it serves and the largest body it accepts.
    public let configuration: ServerConfiguration
    let logger: Logger

    /// A server for `service`; it listens once run, as ``application(onListening:)``.
    public init(service: DynamoDBService, configuration: ServerConfiguration = ServerConfiguration(),
                logger: Logger = Logger(label: "kvtable.server")) {
        self.service = service
        self.configuration = configuration
        self.logger = logger
    }

    static let contentType = "application/x-amz-json-1.0"

    /// The server as a `Service`, to run in a `ServiceGroup`.
    ///
    /// - Parameter onListening: called with the bound port once the server accepts
    ///   connections.
    public func application(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) -> some Service {
        DynamoDBServerService(server: self, onListening: onListening)
    }
}

/// Runs a ``DynamoDBServer`` until graceful shutdown or cancellation.
struct DynamoDBServerService: Service {
    let server: DynamoDBServer
    let onListening: @Sendable (Int) async -> Void

    func run() async throws {
        let configuration = server.configuration
        let service = server.service
        let verifier = configuration.credentials.isEmpty ? nil : SignatureVerifier(credentials: configuration.credentials)
        let requests = RequestTracker()
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { [logger = server.logger] channel in
                if let refused = requests.opened(channel, limit: configuration.maximumConnections) {
                    // Over the limit: closed at once. Logged at 1, 2, 4, 8, … refusals, so that a
                    // flood of connections cannot flood the log too.
                    if refused & (refused - 1) == 0 {
                        logger.warning("connection refused: the server holds its maximum of connections",
                                       metadata: ["maximumConnections": "\(configuration.maximumConnections)", "refused": "\(refused)"])
                    }
                    return channel.close()
                }
                return channel.eventLoop.makeCompletedFuture {
                    let connection = ConnectionGuard(idleTimeout: TimeAmount(configuration.idleTimeout),
                                                     requestTimeout: TimeAmount(configuration.requestTimeout))
                    try channel.pipeline.syncOperations.addHandler(connection)
                    // Outbound header validation is off: the handler writes only headers of its
                    // own, and checking them costs a pass over every response.
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                        withPipeliningAssistance: true, withErrorHandling: false, withOutboundHeaderValidation: false)
                    try channel.pipeline.syncOperations.addHandler(ProtocolErrorResponder())
                    try channel.pipeline.syncOperations.addHandler(DynamoDBRequestHandler(
                        service: service, configuration: configuration, verifier: verifier, requests: requests,
                        connection: connection))
                }
            }
        let channel = try await bootstrap.bind(host: configuration.host, port: configuration.port).get()
        server.logger.info("listening", metadata: ["address": "\(channel.localAddress.map { "\($0)" } ?? "?")"])
        await onListening(channel.localAddress?.port ?? configuration.port)
        await withTaskCancellationOrGracefulShutdownHandler {
            try? await channel.closeFuture.get()
        } onCancelOrGracefulShutdown: {
            channel.close(promise: nil)
        }
        // No new connections now; let the writes in flight finish (bounded), so that what a
        // client was told is committed is answered, then close the open connections.
        await requests.drain(timeout: .seconds(10))
        requests.closeConnections()
    }
}

/// Counts the writes in flight, so that shutdown can wait for them, keeps the open connections,
/// so that shutdown can close them, and numbers requests.
final class RequestTracker: Sendable {
    private let inFlight = Mutex(0)
    private let connections = Mutex<[ObjectIdentifier: any Channel]>([:])

    private let refusedConnections = Atomic<Int>(0)

    /// Keeps `channel` until it closes, when fewer than `limit` are open; returns nil then.
    /// Otherwise keeps nothing and returns how many connections were refused so far.
    func opened(_ channel: any Channel, limit: Int) -> Int? {
        let id = ObjectIdentifier(channel)
        let admitted = connections.withLock { connections in
            guard connections.count < limit else { return false }
            connections[id] = channel
            return true
        }
        guard admitted else { return refusedConnections.add(1, ordering: .relaxed).newValue }
        channel.closeFuture.whenComplete { [self] _ in _ = connections.withLock { $0.removeValue(forKey: id) } }
        return nil
    }

    /// Closes every connection still open (at shutdown, after the writes in flight).
    func closeConnections() {
        for channel in connections.withLock({ Array($0.values) }) { channel.close(promise: nil) }
    }
    private let served = Atomic<UInt64>(0)
    /// Random per server, so that request ids from two runs do not repeat.
    private let prefix = String(UInt64.random(in: 0 ... .max), radix: 16)

    /// A unique `x-amzn-RequestId`: this server's random prefix and a sequence number. (A
    /// `UUID()` per request reads `/dev/urandom` — an `open` system call each time on Linux.)
    func nextRequestID() -> String {
        prefix + "-" + String(served.add(1, ordering: .relaxed).newValue, radix: 16)
    }

    func begin() { inFlight.withLock { $0 += 1 } }
    func end() { inFlight.withLock { $0 -= 1 } }

    func drain(timeout: Duration) async {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while inFlight.withLock({ $0 }) > 0 && clock.now < deadline {
            try? await Task.sleep(for: .milliseconds(5))
        }
    }
}

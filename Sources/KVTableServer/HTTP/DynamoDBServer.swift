import Foundation
import HTTPTypes
import Hummingbird
import KVTable
import KVTableDynamoDB
import KVTableDynamoDB
import Logging
import ServiceLifecycle

/// How ``DynamoDBServer`` listens and whom it serves.
public struct ServerConfiguration: Sendable {
    /// The address to bind: loopback unless told otherwise.
    public var host: String
    /// The TCP port; 0 picks a free one (reported through `onListening`).
    public var port: Int
    /// When not empty, every request must carry a valid AWS Signature Version 4 from one of
    /// these keys, made within 15 minutes of the server's clock (``SignatureVerifier``, the
    /// same code the remote engine signs with). When empty, signatures are ignored, as local
    /// DynamoDB tools do.
    public var credentials: [AWSCredentials]
    /// Larger request bodies are refused with HTTP 413 (DynamoDB's own limit is 16 MB).
    public var maximumBodyBytes: Int

    public init(host: String = "127.0.0.1", port: Int = 8000, credentials: [AWSCredentials] = [],
                maximumBodyBytes: Int = 16 << 20) {
        self.host = host
        self.port = port
        self.credentials = credentials
        self.maximumBodyBytes = maximumBodyBytes
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
/// Requests are served concurrently on SwiftNIO's event loops; the store serialises writes
/// itself. On graceful shutdown the server stops accepting connections and finishes the
/// requests in flight.
public struct DynamoDBServer: Sendable {
    public let service: DynamoDBService
    public let configuration: ServerConfiguration
    let logger: Logger

    public init(service: DynamoDBService, configuration: ServerConfiguration = ServerConfiguration(),
                logger: Logger = Logger(label: "kvtable.server")) {
        self.service = service
        self.configuration = configuration
        self.logger = logger
    }

    static let contentType = "application/x-amz-json-1.0"

    /// The Hummingbird application, to run in a `ServiceGroup` (it is a `Service`).
    ///
    /// - Parameter onListening: called with the bound port once the server accepts
    ///   connections.
    public func application(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) -> some Service {
        let router = Router()
        let service = self.service
        let configuration = self.configuration
        let verifier = configuration.credentials.isEmpty ? nil : SignatureVerifier(credentials: configuration.credentials)
        router.post("/") { request, _ -> Response in
            await DynamoDBServer.respond(to: request, service: service, configuration: configuration, verifier: verifier)
        }
        return Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port),
                                                    serverName: "KVTable"),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? configuration.port) },
            logger: logger)
    }

    static func respond(to request: Request, service: DynamoDBService, configuration: ServerConfiguration,
                        verifier: SignatureVerifier?) async -> Response {
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: configuration.maximumBodyBytes)
        } catch {
            return response(WireError(type: "RequestEntityTooLargeException",
                                      message: "Request body exceeds the limit of \(configuration.maximumBodyBytes) bytes",
                                      status: 413))
        }
        let bytes = Array(buffer: body)
        if let verifier {
            // The signature covers the body, so it is checked once the body is read.
            do {
                _ = try verifier.verify(method: request.method.rawValue, path: request.uri.path,
                                        query: request.uri.query ?? "",
                                        headers: signedHeaders(of: request),
                                        body: bytes, now: Date())
            } catch {
                return response(WireError(type: error.dynamoDBType, message: error.message))
            }
        }
        let target = request.headers[HTTPField.Name("X-Amz-Target")!]
        let result = await service.handle(target: target, body: bytes)
        return response(status: result.status, body: result.body)
    }

    /// The request's headers as the client signed them: HTTPTypes keeps `Host` apart, as the
    /// request's authority.
    static func signedHeaders(of request: Request) -> [(name: String, value: String)] {
        var headers = request.headers.map { (name: $0.name.rawName, value: $0.value) }
        if let authority = request.head.authority, !headers.contains(where: { $0.name.lowercased() == "host" }) {
            headers.append((name: "host", value: authority))
        }
        return headers
    }

    private static func response(_ error: WireError) -> Response {
        response(status: error.status, body: error.body.serialized())
    }

    private static func response(status: Int, body: [UInt8]) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        headers[HTTPField.Name("x-amzn-RequestId")!] = UUID().uuidString
        return Response(status: HTTPResponse.Status(code: status), headers: headers,
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}

import Foundation
import HTTPTypes
import Hummingbird
import KVTable
import KVTableDynamoDB
import Logging
import ServiceLifecycle

/// How ``DynamoDBServer`` listens and whom it serves.
public struct ServerConfiguration: Sendable {
    /// The address to bind: loopback unless told otherwise.
    public var host: String
    /// The TCP port; 0 picks a free one (reported through `onListening`).
    public var port: Int
    /// When set, every request must carry an AWS Signature V4 `Authorization` header whose
    /// credential is this access key id; the signature itself is not checked. When nil,
    /// signatures and keys are ignored, as local DynamoDB tools do.
    public var accessKeyID: String?
    /// Larger request bodies are refused with HTTP 413 (DynamoDB's own limit is 16 MB).
    public var maximumBodyBytes: Int

    public init(host: String = "127.0.0.1", port: Int = 8000, accessKeyID: String? = nil,
                maximumBodyBytes: Int = 16 << 20) {
        self.host = host
        self.port = port
        self.accessKeyID = accessKeyID
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
        router.post("/") { request, _ -> Response in
            await DynamoDBServer.respond(to: request, service: service, configuration: configuration)
        }
        return Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port),
                                                    serverName: "KVTable"),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? configuration.port) },
            logger: logger)
    }

    static func respond(to request: Request, service: DynamoDBService, configuration: ServerConfiguration) async -> Response {
        if let expected = configuration.accessKeyID {
            let authorization = request.headers[.authorization] ?? ""
            guard accessKey(in: authorization) == expected else {
                return response(WireError(type: "UnrecognizedClientException",
                                          message: "The security token included in the request is invalid."))
            }
        }
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: configuration.maximumBodyBytes)
        } catch {
            return response(WireError(type: "RequestEntityTooLargeException",
                                      message: "Request body exceeds the limit of \(configuration.maximumBodyBytes) bytes",
                                      status: 413))
        }
        let target = request.headers[HTTPField.Name("X-Amz-Target")!]
        let result = await service.handle(target: target, body: Array(buffer: body))
        return response(status: result.status, body: result.body)
    }

    /// The access key id of a SigV4 `Authorization` header
    /// (`AWS4-HMAC-SHA256 Credential=<key>/<date>/<region>/dynamodb/aws4_request, …`).
    static func accessKey(in authorization: String) -> String? {
        guard let range = authorization.range(of: "Credential=") else { return nil }
        let rest = authorization[range.upperBound...]
        return rest.split(separator: "/", maxSplits: 1).first.map(String.init)
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

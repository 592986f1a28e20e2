import Foundation
import KVTableDynamoDB
import NIOCore
import NIOHTTP1

/// One connection's request handler: collects a request, checks it, and answers it.
///
/// Threads: every method runs on the connection's event loop. Reads (``DynamoDBService/handleSynchronously(target:body:host:)``)
/// are answered right there, from a snapshot, without leaving the loop — no task is created
/// and no thread wakes up. Writes must wait for the store's writer, so they run in a task, and
/// the response hops back to the event loop. NIO's pipelining handler (in front of this one)
/// holds back a connection's next request until this one's response is written, so responses
/// keep request order.
final class DynamoDBRequestHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let service: DynamoDBService
    private let configuration: ServerConfiguration
    private let verifier: SignatureVerifier?
    private let requests: RequestTracker
    /// This connection's timing (the first handler of its pipeline, on the same event loop).
    private let connection: ConnectionGuard

    private var head: HTTPRequestHead?
    private var body = ByteBuffer()
    private var tooLarge = false
    private var date = HTTPDate()

    init(service: DynamoDBService, configuration: ServerConfiguration, verifier: SignatureVerifier?,
         requests: RequestTracker, connection: ConnectionGuard) {
        self.connection = connection
        self.service = service
        self.configuration = configuration
        self.verifier = verifier
        self.requests = requests
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body.clear()
            let declared = head.headers.first(name: "content-length").flatMap(Int.init)
            tooLarge = declared.map { $0 > configuration.maximumBodyBytes } ?? false
        case .body(var part):
            guard !tooLarge else { return }
            if body.readableBytes + part.readableBytes > configuration.maximumBodyBytes {
                tooLarge = true
                body.clear()
            } else {
                body.writeBuffer(&part)
            }
        case .end:
            guard let head else { return }
            self.head = nil
            // The request is in whole: from here on the server takes its time, not the client.
            connection.requestReceived()
            respond(to: head, context: context)
        }
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        if tooLarge {
            let error = WireError(type: "RequestEntityTooLargeException",
                                  message: "Request body exceeds the limit of \(configuration.maximumBodyBytes) bytes",
                                  status: 413)
            return write(DynamoDBService.Response(error: error), for: head, context: context)
        }
        let (path, query) = DynamoDBRequestHandler.split(head.uri)
        // DynamoDB's health check: `GET /` answers who is healthy, in plain text.
        if head.method == .GET, path == "/" {
            let body = Array("healthy: \(head.headers.first(name: "host") ?? "localhost")".utf8)
            return write(DynamoDBService.Response(status: 200, body: body), for: head, context: context, contentType: "text/plain")
        }
        guard head.method == .POST, path == "/" else {
            let error = WireError(type: "UnknownOperationException", message: "DynamoDB's API is served at POST /", status: 404)
            return write(DynamoDBService.Response(error: error), for: head, context: context)
        }
        // DynamoDB's JSON protocol only: a form, plain text or a missing type is not a request.
        guard Self.isDynamoDBJSON(head.headers.first(name: "content-type")) else {
            let given = head.headers.first(name: "content-type").map { "'\($0)'" } ?? "none"
            let error = WireError(type: "UnknownOperationException",
                                  message: "Requests must have Content-Type application/x-amz-json-1.0 or application/x-amz-json-1.1 (given: \(given))",
                                  status: 404)
            return write(DynamoDBService.Response(error: error), for: head, context: context)
        }
        let received = body.readBytes(length: body.readableBytes) ?? []
        if let verifier {
            // The signature covers the body, so it is checked once the body is read.
            do {
                _ = try verifier.verify(method: head.method.rawValue, path: path, query: query,
                                        headers: head.headers.map { (name: $0.name, value: $0.value) },
                                        body: received, now: Date())
            } catch {
                return write(DynamoDBService.Response(error: WireError(type: error.dynamoDBType, message: error.message)),
                             for: head, context: context)
            }
        }
        // A compressed body is inflated once its signature (over the bytes sent) is checked.
        let bytes: [UInt8]
        do {
            bytes = try RequestBodyDecoding.decode(received, encoding: head.headers.first(name: "content-encoding"),
                                                   limit: configuration.maximumBodyBytes)
        } catch {
            return write(DynamoDBService.Response(error: error), for: head, context: context)
        }
        let target = head.headers.first(name: "x-amz-target")
        if let response = service.handleSynchronously(target: target, body: bytes, host: head.headers.first(name: "host")) {
            return write(response, for: head, context: context)
        }
        // A write: off the event loop until the store has committed it.
        let service = self.service
        let loop = context.eventLoop
        let bound = NIOLoopBound((self, context), eventLoop: loop)
        requests.begin()
        Task {
            let response = await service.handle(target: target, body: bytes)
            loop.execute {
                let (handler, context) = bound.value
                handler.write(response, for: head, context: context)
                handler.requests.end()
            }
        }
    }

    private func write(_ response: DynamoDBService.Response, for request: HTTPRequestHead, context: ChannelHandlerContext,
                       contentType: String = DynamoDBServer.contentType) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Content-Length", value: String(response.body.count))
        headers.add(name: "Date", value: date.now())
        headers.add(name: "x-amzn-RequestId", value: requests.nextRequestID())
        headers.add(name: "Server", value: "KVTable")
        let keepAlive = request.isKeepAlive
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        let head = HTTPResponseHead(version: request.version, status: HTTPResponseStatus(statusCode: response.status),
                                    headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        var buffer = context.channel.allocator.buffer(capacity: response.body.count)
        buffer.writeBytes(response.body)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        // Told before `.end` is written: writing it lets the pipelining handler hand on the
        // connection's next request at once, whose requestReceived() must come after this.
        connection.responseSent()
        let done = context.writeAndFlushPromise(wrapOutboundOut(.end(nil)))
        if !keepAlive { done.whenComplete { [channel = context.channel] _ in channel.close(promise: nil) } }
    }

    /// Whether a `Content-Type` is one of DynamoDB's: `application/x-amz-json-1.0` or `1.1`,
    /// in any case, with any parameters (`; charset=utf-8`).
    static func isDynamoDBJSON(_ contentType: String?) -> Bool {
        // On the bytes, without allocating: this runs for every request.
        guard let contentType else { return false }
        var bytes = contentType.utf8[...]
        while bytes.first == UInt8(ascii: " ") { bytes = bytes.dropFirst() }
        let prefix = "application/x-amz-json-1.".utf8
        guard bytes.count >= prefix.count + 1,
              zip(bytes, prefix).allSatisfy({ (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) ? $0 | 0x20 == $1 : $0 == $1 })
        else { return false }
        bytes = bytes.dropFirst(prefix.count)
        guard bytes.first == UInt8(ascii: "0") || bytes.first == UInt8(ascii: "1") else { return false }
        bytes = bytes.dropFirst()
        while bytes.first == UInt8(ascii: " ") { bytes = bytes.dropFirst() }
        return bytes.isEmpty || bytes.first == UInt8(ascii: ";")
    }

    /// `/path?query` → (`/path`, `query`).
    static func split(_ uri: String) -> (path: String, query: String) {
        guard let mark = uri.firstIndex(of: "?") else { return (uri, "") }
        return (String(uri[..<mark]), String(uri[uri.index(after: mark)...]))
    }
}

extension ChannelHandlerContext {
    /// Writes and flushes `data`, returning the future of the write.
    fileprivate func writeAndFlushPromise(_ data: NIOAny) -> EventLoopFuture<Void> {
        let promise = eventLoop.makePromise(of: Void.self)
        writeAndFlush(data, promise: promise)
        return promise.futureResult
    }
}

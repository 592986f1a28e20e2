import KVTableDynamoDB
import NIOCore
import NIOHTTP1

/// Answers a request the HTTP parser cannot read — a malformed chunk, a header past the parser's
/// limit, a broken request line — with a DynamoDB-shaped `400` that says what is wrong, then
/// closes the connection (after such an error the byte stream has no request boundary left).
///
/// It replaces SwiftNIO's `HTTPServerProtocolErrorHandler` (an empty `400`) in the same place:
/// after the pipelining handler, so it sees every response and answers only when no response
/// is half written.
///
/// Threads: every method runs on the connection's event loop.
final class ProtocolErrorResponder: ChannelDuplexHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private var responseInProgress = false

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        guard !responseInProgress else {
            context.close(promise: nil)
            return
        }
        let response = DynamoDBService.Response(error: WireError(type: "SerializationException",
                                                                 message: Self.message(for: parserError)))
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: DynamoDBServer.contentType)
        headers.add(name: "Content-Length", value: String(response.body.count))
        headers.add(name: "Connection", value: "close")
        headers.add(name: "Server", value: "KVTable")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .badRequest, headers: headers))), promise: nil)
        var buffer = context.channel.allocator.buffer(capacity: response.body.count)
        buffer.writeBytes(response.body)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: written)
        let channel = context.channel
        written.futureResult.whenComplete { _ in channel.close(promise: nil) }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head) where head.status.code < 200:
            break   // informational: the real response follows
        case .head:
            responseInProgress = true
        case .body:
            break
        case .end:
            responseInProgress = false
        }
        context.write(data, promise: promise)
    }

    /// What the client did wrong, in words.
    static func message(for error: HTTPParserError) -> String {
        switch error {
        case .headerOverflow:
            return "The request's header is too large (at most 80 KB)"
        case .invalidChunkSize:
            return "The request body's chunked encoding is malformed"
        case .invalidContentLength, .unexpectedContentLength:
            return "The request's Content-Length is invalid"
        case .invalidEOFState:
            return "The request ended before its body did"
        default:
            return "The request is not valid HTTP/1.1 (\(error))"
        }
    }
}

import KVTableDynamoDB
import NIOCore

/// The first handler of every connection, on raw bytes: closes connections that hold the server
/// without finishing their requests.
///
/// - **Idle**: a connection that starts no request for `idleTimeout` is closed.
/// - **Slow**: a request must arrive whole — head and body — within `requestTimeout` of its
///   first byte; otherwise the client gets a DynamoDB-shaped `408` and the connection closes.
///   This is what stops a client that drips a header a byte at a time (no idle timer fires, and
///   the HTTP parser sees no complete head to hand on).
///
/// It sits in front of the HTTP decoder, so it cannot see where a request ends by itself:
/// ``DynamoDBRequestHandler`` tells it with the outbound user events ``RequestReceived`` (the
/// whole request is in; from here on the server is the slow one, never timed) and
/// ``ResponseSent``.
///
/// Threads: every method runs on the connection's event loop, and the timers are scheduled on it.
final class ConnectionGuard: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Sent outbound by the request handler once a request's `.end` arrived.
    struct RequestReceived {}
    /// Sent outbound by the request handler once it wrote a response's `.end`.
    struct ResponseSent {}

    private enum State {
        /// Between requests; the idle timer runs.
        case idle
        /// Bytes of a request arrived, not all of it yet; the request timer runs.
        case receiving
        /// The server is answering; `pendingBytes` when the client already sent more (pipelined).
        case answering(pendingBytes: Bool)
    }

    private let idleTimeout: TimeAmount
    private let requestTimeout: TimeAmount
    private var state = State.idle
    private var timer: Scheduled<Void>?

    init(idleTimeout: TimeAmount, requestTimeout: TimeAmount) {
        self.idleTimeout = idleTimeout
        self.requestTimeout = requestTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(idleTimeout, context: context, answer: false) }
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(idleTimeout, context: context, answer: false)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch state {
        case .idle:
            state = .receiving
            arm(requestTimeout, context: context, answer: true)
        case .receiving, .answering(pendingBytes: true):
            break
        case .answering(pendingBytes: false):
            state = .answering(pendingBytes: true)
        }
        context.fireChannelRead(data)
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        switch event {
        case is RequestReceived:
            timer?.cancel()
            timer = nil
            state = .answering(pendingBytes: false)
            promise?.succeed(())
        case is ResponseSent:
            if case .answering(pendingBytes: true) = state {
                // The next request began while this one was answered: its time runs from now.
                state = .receiving
                arm(requestTimeout, context: context, answer: true)
            } else {
                state = .idle
                arm(idleTimeout, context: context, answer: false)
            }
            promise?.succeed(())
        default:
            context.triggerUserOutboundEvent(event, promise: promise)
        }
    }

    private func arm(_ delay: TimeAmount, context: ChannelHandlerContext, answer: Bool) {
        timer?.cancel()
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: delay) {
            let (handler, context) = bound.value
            handler.timer = nil
            if answer {
                // Raw bytes: this handler is in front of the HTTP encoder.
                var buffer = context.channel.allocator.buffer(capacity: ConnectionGuard.requestTimeoutResponse.count)
                buffer.writeBytes(ConnectionGuard.requestTimeoutResponse)
                let written = context.eventLoop.makePromise(of: Void.self)
                context.writeAndFlush(NIOAny(buffer), promise: written)
                let channel = context.channel
                written.futureResult.whenComplete { _ in channel.close(promise: nil) }
            } else {
                context.close(promise: nil)
            }
        }
    }

    /// `408` with DynamoDB's error shape, for a request that did not arrive in time.
    static let requestTimeoutResponse: [UInt8] = {
        let body = DynamoDBService.Response(error: WireError(
            type: "RequestTimeoutException", message: "The request did not arrive whole in time", status: 408)).body
        let head = "HTTP/1.1 408 Request Timeout\r\nContent-Type: \(DynamoDBServer.contentType)\r\n"
            + "Content-Length: \(body.count)\r\nConnection: close\r\nServer: KVTable\r\n\r\n"
        return Array(head.utf8) + body
    }()
}

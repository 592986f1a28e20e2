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
/// ``DynamoDBRequestHandler`` calls ``requestReceived()`` (the whole request is in; from here on
/// the server is the slow one, never timed) and ``responseSent()``.
///
/// Cost per request: two clock reads. One repeating check per connection, every quarter of the
/// shorter timeout, compares the time spent in the current phase with its limit — so a limit
/// is enforced at most a quarter of the shorter timeout after it passes (with the defaults: a
/// request cut between 30 and 37.5 s, an idle connection between 60 and 67.5 s), and no timer
/// is scheduled or cancelled per request.
///
/// Threads: every method runs on the connection's event loop, and the check is scheduled on it.
final class ConnectionGuard: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum Phase {
        /// Between requests: timed against `idleTimeout`.
        case idle
        /// Bytes of a request arrived, not all of it yet: timed against `requestTimeout`.
        case receiving
        /// The server is answering (never timed); `pendingBytes` when the client already sent
        /// more (pipelined), whose time starts when this answer is sent.
        case answering(pendingBytes: Bool)
    }

    private let idleTimeout: TimeAmount
    private let requestTimeout: TimeAmount
    private var phase = Phase.idle
    private var phaseStart = NIODeadline.now()
    private var check: RepeatedTask?
    private var context: ChannelHandlerContext?

    init(idleTimeout: TimeAmount, requestTimeout: TimeAmount) {
        self.idleTimeout = idleTimeout
        self.requestTimeout = requestTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { startChecking(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        startChecking(context: context)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stopChecking()
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        stopChecking()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch phase {
        case .idle:
            enter(.receiving)
        case .receiving, .answering(pendingBytes: true):
            break
        case .answering(pendingBytes: false):
            phase = .answering(pendingBytes: true)
        }
        context.fireChannelRead(data)
    }

    /// The request handler has the whole request.
    func requestReceived() {
        enter(.answering(pendingBytes: false))
    }

    /// The request handler is writing the end of its response. (Called before that write: it
    /// lets the pipelining handler hand on the next request, whose ``requestReceived()`` must
    /// come after this.)
    func responseSent() {
        if case .answering(pendingBytes: true) = phase {
            enter(.receiving)   // the next request began meanwhile: its time runs from now
        } else {
            enter(.idle)
        }
    }

    private func enter(_ next: Phase) {
        phase = next
        phaseStart = NIODeadline.now()
    }

    private func startChecking(context: ChannelHandlerContext) {
        guard check == nil else { return }
        phaseStart = NIODeadline.now()
        let tick = TimeAmount.nanoseconds(max(1_000_000, min(idleTimeout.nanoseconds, requestTimeout.nanoseconds) / 4))
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        check = context.eventLoop.scheduleRepeatedTask(initialDelay: tick, delay: tick) { _ in
            bound.value.enforceLimits()
        }
    }

    private func stopChecking() {
        check?.cancel()
        check = nil
    }

    /// Closes the connection when its current phase has lasted longer than allowed.
    private func enforceLimits() {
        guard let context else { return }
        let elapsed = NIODeadline.now() - phaseStart
        switch phase {
        case .idle where elapsed >= idleTimeout:
            stopChecking()
            context.close(promise: nil)
        case .receiving where elapsed >= requestTimeout:
            stopChecking()
            // Raw bytes: this handler is in front of the HTTP encoder.
            var buffer = context.channel.allocator.buffer(capacity: Self.requestTimeoutResponse.count)
            buffer.writeBytes(Self.requestTimeoutResponse)
            let written = context.eventLoop.makePromise(of: Void.self)
            context.writeAndFlush(NIOAny(buffer), promise: written)
            let channel = context.channel
            written.futureResult.whenComplete { _ in channel.close(promise: nil) }
        default:
            break
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

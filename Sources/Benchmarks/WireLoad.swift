import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A small HTTP/1.1 load generator for the `wire-get` scenario, built the way `wrk` is:
/// `connections` keep-alive connections to a loopback server, spread over `threads` threads
/// (2 by default: one per core, so that the client does not crowd the server out), each thread
/// keeping one request in flight on each of its connections and waiting on all of them with
/// `poll`. Each request is timed from its send until its whole response has arrived.
enum WireLoad {
    /// Runs until `duration` has passed; `request(connection, i)` gives the bytes of each request.
    static func run(scenario: String, engine: String, port: Int, connections: Int, threads threadCount: Int = 2,
                    duration: Duration,
                    request: @escaping @Sendable (_ connection: Int, _ i: Int) -> [UInt8]) throws -> Measurement {
        let clock = ContinuousClock()
        let samples = Mutex<[Duration]>([])
        let failures = Mutex<[String]>([])
        let start = clock.now
        let deadline = start + duration
        let threads = (0..<threadCount).map { thread in
            Thread {
                let mine = Array(stride(from: thread, to: connections, by: threadCount))
                do {
                    let sockets = try mine.map { _ in try LoopbackSocket(port: port) }
                    defer { sockets.forEach { $0.disconnect() } }
                    var sent = [ContinuousClock.Instant](repeating: clock.now, count: sockets.count)
                    var counts = [Int](repeating: 0, count: sockets.count)
                    var local: [Duration] = []
                    local.reserveCapacity(1 << 16)
                    for (slot, socket) in sockets.enumerated() {
                        sent[slot] = clock.now
                        try socket.write(request(mine[slot], 0))
                    }
                    var descriptors = sockets.map { pollfd(fd: $0.descriptor, events: Int16(POLLIN), revents: 0) }
                    while clock.now < deadline {
                        guard poll(&descriptors, nfds_t(descriptors.count), 1000) > 0 else { continue }
                        for slot in descriptors.indices where descriptors[slot].revents != 0 {
                            let socket = sockets[slot]
                            try socket.fill()
                            while let status = try socket.takeResponse() {
                                local.append(clock.now - sent[slot])
                                guard status == 200 else { throw BenchmarkError("HTTP status \(status)") }
                                counts[slot] += 1
                                sent[slot] = clock.now
                                try socket.write(request(mine[slot], counts[slot]))
                            }
                        }
                    }
                    samples.withLock { $0 += local }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
        }
        threads.forEach { $0.start() }
        while threads.contains(where: { !$0.isFinished }) { usleep(1000) }
        if let failure = failures.withLock({ $0.first }) { throw BenchmarkError("\(scenario): \(failure)") }
        var recorder = LatencyRecorder()
        for sample in samples.withLock({ $0 }) { recorder.record(sample) }
        return recorder.measurement(scenario: scenario, engine: engine, elapsed: clock.now - start)
    }

    /// A `POST /` of DynamoDB's protocol with a JSON body.
    static func request(target: String, body: String) -> [UInt8] {
        let payload = Array(body.utf8)
        let head = "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-amz-json-1.0\r\n"
            + "X-Amz-Target: DynamoDB_20120810.\(target)\r\nContent-Length: \(payload.count)\r\n\r\n"
        return Array(head.utf8) + payload
    }
}

/// A blocking TCP connection to 127.0.0.1 that reads HTTP/1.1 responses with a Content-Length.
private final class LoopbackSocket {
    let descriptor: Int32
    private var buffer: [UInt8] = []

    init(port: Int) throws {
        #if canImport(Glibc)
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { throw BenchmarkError("socket() failed") }
        var noDelay: Int32 = 1
        setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard rc == 0 else {
            close(descriptor)
            throw BenchmarkError("connect() to port \(port) failed")
        }
    }

    func disconnect() { close(descriptor) }

    func write(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { send(descriptor, $0.baseAddress! + sent, bytes.count - sent, 0) }
            guard n > 0 else { throw BenchmarkError("send() failed") }
            sent += n
        }
    }

    /// Takes one whole response out of what has been received; nil until one is complete.
    func takeResponse() throws -> Int? {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let headEnd = buffer.firstRange(of: separator)?.upperBound else { return nil }
        let head = String(decoding: buffer[..<headEnd], as: UTF8.self)
        let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
        let length = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
            .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
        guard buffer.count >= headEnd + length else { return nil }
        buffer.removeFirst(headEnd + length)
        return status
    }

    /// Reads what the socket has (blocking until something arrives).
    func fill() throws {
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        let n = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress!, $0.count, 0) }
        guard n > 0 else { throw BenchmarkError("the server closed the connection") }
        buffer.append(contentsOf: chunk[..<n])
    }
}

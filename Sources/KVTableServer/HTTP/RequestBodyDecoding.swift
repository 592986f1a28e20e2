import CZlib
import KVTableDynamoDB

/// A request body sent with `Content-Encoding: gzip` or `deflate` (AWS SDKs compress large
/// requests when asked to), inflated before it is parsed, as DynamoDB does.
///
/// DynamoDB answers a body it cannot inflate — not gzip, cut short, an unknown encoding — with
/// HTTP 500, so this does too (clients and conformance tests expect that code), with a message
/// that says what was wrong; nothing of such a request is read or written. The signature, which
/// covers the bytes as sent, is checked before this. The inflated body is held to the same
/// limit as a plain one.
enum RequestBodyDecoding {
    /// `body` as the request meant it: inflated for `gzip` and `deflate` (several gzip
    /// members in a row are one body, as the gzip format allows), unchanged without an encoding
    /// or with `identity`.
    static func decode(_ body: [UInt8], encoding: String?, limit: Int) throws(WireError) -> [UInt8] {
        guard let encoding = encoding?.trimmingSpaces.lowercased(), !encoding.isEmpty, encoding != "identity" else { return body }
        switch encoding {
        case "gzip": return try inflate(body, windowBits: 15 + 16, encoding: encoding, limit: limit)
        case "deflate": return try inflate(body, windowBits: 15, encoding: encoding, limit: limit)
        default:
            throw WireError(type: "InternalServerError", message: "Unsupported Content-Encoding: \(encoding) (gzip, deflate or identity)", status: 500)
        }
    }

    private static func inflate(_ input: [UInt8], windowBits: Int32, encoding: String, limit: Int) throws(WireError) -> [UInt8] {
        func failure(_ reason: String) -> WireError {
            WireError(type: "InternalServerError", message: "The request body is not valid \(encoding) content: \(reason)", status: 500)
        }
        guard !input.isEmpty else { throw failure("it is empty") }
        var stream = z_stream()
        guard inflateInit2_(&stream, windowBits, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw failure("the decompressor could not start")
        }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var result: Int32 = Z_OK
        var consumed = 0
        repeat {
            result = input.withUnsafeBufferPointer { source in
                chunk.withUnsafeMutableBufferPointer { target in
                    stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress! + consumed)
                    stream.avail_in = UInt32(source.count - consumed)
                    stream.next_out = target.baseAddress
                    stream.avail_out = UInt32(target.count)
                    let status = CZlib.inflate(&stream, Z_NO_FLUSH)
                    consumed = source.count - Int(stream.avail_in)
                    return status
                }
            }
            output.append(contentsOf: chunk[0..<(chunk.count - Int(stream.avail_out))])
            guard output.count <= limit else {
                throw WireError(type: "RequestEntityTooLargeException",
                                message: "Request body exceeds the limit of \(limit) bytes once decompressed", status: 413)
            }
            // The end of one gzip member with more input after it: the next member.
            if result == Z_STREAM_END, consumed < input.count, windowBits > 15 {
                guard inflateReset(&stream) == Z_OK else { throw failure("the decompressor could not restart") }
                result = Z_OK
            }
        } while result == Z_OK && (consumed < input.count || stream.avail_out == 0)
        switch result {
        case Z_STREAM_END where consumed == input.count: return output
        case Z_STREAM_END: throw failure("data follows its end")
        case Z_OK, Z_BUF_ERROR: throw failure("it ends early")
        default: throw failure(stream.msg.map { String(cString: $0) } ?? "zlib error \(result)")
        }
    }
}

private extension String {
    var trimmingSpaces: Substring {
        var text = self[...]
        while text.first == " " { text = text.dropFirst() }
        while text.last == " " { text = text.dropLast() }
        return text
    }
}

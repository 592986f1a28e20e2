import Crypto
import Foundation

/// An HTTP request reduced to exactly the parts AWS Signature Version 4 covers.
///
/// It is a plain value, independent of any HTTP library, so the same code signs requests in
/// the client and re-derives signatures in the server.
public struct SignableRequest: Sendable {
    /// The HTTP method as sent on the request line, such as `POST`.
    public var method: String
    /// The path as sent on the request line: already percent-encoded, without the query.
    /// DynamoDB always uses `/`.
    public var path: String
    /// The query parameters, *decoded*, in any order; signing sorts and re-encodes them.
    public var query: [(name: String, value: String)]
    /// The headers, with names in any case; repeated names are allowed.
    /// Signing requires `Host` to be among them, because AWS rejects signatures that omit it.
    public var headers: [(name: String, value: String)]
    /// The exact body bytes; their SHA-256 is part of the signature.
    public var body: [UInt8]

    /// Creates a request from decoded query parameters.
    public init(
        method: String, path: String = "/", query: [(name: String, value: String)] = [],
        headers: [(name: String, value: String)], body: [UInt8] = []
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }
}

/// Signs requests with AWS Signature Version 4 (`AWS4-HMAC-SHA256`).
///
/// The individual steps (``canonicalRequest(_:signedHeaders:)``, ``stringToSign(canonicalRequest:timestamp:credentialScope:)``,
/// ``signingKey(secret:date:region:service:)`` and ``signature(signingKey:stringToSign:)``)
/// are public so they can be checked one by one against AWS's published examples, and so
/// ``SignatureVerifier`` recomputes signatures with the very same code.
public struct SignatureV4: Sendable {
    /// The algorithm name that starts the string to sign and the `Authorization` header.
    public static let algorithm = "AWS4-HMAC-SHA256"

    /// Headers ``sign(_:date:)`` leaves out of the signature, as botocore does, because
    /// proxies and HTTP stacks may add or rewrite them after signing.
    public static let unsignedHeaderNames: Set<String> = [
        "authorization", "user-agent", "expect", "x-amzn-trace-id",
    ]

    /// The key pair (and session token) requests are signed with.
    public var credentials: AWSCredentials
    /// The region placed in the credential scope, such as `us-east-1`.
    public var region: String
    /// The service placed in the credential scope; `dynamodb` unless testing other examples.
    public var service: String

    /// Creates a signer for one set of credentials, region and service.
    public init(credentials: AWSCredentials, region: String, service: String = "dynamodb") {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// Signs `request` as of `date` and returns the headers to add to it:
    /// `X-Amz-Date`, `X-Amz-Security-Token` (only with a session token) and `Authorization`.
    ///
    /// They replace any same-named headers already in the request, which are ignored here, so
    /// re-signing a retried request works. Every other header is signed except
    /// ``unsignedHeaderNames``; the session token is signed too, as botocore does for DynamoDB.
    /// `X-Amz-Content-Sha256` is not added: only S3 requires it.
    public func sign(_ request: SignableRequest, date: Date) -> [(String, String)] {
        let timestamp = Self.timestamp(for: date)
        let day = String(timestamp.prefix(8))
        var added = [("X-Amz-Date", timestamp)]
        if let token = credentials.sessionToken { added.append(("X-Amz-Security-Token", token)) }

        var request = request
        let replaced: Set<String> = ["authorization", "x-amz-date", "x-amz-security-token"]
        request.headers.removeAll { replaced.contains($0.name.lowercased()) }
        request.headers += added.map { (name: $0.0, value: $0.1) }

        let signedHeaders = Set(request.headers.map { $0.name.lowercased() })
            .subtracting(Self.unsignedHeaderNames).sorted()
        let scope = Self.credentialScope(date: day, region: region, service: service)
        let toSign = Self.stringToSign(
            canonicalRequest: Self.canonicalRequest(request, signedHeaders: signedHeaders),
            timestamp: timestamp, credentialScope: scope)
        let key = Self.signingKey(
            secret: credentials.secretAccessKey, date: day, region: region, service: service)
        let authorization = "\(Self.algorithm) Credential=\(credentials.accessKeyID)/\(scope), "
            + "SignedHeaders=\(signedHeaders.joined(separator: ";")), "
            + "Signature=\(Self.signature(signingKey: key, stringToSign: toSign))"
        return added + [("Authorization", authorization)]
    }

    // MARK: - The steps

    /// The canonical request: method, canonical URI, canonical query string, canonical headers,
    /// signed header list and hex SHA-256 of the body, one per line.
    ///
    /// Only the headers named in `signedHeaders` (any case, any order) are included; a repeated
    /// header contributes its values joined by commas, in the order they appear.
    public static func canonicalRequest(_ request: SignableRequest, signedHeaders: [String]) -> String {
        let names = Set(signedHeaders.map { $0.lowercased() }).sorted()
        var canonicalHeaders = ""
        for name in names {
            let values = request.headers.filter { $0.name.lowercased() == name }
                .map { canonicalHeaderValue($0.value) }
            canonicalHeaders += "\(name):\(values.joined(separator: ","))\n"
        }
        return [
            request.method,
            canonicalURI(request.path),
            canonicalQueryString(request.query),
            canonicalHeaders,
            names.joined(separator: ";"),
            hexSHA256(request.body),
        ].joined(separator: "\n")
    }

    /// The credential scope `yyyyMMdd/region/service/aws4_request` that ties a signature to one
    /// day, region and service.
    public static func credentialScope(date: String, region: String, service: String) -> String {
        "\(date)/\(region)/\(service)/aws4_request"
    }

    /// The string to sign: algorithm, `yyyyMMdd'T'HHmmss'Z'` timestamp, credential scope and the
    /// hex SHA-256 of the canonical request, one per line.
    public static func stringToSign(canonicalRequest: String, timestamp: String, credentialScope: String) -> String {
        [algorithm, timestamp, credentialScope, hexSHA256(Array(canonicalRequest.utf8))]
            .joined(separator: "\n")
    }

    /// The signing key: `HMAC("AWS4" + secret, date)`, then chained through region, service and
    /// `aws4_request`. Servers can cache it per day, since it does not depend on the request.
    /// - Parameters:
    ///   - secret: The secret access key.
    ///   - date: The scope day, `yyyyMMdd`.
    ///   - region: The scope region (`us-east-1`).
    ///   - service: The scope service (`dynamodb`).
    public static func signingKey(secret: String, date: String, region: String, service: String) -> [UInt8] {
        var key = Array("AWS4\(secret)".utf8)
        for part in [date, region, service, "aws4_request"] {
            key = hmac(key: key, Array(part.utf8))
        }
        return key
    }

    /// The signature: lowercase hex of `HMAC(signingKey, stringToSign)`.
    public static func signature(signingKey: [UInt8], stringToSign: String) -> String {
        hex(hmac(key: signingKey, Array(stringToSign.utf8)))
    }

    // MARK: - Canonicalisation

    /// Removes `.`/`..` and empty segments, then percent-encodes each segment, keeping `/`.
    ///
    /// The path arrives already encoded, so encoding it again (turning `%` into `%25`) is AWS's
    /// "encode twice" rule for every service but S3; plain paths such as `/` are unchanged.
    static func canonicalURI(_ path: String) -> String {
        var segments: [Substring] = []
        for segment in path.split(separator: "/") {
            if segment == "." { continue }
            if segment == ".." { _ = segments.popLast(); continue }
            segments.append(segment)
        }
        var uri = "/" + segments.map { uriEncode($0) }.joined(separator: "/")
        if path.hasSuffix("/") && !segments.isEmpty { uri += "/" }
        return uri
    }

    /// Encodes names and values (RFC 3986), then sorts by name and then value.
    static func canonicalQueryString(_ query: [(name: String, value: String)]) -> String {
        query.map { (uriEncode($0.name), uriEncode($0.value)) }
            .sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
            .map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
    }

    /// Trims the value and collapses each run of whitespace into one space, as AWS requires so
    /// that folding by intermediaries does not break signatures.
    static func canonicalHeaderValue(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" })
            .joined(separator: " ")
    }

    /// Percent-encodes every byte except RFC 3986's unreserved `A-Z a-z 0-9 - _ . ~`,
    /// with uppercase hex digits.
    static func uriEncode(_ text: some StringProtocol) -> String {
        var encoded = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"),
                UInt8(ascii: "."), UInt8(ascii: "~"):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                encoded += "%" + String(hexDigits[Int(byte >> 4)]) + String(hexDigits[Int(byte & 15)])
            }
        }
        return encoded
    }

    // MARK: - Dates

    /// Formats `date` as `yyyyMMdd'T'HHmmss'Z'` in UTC, the `X-Amz-Date` format.
    ///
    /// Computed arithmetically rather than with `DateFormatter`, so neither locale nor time zone
    /// settings can change a signature.
    public static func timestamp(for date: Date) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = Int(seconds - days * 86_400)
        let (year, month, day) = civilDate(fromDays: days)
        return pad(Int(year), 4) + pad(month, 2) + pad(day, 2) + "T"
            + pad(secondOfDay / 3600, 2) + pad(secondOfDay / 60 % 60, 2) + pad(secondOfDay % 60, 2) + "Z"
    }

    // MARK: - Helpers

    private static let hexDigits = Array("0123456789ABCDEF")
    private static let lowerHexDigits = Array("0123456789abcdef")

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// Days since 1970-01-01 to (year, month, day), after Howard Hinnant's `civil_from_days`.
    static func civilDate(fromDays days: Int64) -> (Int64, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = Int(dayOfYear - (153 * shiftedMonth + 2) / 5 + 1)
        let month = Int(shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9)
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func hmac(key: [UInt8], _ message: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key)))
    }

    static func hexSHA256(_ bytes: [UInt8]) -> String { hex(Array(SHA256.hash(data: bytes))) }

    private static func hex(_ bytes: [UInt8]) -> String {
        String(bytes.flatMap { [lowerHexDigits[Int($0 >> 4)], lowerHexDigits[Int($0 & 15)]] })
    }
}

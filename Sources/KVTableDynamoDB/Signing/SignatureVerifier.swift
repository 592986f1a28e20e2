import Foundation

/// Checks AWS Signature Version 4 `Authorization` headers the way DynamoDB does, so a server can
/// reject the same requests, with the same exception names and messages, as AWS would.
///
/// Any region in the credential scope is accepted (a local server has no region of its own);
/// the service must be ``service``.
public struct SignatureVerifier: Sendable {
    /// Secret access keys by access key ID: the only credentials the verifier accepts.
    public var secrets: [String: String]
    /// How far, in seconds, a request's timestamp may be from the server's clock in either
    /// direction; DynamoDB allows 15 minutes, which bounds how long a captured request replays.
    public var allowedClockSkew: TimeInterval
    /// The service the credential scope must name.
    public var service: String

    /// Creates a verifier from secret access keys by access key ID.
    public init(secrets: [String: String], allowedClockSkew: TimeInterval = 900, service: String = "dynamodb") {
        self.secrets = secrets
        self.allowedClockSkew = allowedClockSkew
        self.service = service
    }

    /// Creates a verifier that accepts each of `credentials` (session tokens are not checked:
    /// they are merely signed like any other header).
    public init(credentials: [AWSCredentials], allowedClockSkew: TimeInterval = 900, service: String = "dynamodb") {
        var secrets: [String: String] = [:]
        for credential in credentials { secrets[credential.accessKeyID] = credential.secretAccessKey }
        self.init(secrets: secrets, allowedClockSkew: allowedClockSkew, service: service)
    }

    /// Verifies a request's signature as of `now`.
    ///
    /// Only the headers listed in `SignedHeaders` are covered, so proxies may add others.
    /// - Parameters:
    ///   - method: The HTTP method (`POST`).
    ///   - path: The path as sent on the request line (still percent-encoded).
    ///   - query: The raw query string after `?`, or `""`.
    ///   - headers: All request headers; names in any case.
    ///   - body: The request body, whose SHA-256 the signature covers.
    ///   - now: The time to check the request's timestamp against.
    /// - Returns: The access key ID that signed the request, for attributing it.
    /// - Throws: The ``SignatureError`` DynamoDB would answer with: a missing or malformed
    ///   header, an unknown access key, a timestamp outside ``allowedClockSkew``, a wrong
    ///   scope, or a signature mismatch.
    @discardableResult
    public func verify(
        method: String, path: String, query: String, headers: [(name: String, value: String)],
        body: [UInt8], now: Date
    ) throws(SignatureError) -> String {
        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name }?.value.trimmingCharacters(in: .whitespaces)
        }
        guard let authorization = header("authorization"), !authorization.isEmpty else {
            throw .missingAuthenticationToken(SignatureError.missingTokenMessage)
        }
        let parsed = try Self.parse(authorization)

        // X-Amz-Date wins over Date, and the string to sign always uses the ISO 8601 basic form.
        let timestamp: String
        let requestDate: Date
        if let amzDate = header("x-amz-date") {
            guard let date = SignatureV4.date(fromTimestamp: amzDate) else {
                throw .incompleteSignature(
                    "Date must be in ISO-8601 'basic format'. Got '\(amzDate)'. See http://en.wikipedia.org/wiki/ISO_8601")
            }
            (timestamp, requestDate) = (amzDate, date)
        } else if let httpDate = header("date"), let date = Self.date(fromHTTPDate: httpDate) {
            (timestamp, requestDate) = (SignatureV4.timestamp(for: date), date)
        } else {
            throw .incompleteSignature(
                "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
                    + "Authorization=\(authorization)")
        }
        // The time is checked first, before the key and the scope, as DynamoDB checks it: an
        // expired request is "Signature expired" whoever signed it (SDKs correct their clock on
        // that answer).
        try checkSkew(timestamp: timestamp, requestDate: requestDate, now: now)
        guard let secret = secrets[parsed.accessKeyID] else {
            throw .unrecognizedClient(SignatureError.unrecognizedClientMessage)
        }
        guard parsed.service == service else {
            throw .invalidSignature("Credential should be scoped to correct service: '\(service)'. ")
        }
        let day = String(timestamp.prefix(8))
        guard parsed.date == day else {
            throw .invalidSignature(
                "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
                    + "'\(parsed.date)' != '\(day)', from '\(timestamp)'.")
        }
        guard parsed.signedHeaders.contains("host") else {
            throw .invalidSignature("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
        }

        let request = SignableRequest(method: method, path: path, rawQuery: query, headers: headers, body: body)
        let stringToSign = SignatureV4.stringToSign(
            canonicalRequest: SignatureV4.canonicalRequest(request, signedHeaders: parsed.signedHeaders),
            timestamp: timestamp,
            credentialScope: SignatureV4.credentialScope(date: day, region: parsed.region, service: parsed.service))
        let key = SignatureV4.signingKey(secret: secret, date: day, region: parsed.region, service: parsed.service)
        let expected = SignatureV4.signature(signingKey: key, stringToSign: stringToSign)
        guard Self.constantTimeEqual(expected, parsed.signature) else {
            throw .invalidSignature(SignatureError.invalidSignatureMessage)
        }
        return parsed.accessKeyID
    }

    /// Rejects timestamps too far in the past (replays) or the future, worded as DynamoDB does
    /// because SDKs parse "Signature expired" to correct their clock offset and retry.
    private func checkSkew(timestamp: String, requestDate: Date, now: Date) throws(SignatureError) {
        let minutes = allowedClockSkew / 60
        let skew = minutes == minutes.rounded() ? String(Int(minutes)) : String(minutes)
        let nowText = SignatureV4.timestamp(for: now)
        if requestDate < now.addingTimeInterval(-allowedClockSkew) {
            let limit = SignatureV4.timestamp(for: now.addingTimeInterval(-allowedClockSkew))
            throw .signatureExpired(
                "Signature expired: \(timestamp) is now earlier than \(limit) (\(nowText) - \(skew) min.)")
        }
        if requestDate > now.addingTimeInterval(allowedClockSkew) {
            let limit = SignatureV4.timestamp(for: now.addingTimeInterval(allowedClockSkew))
            throw .signatureExpired(
                "Signature not yet current: \(timestamp) is still later than \(limit) (\(nowText) + \(skew) min.)")
        }
    }

    /// The parts of `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`.
    private struct ParsedAuthorization {
        var accessKeyID, date, region, service: String
        var signedHeaders: [String]
        var signature: String
    }

    private static func parse(_ authorization: String) throws(SignatureError) -> ParsedAuthorization {
        let space = authorization.firstIndex(where: { $0 == " " || $0 == "\t" }) ?? authorization.endIndex
        let algorithm = authorization[..<space]
        var parameters: [Substring: Substring] = [:]
        // Parameters are separated by commas, spaces or both (DynamoDB accepts each).
        for item in authorization[space...].split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" }) {
            let pair = item.trimmingCharacters(in: .whitespaces)[...]
            guard let equals = pair.firstIndex(of: "=") else { continue }
            parameters[pair[..<equals]] = pair[pair.index(after: equals)...]
        }
        guard algorithm == SignatureV4.algorithm else {
            throw .incompleteSignature("Unsupported AWS 'algorithm': '\(algorithm)'. Authorization=\(authorization)")
        }
        let missing = ["Credential", "Signature", "SignedHeaders"].filter { (parameters[$0[...]] ?? "").isEmpty }
        guard missing.isEmpty, let credential = parameters["Credential"], let signature = parameters["Signature"],
            let signedHeaders = parameters["SignedHeaders"]
        else {
            let requirements = missing.map { "Authorization header requires '\($0)' parameter." }
            throw .incompleteSignature(requirements.joined(separator: " ") + " Authorization=\(authorization)")
        }
        let scope = credential.split(separator: "/", omittingEmptySubsequences: false)
        guard scope.count == 5, !scope.contains(where: \.isEmpty), scope[4] == "aws4_request" else {
            throw .incompleteSignature(
                "Credential should be of the form '<AccessKeyID>/<yyyyMMdd>/<region>/<service>/aws4_request', "
                    + "not '\(credential)'. Authorization=\(authorization)")
        }
        return ParsedAuthorization(
            accessKeyID: String(scope[0]), date: String(scope[1]), region: String(scope[2]),
            service: String(scope[3]),
            signedHeaders: signedHeaders.split(separator: ";").map { $0.lowercased() },
            signature: String(signature))
    }

    /// Compares every byte whatever the first difference, so response timing does not reveal
    /// how much of a forged signature was right.
    private static func constantTimeEqual(_ lhs: String, _ rhs: String) -> Bool {
        let (left, right) = (Array(lhs.utf8), Array(rhs.utf8))
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for index in left.indices { difference |= left[index] ^ right[index] }
        return difference == 0
    }

    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Parses an IMF-fixdate `Date` header (`Sun, 06 Nov 1994 08:49:37 GMT`), the only form
    /// HTTP/1.1 senders may generate.
    static func date(fromHTTPDate text: String) -> Date? {
        let parts = text.split(separator: " ")
        guard parts.count == 6, parts[5] == "GMT", let day = Int(parts[1]), let year = Int(parts[3]),
            let month = months.firstIndex(of: String(parts[2]))
        else { return nil }
        let time = parts[4].split(separator: ":").compactMap { Int($0) }
        guard time.count == 3 else { return nil }
        return SignatureV4.date(
            year: year, month: month + 1, day: day, hour: time[0], minute: time[1], second: time[2])
    }
}

// Parsing what arrives on the wire lives here, beside its only server-side user.

extension SignableRequest {
    /// Creates a request from the raw query string as it appears after `?` on the request line,
    /// which is what a server has in hand when it verifies.
    public init(
        method: String, path: String, rawQuery: String,
        headers: [(name: String, value: String)], body: [UInt8] = []
    ) {
        self.init(
            method: method, path: path, query: Self.queryItems(fromRawQuery: rawQuery),
            headers: headers, body: body)
    }

    /// Splits a raw query string into decoded name/value pairs.
    ///
    /// `+` decodes to a space, as in botocore (the reference client for DynamoDB), so a query
    /// it signed canonicalises to the same `%20` here. Malformed `%` escapes are kept literally.
    public static func queryItems(fromRawQuery raw: String) -> [(name: String, value: String)] {
        raw.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = SignatureV4.percentDecode(parts[0])
            let value = parts.count > 1 ? SignatureV4.percentDecode(parts[1]) : ""
            return (name: name, value: value)
        }
    }
}

extension SignatureV4 {
    /// Decodes `%XY` escapes and `+` (as a space); invalid escapes stay as they are.
    static func percentDecode(_ text: some StringProtocol) -> String {
        let bytes = Array(text.utf8)
        var decoded: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%"), index + 2 < bytes.count,
                let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2])
            {
                decoded.append(high << 4 | low)
                index += 3
                continue
            }
            decoded.append(byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
            index += 1
        }
        return String(decoding: decoded, as: UTF8.self)
    }

    /// Parses a `yyyyMMdd'T'HHmmss'Z'` timestamp, or returns `nil` if it is not exactly that.
    public static func date(fromTimestamp timestamp: String) -> Date? {
        let chars = Array(timestamp.utf8)
        guard chars.count == 16, chars[8] == UInt8(ascii: "T"), chars[15] == UInt8(ascii: "Z") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for char in chars[range] {
                guard char >= UInt8(ascii: "0"), char <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(char - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0..<4), let month = number(4..<6), let day = number(6..<8),
            let hour = number(9..<11), let minute = number(11..<13), let second = number(13..<15)
        else { return nil }
        return date(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
    }

    /// Builds a UTC date from validated civil fields (leap seconds are not accepted).
    static func date(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) -> Date? {
        guard (1...12).contains(month), (1...31).contains(day), (0..<24).contains(hour),
            (0..<60).contains(minute), (0..<60).contains(second)
        else { return nil }
        let days = daysFromCivil(year: Int64(year), month: month, day: day)
        guard civilDate(fromDays: days) == (Int64(year), month, day) else { return nil }  // e.g. 31 April
        let seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    /// (year, month, day) to days since 1970-01-01, after Howard Hinnant's `days_from_civil`.
    static func daysFromCivil(year: Int64, month: Int, day: Int) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = Int64((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1)
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

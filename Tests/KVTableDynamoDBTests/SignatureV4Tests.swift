import Foundation
import KVTableDynamoDB
import Testing

/// AWS Signature Version 4: AWS's published example step by step, a botocore test vector, and
/// the verifier's acceptance and rejection rules.
struct SignatureV4Tests {
    // MARK: - AWS's worked example (IAM ListUsers, 2015-08-30)

    static let exampleSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    static let exampleDate = SignatureV4.date(fromTimestamp: "20150830T123600Z")!
    static let exampleRequest = SignableRequest(
        method: "GET", path: "/",
        query: [(name: "Version", value: "2010-05-08"), (name: "Action", value: "ListUsers")],
        headers: [
            (name: "Host", value: "iam.amazonaws.com"),
            (name: "Content-Type", value: "application/x-www-form-urlencoded; charset=utf-8"),
            (name: "X-Amz-Date", value: "20150830T123600Z"),
        ])
    static let exampleCanonicalRequest = """
        GET
        /
        Action=ListUsers&Version=2010-05-08
        content-type:application/x-www-form-urlencoded; charset=utf-8
        host:iam.amazonaws.com
        x-amz-date:20150830T123600Z

        content-type;host;x-amz-date
        e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
        """
    static let exampleStringToSign = """
        AWS4-HMAC-SHA256
        20150830T123600Z
        20150830/us-east-1/iam/aws4_request
        f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59
        """

    @Test func awsExampleCanonicalRequest() {
        let canonical = SignatureV4.canonicalRequest(
            Self.exampleRequest, signedHeaders: ["X-Amz-Date", "host", "content-type"])
        #expect(canonical == Self.exampleCanonicalRequest)
        // The string to sign ends with the canonical request's hex SHA-256.
        let toSign = SignatureV4.stringToSign(canonicalRequest: canonical, timestamp: "", credentialScope: "")
        #expect(toSign.split(separator: "\n").last == "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59")
    }

    @Test func awsExampleStringToSignSigningKeyAndSignature() {
        let scope = SignatureV4.credentialScope(date: "20150830", region: "us-east-1", service: "iam")
        let toSign = SignatureV4.stringToSign(
            canonicalRequest: Self.exampleCanonicalRequest, timestamp: "20150830T123600Z", credentialScope: scope)
        #expect(toSign == Self.exampleStringToSign)
        let key = SignatureV4.signingKey(secret: Self.exampleSecret, date: "20150830", region: "us-east-1", service: "iam")
        #expect(Self.hex(key) == "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9")
        let signature = SignatureV4.signature(signingKey: key, stringToSign: Self.exampleStringToSign)
        #expect(signature == "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7")
    }

    @Test func awsExampleSignProducesPublishedAuthorization() {
        let signer = SignatureV4(
            credentials: AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: Self.exampleSecret),
            region: "us-east-1", service: "iam")
        let headers = signer.sign(Self.exampleRequest, date: Self.exampleDate)
        #expect(headers.map(\.0) == ["X-Amz-Date", "Authorization"])
        #expect(headers[0].1 == "20150830T123600Z")
        #expect(
            headers[1].1 == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
                + "SignedHeaders=content-type;host;x-amz-date, "
                + "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7")
    }

    // MARK: - botocore test vector

    // Produced once with botocore 1.43.11: SigV4Auth(Credentials("AKIDEXAMPLE", <example secret>,
    // token), "dynamodb", "eu-west-1").add_auth(AWSRequest("POST", "http://localhost:8000/",
    // data=<body>, headers={Content-Type, X-Amz-Target})) with botocore.auth.get_current_datetime
    // patched to return 2024-05-17 09:30:15 UTC, once with the token "SESSIONTOKEXAMPLE" and once
    // without. botocore signs Host as "localhost:8000" and signs the session token header.
    static let botocoreRequest = SignableRequest(
        method: "POST", path: "/",
        headers: [
            (name: "Content-Type", value: "application/x-amz-json-1.0"),
            (name: "X-Amz-Target", value: "DynamoDB_20120810.GetItem"), (name: "Host", value: "localhost:8000"),
        ],
        body: Array(#"{"TableName":"Music","Key":{"Artist":{"S":"No One You Know"}}}"#.utf8))

    @Test(arguments: [
        ("SESSIONTOKEXAMPLE", "content-type;host;x-amz-date;x-amz-security-token;x-amz-target",
         "2264415ebc2b966a4956e280ebcce6cb9dc7d5702726f36be84402dbb5e2ab5c"),
        ("", "content-type;host;x-amz-date;x-amz-target",
         "d8ce53e7106a2d013e76894769d4b4cb7061cd592aae1bd75d21e71672de3f41"),
    ])
    func matchesBotocore(token: String, signedHeaders: String, signature: String) {
        let signer = SignatureV4(
            credentials: AWSCredentials(
                accessKeyID: "AKIDEXAMPLE", secretAccessKey: Self.exampleSecret, sessionToken: token),
            region: "eu-west-1")
        let headers = signer.sign(Self.botocoreRequest, date: SignatureV4.date(fromTimestamp: "20240517T093015Z")!)
        #expect(Self.value("Authorization", in: headers) == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240517/eu-west-1/dynamodb/aws4_request, SignedHeaders=\(signedHeaders), Signature=\(signature)")
        #expect(Self.value("X-Amz-Security-Token", in: headers) == (token.isEmpty ? nil : token))
    }

    // MARK: - Verifying

    static let keyID = "AKIDLOCAL"
    static let secret = "local-secret-key"
    static let now = SignatureV4.date(fromTimestamp: "20150830T123600Z")!
    static let verifier = SignatureVerifier(secrets: [keyID: secret, "OTHERKEY": "other"])
    static let body = Array(#"{"TableName":"T","Item":{"pk":{"S":"a"}}}"#.utf8)

    /// The headers of a DynamoDB PutItem request signed at `now` with `secret`, as a client sends it.
    static func signedHeaders(secret: String = secret, extra: [(name: String, value: String)] = [])
        -> [(name: String, value: String)]
    {
        var headers: [(name: String, value: String)] = [
            (name: "Host", value: "127.0.0.1:8000"),
            (name: "Content-Type", value: "application/x-amz-json-1.0"),
            (name: "X-Amz-Target", value: "DynamoDB_20120810.PutItem"),
            (name: "User-Agent", value: "test-client/1.0"),
        ] + extra
        let signer = SignatureV4(
            credentials: AWSCredentials(accessKeyID: keyID, secretAccessKey: secret), region: "us-west-2")
        let request = SignableRequest(method: "POST", path: "/", headers: headers, body: body)
        headers += signer.sign(request, date: now).map { (name: $0.0, value: $0.1) }
        return headers
    }

    static func verify(_ headers: [(name: String, value: String)], body: [UInt8] = body, now: Date = now)
        throws(SignatureError)
    {
        try verifier.verify(method: "POST", path: "/", query: "", headers: headers, body: body, now: now)
    }

    @Test func dynamoDBRoundTrip() throws {
        let headers = Self.signedHeaders()
        #expect(!headers.contains { $0.name == "X-Amz-Security-Token" })
        let signer = try Self.verifier.verify(
            method: "POST", path: "/", query: "", headers: headers, body: Self.body, now: Self.now)
        #expect(signer == Self.keyID)
    }

    @Test func forgedSignatureRejected() {
        let headers = Self.signedHeaders().map { header in
            guard header.name == "Authorization" else { return header }
            let last = header.value.last == "0" ? "1" : "0"
            return (name: header.name, value: String(header.value.dropLast()) + last)
        }
        #expect(throws: SignatureError.invalidSignature(SignatureError.invalidSignatureMessage)) {
            try Self.verify(headers)
        }
    }

    @Test func wrongSecretAndTamperedBodyRejected() throws {
        let error = #expect(throws: SignatureError.self) { try Self.verify(Self.signedHeaders(secret: "wrong")) }
        #expect(error?.dynamoDBType == "InvalidSignatureException")
        #expect(error?.message == SignatureError.invalidSignatureMessage)
        #expect(throws: SignatureError.invalidSignature(SignatureError.invalidSignatureMessage)) {
            try Self.verify(Self.signedHeaders(), body: Array(#"{"TableName":"U"}"#.utf8))
        }
    }

    @Test func unknownKeyRejected() {
        let verifier = SignatureVerifier(secrets: ["SOMEONEELSE": Self.secret])
        let error = #expect(throws: SignatureError.self) {
            try verifier.verify(
                method: "POST", path: "/", query: "", headers: Self.signedHeaders(), body: Self.body, now: Self.now)
        }
        #expect(error == .unrecognizedClient("The security token included in the request is invalid."))
        #expect(error?.dynamoDBType == "UnrecognizedClientException")
    }

    @Test func missingAuthorizationRejected() {
        let error = #expect(throws: SignatureError.self) {
            try Self.verify(Self.signedHeaders().filter { $0.name != "Authorization" })
        }
        #expect(error == .missingAuthenticationToken("Request is missing Authentication Token"))
        #expect(error?.dynamoDBType == "MissingAuthenticationTokenException")
    }

    static let scope = "Credential=AKIDLOCAL/20150830/us-west-2/dynamodb"
    @Test(arguments: [
        ("AWS4-HMAC-SHA256 \(scope)/aws4_request, SignedHeaders=host", "Authorization header requires 'Signature'"),
        ("AWS4-HMAC-SHA256 \(scope), SignedHeaders=host, Signature=ab", "Credential should be of the form"),
        ("AWS4-HMAC-SHA1 \(scope)/aws4_request, SignedHeaders=host, Signature=ab", "Unsupported AWS 'algorithm'"),
        ("garbage", "Unsupported AWS 'algorithm': 'garbage'"),
    ])
    func malformedAuthorizationRejected(authorization: String, messagePrefix: String) {
        let headers = Self.signedHeaders().map { header in
            header.name == "Authorization" ? (name: header.name, value: authorization) : header
        }
        let error = #expect(throws: SignatureError.self) { try Self.verify(headers) }
        #expect(error?.dynamoDBType == "IncompleteSignatureException")
        #expect(error?.message.hasPrefix(messagePrefix) == true)
        #expect(error?.message.hasSuffix("Authorization=\(authorization)") == true)
    }

    @Test func sixteenMinutesOffRejected() {
        let past = #expect(throws: SignatureError.self) {
            try Self.verify(Self.signedHeaders(), now: Self.now.addingTimeInterval(16 * 60))
        }
        #expect(past == .signatureExpired(
            "Signature expired: 20150830T123600Z is now earlier than 20150830T123700Z (20150830T125200Z - 15 min.)"))
        #expect(past?.dynamoDBType == "InvalidSignatureException")
        let future = #expect(throws: SignatureError.self) {
            try Self.verify(Self.signedHeaders(), now: Self.now.addingTimeInterval(-16 * 60))
        }
        #expect(future == .signatureExpired(
            "Signature not yet current: 20150830T123600Z is still later than 20150830T123500Z (20150830T122000Z + 15 min.)"))
    }

    @Test func expiryIsCheckedBeforeTheKeyAndTheScope() {
        // Alternator's test, checked against DynamoDB: an expired request with an unknown key,
        // a nonsense scope and parameters separated by spaces only is "Signature expired".
        let headers = Self.signedHeaders().map { header in
            header.name == "Authorization"
                ? (name: header.name, value: "AWS4-HMAC-SHA256 Credential=nobody/2/3/4/aws4_request SignedHeaders=x-amz-date;host Signature=123")
                : header
        }
        let error = #expect(throws: SignatureError.self) { try Self.verify(headers, now: Self.now.addingTimeInterval(16 * 60)) }
        #expect(error?.dynamoDBType == "InvalidSignatureException")
        #expect(error?.message.hasPrefix("Signature expired: ") == true)
        // In time, the same request fails on its key, and then (a known key) on its scope.
        #expect(throws: SignatureError.unrecognizedClient("The security token included in the request is invalid.")) {
            try Self.verify(headers)
        }
    }

    @Test func parametersSeparatedBySpacesOnlyAreRead() throws {
        let headers = Self.signedHeaders().map { header in
            header.name == "Authorization" ? (name: header.name, value: header.value.replacingOccurrences(of: ", ", with: " ")) : header
        }
        #expect(headers.contains { $0.name == "Authorization" && !$0.value.contains(",") })
        try Self.verify(headers)
    }

    @Test func fourteenMinutesOffAccepted() throws {
        try Self.verify(Self.signedHeaders(), now: Self.now.addingTimeInterval(14 * 60))
        try Self.verify(Self.signedHeaders(), now: Self.now.addingTimeInterval(-14 * 60))
    }

    @Test func scopeMustMatchDateServiceAndSignHost() {
        func replacing(_ old: String, with new: String) -> [(name: String, value: String)] {
            Self.signedHeaders().map { header in
                header.name == "Authorization"
                    ? (name: header.name, value: header.value.replacingOccurrences(of: old, with: new)) : header
            }
        }
        let wrongDay = #expect(throws: SignatureError.self) { try Self.verify(replacing("/20150830/", with: "/20150829/")) }
        #expect(wrongDay?.message.hasPrefix("Date in Credential scope does not match") == true)
        let wrongService = #expect(throws: SignatureError.self) { try Self.verify(replacing("/dynamodb/", with: "/s3/")) }
        #expect(wrongService?.message.hasPrefix("Credential should be scoped to correct service") == true)
        let hostUnsigned = #expect(throws: SignatureError.self) {
            try Self.verify(replacing("SignedHeaders=content-type;host;", with: "SignedHeaders=content-type;"))
        }
        #expect(hostUnsigned?.message.hasPrefix("'Host' or ':authority' must be a 'SignedHeader'") == true)
    }

    @Test func headerWhitespaceIsFolded() throws {
        let request = SignableRequest(
            method: "POST", path: "/", headers: [(name: "X-Test", value: " \t a   b \t c  "), (name: "x-test", value: "d")])
        let canonical = SignatureV4.canonicalRequest(request, signedHeaders: ["x-test"])
        #expect(canonical.split(separator: "\n", omittingEmptySubsequences: false)[3] == "x-test:a b c,d")
        // A proxy that folds spaces in a signed header does not break the signature.
        let headers = Self.signedHeaders(extra: [(name: "X-Custom", value: "one   two")]).map { header in
            header.name == "X-Custom" ? (name: "x-custom", value: "one two") : header
        }
        try Self.verify(headers)
    }

    @Test func pathAndQueryCanonicalisation() throws {
        let request = SignableRequest(
            method: "GET", path: "/a/./b/../c d/", rawQuery: "b=2&a=x+y&a=%2F&c",
            headers: [(name: "Host", value: "h")])
        let lines = SignatureV4.canonicalRequest(request, signedHeaders: ["host"]).split(separator: "\n")
        #expect(lines[1] == "/a/c%20d/")
        #expect(lines[2] == "a=%2F&a=x%20y&b=2&c=")
        let root = SignableRequest(method: "POST", path: "/", headers: [])
        #expect(SignatureV4.canonicalRequest(root, signedHeaders: []).split(separator: "\n")[1] == "/")
    }

    @Test func timestampsRoundTrip() {
        for text in ["20150830T123600Z", "20240229T235959Z", "19700101T000000Z", "21000301T000000Z"] {
            let date = SignatureV4.date(fromTimestamp: text)
            #expect(date.map(SignatureV4.timestamp(for:)) == text)
        }
        #expect(SignatureV4.date(fromTimestamp: "20150830T123600Z")?.timeIntervalSince1970 == 1_440_938_160)
        for bad in ["20150830T1236Z", "2015-08-30T12:36:00Z", "20230229T000000Z", "20150830T246000Z"] {
            #expect(SignatureV4.date(fromTimestamp: bad) == nil)
        }
    }

    @Test func dateHeaderAcceptedWithoutXAmzDate() throws {
        let headers = [(name: "Host", value: "localhost"), (name: "Date", value: "Sun, 30 Aug 2015 12:36:00 GMT")]
        let request = SignableRequest(method: "POST", path: "/", headers: headers, body: Self.body)
        let toSign = SignatureV4.stringToSign(
            canonicalRequest: SignatureV4.canonicalRequest(request, signedHeaders: ["date", "host"]),
            timestamp: "20150830T123600Z",
            credentialScope: "20150830/local/dynamodb/aws4_request")
        let key = SignatureV4.signingKey(secret: Self.secret, date: "20150830", region: "local", service: "dynamodb")
        let authorization = "AWS4-HMAC-SHA256 Credential=\(Self.keyID)/20150830/local/dynamodb/aws4_request, "
            + "SignedHeaders=date;host, Signature=\(SignatureV4.signature(signingKey: key, stringToSign: toSign))"
        try Self.verify(headers + [(name: "authorization", value: authorization)])
    }

    // MARK: - Environment

    @Test func environmentCredentials() throws {
        let environment = ["AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_SESSION_TOKEN": "token"]
        let credentials = try AWSCredentials.fromEnvironment(environment)
        #expect(credentials == AWSCredentials(accessKeyID: "AKID", secretAccessKey: "secret", sessionToken: "token"))
        let headers = SignatureV4(credentials: credentials, region: "us-east-1")
            .sign(SignableRequest(method: "POST", headers: [(name: "Host", value: "h")]), date: Self.now)
        #expect(Self.value("X-Amz-Security-Token", in: headers) == "token")
        #expect(Self.value("Authorization", in: headers)?.contains("SignedHeaders=host;x-amz-date;x-amz-security-token,") == true)

        let noToken = try AWSCredentials.fromEnvironment(["AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "s"])
        #expect(noToken.sessionToken == nil)
    }

    @Test func missingEnvironmentCredentials() {
        #expect(throws: SignatureError.missingCredentials("AWS_SECRET_ACCESS_KEY")) {
            try AWSCredentials.fromEnvironment(["AWS_ACCESS_KEY_ID": "AKID"])
        }
        let error = #expect(throws: SignatureError.self) {
            try AWSCredentials.fromEnvironment(["AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "s"])
        }
        #expect(error == .missingCredentials("AWS_ACCESS_KEY_ID"))
        #expect(error?.description.contains("AWS_ACCESS_KEY_ID") == true)
    }

    @Test func regionFromEnvironment() {
        #expect(AWSCredentials.region(from: ["AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "us-east-1"]) == "eu-west-1")
        #expect(AWSCredentials.region(from: ["AWS_REGION": "", "AWS_DEFAULT_REGION": "us-east-1"]) == "us-east-1")
        #expect(AWSCredentials.region(from: [:]) == nil)
    }

    // MARK: - Helpers

    static func value(_ name: String, in headers: [(String, String)]) -> String? {
        headers.first { $0.0 == name }?.1
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}

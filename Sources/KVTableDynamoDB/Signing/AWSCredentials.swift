import Foundation

/// An AWS access key pair, optionally with the session token of temporary credentials.
public struct AWSCredentials: Sendable, Equatable {
    /// The public half of the key pair; it names the key in each request's credential scope.
    public var accessKeyID: String
    /// The private half of the key pair; it never leaves the process, only keys derived from it do.
    public var secretAccessKey: String
    /// The token of temporary (STS) credentials; signed requests then carry `X-Amz-Security-Token`.
    public var sessionToken: String?

    /// Creates credentials from their parts.
    ///
    /// An empty `sessionToken` is treated as none, because an empty `X-Amz-Security-Token`
    /// header would be signed and then rejected by AWS.
    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken?.isEmpty == true ? nil : sessionToken
    }

    /// Reads credentials the way the AWS SDKs and CLI do from the environment:
    /// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and, optionally, `AWS_SESSION_TOKEN`.
    ///
    /// The environment is a parameter so tests need not mutate the process's own.
    /// - Throws: ``SignatureError/missingCredentials(_:)`` naming the first variable that is
    ///   missing or empty, so the user knows exactly what to export.
    public static func fromEnvironment(
        _ environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(SignatureError) -> AWSCredentials {
        guard let keyID = environment["AWS_ACCESS_KEY_ID"], !keyID.isEmpty else {
            throw .missingCredentials("AWS_ACCESS_KEY_ID")
        }
        guard let secret = environment["AWS_SECRET_ACCESS_KEY"], !secret.isEmpty else {
            throw .missingCredentials("AWS_SECRET_ACCESS_KEY")
        }
        return AWSCredentials(
            accessKeyID: keyID, secretAccessKey: secret, sessionToken: environment["AWS_SESSION_TOKEN"])
    }

    /// The region configured in the environment: `AWS_REGION`, else `AWS_DEFAULT_REGION`
    /// (the SDKs' order of precedence), or `nil` when neither is set to a non-empty value.
    public static func region(
        from environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> String? {
        for name in ["AWS_REGION", "AWS_DEFAULT_REGION"] {
            if let region = environment[name], !region.isEmpty { return region }
        }
        return nil
    }
}

import Foundation
import KVTable
import KVTableRemote
import Testing

// The README's remote-engine example, as written there (DocumentationExampleTests checks that
// each README code block appears verbatim in one of its example files).
func readmeRemoteExample() async throws {
    let remote = try RemoteStore(configuration: .aws())   // AWS_* environment variables
    let files = try await remote.table("App")             // a RemoteTable: the same ItemTable API
    try await files.putItem(["PK": "USER#42", "SK": "PROFILE", "name": "Ada"], condition: .notExists("PK"))
}

/// The example as it would run against AWS, minus AWS: without credentials it fails with the
/// typed error the documentation promises, before any request is sent.
@Test("the README's remote example compiles, and without credentials says what is missing")
func readmeRemoteExampleNeedsCredentials() async throws {
    guard AWSCredentialsPresent.none else { return }
    await #expect(throws: RemoteError.self) { try await readmeRemoteExample() }
}

enum AWSCredentialsPresent {
    /// True when the environment holds no AWS credentials (so the example cannot reach AWS).
    static var none: Bool {
        let environment = ProcessInfo.processInfo.environment
        return environment["AWS_ACCESS_KEY_ID"] == nil || environment["AWS_SECRET_ACCESS_KEY"] == nil
    }
}

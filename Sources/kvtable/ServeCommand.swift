import ArgumentParser
import Foundation
import KVTable
import KVTableDynamoDB
import KVTableServer
import Logging
import ServiceLifecycle

/// `kvtable serve`: DynamoDB's HTTP API on a store file.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve DynamoDB's JSON API (POST /, X-Amz-Target) for a store file; SIGINT/SIGTERM stop it gracefully.")

    @Option(help: "The store file (created when missing).")
    var path: String?

    @Flag(help: "Keep the store in memory instead of a file (for test suites); everything is gone when the server stops.")
    var inMemory = false

    @Option(help: "Commit durability of a store file: \(Durability.allCases.map(\.rawValue).joined(separator: ", ")).")
    var durability: Durability = .durable

    @Option(help: "Port to listen on (0: any free port, printed at start).")
    var port: Int = 8000

    @Option(help: "Address to bind. Loopback by default; bind 0.0.0.0 only on a trusted network.")
    var host: String = "127.0.0.1"

    @Option(help: "With --secret-access-key: accept only requests signed (AWS Signature Version 4) with this key. Default: accept any.")
    var accessKeyId: String?

    @Option(help: "The secret of --access-key-id; every request's signature is verified with it.")
    var secretAccessKey: String?

    @Option(help: "Largest request body accepted, in bytes.")
    var maxBodyBytes: Int = 16 << 20

    @Option(help: "Seconds after which a connection that starts no request is closed.")
    var idleTimeoutSeconds: Double = 60

    @Option(help: "Seconds a request has to arrive whole (head and body) from its first byte; a slower one gets 408.")
    var requestTimeoutSeconds: Double = 30

    @Option(help: "Most connections open at once; further ones are closed as they are accepted.")
    var maxConnections: Int = 1024

    @Option(help: "Seconds between TTL sweeps (expired items are hidden from reads at once either way).")
    var ttlSweepSeconds: Double = 60

    @Option(help: "Region named in table ARNs.")
    var region: String = "local"

    func validate() throws {
        guard (path != nil) != inMemory else { throw ValidationError("Give exactly one of --path FILE and --in-memory") }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0 to 65535") }
        guard ttlSweepSeconds > 0 else { throw ValidationError("--ttl-sweep-seconds must be positive") }
        guard maxBodyBytes > 0 else { throw ValidationError("--max-body-bytes must be positive") }
        guard idleTimeoutSeconds > 0 else { throw ValidationError("--idle-timeout-seconds must be positive") }
        guard requestTimeoutSeconds > 0 else { throw ValidationError("--request-timeout-seconds must be positive") }
        guard maxConnections > 0 else { throw ValidationError("--max-connections must be positive") }
        guard (accessKeyId == nil) == (secretAccessKey == nil) else {
            throw ValidationError("Give --access-key-id and --secret-access-key together: a key id alone authenticates nothing")
        }
    }

    func run() async throws {
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        var logger = Logger(label: "kvtable.serve")
        logger.logLevel = .notice
        let store = try path.map { try StoreOptions.open($0, durability: durability, create: true) } ?? KVStore.inMemory()
        defer { store.close() }
        var credentials: [AWSCredentials] = []
        if let accessKeyId, let secretAccessKey {
            credentials = [AWSCredentials(accessKeyID: accessKeyId, secretAccessKey: secretAccessKey)]
        }
        let server = DynamoDBServer(
            service: DynamoDBService(store: store, region: region),
            configuration: ServerConfiguration(host: host, port: port, credentials: credentials, maximumBodyBytes: maxBodyBytes,
                                               idleTimeout: .milliseconds(Int64(idleTimeoutSeconds * 1000)),
                                               requestTimeout: .milliseconds(Int64(requestTimeoutSeconds * 1000)),
                                               maximumConnections: maxConnections),
            logger: logger)
        let host = self.host
        let location = path ?? "in memory"
        let application = server.application { port in
            // Unbuffered, so that a script waiting for this line sees it at once.
            FileHandle.standardOutput.write(Data("KVTable serving the DynamoDB API on http://\(host):\(port) (store: \(location))\n".utf8))
        }
        let sweeper = TimeToLiveSweeper(store: store, period: .milliseconds(Int64(ttlSweepSeconds * 1000)), batchSize: 1000,
                                        logger: logger)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [.init(service: application), .init(service: sweeper)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
        print("KVTable server stopped")
    }
}

import FilesService
import Foundation
import Hummingbird
import KVTable
import Logging

// files-service [PATH] [PORT]: serves the files API from the LMDB store at PATH (files.kvt),
// on 127.0.0.1:PORT (8080), until SIGINT or SIGTERM; queued analytics events are flushed on
// the way out.
let arguments = CommandLine.arguments.dropFirst()
let path = arguments.first ?? "files.kvt"
let port = arguments.dropFirst().first.flatMap(Int.init) ?? 8080
let logger = Logger(label: "files-service")

let store = try KVStore.open(path: path)
defer { store.close() }
let api = try await FilesAPI.open(store: store, logger: logger)
let app = Application(router: api.router(),
                      configuration: .init(address: .hostname("127.0.0.1", port: port)),
                      services: api.services, logger: logger)
try await app.runService()

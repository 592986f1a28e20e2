@_spi(Benchmarks) import KVTable

/// One benchmark scenario: an operation run on each engine that supports it.
struct Scenario: Sendable {
    let name: String
    let summary: String
    let run: @Sendable (Bench, Budget) async throws -> [Measurement]

    static func needsMemory(_ name: String) -> Bool {
        ["get-hit", "query-1", "query-10", "query-100"].contains(name)
    }

    static let all: [Scenario] = [
        Scenario(name: "get-hit", summary: "getItem of a random existing item") { bench, budget in
            var out = [
                try measure("get-hit", "kvtable", budget: budget) { i in
                    let key = bench.sampleKeys[i % bench.sampleKeys.count]
                    guard try bench.table.read({ try $0.getItem(key) }) != nil else { throw BenchmarkError("miss") }
                },
                try measure("get-hit", "lmdb", budget: budget) { i in
                    guard try bench.raw.get(bench.sampleStorageKeys[i % bench.sampleStorageKeys.count]) != nil else { throw BenchmarkError("miss") }
                },
                try measure("get-hit", "sqlite", budget: budget) { i in
                    let (pk, sk) = bench.sampleColumns[i % bench.sampleColumns.count]
                    guard bench.sqlite.get(pk: pk, sk: sk) != nil else { throw BenchmarkError("miss") }
                },
            ]
            if let memory = bench.memoryTable {
                out.append(try measure("get-hit", "kvtable-memory", budget: budget) { i in
                    let key = bench.sampleKeys[i % bench.sampleKeys.count]
                    guard try memory.read({ try $0.getItem(key) }) != nil else { throw BenchmarkError("miss") }
                })
            }
            return out + (try await RemoteScenarios.getHit(bench, budget))
        },
        Scenario(name: "get-entity", summary: "getItem of a random existing item, decoded as a Codable struct") { bench, budget in
            let decoder = ItemDecoder(dateEncoding: .iso8601)
            // The check that the floor decodes what KVTable decodes, once, before either runs.
            let probe = bench.sampleKeys[0]
            let typed = try bench.table.read { try $0.getItem(probe).map { try decoder.decode(Dataset.File.self, from: $0) } }
            let floor = try bench.raw.get(bench.sampleStorageKeys[0]).flatMap(Dataset.File.init(floorDecoding:))
            guard let typed, let floor, typed.checksum == floor.checksum, typed.size == floor.size, typed.tags == floor.tags,
                  typed.uploaded_at == floor.uploaded_at else { throw BenchmarkError("the floor decodes another item") }
            return [
                try measure("get-entity", "kvtable", budget: budget) { i in
                    let key = bench.sampleKeys[i % bench.sampleKeys.count]
                    let file = try bench.table.read { reader in
                        try reader.getItem(key).map { try decoder.decode(Dataset.File.self, from: $0) }
                    }
                    guard file != nil else { throw BenchmarkError("miss") }
                },
                // The floor: raw LMDB's get and the struct built from the bytes by hand.
                try measure("get-entity", "lmdb", budget: budget) { i in
                    guard let bytes = try bench.raw.get(bench.sampleStorageKeys[i % bench.sampleStorageKeys.count]),
                          Dataset.File(floorDecoding: bytes) != nil else { throw BenchmarkError("miss") }
                },
            ]
        },
        Scenario(name: "get-miss", summary: "getItem of a key that does not exist") { bench, budget in
            [
                try measure("get-miss", "kvtable", budget: budget) { i in
                    let key: Item = ["PK": bench.sampleKeys[i % bench.sampleKeys.count]["PK"]!, "SK": "MISSING"]
                    guard try bench.table.read({ try $0.getItem(key) }) == nil else { throw BenchmarkError("hit") }
                },
                try measure("get-miss", "lmdb", budget: budget) { i in
                    guard try bench.raw.get(bench.sampleStorageKeys[i % bench.sampleStorageKeys.count] + [0x01]) == nil else { throw BenchmarkError("hit") }
                },
                try measure("get-miss", "sqlite", budget: budget) { i in
                    guard bench.sqlite.get(pk: bench.sampleColumns[i % bench.sampleColumns.count].pk, sk: "MISSING") == nil else { throw BenchmarkError("hit") }
                },
            ]
        },
        Scenario(name: "get-projection", summary: "getItem returning two attributes") { bench, budget in
            let projection: [AttributePath] = ["filename", "size"]
            return [try measure("get-projection", "kvtable", budget: budget) { i in
                let key = bench.sampleKeys[i % bench.sampleKeys.count]
                _ = try bench.table.read { try $0.getItem(key, projection: projection) }
            }]
        },
        tableQuery(1), tableQuery(10), tableQuery(100),
        indexQuery(10), indexQuery(100),
        Scenario(name: "query-count", summary: "count-only query of a 100-item partition") { bench, budget in
            [
                try measure("query-count", "kvtable", budget: budget) { i in
                    let query = Query(partitionKey: .s(Dataset.partitionKey(user: i % bench.dataset.users)), countOnly: true)
                    _ = try bench.table.read { try $0.query(query) }
                },
                try measure("query-count", "lmdb", budget: budget) { i in
                    try bench.raw.range(bench.userPrefixes[i % bench.userPrefixes.count], limit: .max, copyValues: false)
                },
                measure("query-count", "sqlite", budget: budget) { i in
                    _ = bench.sqlite.count(pk: Dataset.partitionKey(user: i % bench.dataset.users))
                },
            ]
        },
        Scenario(name: "put-conditional-durable", summary: "create-only putItem, one durable commit each") { bench, budget in
            let writes = Budget(duration: budget.duration, maxOperations: min(budget.maxOperations, 20_000))
            return [
                try await measureAsync("put-conditional-durable", "kvtable", budget: writes) { i in
                    try await bench.table.putItem(newItem("DURABLE", i, bench), condition: .notExists("PK"))
                },
                try await measureAsync("put-conditional-durable", "lmdb", budget: writes) { i in
                    try bench.raw.put([(rawKey("DURABLE", i), bench.sampleValue)])
                },
            ] + (try await RemoteScenarios.putDurable(bench, budget) { newItem("REMOTE", $0, bench) })
        },
        Scenario(name: "put-conditional-nosync", summary: "create-only putItem on a no-sync store") { bench, budget in
            [
                try await measureAsync("put-conditional-nosync", "kvtable", budget: budget) { i in
                    try await bench.noSyncTable.putItem(newItem("NOSYNC", i, bench), condition: .notExists("PK"))
                },
                try await measureAsync("put-conditional-nosync", "lmdb", budget: budget) { i in
                    try bench.noSyncRaw.put([(rawKey("NOSYNC", i), bench.sampleValue)])
                },
            ]
        },
        Scenario(name: "counter-update", summary: "atomic counter increment (durable)") { bench, budget in
            let writes = Budget(duration: budget.duration, maxOperations: min(budget.maxOperations, 20_000))
            return [try await measureAsync("counter-update", "kvtable", budget: writes) { i in
                try await bench.table.increment(["PK": "COUNTER", "SK": .s("c\(i % 100)")], "n")
            }]
        },
        Scenario(name: "batch-write-25", summary: "25 puts in one durable transaction") { bench, budget in
            let writes = Budget(duration: budget.duration, maxOperations: min(budget.maxOperations, 5_000))
            return [
                try await measureAsync("batch-write-25", "kvtable", budget: writes) { i in
                    try await bench.table.batchWrite((0..<25).map { .put(newItem("BATCH", i * 25 + $0, bench)) })
                },
                // The same keys and bytes KVTable writes — items and their GSI1 entries — made
                // before the clock starts.
                try await { () async throws -> Measurement in
                    let batches = try (0..<min(writes.maxOperations, 3_000)).map { i in
                        try (0..<25).flatMap { try bench.table.storageEntries(of: newItem("RAWBATCH", i * 25 + $0, bench)) }
                            .map { ($0.key, $0.value) }
                    }
                    return try await measureAsync("batch-write-25", "lmdb", budget: writes) { i in
                        try bench.raw.put(batches[i % batches.count])
                    }
                }(),
                try await measureAsync("batch-write-25", "sqlite", budget: writes) { i in
                    try bench.sqlite.insert((0..<25).map { n in
                        ("BATCH#\(i)", "\(n)", "B", "\(n)", bench.sampleValue)
                    })
                },
            ]
        },
        concurrentWriters(1), concurrentWriters(8), concurrentWriters(64),
        Scenario(name: "wire-get", summary: "GetItem over HTTP keep-alive against KVTable's server, 4 connections") { bench, budget in
            let port = try await bench.serverPort()
            let requests = bench.sampleColumns.map { key in
                WireLoad.request(target: "GetItem", body: #"{"TableName":"Bench","Key":{"PK":{"S":"\#(key.pk)"},"SK":{"S":"\#(key.sk)"}}}"#)
            }
            return [try WireLoad.run(scenario: "wire-get", engine: "kvtable-serve", port: port, connections: 4,
                                     duration: budget.duration) { connection, i in
                requests[(connection * 2_503 + i) % requests.count]
            }]
        },
    ] + AnalyticsScenarios.all

    static func tableQuery(_ limit: Int) -> Scenario {
        Scenario(name: "query-\(limit)", summary: "query of \(limit) item(s) from a user's partition") { bench, budget in
            let name = "query-\(limit)"
            var out = [
                try measure(name, "kvtable", budget: budget) { i in
                    let query = Query(partitionKey: .s(Dataset.partitionKey(user: i % bench.dataset.users)), limit: limit)
                    guard try bench.table.read({ try $0.query(query) }).count == min(limit, Dataset.filesPerUser) else { throw BenchmarkError("short") }
                },
                try measure(name, "lmdb", budget: budget) { i in
                    try bench.raw.range(bench.userPrefixes[i % bench.userPrefixes.count], limit: limit)
                },
                measure(name, "sqlite", budget: budget) { i in
                    bench.sqlite.query(pk: Dataset.partitionKey(user: i % bench.dataset.users), limit: limit)
                },
            ]
            if let memory = bench.memoryTable {
                out.append(try measure(name, "kvtable-memory", budget: budget) { i in
                    let query = Query(partitionKey: .s(Dataset.partitionKey(user: i % bench.dataset.users)), limit: limit)
                    _ = try memory.read { try $0.query(query) }
                })
            }
            if limit == 10 { out += try await RemoteScenarios.query10(bench, budget) }
            return out
        }
    }

    static func indexQuery(_ limit: Int) -> Scenario {
        Scenario(name: "gsi1-query-\(limit)", summary: "GSI1 query of \(limit) items of a day") { bench, budget in
            let name = "gsi1-query-\(limit)"
            return [
                try measure(name, "kvtable", budget: budget) { i in
                    let query = Query(indexName: "GSI1", partitionKey: .s(Dataset.dayKey(i % bench.dataset.days)), limit: limit)
                    guard try bench.table.read({ try $0.query(query) }).count == limit else { throw BenchmarkError("short") }
                },
                try measure(name, "lmdb", budget: budget) { i in
                    try bench.raw.range(bench.dayPrefixes[i % bench.dayPrefixes.count], limit: limit)
                },
                measure(name, "sqlite", budget: budget) { i in
                    bench.sqlite.queryIndex(gsi1pk: Dataset.dayKey(i % bench.dataset.days), limit: limit)
                },
            ]
        }
    }

    static func concurrentWriters(_ tasks: Int) -> Scenario {
        Scenario(name: "concurrent-writers-\(tasks)", summary: "\(tasks) tasks doing durable create-only puts") { bench, budget in
            let table = bench.table
            let users = bench.dataset.users
            return [try await measureConcurrent("concurrent-writers-\(tasks)", "kvtable", tasks: tasks, budget: budget) { task, i in
                try await table.putItem(["PK": .s("WRITER#\(tasks)#\(task)"), "SK": .s("\(i)"), "size": .number(i),
                                         "GSI1PK": .s(Dataset.dayKey(i % max(1, users / 100))), "GSI1SK": .s("w\(tasks)-\(task)-\(i)")],
                                        condition: .notExists("PK"))
            }]
        }
    }
}

/// A new item of the dataset's shape under its own partition (`tag`), for write scenarios.
private func newItem(_ tag: String, _ i: Int, _ bench: Bench) -> Item {
    var item = bench.dataset.item(i % bench.dataset.count)
    item["PK"] = .s("\(tag)#\(i)")
    item["SK"] = "NEW"
    return item
}

/// A raw key outside KVTable's keyspaces (which count up from 0), for raw write baselines.
private func rawKey(_ tag: String, _ i: Int) -> [UInt8] {
    [0xFF, 0xFF, 0xFF, 0xFF] + Array("\(tag)#\(i)".utf8)
}

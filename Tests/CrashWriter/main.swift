// The child process of CrashRecoveryTests (Tests/KVTableTests): durable writes from concurrent
// writers, each acknowledged on standard output, until the test kills it with SIGKILL.
//
//     CrashWriter PATH WRITERS
//
// Opens (creating when missing) the LMDB store at PATH with durable commits and the table
// `Crash` (the single-table schema: its GSI1 is maintained by every write), then runs WRITERS
// writers concurrently, so that their commits share group-commit batches. Writer w writes its
// items n = 0, 1, 2, … in order, each in one transaction with its counter item, so that
// after any crash `count` equals the number of its items:
//
//     PK "W#w"  SK "N#0000000n"  GSI1PK "G#n%7"  GSI1SK "w-n"  payload (n-dependent length)
//     PK "W#w"  SK "COUNT"       count = n + 1
//
// Even writers use `transactWrite`, odd ones a closure transaction (`write { }`): both paths
// are crash-tested. After each write returns, the writer prints `w n` with one write(2) — an
// acknowledged write. On start it resumes each writer after its counter, and prints `ready`.
import Foundation
import KVTable

let arguments = CommandLine.arguments
guard arguments.count == 3, let writers = Int(arguments[2]), writers > 0 else {
    FileHandle.standardError.write(Data("usage: CrashWriter PATH WRITERS\n".utf8))
    exit(2)
}

/// One line on standard output in one write(2), so that a line is either wholly in the pipe or
/// not at all when the process is killed.
func acknowledge(_ line: String) {
    var bytes = Array((line + "\n").utf8)
    let written = bytes.withUnsafeMutableBytes { write(1, $0.baseAddress, $0.count) }
    precondition(written == bytes.count, "standard output closed")
}

let store = try KVStore.open(path: arguments[1], configuration: LMDBConfiguration(durability: .durable))
let table = try store.tableNames().contains("Crash")
    ? store.table("Crash")
    : await store.createTable(.singleTable(name: "Crash"))

func item(writer: Int, number: Int) -> Item {
    [
        "PK": .s("W#\(writer)"), "SK": .s("N#" + String(repeating: "0", count: 9 - String(number).count) + String(number)),
        "GSI1PK": .s("G#\(number % 7)"), "GSI1SK": .s("\(writer)-\(number)"),
        "payload": .s(String(repeating: "x", count: 16 + (number * 37) % 2000)),
    ]
}

let first: [Int] = try (0..<writers).map { writer in
    let counter = try table.read { try $0.getItem(["PK": .s("W#\(writer)"), "SK": "COUNT"]) }
    return counter?["count"]?.numberValue?.intValue ?? 0
}
acknowledge("ready")

try await withThrowingTaskGroup(of: Void.self) { group in
    for writer in 0..<writers {
        group.addTask {
            var number = first[writer]
            while true {
                let counterKey: Item = ["PK": .s("W#\(writer)"), "SK": "COUNT"]
                let advance = try Update(expression: "SET #c = :next", names: ["#c": "count"], values: [":next": .number(number + 1)])
                let expected = number == 0
                    ? Condition.attributeNotExists("count")
                    : try Condition(expression: "#c = :n", names: ["#c": "count"], values: [":n": .number(number)])
                let written = item(writer: writer, number: number)
                if writer.isMultiple(of: 2) {
                    try await store.transactWrite([
                        .put(table, written, condition: .attributeNotExists("PK")),
                        .update(table, key: counterKey, advance, condition: expected),
                    ])
                } else {
                    try await store.write { transaction in
                        _ = try transaction.putItem(table, written, condition: .attributeNotExists("PK"))
                        _ = try transaction.updateItem(table, counterKey, advance, condition: expected)
                    }
                }
                acknowledge("\(writer) \(number)")
                number += 1
            }
        }
    }
    try await group.waitForAll()
}

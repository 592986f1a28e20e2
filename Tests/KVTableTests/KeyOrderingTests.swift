import Foundation
import Testing
@testable import KVTable

@Suite("Key encoding and ordering")
struct KeyOrderingTests {
    @Test("String sort keys order by UTF-8 bytes; composed and decomposed é are two keys", arguments: Backend.allCases)
    func stringOrder(backend: Backend) async throws {
        let fixture = try TestStore(backend)
        let table = try await fixture.singleTable()
        let keys = ["a", "B", "\u{E9}", "e\u{301}", "z", "a\u{0}", "a\u{0}b", "a\u{1}", "\u{FFFF}", "😀", "ab", "A"]
        for key in keys.shuffled() {
            try await table.putItem(["PK": "P", "SK": .s(key)])
        }
        let page = try await table.query(Query(partitionKey: "P"))
        let expected = keys.sorted { bytesLess($0.utf8, $1.utf8) }
        #expect(page.items.map { Array($0["SK"]!.stringValue!.utf8) } == expected.map { Array($0.utf8) })
        #expect(page.count == keys.count)  // é composed and decomposed did not collapse
        #expect(try await table.getItem(["PK": "P", "SK": .s("e\u{301}")])?["SK"] == .s("e\u{301}"))
        let reversed = try await table.query(Query(partitionKey: "P", ascending: false))
        #expect(reversed.items.map { Array($0["SK"]!.stringValue!.utf8) } == expected.reversed().map { Array($0.utf8) })
    }

    @Test("Number sort keys order by value, including negative and fractional; 1, 1.0 and 1e0 are one key", arguments: Backend.allCases)
    func numberOrder(backend: Backend) async throws {
        let fixture = try TestStore(backend)
        let table = try await fixture.store.createTable(TableSchema(
            name: "Numbers", keySchema: KeySchema(partitionKey: KeyAttribute("id", .string), sortKey: KeyAttribute("n", .number))))
        let values = ["-9.99e125", "-1e10", "-2.5", "-2.25", "-1", "-0.001", "0", "1e-130", "0.1", "0.11", "1.01", "2", "10", "11", "1e125"]
        for value in values.shuffled() {
            try await table.putItem(["id": "x", "n": try .number(value), "v": .s(value)])
        }
        let page = try await table.query(Query(partitionKey: "x"))
        #expect(page.items.map { $0["v"]!.stringValue! } == values)

        try await table.putItem(["id": "x", "n": try .number("1"), "v": "one"])
        try await table.putItem(["id": "x", "n": try .number("1.0"), "v": "one point zero"])
        try await table.putItem(["id": "x", "n": try .number("1e0"), "v": "1e0"])
        let ones = try await table.query(Query(partitionKey: "x", sortKey: .equal(try .number("1.000"))))
        #expect(ones.items.count == 1)
        #expect(ones.items.first?["v"] == "1e0")
        #expect(ones.items.first?["n"]?.numberValue?.description == "1")
        let between = try await table.query(Query(partitionKey: "x", sortKey: .between(try .number("-2.5"), try .number("-1"))))
        #expect(between.items.map { $0["v"]!.stringValue! } == ["-2.5", "-2.25", "-1"])
    }

    @Test("Numeric partition keys match by value", arguments: Backend.allCases)
    func numberPartition(backend: Backend) async throws {
        let fixture = try TestStore(backend)
        let table = try await fixture.store.createTable(TableSchema(
            name: "ById", keySchema: KeySchema(partitionKey: KeyAttribute("id", .number))))
        try await table.putItem(["id": try .number("100"), "v": "a"])
        #expect(try await table.getItem(["id": try .number("1e2")])?["v"] == "a")
        #expect(try await table.query(Query(partitionKey: try .number("100.00"))).count == 1)
        #expect(try await table.getItem(["id": try .number("-100")]) == nil)
    }

    @Test("Binary sort keys order by unsigned bytes", arguments: Backend.allCases)
    func binaryOrder(backend: Backend) async throws {
        let fixture = try TestStore(backend)
        let table = try await fixture.store.createTable(TableSchema(
            name: "Blobs", keySchema: KeySchema(partitionKey: KeyAttribute("p", .binary), sortKey: KeyAttribute("s", .binary))))
        let values: [[UInt8]] = [[0x00], [0x00, 0x00], [0x00, 0xFF], [0x01], [0x7F, 0xFF], [0x80], [0xFF], [0xFF, 0x00]]
        for value in values.shuffled() {
            try await table.putItem(["p": .b(Data([0, 1])), "s": .b(Data(value))])
        }
        let page = try await table.query(Query(partitionKey: .b(Data([0, 1]))))
        #expect(page.items.map { Array($0["s"]!.binaryValue!) } == values)
        let prefixed = try await table.query(Query(partitionKey: .b(Data([0, 1])), sortKey: .beginsWith(.b(Data([0x00])))))
        #expect(prefixed.items.map { Array($0["s"]!.binaryValue!) } == [[0x00], [0x00, 0x00], [0x00, 0xFF]])
    }

    @Test("Keys at DynamoDB's maximum sizes work and keep their order; one byte more is rejected", arguments: Backend.allCases)
    func maximumKeySizes(backend: Backend) async throws {
        let fixture = try TestStore(backend)
        let table = try await fixture.singleTable()
        let partition = String(repeating: "p", count: 2048)
        // Sort keys that differ only after byte 1,000 must still come back in order.
        let base = String(repeating: "s", count: 1000)
        let sortKeys = (0..<30).map { base + String(format: "%024d", $0) }   // each 1,024 bytes
        for sortKey in sortKeys.shuffled() {
            try await table.putItem(["PK": .s(partition), "SK": .s(sortKey), "GSI1PK": .s(partition), "GSI1SK": .s(sortKey)])
        }
        #expect(try await table.getItem(["PK": .s(partition), "SK": .s(sortKeys[7])])?["SK"] == .s(sortKeys[7]))
        let page = try await table.query(Query(partitionKey: .s(partition)))
        #expect(page.items.map { $0["SK"]!.stringValue! } == sortKeys)
        let reverse = try await table.query(Query(partitionKey: .s(partition), ascending: false, limit: 5))
        #expect(reverse.items.map { $0["SK"]!.stringValue! } == Array(sortKeys.reversed().prefix(5)))
        let index = try await table.query(Query(indexName: "GSI1", partitionKey: .s(partition),
                                                sortKey: .greaterThan(.s(sortKeys[27]))))
        #expect(index.items.map { $0["SK"]!.stringValue! } == [sortKeys[28], sortKeys[29]])
        try await table.deleteItem(["PK": .s(partition), "SK": .s(sortKeys[0])])
        #expect(try await table.query(Query(partitionKey: .s(partition))).count == 29)
        #expect(try await table.query(Query(indexName: "GSI1", partitionKey: .s(partition))).count == 29)

        await #expect(throws: KVTableError.validation("One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes")) {
            try await table.putItem(["PK": .s(partition + "p"), "SK": "x"])
        }
        await #expect(throws: KVTableError.validation("One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of 1024 bytes")) {
            try await table.putItem(["PK": "x", "SK": .s(sortKeys[0] + "s")])
        }
        // Multi-byte characters count in UTF-8 bytes: 683 × "é" is 1,366 bytes.
        await #expect(throws: KVTableError.validation("One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of 1024 bytes")) {
            try await table.putItem(["PK": "x", "SK": .s(String(repeating: "\u{E9}", count: 683))])
        }
    }

    @Test("Encoded keys sort like their values (encoding rules)")
    func encodingOrder() throws {
        func encoded(_ value: AttributeValue) -> [UInt8] {
            var out: [UInt8] = []
            KeyEncoding.append(value, to: &out)
            return out
        }
        let numbers = try ["-1e125", "-12", "-1.25", "-1.2", "-1", "-0.5", "0", "0.5", "1", "1.01", "1.2", "1.25", "12", "1e125"].map { try AttributeValue.number($0) }
        let encodedNumbers = numbers.map(encoded)
        #expect(encodedNumbers.sorted { compareBytes($0, $1) < 0 } == encodedNumbers)
        // Prefix-freeness: a component followed by anything still sorts by the component.
        let strings: [AttributeValue] = ["a", "a\u{0}", "a\u{0}\u{0}", "a\u{1}", "ab"]
        let tails: [[UInt8]] = [[], [0x00], [0xFF, 0xFF]]
        let withTails: [[UInt8]] = strings.flatMap { s in tails.map { encoded(s) + $0 } }
        #expect(withTails.sorted { compareBytes($0, $1) < 0 } == withTails)
    }
}

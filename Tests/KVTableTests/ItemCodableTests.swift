import Foundation
import Testing
@testable import KVTable

@Suite("Codable items")
struct ItemCodableTests {
    enum Plan: String, Codable, Sendable { case free, pro }
    enum Shape: Codable, Equatable, Sendable { case circle(radius: Int), square(side: Int) }
    struct Address: Codable, Equatable, Sendable { var city: String; var lines: [String] }
    struct Everything: Codable, Equatable, Sendable {
        var int: Int
        var int8: Int8
        var uint64: UInt64
        var double: Double
        var float: Float
        var decimal: Decimal
        var exact: ExactDecimal
        var string: String
        var data: Data
        var flag: Bool
        var date: Date
        var id: UUID
        var url: URL
        var plan: Plan
        var shape: Shape
        var optional: String?
        var missing: String?
        var address: Address
        var list: [Int]
        var nested: [[String]]
        var dictionary: [String: Int]
        var tags: Set<String>
        var scores: Set<Int>
        var ratios: Set<Double>
        var emptyTags: Set<String>
        var raw: AttributeValue
    }

    static let sample = Everything(
        int: -42, int8: 7, uint64: UInt64.max, double: 0.1, float: 1.5, decimal: Decimal(string: "12.345")!,
        exact: ExactDecimal("1e100"), string: "é", data: Data([0, 1, 2]), flag: true,
        date: Date(timeIntervalSince1970: 1_763_800_000.123), id: UUID(uuidString: "6F9619FF-8B86-D011-B42D-00C04FC964FF")!,
        url: URL(string: "https://example.com/a?b=c")!, plan: .pro, shape: .circle(radius: 3), optional: "here", missing: nil,
        address: Address(city: "London", lines: ["1", "2"]), list: [3, 1, 2], nested: [["a"], []],
        dictionary: ["x": 1], tags: ["b", "a"], scores: [3, 1], ratios: [0.5], emptyTags: [], raw: .ns([1, 2]))

    @Test("Each Swift type maps to its DynamoDB type, exactly, and back", arguments: [DateEncoding.iso8601, .epochSeconds, .epochMilliseconds])
    func roundTrip(dates: DateEncoding) throws {
        let item = try ItemEncoder(dateEncoding: dates).encode(Self.sample)
        #expect(item["int"] == -42)
        #expect(item["uint64"] == .n(ExactDecimal(UInt64.max)))
        #expect(item["double"] == num("0.1"))          // the decimal digits, not binary noise
        #expect(item["float"] == num("1.5"))
        #expect(item["decimal"] == num("12.345"))
        #expect(item["exact"] == num("1e100"))
        #expect(item["data"] == .b(Data([0, 1, 2])))
        #expect(item["id"] == "6F9619FF-8B86-D011-B42D-00C04FC964FF")
        #expect(item["url"] == "https://example.com/a?b=c")
        #expect(item["plan"] == "pro")
        #expect(item["optional"] == "here")
        #expect(item["missing"] == nil)                     // absent, not NULL
        #expect(item["address"] == ["city": "London", "lines": ["1", "2"]])
        #expect(item["list"] == [3, 1, 2])
        #expect(item["tags"] == .ss(["a", "b"]))
        #expect(item["scores"] == .ns([1, 3]))
        #expect(item["ratios"] == .ns([ExactDecimal("0.5")]))
        #expect(item["emptyTags"] == nil)                   // DynamoDB has no empty sets
        #expect(item["raw"] == .ns([1, 2]))
        switch dates {
        case .iso8601: #expect(item["date"] == "2025-11-22T08:26:40.123Z")
        case .epochSeconds: #expect(item["date"] == num("1763800000.123"))
        case .epochMilliseconds: #expect(item["date"] == .number(1_763_800_000_123))
        }
        let decoded = try ItemDecoder(dateEncoding: dates).decode(Everything.self, from: item)
        // Dates are stored to the millisecond.
        #expect(abs(decoded.date.timeIntervalSince1970 - Self.sample.date.timeIntervalSince1970) < 0.0005)
        var expected = Self.sample
        expected.date = decoded.date
        #expect(decoded == expected)
        // The item survives storage unchanged too.
        #expect(try ItemCodec.decode(ItemCodec.encode(item)) == item)
    }

    @Test("Decoding reports type mismatches instead of truncating")
    func mismatches() {
        struct Small: Codable { var n: Int8 }
        struct Whole: Codable { var n: Int }
        struct Text: Codable { var n: String }
        let decoder = ItemDecoder(dateEncoding: .iso8601)
        #expect(throws: DecodingError.self) { try decoder.decode(Small.self, from: ["n": 300]) }
        #expect(throws: DecodingError.self) { try decoder.decode(Whole.self, from: ["n": num("1.5")]) }
        #expect(throws: DecodingError.self) { try decoder.decode(Text.self, from: ["n": 1]) }
        #expect(throws: DecodingError.self) { try decoder.decode(Whole.self, from: [:]) }
        #expect(throws: EncodingError.self) { try ItemEncoder(dateEncoding: .iso8601).encode(["x": Double.nan]) }
        #expect(throws: EncodingError.self) { try ItemEncoder(dateEncoding: .iso8601).encode([1, 2]) }
    }
}

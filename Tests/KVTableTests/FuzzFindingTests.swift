import Foundation
import Testing
@testable import KVTable

/// What the fuzzers (Fuzz/, `make fuzz`) found, each kept as a regression test beside the fix.
@Suite("Fuzzing findings")
struct FuzzFindingTests {
    // MARK: request-json

    @Test("a JSON number beyond Double's range is a syntax error, not infinity (which JSON cannot write back)")
    func numberOutOfRange() throws {
        #expect(throws: JSONSyntaxError(reason: "number out of range", offset: 6)) {
            try JSONValue.parse(#"{"a": 1e+700}"#)
        }
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse("-1e400") }
        #expect(try JSONValue.parse("1.7976931348623157e308") == .number(.greatestFiniteMagnitude))
    }

    @Test("a JSON number follows JSON's grammar exactly", arguments: ["+1", ".5", "1.", "1e", "1e+", "-", "--1", "0x10", "1.e5"])
    func numberGrammar(text: String) {
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse("[\(text)]") }
    }

    @Test("JSON grammar's numbers parse", arguments: [("0", 0.0), ("-0", -0.0), ("10", 10), ("1.5e-3", 0.0015), ("2E+2", 200), ("-12.25", -12.25)])
    func validNumbers(text: String, expected: Double) throws {
        #expect(try JSONValue.parse(text) == .number(expected))
    }

    @Test("a leading zero ends the number (`01` is not one number)")
    func leadingZero() {
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse("[01]") }
    }

    @Test("NaN and infinity made in Swift are written as null, so the output always parses")
    func nonFiniteNumbersSerialize() throws {
        let value = JSONValue.array([.number(.nan), .number(.infinity), .number(-.infinity), .number(1)])
        #expect(value.text == "[null,null,null,1]")
        #expect(try JSONValue.parse(value.text) == .array([.null, .null, .null, .number(1)]))
    }

    // MARK: item-codec

    /// `{"PK": "p", <name>: "x"}` in ItemCodec's form, with the second name's bytes as given.
    static func item(secondName: [UInt8]) -> [UInt8] {
        [1, 2, 2] + Array("PK".utf8) + [1, 1] + Array("p".utf8) + [UInt8(secondName.count)] + secondName + [1, 1] + Array("x".utf8)
    }

    @Test("an attribute name that is not UTF-8 reads without trapping, and the full check (verify's) refuses it")
    func invalidUTF8Name() throws {
        let bytes = Self.item(secondName: [0xD0, 0x4B])
        let item = try ItemCodec.decode(bytes)
        #expect(item.count == 2)
        #expect(item["PK"] == "p")
        #expect(throws: KVTableError.self) { try bytes.withUnsafeBytes { try ItemCodec.validate($0) } }
        try Self.item(secondName: Array("z".utf8)).withUnsafeBytes { try ItemCodec.validate($0) }
    }

    @Test("two names with the same invalid bytes read without trapping; the full check refuses them")
    func repeatedInvalidName() throws {
        // Found by item-codec: {"\u{C9}K": N, "\u{C9}K": "p"}, names invalid UTF-8 and equal.
        // (The number is -7 here; the finding's was a zero with an exponent past 32 bits, which
        // the read check now refuses as well.)
        let bytes: [UInt8] = [0x01, 0x02, 0x02, 0xC9, 0x4B, 0x02, 0x01, 0x00, 0x07, 0x02, 0xC9, 0x4B, 0x01, 0x01, 0x70]
        let item = try ItemCodec.decode(bytes)
        for (name, _) in item { _ = item[name] }
        _ = item.attributes
        #expect(throws: KVTableError.self) { try bytes.withUnsafeBytes { try ItemCodec.validate($0) } }
    }

    @Test("names out of order or repeated pass the read check and fail the full check")
    func namesOutOfOrder() throws {
        for name in ["A", "PK"] {     // "A" sorts before "PK"; "PK" repeats it
            let bytes = Self.item(secondName: Array(name.utf8))
            _ = try ItemCodec.decode(bytes)
            #expect(throws: KVTableError.self) { try bytes.withUnsafeBytes { try ItemCodec.validate($0) } }
        }
    }

    @Test("a stored number outside DynamoDB's range is a corrupt item, not a billion-digit string")
    func numberOutOfRangeInStoredBytes() throws {
        // {"n": N} with exponent zigzag 0xFFFFFFFF03 (about -2^31) and coefficient 7.
        let huge: [UInt8] = [1, 1, 1] + Array("n".utf8) + [2, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0x03, 7]
        #expect(throws: KVTableError.storage("Stored item is corrupt (truncated or malformed)")) { try ItemCodec.decode(huge) }
        // 39 digits: a coefficient of 10^38.
        var coefficient = ExactDecimal.powersOfTen[38]
        var bytes: [UInt8] = [1, 1, 1] + Array("n".utf8) + [2, 0, 0]
        while coefficient >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: coefficient) | 0x80)
            coefficient >>= 7
        }
        bytes.append(UInt8(coefficient))
        #expect(throws: KVTableError.self) { try ItemCodec.decode(bytes) }
        // The largest stored number reads.
        let largest: ExactDecimal = "9.9999999999999999999999999999999999999E+125"
        let largestBytes = ItemCodec.encode(["n": .n(largest)] as [String: AttributeValue])
        #expect(try ItemCodec.decode(largestBytes)["n"] == .n(largest))
        #expect(throws: Never.self) { try largestBytes.withUnsafeBytes { try ItemCodec.validate($0) } }
    }

    @Test("a stored exponent near 2^63 is a corrupt item, not an overflow trap in the range check")
    func exponentNearInt64Max() throws {
        // Found by item-codec (CI, stop 26): a number whose zigzag exponent is 2^64 - 2
        // (exponent 2^63 - 1) overflowed `exponent + digits - 1` in the check.
        let bytes: [UInt8] = [0x01, 0x04, 0x02, 0x62, 0x73, 0x02, 0x01, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                              0x1B, 0xFF, 0xFF, 0xFF, 0x18, 0x00, 0x02, 0x62, 0xF3, 0x0B, 0x00, 0x00, 0x01, 0x00, 0x1C, 0x00,
                              0x00, 0x00, 0x01, 0x00]
        #expect(throws: KVTableError.self) { try ItemCodec.decode(bytes) }
        #expect(throws: KVTableError.self) { try bytes.withUnsafeBytes { try ItemCodec.validate($0) } }
        // The same with a zero coefficient: refused by the check too, not accepted and then
        // unreadable (the reader keeps exponents to 32 bits).
        let zero: [UInt8] = [1, 1, 1] + Array("n".utf8) + [2, 0, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0]
        #expect(throws: KVTableError.self) { try ItemCodec.decode(zero) }
    }
}

import Testing
@testable import KVTable

@Suite("Exact numbers")
struct ExactDecimalTests {
    @Test("Accepted spellings parse to their canonical form", arguments: [
        ("+3", "3"), (".123", "0.123"), ("0001.23", "1.23"), ("1e+5", "100000"), ("1e3", "1000"),
        ("0.10", "0.1"), ("-0", "0"), (".5", "0.5"), ("1E-2", "0.01"), ("-12.500", "-12.5"),
        ("1.", "1"), ("0e10", "0"), ("123456789012345678901234567890.12345678", "123456789012345678901234567890.12345678"),
        ("1e125", "1" + String(repeating: "0", count: 125)), ("1e-130", "0." + String(repeating: "0", count: 129) + "1"),
        ("1" + String(repeating: "0", count: 50), "1" + String(repeating: "0", count: 50)),
    ])
    func canonicalForm(input: String, expected: String) throws {
        #expect(try ExactDecimal(input).description == expected)
    }

    @Test("Rejected spellings throw a validation error", arguments: [
        "NaN", "Infinity", "-Infinity", " 1", "1 ", "dog", "", "+", "-", ".", "1e", "1e+", "1.2.3", "0x10", "1_000", "--1", "1e5.5",
    ])
    func rejected(input: String) {
        #expect(throws: KVTableError.validation("The parameter cannot be converted to a numeric value: \(input)")) {
            try ExactDecimal(input)
        }
    }

    @Test("More than 38 significant digits is an error; trailing and leading zeros are not significant")
    func precision() throws {
        let thirtyEight = String(repeating: "9", count: 38)
        #expect(try ExactDecimal(thirtyEight).description == thirtyEight)
        #expect(try ExactDecimal("0.000" + thirtyEight).significantDigitCount == 38)
        #expect(throws: KVTableError.validation("Attempting to store more than 38 significant digits in a Number")) {
            try ExactDecimal(thirtyEight + "1")
        }
        #expect(throws: KVTableError.validation("Attempting to store more than 38 significant digits in a Number")) {
            try ExactDecimal("1." + String(repeating: "0", count: 37) + "1")
        }
    }

    @Test("Magnitude outside 1E-130 … 9.99E+125 is an overflow or underflow", arguments: [
        ("1e126", "Number overflow. Attempting to store a number with magnitude larger than supported range"),
        ("-1e999999999999", "Number overflow. Attempting to store a number with magnitude larger than supported range"),
        ("1e-131", "Number underflow. Attempting to store a number with magnitude smaller than supported range"),
        ("0.05e-129", "Number underflow. Attempting to store a number with magnitude smaller than supported range"),
    ])
    func range(text: String, message: String) throws {
        #expect(throws: KVTableError.validation(message)) { try ExactDecimal(text) }
    }

    @Test("The range's ends are accepted", arguments: ["9.9999999999999999999999999999999999999E+125", "-1E-130"])
    func rangeEnds(text: String) throws {
        #expect(try ExactDecimal(text).description.isEmpty == false)
    }

    @Test("A string literal is an exact decimal constant, usable inside conditions and update expressions")
    func stringLiteral() throws {
        let price: ExactDecimal = "19.99"
        #expect(price == (try ExactDecimal(String("19.99"))) && price.description == "19.99")
        // 38 digits: more than Double holds, kept exactly.
        let long: ExactDecimal = "1234567890.1234567890123456789012345678"
        #expect(long.description == "1234567890.1234567890123456789012345678")
        // An operator's right-hand side needs no `try` and no hoisting.
        let update: Update = [.set("price", .attribute("price") - .value(.n("1.3")))]
        #expect(update == [.set("price", .minus(.path("price"), .value(.n(try ExactDecimal(String("1.3"))))))])
        let condition: Condition = .attribute("price") >= .value(.n("0.5"))
        #expect(condition == .compare(.path("price"), .greaterThanOrEqual, .value(.n(try ExactDecimal(String("0.5"))))))
    }

    @Test("1, 1.0 and 1e0 are one value; ordering is by value")
    func equalityAndOrder() throws {
        #expect(ExactDecimal("1") == ExactDecimal("1.0"))
        #expect(ExactDecimal("1") == ExactDecimal("1e0"))
        #expect(ExactDecimal("100") == ExactDecimal("1e2"))
        #expect(ExactDecimal("-0") == ExactDecimal.zero)
        let sorted = try ["-1e10", "-2.5", "-2.25", "-1", "-0.001", "0", "1e-130", "0.1", "0.11", "1", "1.01", "2", "10", "1e125"]
            .map { try ExactDecimal($0) }
        #expect(sorted.shuffled().sorted() == sorted)
        for (a, b) in zip(sorted, sorted.dropFirst()) { #expect(a < b) }
    }

    @Test("order agrees with Decimal across the aligned fast path and the general one")
    func orderAgainstDecimal() throws {
        // Coefficients below and above 10^19, exponents near and far apart (a TTL in seconds
        // against a clock with milliseconds; 38-digit values).
        let texts = ["1800000000", "1799999999.999", "1800000000.001", "18e8", "0.000000000000000000001",
                     "12345678901234567890", "12345678901234567891", "1234567890123456789.1", "9999999999999999999",
                     "99999999999999999999999999999999999999", "9.9999999999999999999999999999999999999E+40",
                     "1e-40", "3", "3.0000000000000000001", "-5", "-5.5", "-12345678901234567890.5", "0"]
        let values = try texts.map { try ExactDecimal($0) }
        for (a, x) in zip(values, texts) {
            for (b, y) in zip(values, texts) {
                let (p, q) = (Decimal(string: x)!, Decimal(string: y)!)
                #expect((a < b) == (p < q), "\(x) < \(y)")
                #expect((a == b) == (p == q), "\(x) == \(y)")
            }
        }
    }

    @Test("Integers and Decimal convert exactly, never through Double")
    func conversions() throws {
        #expect(ExactDecimal(Int.min).description == "-9223372036854775808")
        #expect(ExactDecimal(UInt64.max).description == "18446744073709551615")
        let thirtyEightDigits = Int128("-12345678901234567890123456789012345678")!
        #expect(try ExactDecimal(exactly: thirtyEightDigits).description == "-12345678901234567890123456789012345678")
        #expect(throws: KVTableError.validation("Attempting to store more than 38 significant digits in a Number")) {
            try ExactDecimal(exactly: Int128.max)   // 39 digits
        }
        let decimal = Decimal(string: "0.1")!
        #expect(try ExactDecimal(decimal).description == "0.1")
        #expect(ExactDecimal("0.1").decimalValue == decimal)
        #expect(ExactDecimal("42").intValue == 42)
        #expect(ExactDecimal("4.2").intValue == nil)
    }
}

import Foundation

/// An exact decimal number with DynamoDB's limits: the value of an `N` attribute.
///
/// - At most 38 significant digits.
/// - Magnitude between 1E-130 and 9.9999999999999999999999999999999999999E+125, or zero.
/// - Equality and ordering by value: `1`, `1.0` and `1e0` are the same number.
/// - Never represented through `Double`: `0.1` is exactly one tenth.
///
/// The stored form is canonical — a coefficient without trailing zeros, a power-of-ten exponent
/// and a sign — so structural equality is value equality, and ``description`` prints the plain
/// decimal DynamoDB returns (`1e3` → `1000`, `0.10` → `0.1`, `-0` → `0`).
public struct ExactDecimal: Sendable, Hashable {
    /// The largest number of significant digits DynamoDB stores.
    public static let maximumSignificantDigits = 38
    /// Smallest allowed scientific exponent (1E-130).
    static let minimumScientificExponent = -130
    /// Largest allowed scientific exponent (9.99…E+125).
    static let maximumScientificExponent = 125

    /// The digits without trailing zeros (zero for the number zero); at most 38 decimal digits.
    let coefficient: UInt128
    /// value = ±coefficient × 10^exponent
    let exponent: Int32
    /// True for values below zero (never for zero).
    let isNegative: Bool

    /// The number zero.
    public static let zero = ExactDecimal(uncheckedCoefficient: 0, exponent: 0, isNegative: false)

    /// Builds from already-canonical parts; callers guarantee the invariants.
    init(uncheckedCoefficient coefficient: UInt128, exponent: Int32, isNegative: Bool) {
        self.coefficient = coefficient
        self.exponent = exponent
        self.isNegative = isNegative
    }

    /// Normalises (strips trailing zeros) and checks DynamoDB's limits.
    init(coefficient: UInt128, exponent: Int, isNegative: Bool) throws(KVTableError) {
        guard coefficient != 0 else {
            self = .zero
            return
        }
        var c = coefficient
        var e = exponent
        while c % 10 == 0 {
            c /= 10
            e += 1
        }
        let digits = ExactDecimal.digitCount(c)
        guard digits <= ExactDecimal.maximumSignificantDigits else {
            throw .validation("Attempting to store more than 38 significant digits in a Number")
        }
        let scientific = e + digits - 1
        if scientific > ExactDecimal.maximumScientificExponent {
            throw .validation("Number overflow. Attempting to store a number with magnitude larger than supported range")
        }
        if scientific < ExactDecimal.minimumScientificExponent {
            throw .validation("Number underflow. Attempting to store a number with magnitude smaller than supported range")
        }
        self.init(uncheckedCoefficient: c, exponent: Int32(e), isNegative: isNegative)
    }

    /// Parses a number with DynamoDB's rules.
    ///
    /// Accepts an optional sign, digits with an optional decimal point, and an optional exponent
    /// (`+3`, `.123`, `0001.23`, `1e+5`, `-0`). Rejects everything else — `NaN`, `Infinity`,
    /// surrounding spaces, the empty string — and values outside DynamoDB's range or precision,
    /// each with a ``KVTableError/validation(_:)`` error.
    public init(_ text: some StringProtocol) throws(KVTableError) {
        guard let parsed = ExactDecimal.parse(Substring(text).utf8) else {
            throw .validation("The parameter cannot be converted to a numeric value: \(text)")
        }
        try self.init(coefficient: parsed.coefficient, exponent: parsed.exponent, isNegative: parsed.isNegative)
    }

    /// An integer; always exact.
    public init(_ value: Int) {
        self.init(integerMagnitude: UInt128(value.magnitude), isNegative: value < 0)
    }

    /// An unsigned 64-bit integer; always exact.
    public init(_ value: UInt64) {
        self.init(integerMagnitude: UInt128(value), isNegative: false)
    }

    /// Any integer; throws when it has more than 38 significant digits.
    public init<T: BinaryInteger>(exactly value: T) throws(KVTableError) {
        guard let magnitude = UInt128(exactly: value.magnitude) else {
            throw .validation("Attempting to store more than 38 significant digits in a Number")
        }
        try self.init(coefficient: magnitude, exponent: 0, isNegative: value < 0)
    }

    private init(integerMagnitude: UInt128, isNegative: Bool) {
        // At most 20 digits and exponent ≥ 0: always inside DynamoDB's limits.
        self = try! ExactDecimal(coefficient: integerMagnitude, exponent: 0, isNegative: isNegative)
    }

    /// The number of significant digits (1 for zero).
    public var significantDigitCount: Int { ExactDecimal.digitCount(coefficient) }

    /// The exponent of the leading digit in scientific notation (`1234` → 3, `0.05` → -2; 0 for zero).
    var scientificExponent: Int { Int(exponent) + significantDigitCount - 1 }

    /// True for the number zero.
    public var isZero: Bool { coefficient == 0 }

    /// The value as an `Int`, when it is an integer that fits.
    public var intValue: Int? {
        guard exponent >= 0, exponent < 39 else { return coefficient == 0 ? 0 : nil }
        var value = coefficient
        for _ in 0..<Int(exponent) {
            let (product, overflow) = value.multipliedReportingOverflow(by: 10)
            if overflow { return nil }
            value = product
        }
        if isNegative {
            guard value <= UInt128(Int.max) + 1 else { return nil }
            return value == UInt128(Int.max) + 1 ? Int.min : -Int(value)
        }
        return value <= UInt128(Int.max) ? Int(value) : nil
    }

    /// The decimal digits of `coefficient`, most significant first.
    var coefficientDigits: [UInt8] {
        if coefficient == 0 { return [0] }
        var digits: [UInt8] = []
        digits.reserveCapacity(38)
        var c = coefficient
        while c > 0 {
            digits.append(UInt8(c % 10))
            c /= 10
        }
        return digits.reversed()
    }

    static func digitCount(_ value: UInt128) -> Int {
        var count = 1
        var power: UInt128 = 10
        while count < 39 && value >= power {
            count += 1
            if count < 39 { power *= 10 }
        }
        return count
    }

    static let powersOfTen: [UInt128] = {
        var powers: [UInt128] = [1]
        for _ in 1...38 { powers.append(powers.last! * 10) }
        return powers
    }()

    // MARK: Parsing

    private struct Parsed {
        var coefficient: UInt128
        var exponent: Int
        var isNegative: Bool
    }

    /// Grammar: [+-]? (digits [. digits?]? | . digits) ([eE] [+-]? digits)?
    /// Returns nil for anything that is not a number; range errors are left to the caller.
    private static func parse(_ bytes: Substring.UTF8View) -> Parsed? {
        var index = bytes.startIndex
        let end = bytes.endIndex
        var isNegative = false
        if index < end, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
            isNegative = bytes[index] == UInt8(ascii: "-")
            bytes.formIndex(after: &index)
        }
        // Significant digits, ignoring leading zeros; digits past the 39th are only counted
        // (a 39th non-zero digit is an error either way, trailing zeros are not significant).
        var coefficient: UInt128 = 0
        var kept = 0                // digits in `coefficient`
        var droppedZeros = 0        // zeros after the kept digits, not yet multiplied in
        var sawDigit = false
        var fractionDigits = 0      // digits after the decimal point (all of them)
        var tooPrecise = false
        var sawPoint = false
        while index < end {
            let byte = bytes[index]
            if byte == UInt8(ascii: ".") {
                if sawPoint { return nil }
                sawPoint = true
            } else if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                sawDigit = true
                let digit = UInt128(byte - UInt8(ascii: "0"))
                if sawPoint { fractionDigits += 1 }
                if digit == 0 {
                    if kept > 0 { droppedZeros += 1 }
                } else {
                    // Flush pending zeros, then the digit.
                    if kept + droppedZeros + 1 > 38 {
                        tooPrecise = true
                    } else {
                        for _ in 0..<droppedZeros { coefficient *= 10 }
                        kept += droppedZeros
                        droppedZeros = 0
                        coefficient = coefficient * 10 + digit
                        kept += 1
                    }
                }
            } else {
                break
            }
            bytes.formIndex(after: &index)
        }
        guard sawDigit else { return nil }
        var exponent = 0
        if index < end {
            guard bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") else { return nil }
            bytes.formIndex(after: &index)
            var negativeExponent = false
            if index < end, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                negativeExponent = bytes[index] == UInt8(ascii: "-")
                bytes.formIndex(after: &index)
            }
            var sawExponentDigit = false
            while index < end, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
                sawExponentDigit = true
                // Clamp: anything this large is an overflow or underflow anyway.
                exponent = min(exponent * 10 + Int(bytes[index] - UInt8(ascii: "0")), 100_000_000)
                bytes.formIndex(after: &index)
            }
            guard sawExponentDigit, index == end else { return nil }
            if negativeExponent { exponent = -exponent }
        }
        if tooPrecise {
            // Report precision before range, as DynamoDB does for long literals.
            return Parsed(coefficient: UInt128.max, exponent: 0, isNegative: isNegative)
        }
        // value = coefficient × 10^(droppedZeros) × 10^(exponent − fractionDigits)
        return Parsed(coefficient: coefficient,
                      exponent: exponent - fractionDigits + droppedZeros,
                      isNegative: isNegative && coefficient != 0)
    }
}

extension ExactDecimal: Comparable {
    public static func < (lhs: ExactDecimal, rhs: ExactDecimal) -> Bool {
        compare(lhs, rhs) < 0
    }

    /// -1, 0 or 1.
    static func compare(_ lhs: ExactDecimal, _ rhs: ExactDecimal) -> Int {
        let lhsSign = lhs.isZero ? 0 : (lhs.isNegative ? -1 : 1)
        let rhsSign = rhs.isZero ? 0 : (rhs.isNegative ? -1 : 1)
        if lhsSign != rhsSign { return lhsSign < rhsSign ? -1 : 1 }
        if lhsSign == 0 { return 0 }
        let magnitude = compareMagnitude(lhs, rhs)
        return lhsSign > 0 ? magnitude : -magnitude
    }

    static func compareMagnitude(_ lhs: ExactDecimal, _ rhs: ExactDecimal) -> Int {
        // Common case first (timestamps against a clock): coefficients below 10^19 and
        // exponents within 19 of each other align exactly in 128 bits.
        let lowest = min(lhs.exponent, rhs.exponent)
        let (lhsShift, rhsShift) = (Int(lhs.exponent) - Int(lowest), Int(rhs.exponent) - Int(lowest))
        if lhsShift <= 19, rhsShift <= 19, lhs.coefficient < powersOfTen[19], rhs.coefficient < powersOfTen[19] {
            let (a, b) = (lhs.coefficient * powersOfTen[lhsShift], rhs.coefficient * powersOfTen[rhsShift])
            return a == b ? 0 : (a < b ? -1 : 1)
        }
        let lhsExponent = lhs.scientificExponent
        let rhsExponent = rhs.scientificExponent
        if lhsExponent != rhsExponent { return lhsExponent < rhsExponent ? -1 : 1 }
        // Same leading exponent: align both coefficients to 38 digits and compare.
        let lhsScaled = lhs.coefficient * powersOfTen[38 - lhs.significantDigitCount]
        let rhsScaled = rhs.coefficient * powersOfTen[38 - rhs.significantDigitCount]
        if lhsScaled == rhsScaled { return 0 }
        return lhsScaled < rhsScaled ? -1 : 1
    }
}

extension ExactDecimal: CustomStringConvertible {
    /// The canonical plain decimal form: no exponent, no trailing zeros after the point,
    /// no leading zeros before it (`1000`, `0.1`, `-12.5`, `0`).
    public var description: String {
        if isZero { return "0" }
        let digits = String(coefficient)
        var result = isNegative ? "-" : ""
        let e = Int(exponent)
        if e >= 0 {
            result += digits
            result += String(repeating: "0", count: e)
        } else {
            let pointPosition = digits.count + e   // digits before the decimal point
            if pointPosition > 0 {
                result += digits.prefix(pointPosition)
                result += "."
                result += digits.dropFirst(pointPosition)
            } else {
                result += "0."
                result += String(repeating: "0", count: -pointPosition)
                result += digits
            }
        }
        return result
    }
}

extension ExactDecimal: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int) {
        self.init(value)
    }
}

extension ExactDecimal: ExpressibleByStringLiteral {
    /// An exact decimal constant written in the source: `let price: ExactDecimal = "19.99"`,
    /// `.value(.n("1.3"))`. Never goes through `Double`, so it cannot lose precision.
    ///
    /// The literal must be a valid DynamoDB number (the rules of the throwing initialiser from
    /// text, `init(_ text:)`). An invalid one is a
    /// programming error, like `URL(string: "…")!` on a bad constant: the program stops with
    /// a message naming the literal. Text that comes from outside the program goes through that
    /// throwing `init(_ text:)` instead — but note that `ExactDecimal("1.3")` with a *literal*
    /// argument is this literal (Swift's literal coercion), not that initialiser.
    public init(stringLiteral value: String) {
        do {
            try self.init(value)
        } catch {
            preconditionFailure("Invalid ExactDecimal literal \(value.debugDescription): \(error.message)")
        }
    }
}

extension ExactDecimal {
    /// The exact sum; throws when it needs more than 38 significant digits or leaves
    /// DynamoDB's range (as DynamoDB does for `SET a = a + :x` and `ADD`). Both are
    /// ``KVTableError/validation(_:)`` with DynamoDB's wording for a result of arithmetic, which
    /// is its overflow message even when the result is only too precise (`1e50 + 1`).
    public func adding(_ other: ExactDecimal) throws(KVTableError) -> ExactDecimal {
        if other.isZero { return self }
        if isZero { return other }
        // Align both to the smaller exponent as digit strings, then add or subtract magnitudes.
        let exponent = min(Int(self.exponent), Int(other.exponent))
        // More than ~77 places apart: the exact result cannot fit in 38 digits.
        guard abs(Int(self.exponent) - Int(other.exponent)) <= 80 else {
            throw ExactDecimal.arithmeticOverflow
        }
        let lhs = coefficientDigits + [UInt8](repeating: 0, count: Int(self.exponent) - exponent)
        let rhs = other.coefficientDigits + [UInt8](repeating: 0, count: Int(other.exponent) - exponent)
        let digits: [UInt8]
        let negative: Bool
        if isNegative == other.isNegative {
            digits = ExactDecimal.addDigits(lhs, rhs)
            negative = isNegative
        } else {
            let order = ExactDecimal.compareDigits(lhs, rhs)
            if order == 0 { return .zero }
            digits = order > 0 ? ExactDecimal.subtractDigits(lhs, rhs) : ExactDecimal.subtractDigits(rhs, lhs)
            negative = order > 0 ? isNegative : other.isNegative
        }
        return try ExactDecimal(digits: digits, exponent: exponent, isNegative: negative)
    }

    /// DynamoDB's answer to arithmetic whose exact result does not fit a Number.
    static let arithmeticOverflow = KVTableError.validation("Number overflow. Attempting to store a number with magnitude larger than supported range")

    /// The exact difference; see ``adding(_:)``.
    public func subtracting(_ other: ExactDecimal) throws(KVTableError) -> ExactDecimal {
        try adding(other.negated)
    }

    /// The number with the opposite sign.
    public var negated: ExactDecimal {
        isZero ? self : ExactDecimal(uncheckedCoefficient: coefficient, exponent: exponent, isNegative: !isNegative)
    }

    /// Builds from decimal digits (most significant first), checking precision and range.
    private init(digits: [UInt8], exponent: Int, isNegative: Bool) throws(KVTableError) {
        var start = 0
        while start < digits.count - 1 && digits[start] == 0 { start += 1 }
        var end = digits.count
        var e = exponent
        while end > start + 1 && digits[end - 1] == 0 {
            end -= 1
            e += 1
        }
        guard end - start <= ExactDecimal.maximumSignificantDigits else {
            throw ExactDecimal.arithmeticOverflow
        }
        var coefficient: UInt128 = 0
        for digit in digits[start..<end] { coefficient = coefficient * 10 + UInt128(digit) }
        try self.init(coefficient: coefficient, exponent: e, isNegative: isNegative)
    }

    private static func padded(_ a: [UInt8], _ b: [UInt8]) -> ([UInt8], [UInt8]) {
        let width = max(a.count, b.count)
        return ([UInt8](repeating: 0, count: width - a.count) + a, [UInt8](repeating: 0, count: width - b.count) + b)
    }

    private static func addDigits(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] {
        let (x, y) = padded(a, b)
        var result = [UInt8](repeating: 0, count: x.count + 1)
        var carry: UInt8 = 0
        for i in stride(from: x.count - 1, through: 0, by: -1) {
            let sum = x[i] + y[i] + carry
            result[i + 1] = sum % 10
            carry = sum / 10
        }
        result[0] = carry
        return result
    }

    /// a − b for a ≥ b.
    private static func subtractDigits(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] {
        let (x, y) = padded(a, b)
        var result = [UInt8](repeating: 0, count: x.count)
        var borrow: Int = 0
        for i in stride(from: x.count - 1, through: 0, by: -1) {
            var difference = Int(x[i]) - Int(y[i]) - borrow
            borrow = difference < 0 ? 1 : 0
            if difference < 0 { difference += 10 }
            result[i] = UInt8(difference)
        }
        return result
    }

    private static func compareDigits(_ a: [UInt8], _ b: [UInt8]) -> Int {
        let (x, y) = padded(a, b)
        for (p, q) in zip(x, y) where p != q { return p < q ? -1 : 1 }
        return 0
    }
}

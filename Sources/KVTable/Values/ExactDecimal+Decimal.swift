#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension ExactDecimal {
    /// Converts a Foundation `Decimal` exactly (through its decimal digits, never `Double`).
    ///
    /// Throws for NaN and for values outside DynamoDB's precision or range.
    public init(_ value: Decimal) throws(KVTableError) {
        guard !value.isNaN else {
            throw .validation("The parameter cannot be converted to a numeric value: NaN")
        }
        // `Decimal.description` prints the exact plain decimal digits.
        try self.init(value.description)
    }

    /// This number as a Foundation `Decimal`, or nil when `Decimal` cannot hold it exactly
    /// (its exponent range is -128…127).
    public var decimalValue: Decimal? {
        guard let decimal = Decimal(string: description, locale: nil),
              decimal.description == description else { return nil }
        return decimal
    }
}

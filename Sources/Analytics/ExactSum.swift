import KVTable

/// An exact sum of decimals that adds integers as `Int` while they fit (token counts are), and
/// only the rest as ``ExactDecimal`` — a decimal addition costs far more than an integer one.
struct ExactSum {
    private var integers = 0
    private var decimals: ExactDecimal?
    private var isEmpty = true

    mutating func add(_ value: ExactDecimal) throws {
        isEmpty = false
        if let integer = value.intValue {
            let (sum, overflow) = integers.addingReportingOverflow(integer)
            if !overflow {
                integers = sum
                return
            }
        }
        decimals = try (decimals ?? .zero).adding(value)
    }

    /// Adds what `other` summed.
    mutating func add(_ other: ExactSum) throws {
        guard !other.isEmpty else { return }
        isEmpty = false
        let (sum, overflow) = integers.addingReportingOverflow(other.integers)
        if overflow {
            decimals = try (decimals ?? .zero).adding(ExactDecimal(other.integers))
        } else {
            integers = sum
        }
        if let more = other.decimals { decimals = try (decimals ?? .zero).adding(more) }
    }

    /// The sum of `values` (nil for none), added as a pass adds them.
    static func total(of values: [ExactDecimal]) throws -> ExactDecimal? {
        var sum = ExactSum()
        for value in values { try sum.add(value) }
        return try sum.total()
    }

    /// The sum, or nil when nothing was added.
    func total() throws -> ExactDecimal? {
        if isEmpty { return nil }
        guard let decimals else { return ExactDecimal(integers) }
        return try decimals.adding(ExactDecimal(integers))
    }
}

/// DynamoDB's wording for a request member that breaks a declared constraint (a length, a
/// range, a pattern), written once: clients and tests match on it.
///
///     1 validation error detected: Value '0' at 'totalSegments' failed to satisfy constraint:
///     Member must have value greater than or equal to 1
///
/// Several violations of one request are counted and joined with `; `
/// (`2 validation errors detected: …; …`). A bound that is broken is named alone (`less than
/// or equal to 100`), never as a range, as DynamoDB words it.
package struct ConstraintViolation: Sendable, Hashable {
    /// The member as DynamoDB names it on the wire, lower camel case (`tableName`).
    package let member: String
    /// The offending value as DynamoDB quotes it, or nil for a list or map (DynamoDB's own
    /// rendering of those is not a format anyone matches on).
    package let value: String?
    /// `Member must …`.
    package let rule: String

    package init(member: String, value: String?, rule: String) {
        self.member = member
        self.value = value
        self.rule = rule
    }

    /// The violation of a count (a string's characters, a list's elements) outside `range`,
    /// or nil when the count is within it.
    package static func length(_ count: Int, of member: String, value: String? = nil, within range: ClosedRange<Int>) -> ConstraintViolation? {
        if count < range.lowerBound {
            return ConstraintViolation(member: member, value: value, rule: "Member must have length greater than or equal to \(range.lowerBound)")
        }
        if count > range.upperBound {
            return ConstraintViolation(member: member, value: value, rule: "Member must have length less than or equal to \(range.upperBound)")
        }
        return nil
    }

    /// The violation of a number outside `range`, or nil when it is within it.
    package static func number(_ number: Int, of member: String, within range: ClosedRange<Int>) -> ConstraintViolation? {
        if number < range.lowerBound {
            return ConstraintViolation(member: member, value: "\(number)", rule: "Member must have value greater than or equal to \(range.lowerBound)")
        }
        if number > range.upperBound {
            return ConstraintViolation(member: member, value: "\(number)", rule: "Member must have value less than or equal to \(range.upperBound)")
        }
        return nil
    }

    /// The one message for `violations` (at least one).
    package static func message(_ violations: [ConstraintViolation]) -> String {
        let count = violations.count == 1 ? "1 validation error" : "\(violations.count) validation errors"
        let each = violations.map { violation in
            let value = violation.value.map { "Value '\($0)'" } ?? "Value"
            return "\(value) at '\(violation.member)' failed to satisfy constraint: \(violation.rule)"
        }
        return "\(count) detected: " + each.joined(separator: "; ")
    }

    /// Throws the validation error for `violations`, when there is any.
    package static func check(_ violations: ConstraintViolation?...) throws(KVTableError) {
        let found = violations.compactMap { $0 }
        guard !found.isEmpty else { return }
        throw .validation(message(found))
    }
}

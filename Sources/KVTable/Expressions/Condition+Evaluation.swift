#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension Condition {
    /// Rejects what DynamoDB rejects before looking at any item: literal operands of a type the
    /// operator or function cannot take, an empty or oversized `IN` list, `BETWEEN` bounds of
    /// two types or in the wrong order, a comparison or function whose two operands are the
    /// same document path (`a = a`, `contains(a, a)`: always true or false, so a mistake).
    func validate(kind: String = "ConditionExpression") throws(KVTableError) {
        func operandType(_ operand: Operand, for function: String, allowed: Set<AttributeType>) throws(KVTableError) {
            if case .value(let value) = operand, !allowed.contains(value.type) {
                throw .validation("Invalid \(kind): Incorrect operand type for operator or function; operator or function: \(function), operand type: \(value.type.rawValue)")
            }
        }
        func distinct(_ first: AttributePath, _ second: Operand, for function: String) throws(KVTableError) {
            guard case .path(let other) = second, other == first else { return }
            let elements = first.elements.map { element in
                switch element {
                case .name(let name): name
                case .index(let index): "[\(index)]"
                }
            }
            throw .validation("Invalid \(kind): The first operand must be distinct from the remaining operands for this operator or function; operator: \(function), first operand: [\(elements.joined(separator: ", "))]")
        }
        try forEachPathOfNode { path throws(KVTableError) in try path.validate() }
        let scalarOrdered: Set<AttributeType> = [.string, .number, .binary]
        switch self {
        case .compare(let lhs, let op, let rhs):
            if case .path(let path) = lhs { try distinct(path, rhs, for: op.rawValue) }
            if op != .equal && op != .notEqual {
                try operandType(lhs, for: op.rawValue, allowed: scalarOrdered)
                try operandType(rhs, for: op.rawValue, allowed: scalarOrdered)
            }
        case .between(let value, let lower, let upper):
            for operand in [value, lower, upper] {
                try operandType(operand, for: "BETWEEN", allowed: scalarOrdered)
            }
            if case .value(let low) = lower, case .value(let high) = upper, low.type != high.type {
                throw .validation("Invalid \(kind): The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: \(Condition.operandText(low)), upper bound operand: AttributeValue: \(Condition.operandText(high))")
            }
            if case .value(let low) = lower, case .value(let high) = upper,
               let order = compareScalars(low, high), order > 0 {
                throw .validation("Invalid \(kind): The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: \(Condition.operandText(low)), upper bound operand: AttributeValue: \(Condition.operandText(high))")
            }
        case .isIn(_, let candidates):
            guard (1...100).contains(candidates.count) else {
                throw .validation("Invalid \(kind): The IN operator takes 1 to 100 operands; given: \(candidates.count)")
            }
        case .beginsWith(let path, let prefix):
            try distinct(path, prefix, for: "begins_with")
            try operandType(prefix, for: "begins_with", allowed: [.string, .binary])
        case .contains(let path, let operand):
            try distinct(path, operand, for: "contains")
        case .function(let function, _, let second):
            if function == .beginsWith {
                try operandType(second, for: "begins_with", allowed: [.string, .binary])
            }
        case .attributeExists, .attributeNotExists, .attributeType:
            break
        case .and(let lhs, let rhs), .or(let lhs, let rhs):
            try lhs.validate(kind: kind)
            try rhs.validate(kind: kind)
        case .not(let inner):
            try inner.validate(kind: kind)
        }
    }

    /// A literal operand as DynamoDB's messages show it: `{N:1}`, `{S:abc}`.
    static func operandText(_ value: AttributeValue) -> String {
        let plain: String
        switch value {
        case .s(let text): plain = text
        case .n(let number): plain = number.description
        case .b(let data): plain = data.base64EncodedString()
        default: plain = value.dynamoDBJSON.text
        }
        return "{\(value.type.rawValue):\(plain)}"
    }

    /// Calls `body` with every path this node reads itself, left to right (not the paths of
    /// the children of `and`, `or` and `not`).
    func forEachPathOfNode(_ body: (AttributePath) throws(KVTableError) -> Void) throws(KVTableError) {
        func operand(_ operand: Operand) throws(KVTableError) {
            switch operand {
            case .path(let path), .size(let path): try body(path)
            case .value: break
            }
        }
        switch self {
        case .compare(let lhs, _, let rhs):
            try operand(lhs)
            try operand(rhs)
        case .between(let value, let lower, let upper):
            try operand(value)
            try operand(lower)
            try operand(upper)
        case .isIn(let value, let candidates):
            try operand(value)
            for candidate in candidates { try operand(candidate) }
        case .attributeExists(let path), .attributeNotExists(let path), .attributeType(let path, _):
            try body(path)
        case .beginsWith(let path, let other), .contains(let path, let other):
            try body(path)
            try operand(other)
        case .function(_, let first, let second):
            try operand(first)
            try operand(second)
        case .and, .or, .not:
            break   // validate(kind:) visits the children
        }
    }

    /// Whether `item` satisfies the condition. A missing item is evaluated as an empty one.
    public func evaluate(_ item: Item) -> Bool {
        switch self {
        case .compare(let lhs, let op, let rhs):
            guard let left = lhs.resolve(in: item), let right = rhs.resolve(in: item) else {
                return op == .notEqual
            }
            switch op {
            case .equal: return left == right
            case .notEqual: return left != right
            default:
                guard left.type == right.type, let order = compareScalars(left, right) else { return false }
                switch op {
                case .lessThan: return order < 0
                case .lessThanOrEqual: return order <= 0
                case .greaterThan: return order > 0
                default: return order >= 0
                }
            }
        case .between(let operand, let lower, let upper):
            guard let value = operand.resolve(in: item), let low = lower.resolve(in: item),
                  let high = upper.resolve(in: item),
                  value.type == low.type, value.type == high.type,
                  let lowOrder = compareScalars(low, value), let highOrder = compareScalars(value, high)
            else { return false }
            return lowOrder <= 0 && highOrder <= 0
        case .isIn(let operand, let candidates):
            guard let value = operand.resolve(in: item) else { return false }
            return candidates.contains { $0.resolve(in: item) == value }
        case .attributeExists(let path):
            return path.value(in: item) != nil
        case .attributeNotExists(let path):
            return path.value(in: item) == nil
        case .attributeType(let path, let type):
            return path.value(in: item)?.type == type
        case .beginsWith(let path, let operand):
            return Self.begins(path.value(in: item), with: operand.resolve(in: item))
        case .contains(let path, let operand):
            return Self.contains(path.value(in: item), operand.resolve(in: item))
        case .function(let function, let first, let second):
            let value = first.resolve(in: item), other = second.resolve(in: item)
            switch function {
            case .beginsWith: return Self.begins(value, with: other)
            case .contains: return Self.contains(value, other)
            case .attributeType:
                guard let value, case .s(let name)? = other else { return false }
                return value.type.rawValue == name
            }
        case .and(let lhs, let rhs):
            return lhs.evaluate(item) && rhs.evaluate(item)
        case .or(let lhs, let rhs):
            return lhs.evaluate(item) || rhs.evaluate(item)
        case .not(let inner):
            return !inner.evaluate(item)
        }
    }
}

extension Condition {
    /// `begins_with`: a string or binary value starts with a prefix of its type.
    private static func begins(_ value: AttributeValue?, with prefix: AttributeValue?) -> Bool {
        switch (value, prefix) {
        case (.s(let s)?, .s(let p)?): return s.utf8.starts(with: p.utf8)
        case (.b(let b)?, .b(let p)?): return b.starts(with: p)
        default: return false
        }
    }

    /// `contains`: a substring, a binary subsequence, or an element of a set or list.
    private static func contains(_ container: AttributeValue?, _ element: AttributeValue?) -> Bool {
        guard let container, let element else { return false }
        switch (container, element) {
        case (.s(let s), .s(let part)): return containsBytes(Array(s.utf8), Array(part.utf8))
        case (.b(let b), .b(let part)): return containsBytes(Array(b), Array(part))
        case (.ss(let set), .s): return set.contains { AttributeValue.s($0) == element }
        case (.ns(let set), .n(let n)): return set.contains(n)
        case (.bs(let set), .b(let b)): return set.contains(b)
        case (.l(let list), _): return list.contains(element)
        default: return false
        }
    }
}

extension Operand {
    /// The operand's value for `item`, or nil when its path is missing (or has no size).
    func resolve(in item: Item) -> AttributeValue? {
        switch self {
        case .value(let value): return value
        case .path(let path): return path.value(in: item)
        case .size(let path):
            return path.value(in: item)?.expressionSize.map { .n(ExactDecimal($0)) }
        }
    }
}

extension AttributeValue {
    /// What `size()` answers for this value: a string's length in UTF-8 bytes, a binary's length,
    /// a set's, list's or map's element count; nil for a number, Boolean or null, which have no
    /// size.
    var expressionSize: Int? {
        switch self {
        case .s(let s): return s.utf8.count
        case .b(let b): return b.count
        case .ss(let set): return set.count
        case .ns(let set): return set.count
        case .bs(let set): return set.count
        case .l(let list): return list.count
        case .m(let map): return map.count
        case .n, .bool, .null: return nil
        }
    }
}

/// DynamoDB's order of two scalars of one type (S by UTF-8 bytes, N by value, B by unsigned
/// bytes): -1, 0 or 1, or nil for other types or mixed types.
package func compareScalars(_ lhs: AttributeValue, _ rhs: AttributeValue) -> Int? {
    switch (lhs, rhs) {
    case (.s(let a), .s(let b)):
        if a.utf8.elementsEqual(b.utf8) { return 0 }
        return bytesLess(a.utf8, b.utf8) ? -1 : 1
    case (.n(let a), .n(let b)):
        return ExactDecimal.compare(a, b)
    case (.b(let a), .b(let b)):
        if a == b { return 0 }
        return bytesLess(a, b) ? -1 : 1
    default:
        return nil
    }
}

private func containsBytes(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
    if needle.isEmpty { return true }
    guard needle.count <= haystack.count else { return false }
    for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
        if haystack[start..<(start + needle.count)].elementsEqual(needle) { return true }
    }
    return false
}

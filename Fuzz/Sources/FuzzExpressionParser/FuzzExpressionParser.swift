import Foundation
@testable import KVTable

/// The input is one expression string, read as each kind of expression in turn, with a fixed
/// set of placeholders. Whatever the text, parsing must end in a tree or a
/// ``KVTableError/validation(_:)`` — never a trap, a hang or a read out of bounds — and a tree
/// must be usable: a condition evaluates against an item, an update applies (or throws), a
/// projection projects. Parsing the same text twice gives the same tree.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzExpressionParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    ExpressionFuzzing.condition(text, kind: .condition)
    ExpressionFuzzing.condition(text, kind: .filter)
    ExpressionFuzzing.keyCondition(text)
    ExpressionFuzzing.update(text)
    ExpressionFuzzing.projection(text)
    return 0
}

enum ExpressionFuzzing {
    static let names = ["#a": "a", "#b": "b", "#pk": "PK", "#sk": "SK", "#dot": "x.y"]
    static let values: [String: AttributeValue] = [
        ":s": "text", ":n": 7, ":z": 0, ":neg": .n("-2.5"), ":big": .n("9.9999999999999999999999999999999999999E+125"),
        ":t": "S", ":b": .b(Data([1, 2, 3])), ":true": true, ":null": .null, ":l": [1, "two", [3]], ":m": ["k": "v", "n": 1],
        ":ss": .ss(["a", "b"]), ":ns": .ns([1, 2]), ":bs": .bs([Data([1]), Data([2])]),
    ]
    static let key: Item = ["PK": "p", "SK": "s"]
    static let item: Item = [
        "PK": "p", "SK": "s", "a": 1, "b": "text", "l": [1, [2, ["x": 3]], "s"], "m": ["k": "v", "n": ["deep": [1, 2]]],
        "ss": .ss(["a", "c"]), "ns": .ns([1, 5]), "bs": .bs([Data([1])]), "bin": .b(Data([0, 1])), "flag": false, "nothing": .null,
        "x.y": "dotted",
    ]
    static let schema = KeySchema(partitionKey: KeyAttribute("PK", .string), sortKey: KeyAttribute("SK", .string))

    static func parser() -> ExpressionParser {
        try! ExpressionParser(names: names, values: values)
    }

    static func condition(_ text: String, kind: ExpressionKind) {
        var first = parser(), second = parser()
        guard let condition = try? first.condition(text, kind: kind) else { return }
        precondition((try? second.condition(text, kind: kind)) == condition, "parsing is deterministic")
        _ = try? first.checkAllUsed()
        _ = condition.evaluate(item)
        _ = condition.evaluate(key)
        _ = condition.evaluate([:])
    }

    static func keyCondition(_ text: String) {
        var parser = parser()
        guard let (partition, sort) = try? parser.keyCondition(text, keySchema: schema) else { return }
        _ = (partition, sort)
    }

    static func update(_ text: String) {
        var parser = parser()
        guard let update = try? parser.update(text) else { return }
        guard (try? update.validate(keyAttributes: ["PK", "SK"])) != nil else { return }
        for old in [item, nil] {
            if let new = try? update.apply(to: old, key: key) {
                precondition(new["PK"] == "p" && new["SK"] == "s", "an update never changes the key")
            }
        }
    }

    static func projection(_ text: String) {
        var parser = parser()
        guard let paths = try? parser.projection(text) else { return }
        let projected = ProjectionPaths.project(item, paths)
        precondition(projected.count <= item.count, "a projection never adds attributes")
    }
}

import Foundation
import KVTable
import KVTableDynamoDB
import Testing

/// The printer is the parser's inverse: every tree printed and parsed back with the printer's
/// placeholders is the same tree, and every placeholder it defines is used.
@Suite struct ExpressionPrinterTests {
    /// Prints `condition`, parses the text back, and checks that nothing is left unused.
    private func roundTrip(_ condition: Condition, kind: ExpressionKind = .condition) throws -> (String, Condition) {
        var printer = ExpressionPrinter()
        let text = printer.condition(condition)
        var parser = try ExpressionParser(names: printer.names, values: printer.values)
        let parsed = try parser.condition(text, kind: kind)
        try parser.checkAllUsed()
        return (text, parsed)
    }

    static let shapes: [Condition] = [
        .attribute("a") == "x",
        .attribute("a") != 1,
        .attribute("a") < 2, .attribute("a") <= "b", .attribute("a") > .attribute("b"), .attribute("a") >= 0,
        .size("tags") > 3,
        .attribute("n").between(1, 9),
        .attribute("s").isIn(["a", "b", "c"]),
        .exists("PK"), .notExists("a.b[2].c"),
        .hasType("a", .stringSet), .hasType("b", .null),
        .beginsWith("SK", "FILE#"), .beginsWith("bin", .value(.b(Data([1, 2])))),
        .contains("tags", "swift"), .contains("name", .attribute("other")),
        .function(.beginsWith, .value("hello"), .attribute("prefix")), .function(.contains, .value(.ss(["a", "b"])), .attribute("s")),
        .function(.attributeType, .value(.n(1)), .value("N")), .function(.contains, .size("a"), .attribute("b")),
        .exists("a") && .exists("b"),
        .exists("a") || .exists("b"),
        !.exists("a"),
        !(!.exists("a")),
        (.exists("a") || .exists("b")) && .exists("c"),
        .exists("a") || (.exists("b") && .exists("c")),
        .exists("a") || (.exists("b") || .exists("c")),       // right-nested: parentheses kept
        .exists("a") && (.exists("b") && .exists("c")),
        !(.exists("a") && .exists("b")),
        !(.exists("a") || .exists("b")) && .exists("c"),
        (.exists("a") && .exists("b")) || (.exists("c") && !.exists("d")),
        .attribute("a[0].b") == .value(["x": 1, "y": [true, nil]]),
        .attribute("set") == .value(.ns([1, 2])),
    ]

    @Test(arguments: shapes)
    func conditionRoundTrips(_ condition: Condition) throws {
        let (text, parsed) = try roundTrip(condition)
        #expect(parsed == condition, "printed as \(text)")
    }

    @Test func everyNameIsAPlaceholderAndEqualOnesAreShared() throws {
        var printer = ExpressionPrinter()
        let text = printer.condition(.attribute("status") == "active" && .attribute("status") != "deleted" && .exists("date"))
        #expect(text == "#n0 = :v0 AND #n0 <> :v1 AND attribute_exists(#n1)")
        #expect(printer.names == ["#n0": "status", "#n1": "date"])   // both are reserved words
        #expect(printer.values == [":v0": "active", ":v1": "deleted"])
    }

    @Test func parenthesesOnlyWhereTheTreeNeedsThem() {
        var printer = ExpressionPrinter()
        #expect(printer.condition(.exists("a") && .exists("b") || .exists("c"))
                == "attribute_exists(#n0) AND attribute_exists(#n1) OR attribute_exists(#n2)")
        #expect(printer.condition(.exists("a") && (.exists("b") || .exists("c")))
                == "attribute_exists(#n0) AND (attribute_exists(#n1) OR attribute_exists(#n2))")
        #expect(printer.condition(!(.exists("a"))) == "NOT attribute_exists(#n0)")
    }

    /// Random trees from a seeded generator: every combination of operators and nesting the
    /// hand-written shapes might miss.
    @Test func randomConditionsRoundTrip() throws {
        var random = SeededRandom(seed: 0x5EED)
        for _ in 0..<500 {
            let condition = Self.randomCondition(depth: 4, using: &random)
            let (text, parsed) = try roundTrip(condition, kind: .filter)
            #expect(parsed == condition, "printed as \(text)")
        }
    }

    static func randomCondition(depth: Int, using random: inout SeededRandom) -> Condition {
        let names = ["a", "b", "status", "x.y", "l[1]", "m.n[0].o"]
        func path() -> AttributePath { try! AttributePath(parsing: names[Int(random.next() % UInt64(names.count))]) }
        func value() -> Operand { .value(.s("v\(random.next() % 4)")) }
        if depth == 0 || random.next() % 3 == 0 {
            switch random.next() % 9 {
            case 0: return .compare(.path(path()), ComparisonOperator.allCases[Int(random.next() % 6)], value())
            case 1: return .between(.path(path()), lower: .value("a"), upper: .value("z"))
            case 2: return .isIn(.path(path()), [value(), value()])
            case 3: return .attributeExists(path())
            case 4: return .attributeNotExists(path())
            case 5: return .beginsWith(path(), value())
            case 6: return .contains(path(), value())
            case 7:
                let function = ConditionFunction.allCases[Int(random.next() % 3)]
                return .function(function, value(), function == .attributeType ? .value("SS") : .path(path()))
            default: return .compare(.size(path()), .greaterThan, .value(.n(ExactDecimal(Int(random.next() % 10)))))
            }
        }
        switch random.next() % 3 {
        case 0: return .and(randomCondition(depth: depth - 1, using: &random), randomCondition(depth: depth - 1, using: &random))
        case 1: return .or(randomCondition(depth: depth - 1, using: &random), randomCondition(depth: depth - 1, using: &random))
        default: return .not(randomCondition(depth: depth - 1, using: &random))
        }
    }

    // MARK: - Updates

    /// The parser returns actions clause by clause; the printer groups them the same way.
    private func grouped(_ update: Update) -> Update {
        func rank(_ action: UpdateAction) -> Int {
            switch action { case .set: 0; case .remove: 1; case .add: 2; case .delete: 3 }
        }
        return Update(update.actions.enumerated().sorted { (rank($0.element), $0.offset) < (rank($1.element), $1.offset) }.map(\.element))
    }

    static let updates: [Update] = [
        [.set("name", "Ada")],
        [.set("views", .attribute("views") + 1)],
        [.set("views", .attribute("views") - .attribute("seen"))],
        [.set("views", .ifNotExists("views", 0) + 1)],
        [.set("history", .listAppend(.attribute("history"), .value(["signed in"])))],
        [.set("history", .listAppend(.ifNotExists("history", .value([])), .value(["x"])))],
        [.set("a.b[3].c", "deep"), .set("copy", .attribute("a.b"))],
        [.remove("draft"), .remove("l[2]")],
        [.add("count", 5), .add("tags", .ss(["swift"]))],
        [.delete("flags", .ss(["new"]))],
        [.delete("flags", .ss(["new"])), .set("a", 1), .remove("b"), .add("c", 2), .set("d", 2)],
    ]

    @Test(arguments: updates)
    func updateRoundTrips(_ update: Update) throws {
        var printer = ExpressionPrinter()
        let text = try printer.update(update)
        var parser = try ExpressionParser(names: printer.names, values: printer.values)
        let parsed = try parser.update(text)
        try parser.checkAllUsed()
        #expect(parsed == grouped(update), "printed as \(text)")
    }

    @Test func updatesDynamoDBCannotExpressAreErrors() {
        var printer = ExpressionPrinter()
        #expect(throws: KVTableError.self) { try printer.update([.set("a", .attribute("a") + 1 + 2)]) }
        #expect(throws: KVTableError.self) { try printer.update([.set("a", .ifNotExists("a", .attribute("b") + 1))]) }
        #expect(throws: KVTableError.self) { try printer.update(Update([])) }
    }

    // MARK: - Key conditions and projections

    static let sortKeyConditions: [SortKeyCondition?] = [
        nil, .equal("A"), .lessThan("B"), .lessThanOrEqual("C"), .greaterThan("D"), .greaterThanOrEqual("E"),
        .between("F", "G"), .beginsWith("FILE#"),
    ]

    @Test(arguments: sortKeyConditions)
    func keyConditionRoundTrips(_ sortKey: SortKeyCondition?) throws {
        let schema = KeySchema(partitionKey: KeyAttribute("PK", .string), sortKey: KeyAttribute("SK", .string))
        var printer = ExpressionPrinter()
        let text = printer.keyCondition(partitionKey: ("PK", "USER#1"), sortKey: sortKey.map { ("SK", $0) })
        var parser = try ExpressionParser(names: printer.names, values: printer.values)
        let parsed = try parser.keyCondition(text, keySchema: schema)
        try parser.checkAllUsed()
        #expect(parsed.partitionKey == "USER#1")
        #expect(parsed.sortKey == sortKey, "printed as \(text)")
    }

    @Test func projectionRoundTrips() throws {
        let paths: [AttributePath] = ["PK", "status", "a.b[2].c", "list[0]"]
        var printer = ExpressionPrinter()
        let text = printer.projection(paths)
        var parser = try ExpressionParser(names: printer.names, values: printer.values)
        #expect(try parser.projection(text) == paths)
        try parser.checkAllUsed()
    }

    @Test func oneRequestSharesPlaceholdersAcrossExpressions() throws {
        var printer = ExpressionPrinter()
        let key = printer.keyCondition(partitionKey: ("PK", "USER#1"), sortKey: ("SK", .beginsWith("FILE#")))
        let filter = printer.condition(.attribute("PK") != "USER#1")
        let projection = printer.projection(["PK", "SK"])
        #expect(printer.names.count == 2)
        #expect(printer.values.count == 2)
        var parser = try ExpressionParser(names: printer.names, values: printer.values)
        let schema = KeySchema(partitionKey: KeyAttribute("PK", .string), sortKey: KeyAttribute("SK", .string))
        _ = try parser.keyCondition(key, keySchema: schema)
        _ = try parser.condition(filter, kind: .filter)
        _ = try parser.projection(projection)
        try parser.checkAllUsed()
    }
}

/// SplitMix64: a small seeded generator, so random tests are repeatable.
struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

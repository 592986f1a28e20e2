import Foundation
import Testing
@testable import KVTable

/// The message of the validation error `body` throws, or nil when it does not throw one.
func validationMessage(_ body: () throws -> Void) -> String? {
    do {
        try body()
        return nil
    } catch KVTableError.validation(let message) {
        return message
    } catch {
        return "unexpected: \(error)"
    }
}

func validationMessage(_ body: () async throws -> Void) async -> String? {
    do {
        try await body()
        return nil
    } catch KVTableError.validation(let message) {
        return message
    } catch {
        return "unexpected: \(error)"
    }
}

@Suite("Expression strings: grammar and validation")
struct ExpressionParserTests {
    func condition(_ text: String, names: [String: String] = [:], values: [String: AttributeValue] = [:]) throws -> Condition {
        try Condition(expression: text, names: names, values: values)
    }

    @Test("conditions parse into the same trees as the builders, with DynamoDB's precedence")
    func conditionTrees() throws {
        #expect(try condition("a = :v AND (b < :w OR NOT attribute_exists(c))", values: [":v": 1, ":w": "x"])
            == (.attribute("a") == 1 && (.attribute("b") < "x" || !.exists("c"))))
        // NOT binds tighter than AND, AND tighter than OR.
        #expect(try condition("NOT a = :v AND b = :v OR c = :v", values: [":v": 1])
            == ((!(.attribute("a") == 1) && .attribute("b") == 1) || .attribute("c") == 1))
        #expect(try condition("#p.b[2] BETWEEN :lo AND :hi", names: ["#p": "profile"], values: [":lo": 1, ":hi": 9])
            == Operand.attribute("profile.b[2]").between(1, 9))
        #expect(try condition("size(tags) >= :n AND kind IN (:a, :b)", values: [":n": 2, ":a": "x", ":b": "y"])
            == (.size("tags") >= 2 && Operand.attribute("kind").isIn(["x", "y"])))
        #expect(try condition("begins_with(SK, :p) AND contains(tags, :t) AND attribute_type(n, :type) AND attribute_not_exists(gone)",
                              values: [":p": "A#", ":t": "swift", ":type": "N"])
            == (.beginsWith("SK", "A#") && .contains("tags", "swift") && .hasType("n", .number) && .notExists("gone")))
        #expect(try condition(":v <> a", values: [":v": 1]) == (Operand.value(1) != .attribute("a")))
        // A first operand other than a path, which DynamoDB accepts though its guide shows paths.
        let valueFirst = try condition("begins_with(:s, a) AND contains(:set, b) AND attribute_type(:n, :type)",
                                       values: [":s": "hello", ":set": .ss(["x", "y"]), ":n": 1, ":type": "N"])
        #expect(valueFirst == (.function(.beginsWith, "hello", .attribute("a")) && .function(.contains, .value(.ss(["x", "y"])), .attribute("b"))
                               && .function(.attributeType, 1, "N")))
        #expect(valueFirst.evaluate(["a": "he", "b": "y"]))
        #expect(!valueFirst.evaluate(["a": "hi", "b": "y"]))
        #expect(!valueFirst.evaluate(["a": "he", "b": "z"]))
        #expect(!valueFirst.evaluate(["b": "y"]))
        #expect(!(try condition("attribute_type(:n, :type)", values: [":n": 1, ":type": "S"])).evaluate([:]))
        // A top-level name with dots, only reachable through a placeholder.
        #expect(try condition("#dotted = :v", names: ["#dotted": "a.b"], values: [":v": 1])
            == .compare(.path(.name("a.b")), .equal, .value(1)))
    }

    @Test("keywords are case-insensitive, function names case-sensitive")
    func caseRules() throws {
        let upper = try condition("a = :v AND b BETWEEN :v AND :v OR NOT c IN (:v)", values: [":v": 1])
        #expect(try condition("a = :v and b between :v AnD :v or NOT c in (:v)", values: [":v": 1]) == upper)
        #expect(try Update(expression: "set a = :v remove b", values: [":v": 1]) == [.set("a", 1), .remove("b")])
        #expect(validationMessage { _ = try condition("BEGINS_WITH(a, :p)", values: [":p": "x"]) }
            == "Invalid ConditionExpression: Invalid function name; function: BEGINS_WITH")
        #expect(validationMessage { _ = try Update(expression: "SET a = IF_NOT_EXISTS(a, :v)", values: [":v": 1]) }
            == "Invalid UpdateExpression: Invalid function name; function: IF_NOT_EXISTS")
        #expect(validationMessage { _ = try condition("Size(a) > :v", values: [":v": 1]) }
            == "Invalid ConditionExpression: Invalid function name; function: Size")
    }

    @Test("reserved words must go through #placeholders, at any depth and in any case")
    func reservedWords() throws {
        #expect(ExpressionParser.isReservedWord("status") && ExpressionParser.isReservedWord("TIMESTAMP"))
        #expect(!ExpressionParser.isReservedWord("PK"))
        for word in ["name", "size", "status", "date", "timestamp", "Status"] {
            #expect(validationMessage { _ = try condition("\(word) = :v", values: [":v": 1]) }
                == "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: \(word)")
        }
        #expect(validationMessage { _ = try condition("profile.name = :v", values: [":v": 1]) }
            == "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: name")
        #expect(validationMessage { _ = try Update(expression: "SET #n = :v, visits = :v", names: ["#n": "name"], values: [":v": 1]) } == nil)
        #expect(validationMessage { _ = try Update(expression: "REMOVE status") }
            == "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: status")
        var parser = try ExpressionParser()
        #expect(validationMessage { _ = try parser.projection("PK, date") }
            == "Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: date")
    }

    @Test("undefined and unused placeholders are errors, checked across all expressions of a request")
    func placeholders() throws {
        #expect(validationMessage { _ = try condition("a = :missing") }
            == "Invalid ConditionExpression: An expression attribute value used in expression is not defined; attribute value: :missing")
        #expect(validationMessage { _ = try condition("#missing = :v", values: [":v": 1]) }
            == "Invalid ConditionExpression: An expression attribute name used in the document path is not defined; attribute name: #missing")
        #expect(validationMessage { _ = try condition("a = :v", values: [":v": 1, ":extra": 2, ":more": 3]) }
            == "Value provided in ExpressionAttributeValues unused in expressions: keys: {:extra, :more}")
        #expect(validationMessage { _ = try condition("a = :v", names: ["#unused": "x"], values: [":v": 1]) }
            == "Value provided in ExpressionAttributeNames unused in expressions: keys: {#unused}")
        #expect(validationMessage { _ = try condition("a = :v", values: ["v": 1]) }
            == "ExpressionAttributeValues contains invalid key: Syntax error; key: \"v\"")
        #expect(validationMessage { _ = try condition("a = :v", names: ["n": "x"], values: [":v": 1]) }
            == "ExpressionAttributeNames contains invalid key: Syntax error; key: \"n\"")
        #expect(validationMessage { _ = try condition("a = :v", values: [":v": .ss([])]) }
            == "ExpressionAttributeValues contains invalid value: One or more parameter values were invalid: An string set  may not be empty for key :v")

        // One request: a value used only by the update, a name only by the condition.
        var parser = try ExpressionParser(names: ["#s": "state"], values: [":one": 1, ":open": "open"])
        _ = try parser.update("SET visits = visits + :one")
        #expect(validationMessage { try parser.checkAllUsed() }
            == "Value provided in ExpressionAttributeValues unused in expressions: keys: {:open}")
        _ = try parser.condition("#s = :open")
        try parser.checkAllUsed()
    }

    @Test("syntax errors name the token, the text before it, and where it is")
    func syntaxErrors() throws {
        let v: [String: AttributeValue] = [":v": 1]
        #expect(validationMessage { _ = try condition("a =", values: [":v": 1, ":w": 1]) }
            == "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"a =\" (at character 4)")
        #expect(validationMessage { _ = try condition("a = :v AND", values: v) }
            == "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \":v AND\" (at character 11)")
        #expect(validationMessage { _ = try condition("a == :v", values: v) }
            == "Invalid ConditionExpression: Syntax error; token: \"=\", near: \"==\" (at character 4)")
        #expect(validationMessage { _ = try condition("a ~ :v", values: v) }
            == "Invalid ConditionExpression: Syntax error; token: \"~\", near: \"a ~\" (at character 3)")
        #expect(validationMessage { _ = try condition("(a = :v", values: v) }
            == "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"= :v\" (at character 8)")
        #expect(validationMessage { _ = try condition("a[x] = :v", values: v) }
            == "Invalid ConditionExpression: Syntax error; token: \"x\", near: \"[x\" (at character 3)")
        #expect(validationMessage { _ = try Update(expression: "SET a = :v,", values: v) }
            == "Invalid UpdateExpression: Syntax error; token: \"<EOF>\", near: \":v,\" (at character 12)")
        #expect(validationMessage { _ = try Update(expression: "SET a :v", values: v) }
            == "Invalid UpdateExpression: Syntax error; token: \":v\", near: \"a :v\" (at character 7)")
        #expect(validationMessage { _ = try Update(expression: "ADD a b") }
            == "Invalid UpdateExpression: Syntax error; token: \"b\", near: \"a b\" (at character 7)")
        #expect(validationMessage { _ = try condition("   ") } == "Invalid ConditionExpression: The expression can not be empty;")
    }

    @Test("function arity, document-path operands and literal operand types")
    func functionRules() throws {
        let values: [String: AttributeValue] = [":s": "x", ":n": 1, ":t": "XX"]
        func message(_ text: String, _ used: [String]) -> String? {
            validationMessage { _ = try condition(text, values: values.filter { used.contains($0.key) }) }
        }
        #expect(message("begins_with(a)", []) == "Invalid ConditionExpression: Incorrect number of operands for operator or function; operator or function: begins_with, number of operands: 1")
        #expect(message("attribute_exists(a, b)", []) == "Invalid ConditionExpression: Incorrect number of operands for operator or function; operator or function: attribute_exists, number of operands: 2")
        #expect(message("size(a, b) > :n", [":n"]) == "Invalid ConditionExpression: Incorrect number of operands for operator or function; operator or function: size, number of operands: 2")
        #expect(message("attribute_exists(:s)", [":s"]) == "Invalid ConditionExpression: Operator or function requires a document path; operator or function: attribute_exists")
        #expect(message("begins_with(a, :n)", [":n"]) == "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N")
        #expect(validationMessage { _ = try Update(expression: "SET _a = :v", values: [":v": 1]) }
            == "Invalid UpdateExpression: Syntax error; token: \"_\", near: \"SET _\" (at character 5)")
        #expect(validationMessage { _ = try Update(expression: "SET a_b = :v", values: [":v": 1]) } == nil)
        // size() of a value is that value's size, known at parse time; a value without a size
        // (a number, a Boolean, a null) is refused as DynamoDB does.
        #expect(try condition("size(:s) = :n", values: values.filter { [":s", ":n"].contains($0.key) })
            == .compare(.value(1), .equal, .value(1)))
        #expect(try condition("size(:l) > a", values: [":l": .l(["x", "y"])]) == .compare(.value(2), .greaterThan, .path("a")))
        #expect(message("size(:n) > a", [":n"]) == "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: size, operand type: N")
        #expect(message("begins_with(:s, :n)", [":s", ":n"]) == "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N")
        #expect(message("attribute_type(:s, :t)", [":s", ":t"]) == "Invalid ConditionExpression: Invalid type name found in attribute_type; type: XX; valid types: S, SS, N, NS, B, BS, BOOL, NULL, L, M")
        #expect(message("attribute_type(a, :t)", [":t"]) == "Invalid ConditionExpression: Invalid type name found in attribute_type; type: XX; valid types: S, SS, N, NS, B, BS, BOOL, NULL, L, M")
        #expect(message("attribute_type(a, :n)", [":n"]) == "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: attribute_type, operand type: N")
        #expect(message("attribute_exists(a) = :n", [":n"]) == "Invalid ConditionExpression: Syntax error; token: \"=\", near: \") =\" (at character 21)")
        #expect(message("a = attribute_exists(b)", []) == "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; function: attribute_exists")
        #expect(message("a < :n AND b > :s AND c BETWEEN :n AND :n", [":n", ":s"]) == nil)
        #expect(message("c BETWEEN :s AND :n", [":n", ":s"])
            == "Invalid ConditionExpression: The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: {S:x}, upper bound operand: AttributeValue: {N:1}")
        #expect(message("a = a", []) == "Invalid ConditionExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: =, first operand: [a]")
        #expect(message("begins_with(m.k[2], m.k[2])", [])
            == "Invalid ConditionExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: begins_with, first operand: [m, k, [2]]")
        #expect(message("contains(a, a)", [])?.hasSuffix("operator: contains, first operand: [a]") == true)
        #expect(message("a = b AND size(a) = size(a) AND a <> m.a", []) == nil)
        #expect(validationMessage { _ = try Update(expression: "SET a = size(b)") }
            == "Invalid UpdateExpression: The function is not allowed in an update expression; function: size")
        #expect(validationMessage { _ = try Update(expression: "SET a = if_not_exists(:n, :n)", values: [":n": 1]) }
            == "Invalid UpdateExpression: Operator or function requires a document path; operator or function: if_not_exists")
        #expect(validationMessage { _ = try Update(expression: "SET a = list_append(b)") }
            == "Invalid UpdateExpression: Incorrect number of operands for operator or function; operator or function: list_append, number of operands: 1")
        #expect(validationMessage { _ = try condition("a BETWEEN :hi AND :lo", values: [":hi": 9, ":lo": 1]) }?
            .hasPrefix("Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound") == true)
    }

    @Test("limits: 4 KB per expression, 300 operators and functions in any expression, nesting bounded by them")
    func limits() throws {
        let long = "a = :v" + String(repeating: " ", count: 4091)
        #expect(validationMessage { _ = try condition(long, values: [":v": 1]) }
            == "Invalid ConditionExpression: Expression size has exceeded the maximum allowed size; expression size: 4097")
        let tooMany = "Invalid ConditionExpression: The expression contains too many operators or functions; maximum: 300"
        // `a<b OR (a<b OR (…))`: 149 levels are 299 operators, accepted (DynamoDB accepts it);
        // 150 levels are 301.
        func nested(_ depth: Int) -> String {
            "a < b" + String(repeating: " OR (a < b", count: depth) + String(repeating: ")", count: depth)
        }
        #expect(try condition(nested(149)).evaluate(["a": 1, "b": 2]))
        #expect(validationMessage { _ = try condition(nested(150)) } == tooMany)
        // Flat: 150 comparisons and 149 ORs pass, one more comparison does not.
        let flat = (0..<150).map { _ in "a < b" }.joined(separator: " OR ")
        #expect(try condition(flat).evaluate(["a": 1, "b": 2]))
        #expect(validationMessage { _ = try condition(flat + " OR a < b") } == tooMany)
        // Functions, BETWEEN and IN count too.
        let functions = (0..<76).map { _ in "begins_with(a, :v) AND a BETWEEN :v AND :v" }.joined(separator: " OR ")
        #expect(validationMessage { _ = try condition(functions, values: [":v": "x"]) } == tooMany)
        // The deepest valid nesting: 299 NOTs and a comparison, read on a task's stack.
        #expect(try condition(String(repeating: "NOT ", count: 298) + "a < b").evaluate(["a": 1, "b": 2]))
        #expect(try !condition(String(repeating: "NOT ", count: 299) + "a < b").evaluate(["a": 1, "b": 2]))
        #expect(validationMessage { _ = try condition(String(repeating: "NOT ", count: 300) + "a < b") } == tooMany)
        // Parentheses alone take no operator: the nesting bound stops them (and the redundant
        // rule would refuse them anyway).
        #expect(validationMessage { _ = try condition(String(repeating: "(", count: 2046) + "a<b" + String(repeating: ")", count: 2046)) }
            == "Invalid ConditionExpression: The expression is nested too deeply; maximum nesting: 300")
        #expect(validationMessage { _ = try condition("a < " + String(repeating: "size(", count: 680) + "b" + String(repeating: ")", count: 680)) }
            == tooMany)
        // Parentheses around exactly one parenthesised group are DynamoDB's "redundant".
        for redundant in ["((a = :v))", "a = :v AND NOT ((a = :v OR a = :v))", "(((a = :v) AND a = :v))"] {
            #expect(validationMessage { _ = try condition(redundant, values: [":v": 1]) }
                == "Invalid ConditionExpression: The expression has redundant parentheses;", "\(redundant)")
        }
        for needed in ["(a = :v)", "((a = :v) AND (a = :v))", "(a = :v) OR ((a = :v) AND a = :v)", "NOT (a = :v)"] {
            #expect(validationMessage { _ = try condition(needed, values: [":v": 1]) } == nil, "\(needed)")
        }
        // Nested functions of an update (4 KB hold no more than about 240 of them).
        let nestedAppends = String(repeating: "list_append(", count: 200) + "l" + String(repeating: ", :v)", count: 200)
        #expect(validationMessage { _ = try Update(expression: "SET l = " + nestedAppends, values: [":v": []]) } == nil)
        let appends = "SET " + (0..<151).map { "a\($0) = list_append(l, :v)" }.joined(separator: ", ")
        #expect(validationMessage { _ = try Update(expression: appends, values: [":v": []]) }
            == "Invalid UpdateExpression: The expression contains too many operators or functions; maximum: 300")
        let many = "SET " + (0..<301).map { "a\($0) = :v" }.joined(separator: ", ")
        #expect(validationMessage { _ = try Update(expression: many, values: [":v": 1]) }
            == "Invalid UpdateExpression: The expression contains too many operators or functions; maximum: 300")
        #expect(validationMessage { _ = try Update(expression: "SET " + (0..<300).map { "a\($0) = :v" }.joined(separator: ", "), values: [":v": 1]) } == nil)
    }

    @Test("update expressions: every clause, nesting of if_not_exists and list_append, each clause once")
    func updateTrees() throws {
        let update = try Update(
            expression: "SET #n = :name, visits = if_not_exists(visits, :zero) + :one, entries = list_append(if_not_exists(entries, :empty), :entry), l[7] = :name REMOVE draft, a.b[1] ADD tags :tags DELETE flags :flags",
            names: ["#n": "name"],
            values: [":name": "Ada", ":zero": 0, ":one": 1, ":empty": [], ":entry": ["x"], ":tags": .ss(["s"]), ":flags": .ss(["f"])])
        #expect(update == [
            .set("name", "Ada"),
            .set("visits", .ifNotExists("visits", 0) + 1),
            .set("entries", .listAppend(.ifNotExists("entries", .value([])), .value(["x"]))),
            .set("l[7]", "Ada"),
            .remove("draft"), .remove("a.b[1]"),
            .add("tags", .ss(["s"])),
            .delete("flags", .ss(["f"])),
        ])
        #expect(validationMessage { _ = try Update(expression: "SET a = :v SET b = :v", values: [":v": 1]) }
            == "Invalid UpdateExpression: The \"SET\" section can only be used once in an update expression;")
        #expect(validationMessage { _ = try Update(expression: "REMOVE a remove b") }
            == "Invalid UpdateExpression: The \"REMOVE\" section can only be used once in an update expression;")
    }

    @Test("projection expressions: paths, placeholders, no overlaps")
    func projections() throws {
        var parser = try ExpressionParser(names: ["#d": "date"])
        #expect(try parser.projection("PK, #d, address.city, notes[1]") == ["PK", .name("date"), "address.city", "notes[1]"])
        try parser.checkAllUsed()
        var again = try ExpressionParser()
        #expect(validationMessage { _ = try again.projection("a, a.b") }?
            .hasPrefix("Invalid ProjectionExpression: Two document paths overlap with each other") == true)
        #expect(validationMessage { _ = try again.projection("a.b, a[0]") }?
            .hasPrefix("Invalid ProjectionExpression: Two document paths conflict with each other") == true)
        #expect(validationMessage { _ = try again.projection("a,") }?
            .hasPrefix("Invalid ProjectionExpression: Syntax error; token: \"<EOF>\"") == true)
    }

    @Test("key-condition structure: one = on the partition key, one sort-key condition, AND only")
    func keyConditionRules() throws {
        let schema = KeySchema(partitionKey: KeyAttribute("PK", .string), sortKey: KeyAttribute("SK", .string))
        let values: [String: AttributeValue] = [":pk": "U#1", ":a": "A", ":b": "B"]
        func split(_ text: String) throws -> (AttributeValue, SortKeyCondition?) {
            var parser = try ExpressionParser(values: values)
            let result = try parser.keyCondition(text, keySchema: schema)
            return (result.partitionKey, result.sortKey)
        }
        func message(_ text: String) -> String? { validationMessage { _ = try split(text) } }

        #expect(try split("PK = :pk") == ("U#1", nil))
        #expect(try split("PK = :pk AND SK = :a") == ("U#1", .equal("A")))
        #expect(try split("SK < :a AND PK = :pk") == ("U#1", .lessThan("A")))
        #expect(try split("PK = :pk and :a >= SK") == ("U#1", .lessThanOrEqual("A")))
        #expect(try split("PK = :pk AND SK > :a") == ("U#1", .greaterThan("A")))
        #expect(try split("(PK = :pk) AND (SK BETWEEN :a AND :b)") == ("U#1", .between("A", "B")))
        #expect(try split("PK = :pk AND begins_with(SK, :a)") == ("U#1", .beginsWith("A")))
        #expect(message("PK = :pk AND begins_with(:a, SK)")
            == "Invalid condition in KeyConditionExpression: begins_with operator must have the key attribute as its first operand")
        #expect(message("PK = :pk AND contains(:a, SK)") == "Invalid operator used in KeyConditionExpression: contains")

        #expect(message("PK = :pk OR SK = :a") == "Invalid operator used in KeyConditionExpression: OR")
        #expect(message("PK = :pk AND NOT SK = :a") == "Invalid operator used in KeyConditionExpression: NOT")
        #expect(message("PK = :pk AND SK IN (:a, :b)") == "Invalid operator used in KeyConditionExpression: IN")
        #expect(message("PK = :pk AND SK <> :a") == "Invalid operator used in KeyConditionExpression: <>")
        #expect(message("PK = :pk AND contains(SK, :a)") == "Invalid operator used in KeyConditionExpression: contains")
        #expect(message("PK = :pk AND attribute_exists(SK)") == "Invalid operator used in KeyConditionExpression: attribute_exists")
        #expect(message("SK = :a") == "Query condition missed key schema element: PK")
        #expect(message("PK < :pk") == "Query key condition not supported")
        #expect(message("PK = :pk AND SK > :a AND SK < :b") == "KeyConditionExpressions must only contain one condition per key")
        #expect(message("PK = :pk AND PK = :a") == "KeyConditionExpressions must only contain one condition per key")
        #expect(message("PK = :pk AND extra = :a") == "Query condition missed key schema element: SK")
        #expect(message("PK = :pk AND SK.x = :a") == "KeyConditionExpressions cannot have conditions on nested attributes")
        #expect(message("PK = :pk AND SK = PK") == "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition")
        #expect(message("PK = :pk AND begins_with(SK, PK)")
            == "Invalid KeyConditionExpression: begins_with takes a value as its second operand")
        #expect(message("PK = :pk AND size(SK) = :a") == "Invalid operator used in KeyConditionExpression: size")
        #expect(message("PK = :pk AND BEGINS_WITH(SK, :a)") == "Invalid KeyConditionExpression: Invalid function name; function: BEGINS_WITH")
    }
}

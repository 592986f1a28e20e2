/// A recursive-descent reader of one expression string, producing the same typed trees as the
/// Swift builders (``Condition``, ``Update``, ``AttributePath``).
///
/// The grammar, as DynamoDB documents it (keywords case-insensitive, function names
/// case-sensitive):
///
/// ```
/// condition  := or
/// or         := and ( OR and )*
/// and        := not ( AND not )*
/// not        := NOT not | primary
/// primary    := '(' condition ')'
///             | attribute_exists(path) | attribute_not_exists(path) | attribute_type(operand, :t)
///             | begins_with(operand, operand) | contains(operand, operand)
///               (a first operand that is not a path is Condition.function, as DynamoDB allows)
///             | operand comparator operand
///             | operand BETWEEN operand AND operand
///             | operand IN '(' operand (',' operand)* ')'
/// operand    := path | :value | size(path)
/// path       := element ( '.' element | '[' digits ']' )*     element := word | #name
///
/// update     := ( SET set (',' set)* | REMOVE path (',' path)*
///               | ADD path :value (',' …)* | DELETE path :value (',' …)* )+   each clause once
/// set        := path '=' value
/// value      := term ( ('+' | '-') term )?
/// term       := path | :value | if_not_exists(path, term) | list_append(term, term)
///
/// projection := path (',' path)*
/// ```
///
/// Placeholders are resolved as they are read, and recorded as used in ``ExpressionAttributes``.
struct ExpressionReader {
    let kind: ExpressionKind
    let source: String
    private let tokens: [ExpressionToken]
    private var position = 0
    var attributes: ExpressionAttributes

    /// The functions of the condition language, by their exact (case-sensitive) names.
    static let conditionFunctions: Set<String> = [
        "attribute_exists", "attribute_not_exists", "attribute_type", "begins_with", "contains", "size",
    ]
    static let updateFunctions: Set<String> = ["if_not_exists", "list_append"]

    /// DynamoDB's limit on the length of an expression string.
    static let maximumLength = 4096
    /// DynamoDB's limit on operators and functions in any one expression: comparisons,
    /// `BETWEEN`, `IN`, `AND`, `OR`, `NOT` and functions in a condition; actions, `+`/`-` and
    /// functions in an update.
    static let maximumOperators = 300
    /// How deep parentheses, `NOT`s and nested functions may go. Each level takes an operator
    /// (DynamoDB refuses parentheses around a group alone), so ``maximumOperators`` bounds the
    /// depth of every valid expression first — `NOT NOT … a = :v` reaches 299 — and this bound
    /// only stops the reader, which recurses once per level, from following an invalid one
    /// (`((((…`) down the stack before it is refused.
    static let maximumNesting = 300

    private var nesting = 0
    /// The token positions of the parenthesised condition read last, to find `((…))`.
    private var lastGroup: (open: Int, close: Int)?
    private var operators = 0

    init(_ source: String, kind: ExpressionKind, attributes: ExpressionAttributes) throws(KVTableError) {
        guard source.contains(where: { !$0.isWhitespace }) else {
            throw .validation("Invalid \(kind.rawValue): The expression can not be empty;")
        }
        guard source.utf8.count <= ExpressionReader.maximumLength else {
            throw .validation("Invalid \(kind.rawValue): Expression size has exceeded the maximum allowed size; expression size: \(source.utf8.count)")
        }
        self.kind = kind
        self.source = source
        self.tokens = try ExpressionLexer.tokens(of: source, kind: kind)
        self.attributes = attributes
    }

    // MARK: Tokens

    private var current: ExpressionToken { tokens[position] }

    private var next: ExpressionToken { tokens[min(position + 1, tokens.count - 1)] }

    @discardableResult
    private mutating func advance() -> ExpressionToken {
        let token = tokens[position]
        if position < tokens.count - 1 { position += 1 }
        return token
    }

    private func syntaxError(at token: ExpressionToken? = nil) -> KVTableError {
        let token = token ?? current
        let index = tokens.firstIndex(of: token) ?? position
        // At the end, quote the two tokens before it (one alone, like "=", says little).
        let back = token.kind == .end ? 2 : 1
        return ExpressionLexer.syntaxError(kind: kind, source: source, token: token.text, start: token.start, end: token.end,
                                           previousStart: tokens[max(0, index - back)].start)
    }

    private func invalid(_ message: String) -> KVTableError {
        .validation("Invalid \(kind.rawValue): \(message)")
    }

    private mutating func expect(_ symbol: String) throws(KVTableError) {
        guard current.isSymbol(symbol) else { throw syntaxError() }
        advance()
    }

    mutating func expectEnd() throws(KVTableError) {
        guard current.kind == .end else { throw syntaxError() }
    }

    /// Enters one level of nesting (a parenthesis, a `NOT`, a function inside a function).
    private mutating func enter() throws(KVTableError) {
        nesting += 1
        guard nesting <= ExpressionReader.maximumNesting else {
            throw invalid("The expression is nested too deeply; maximum nesting: \(ExpressionReader.maximumNesting)")
        }
    }

    private mutating func leave() {
        nesting -= 1
    }

    /// Counts one operator or function of the expression.
    private mutating func countOperator() throws(KVTableError) {
        operators += 1
        guard operators <= ExpressionReader.maximumOperators else {
            throw invalid("The expression contains too many operators or functions; maximum: \(ExpressionReader.maximumOperators)")
        }
    }

    /// A function call starts here: a word directly followed by `(`.
    private var atFunctionCall: Bool {
        if case .word = current.kind, next.isSymbol("(") { return true }
        return false
    }

    // MARK: Paths and placeholders

    mutating func path() throws(KVTableError) -> AttributePath {
        var elements: [AttributePath.Element] = [.name(try nameElement())]
        while true {
            if current.isSymbol(".") {
                advance()
                elements.append(.name(try nameElement()))
            } else if current.isSymbol("[") {
                advance()
                guard case .integer(let digits) = current.kind, let index = Int(digits) else { throw syntaxError() }
                advance()
                try expect("]")
                elements.append(.index(index))
            } else {
                break
            }
        }
        guard elements.count <= 32 else {
            throw invalid("The document path has too many nesting levels; nesting levels: \(elements.count)")
        }
        return AttributePath(unchecked: elements)
    }

    private mutating func nameElement() throws(KVTableError) -> String {
        switch current.kind {
        case .word(let word):
            guard let first = word.utf8.first, !(first >= 0x30 && first <= 0x39) else { throw syntaxError() }
            if ReservedWords.contains(word) {
                throw invalid("Attribute name is a reserved keyword; reserved keyword: \(word)")
            }
            advance()
            return word
        case .namePlaceholder(let placeholder):
            advance()
            return try attributes.name(placeholder, kind: kind)
        default:
            throw syntaxError()
        }
    }

    private mutating func valuePlaceholder() throws(KVTableError) -> AttributeValue {
        guard case .valuePlaceholder(let placeholder) = current.kind else { throw syntaxError() }
        advance()
        return try attributes.value(placeholder, kind: kind)
    }

    // MARK: Conditions

    mutating func condition() throws(KVTableError) -> Condition {
        var result = try conjunction()
        while current.isKeyword("OR") {
            try countOperator()
            advance()
            result = .or(result, try conjunction())
        }
        return result
    }

    private mutating func conjunction() throws(KVTableError) -> Condition {
        var result = try negation()
        while current.isKeyword("AND") {
            try countOperator()
            advance()
            result = .and(result, try negation())
        }
        return result
    }

    private mutating func negation() throws(KVTableError) -> Condition {
        if current.isKeyword("NOT") {
            try countOperator()
            advance()
            try enter()
            defer { leave() }
            return .not(try negation())
        }
        return try primary()
    }

    private mutating func primary() throws(KVTableError) -> Condition {
        if current.isSymbol("(") {
            let open = position
            advance()
            try enter()
            defer { leave() }
            let inner = try condition()
            guard current.isSymbol(")") else { throw syntaxError() }
            // `((…))`: the group is exactly one group again. DynamoDB refuses it.
            if let last = lastGroup, last.open == open + 1, last.close == position - 1 {
                throw invalid("The expression has redundant parentheses;")
            }
            lastGroup = (open, position)
            advance()
            return inner
        }
        if atFunctionCall, case .word(let name) = current.kind, name != "size" {
            return try conditionFunction(name)
        }
        let lhs = try operand()
        if case .symbol(let symbol) = current.kind, let op = ComparisonOperator(rawValue: symbol) {
            try countOperator()
            advance()
            return .compare(lhs, op, try operand())
        }
        if current.isKeyword("BETWEEN") {
            try countOperator()
            advance()
            let lower = try operand()
            guard current.isKeyword("AND") else { throw syntaxError() }
            advance()
            return .between(lhs, lower: lower, upper: try operand())
        }
        if current.isKeyword("IN") {
            try countOperator()
            advance()
            try expect("(")
            var candidates = [try operand()]
            while current.isSymbol(",") {
                advance()
                candidates.append(try operand())
            }
            try expect(")")
            return .isIn(lhs, candidates)
        }
        throw syntaxError()
    }

    /// `path`, `:value`, `size(path)` or `size(:value)`.
    private mutating func operand() throws(KVTableError) -> Operand {
        if case .valuePlaceholder = current.kind {
            return .value(try valuePlaceholder())
        }
        if atFunctionCall, case .word(let name) = current.kind {
            guard name == "size" else {
                if ExpressionReader.conditionFunctions.contains(name) || ExpressionReader.updateFunctions.contains(name) {
                    throw invalid("The function is not allowed to be used this way in an expression; function: \(name)")
                }
                throw invalid("Invalid function name; function: \(name)")
            }
            try countOperator()
            let arguments = try functionArguments(name)
            try arity(name, arguments, 1)
            // `size(:v)` is valid in DynamoDB: the size of a value is known before any item is
            // read, so it becomes that number here (a value that has no size is refused now).
            if case .value(let value) = arguments[0] {
                guard let size = value.expressionSize else {
                    throw invalid("Incorrect operand type for operator or function; operator or function: size, operand type: \(value.type.rawValue)")
                }
                return .value(.n(ExactDecimal(size)))
            }
            return .size(try requirePath(arguments[0], for: name))
        }
        return .path(try path())
    }

    private mutating func functionArguments(_ name: String) throws(KVTableError) -> [Operand] {
        advance()       // the name
        try expect("(")
        var arguments = [try operand()]
        while current.isSymbol(",") {
            advance()
            arguments.append(try operand())
        }
        try expect(")")
        return arguments
    }

    private func arity(_ name: String, _ arguments: [Operand], _ count: Int) throws(KVTableError) {
        guard arguments.count == count else {
            throw invalid("Incorrect number of operands for operator or function; operator or function: \(name), number of operands: \(arguments.count)")
        }
    }

    private func requirePath(_ operand: Operand, for name: String) throws(KVTableError) -> AttributePath {
        guard case .path(let path) = operand else {
            throw invalid("Operator or function requires a document path; operator or function: \(name)")
        }
        return path
    }

    private mutating func conditionFunction(_ name: String) throws(KVTableError) -> Condition {
        guard ExpressionReader.conditionFunctions.contains(name) else {
            if ExpressionReader.updateFunctions.contains(name) {
                throw invalid("The function is not allowed to be used this way in an expression; function: \(name)")
            }
            throw invalid("Invalid function name; function: \(name)")
        }
        try countOperator()
        let arguments = try functionArguments(name)
        switch name {
        case "attribute_exists":
            try arity(name, arguments, 1)
            return .attributeExists(try requirePath(arguments[0], for: name))
        case "attribute_not_exists":
            try arity(name, arguments, 1)
            return .attributeNotExists(try requirePath(arguments[0], for: name))
        case "attribute_type":
            try arity(name, arguments, 2)
            guard case .value(let value) = arguments[1] else {
                throw invalid("Incorrect operand type for operator or function; operator or function: \(name), operand type: a document path")
            }
            guard case .s(let typeName) = value else {
                throw invalid("Incorrect operand type for operator or function; operator or function: \(name), operand type: \(value.type.rawValue)")
            }
            guard let type = AttributeType(rawValue: typeName) else {
                throw invalid("Invalid type name found in attribute_type; type: \(typeName); valid types: S, SS, N, NS, B, BS, BOOL, NULL, L, M")
            }
            guard case .path(let path) = arguments[0] else {
                return .function(.attributeType, arguments[0], arguments[1])
            }
            return .attributeType(path, type)
        case "begins_with":
            try arity(name, arguments, 2)
            guard case .path(let path) = arguments[0] else { return .function(.beginsWith, arguments[0], arguments[1]) }
            return .beginsWith(path, arguments[1])
        default:    // contains
            try arity(name, arguments, 2)
            guard case .path(let path) = arguments[0] else { return .function(.contains, arguments[0], arguments[1]) }
            return .contains(path, arguments[1])
        }
    }

    // MARK: Updates

    mutating func update() throws(KVTableError) -> Update {
        var actions: [UpdateAction] = []
        var seen: Set<String> = []
        while current.kind != .end {
            guard case .word(let word) = current.kind else { throw syntaxError() }
            let clause = word.uppercased()
            guard ["SET", "REMOVE", "ADD", "DELETE"].contains(clause) else { throw syntaxError() }
            guard seen.insert(clause).inserted else {
                throw invalid("The \"\(clause)\" section can only be used once in an update expression;")
            }
            advance()
            actions.append(try updateAction(clause))
            while current.isSymbol(",") {
                advance()
                actions.append(try updateAction(clause))
            }
        }
        return Update(actions)
    }

    private mutating func updateAction(_ clause: String) throws(KVTableError) -> UpdateAction {
        try countOperator()
        let target = try path()
        switch clause {
        case "SET":
            try expect("=")
            return .set(target, try setValue())
        case "REMOVE":
            return .remove(target)
        case "ADD":
            return .add(target, try valuePlaceholder())
        default:
            return .delete(target, try valuePlaceholder())
        }
    }

    private mutating func setValue() throws(KVTableError) -> UpdateValue {
        let lhs = try setTerm()
        if current.isSymbol("+") {
            advance()
            try countOperator()
            return .plus(lhs, try setTerm())
        }
        if current.isSymbol("-") {
            advance()
            try countOperator()
            return .minus(lhs, try setTerm())
        }
        return lhs
    }

    private mutating func setTerm() throws(KVTableError) -> UpdateValue {
        if case .valuePlaceholder = current.kind {
            return .value(try valuePlaceholder())
        }
        guard atFunctionCall, case .word(let name) = current.kind else {
            return .path(try path())
        }
        guard ExpressionReader.updateFunctions.contains(name) else {
            if ExpressionReader.conditionFunctions.contains(name) {
                throw invalid("The function is not allowed in an update expression; function: \(name)")
            }
            throw invalid("Invalid function name; function: \(name)")
        }
        advance()
        try expect("(")
        try countOperator()
        try enter()
        defer { leave() }
        var arguments = [try setTerm()]
        while current.isSymbol(",") {
            advance()
            arguments.append(try setTerm())
        }
        try expect(")")
        guard arguments.count == 2 else {
            throw invalid("Incorrect number of operands for operator or function; operator or function: \(name), number of operands: \(arguments.count)")
        }
        if name == "if_not_exists" {
            guard case .path(let path) = arguments[0] else {
                throw invalid("Operator or function requires a document path; operator or function: \(name)")
            }
            return .ifNotExists(path, arguments[1])
        }
        return .listAppend(arguments[0], arguments[1])
    }

    // MARK: Projections

    mutating func projection() throws(KVTableError) -> [AttributePath] {
        var paths = [try path()]
        while current.isSymbol(",") {
            advance()
            paths.append(try path())
        }
        try expectEnd()
        return paths
    }
}

/// One token of an expression string, with where it starts and ends (UTF-8 offsets), so that
/// a syntax error can quote the text around it.
struct ExpressionToken: Equatable {
    enum Kind: Equatable {
        /// A bare word: an attribute name, a keyword (`AND`, `SET`, …) or a function name.
        case word(String)
        /// `#name`: an `ExpressionAttributeNames` placeholder.
        case namePlaceholder(String)
        /// `:value`: an `ExpressionAttributeValues` placeholder.
        case valuePlaceholder(String)
        /// Digits: a list index (only valid inside brackets).
        case integer(String)
        /// `= <> < <= > >= ( ) [ ] , . + -`.
        case symbol(String)
        case end
    }

    let kind: Kind
    let start: Int
    let end: Int

    /// The text DynamoDB quotes for this token in a syntax error.
    var text: String {
        switch kind {
        case .word(let word): return word
        case .namePlaceholder(let name), .valuePlaceholder(let name): return name
        case .integer(let digits): return digits
        case .symbol(let symbol): return symbol
        case .end: return "<EOF>"
        }
    }

    /// Whether this is the keyword `keyword` (keywords are case-insensitive).
    func isKeyword(_ keyword: String) -> Bool {
        if case .word(let word) = kind { return word.uppercased() == keyword }
        return false
    }

    func isSymbol(_ symbol: String) -> Bool {
        kind == .symbol(symbol)
    }
}

/// Splits an expression string into tokens.
///
/// Words are letters, digits and `_`, starting with a letter or `_`; placeholders are `#` or
/// `:` followed by letters, digits and `_`. Whitespace separates tokens and is otherwise
/// ignored. Anything else is a syntax error at that character.
enum ExpressionLexer {
    static func tokens(of source: String, kind: ExpressionKind) throws(KVTableError) -> [ExpressionToken] {
        let bytes = Array(source.utf8)
        var tokens: [ExpressionToken] = []
        var position = 0

        func isWordByte(_ byte: UInt8) -> Bool {
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F
        }
        func text(_ range: Range<Int>) -> String {
            String(decoding: bytes[range], as: UTF8.self)
        }
        func run(from start: Int) -> Int {
            var end = start
            while end < bytes.count && isWordByte(bytes[end]) { end += 1 }
            return end
        }

        while position < bytes.count {
            let byte = bytes[position]
            let start = position
            switch byte {
            case 0x20, 0x09, 0x0A, 0x0D:
                position += 1
                continue
            case UInt8(ascii: "#"), UInt8(ascii: ":"):
                let end = run(from: position + 1)
                guard end > position + 1 else {
                    throw syntaxError(kind: kind, source: source, token: text(start..<start + 1), start: start, end: start + 1,
                                      previousStart: tokens.last?.start)
                }
                let name = text(start..<end)
                tokens.append(ExpressionToken(kind: byte == UInt8(ascii: "#") ? .namePlaceholder(name) : .valuePlaceholder(name),
                                              start: start, end: end))
                position = end
            case UInt8(ascii: "<"), UInt8(ascii: ">"):
                var end = position + 1
                if end < bytes.count && (bytes[end] == UInt8(ascii: "=") || (byte == UInt8(ascii: "<") && bytes[end] == UInt8(ascii: ">"))) {
                    end += 1
                }
                tokens.append(ExpressionToken(kind: .symbol(text(start..<end)), start: start, end: end))
                position = end
            case UInt8(ascii: "="), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "["), UInt8(ascii: "]"),
                 UInt8(ascii: ","), UInt8(ascii: "."), UInt8(ascii: "+"), UInt8(ascii: "-"):
                tokens.append(ExpressionToken(kind: .symbol(text(start..<start + 1)), start: start, end: start + 1))
                position += 1
            default:
                // A name may contain `_` but not begin with it (DynamoDB: a syntax error at "_").
                guard isWordByte(byte), byte != UInt8(ascii: "_") else {
                    // One whole (possibly multi-byte) character, for the message.
                    var end = position + 1
                    while end < bytes.count && bytes[end] & 0xC0 == 0x80 { end += 1 }
                    throw syntaxError(kind: kind, source: source, token: text(start..<end), start: start, end: end,
                                      previousStart: tokens.last?.start)
                }
                let end = run(from: position)
                let word = text(start..<end)
                let isInteger = word.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
                tokens.append(ExpressionToken(kind: isInteger ? .integer(word) : .word(word), start: start, end: end))
                position = end
            }
        }
        tokens.append(ExpressionToken(kind: .end, start: bytes.count, end: bytes.count))
        return tokens
    }

    /// DynamoDB's syntax error: the offending token and, as "near", the source text from the
    /// token before it to the end of it; plus (KVTable's addition) the character position.
    static func syntaxError(kind: ExpressionKind, source: String, token: String, start: Int, end: Int,
                            previousStart: Int?) -> KVTableError {
        let bytes = Array(source.utf8)
        let near = String(decoding: bytes[(previousStart ?? start)..<min(end, bytes.count)], as: UTF8.self)
        return .validation("Invalid \(kind.rawValue): Syntax error; token: \"\(token)\", near: \"\(near)\" (at character \(start + 1))")
    }
}

/// Which expression is being parsed; its raw value is DynamoDB's parameter name, which every
/// error message starts with.
public enum ExpressionKind: String, Sendable, Hashable {
    /// `KeyConditionExpression`: a query's key condition.
    case keyCondition = "KeyConditionExpression"
    /// `ConditionExpression`: the condition of a write.
    case condition = "ConditionExpression"
    /// `FilterExpression`: the filter of a query or scan.
    case filter = "FilterExpression"
    /// `UpdateExpression`: the actions of an update.
    case update = "UpdateExpression"
    /// `ProjectionExpression`: the attributes to return.
    case projection = "ProjectionExpression"
}

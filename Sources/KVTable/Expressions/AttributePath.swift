/// A document path into an item: `a.b[2].c`.
///
/// Written as a string literal it is parsed (`"a.b[2].c"`); a top-level name that itself holds
/// dots or brackets is written ``name(_:)``.
///
/// An invalid literal (`"a..b"`, `"tags[-1]"`) does not stop the program: the path remembers
/// why it is invalid, and every request that uses it fails with that
/// ``KVTableError/validation(_:)`` before reading or writing anything (``validate()``).
/// ``init(parsing:)`` throws the same error at once, for text from outside the program.
public struct AttributePath: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// One step of a path.
    public enum Element: Sendable, Hashable {
        /// A map key (or, first, a top-level attribute name).
        case name(String)
        /// A list position, from 0.
        case index(Int)
    }

    /// The steps; the first is always a ``Element/name(_:)``.
    public let elements: [Element]
    /// Why the string literal this path was written as is not a valid path; nil for every
    /// valid path. (Its `elements` then hold the literal as one name.)
    let invalidLiteral: String?

    /// A path from its steps. The first must be a name and no index may be negative.
    public init(_ elements: [Element]) throws(KVTableError) {
        guard case .name(let first)? = elements.first else {
            throw .validation("Invalid document path: a path must start with an attribute name")
        }
        guard !first.isEmpty else {
            throw .validation("Invalid document path: empty attribute name")
        }
        for element in elements {
            if case .index(let i) = element, i < 0 {
                throw .validation("Invalid document path: list index \(i) is negative")
            }
        }
        guard elements.count <= 32 else {
            throw .validation("Invalid document path: nesting levels have exceeded supported limits")
        }
        self.elements = elements
        self.invalidLiteral = nil
    }

    /// The top-level attribute called exactly `name` (dots and brackets are part of the name).
    public static func name(_ name: String) -> AttributePath {
        AttributePath(unchecked: [.name(name)])
    }

    init(unchecked elements: [Element]) {
        self.init(elements: elements, invalidLiteral: nil)
    }

    private init(elements: [Element], invalidLiteral: String?) {
        self.elements = elements
        self.invalidLiteral = invalidLiteral
    }

    /// Parses `a.b[2].c`: names separated by dots, list indexes in brackets.
    public init(parsing text: String) throws(KVTableError) {
        var elements: [Element] = []
        var name = ""
        var index = text.startIndex
        var expectName = true
        func fail(_ why: String) -> KVTableError {
            .validation("Invalid document path \(text.debugDescription): \(why)")
        }
        while index < text.endIndex {
            let character = text[index]
            switch character {
            case ".":
                if expectName {
                    guard !name.isEmpty else { throw fail("empty attribute name") }
                    elements.append(.name(name))
                    name = ""
                } else {
                    expectName = true
                }
                guard text.index(after: index) < text.endIndex else { throw fail("ends with '.'") }
            case "[":
                if expectName {
                    guard !name.isEmpty else { throw fail("'[' must follow a name or an index") }
                    elements.append(.name(name))
                    name = ""
                }
                guard let close = text[index...].firstIndex(of: "]"),
                      let value = Int(text[text.index(after: index)..<close]), value >= 0 else {
                    throw fail("a list index must be a non-negative integer in brackets")
                }
                elements.append(.index(value))
                index = close
                expectName = false
            case "]":
                throw fail("unbalanced ']'")
            default:
                guard expectName else { throw fail("expected '.' or '[' after ']'") }
                name.append(character)
            }
            index = text.index(after: index)
        }
        if expectName {
            guard !name.isEmpty else { throw fail("empty attribute name") }
            elements.append(.name(name))
        }
        try self.init(elements)
    }

    /// Parses the literal. An invalid literal gives a path that every request rejects (see
    /// ``validate()``), never a crash.
    public init(stringLiteral value: String) {
        do {
            try self.init(parsing: value)
        } catch {
            self.init(elements: [.name(value)], invalidLiteral: error.message)
        }
    }

    /// Throws the ``KVTableError/validation(_:)`` error of an invalid string literal; does
    /// nothing for a valid path. Requests check every path they use with it before they run.
    public func validate() throws(KVTableError) {
        if let invalidLiteral { throw .validation(invalidLiteral) }
    }

    /// The top-level attribute name.
    public var attributeName: String {
        guard case .name(let name) = elements[0] else { preconditionFailure("paths start with a name") }
        return name
    }

    public var description: String {
        var result = ""
        for element in elements {
            switch element {
            case .name(let name): result += result.isEmpty ? name : "." + name
            case .index(let i): result += "[\(i)]"
            }
        }
        return result
    }

    /// The value at this path in `item`, or nil when any step is missing or of the wrong kind.
    public func value(in item: Item) -> AttributeValue? {
        // A stored item: follow the path through its bytes, decoding only the value reached.
        if case .encoded(let bytes) = item.storage {
            return bytes.withUnsafeBytes { buffer in
                ItemCodec.valueOffset(named: attributeName, in: buffer).flatMap {
                    ItemCodec.value(following: elements.dropFirst(), at: $0, in: buffer)
                }
            }
        }
        guard var current = item[attributeName] else { return nil }
        for element in elements.dropFirst() {
            switch (element, current) {
            case (.name(let name), .m(let map)):
                guard let next = map[name] else { return nil }
                current = next
            case (.index(let i), .l(let list)):
                guard i < list.count else { return nil }
                current = list[i]
            default:
                return nil
            }
        }
        return current
    }
}

extension Update {
    static let invalidPath = KVTableError.validation("The document path provided in the update expression is invalid for update")
    static let wrongType = KVTableError.validation("An operand in the update expression has an incorrect data type")

    /// DynamoDB's checks that need no item: key attributes are not updated, no two actions
    /// touch overlapping paths, literal operands have types their action can take.
    func validate(keyAttributes: [String]) throws(KVTableError) {
        for action in actions { try action.path.validate() }
        try ProjectionPaths.checkDisjoint(actions.map(\.path), expression: "UpdateExpression")
        for action in actions {
            let name = action.path.attributeName
            if keyAttributes.contains(name) {
                throw .validation("One or more parameter values were invalid: Cannot update attribute \(name). This attribute is part of the key")
            }
            switch action {
            case .set(_, let value):
                try Update.validate(value)
            case .remove:
                break
            case .add(_, let value):
                guard [.number, .stringSet, .numberSet, .binarySet].contains(value.type) else {
                    throw .validation("Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: \(value.type.rawValue)")
                }
                try ItemValidation.validate(value, depth: 0)
            case .delete(_, let value):
                guard [.stringSet, .numberSet, .binarySet].contains(value.type) else {
                    throw .validation("Invalid UpdateExpression: Incorrect operand type for operator or function; operator: DELETE, operand type: \(value.type.rawValue)")
                }
                try ItemValidation.validate(value, depth: 0)
            }
        }
    }

    private static func validate(_ value: UpdateValue) throws(KVTableError) {
        func literal(_ operand: UpdateValue, must type: AttributeType, for function: String) throws(KVTableError) {
            if case .value(let v) = operand, v.type != type {
                throw .validation("Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: \(function), operand type: \(v.type.rawValue)")
            }
        }
        switch value {
        case .value(let v):
            try ItemValidation.validate(v, depth: 0)
        case .path(let path):
            try path.validate()
        case .plus(let a, let b), .minus(let a, let b):
            let symbol = if case .plus = value { "+" } else { "-" }
            try literal(a, must: .number, for: symbol)
            try literal(b, must: .number, for: symbol)
            try validate(a)
            try validate(b)
        case .ifNotExists(let path, let fallback):
            try path.validate()
            try validate(fallback)
        case .listAppend(let a, let b):
            // DynamoDB does not nest list_append in list_append (if_not_exists inside is fine).
            for operand in [a, b] {
                if case .listAppend = operand {
                    throw .validation("Invalid UpdateExpression: The function is not allowed to be used this way in an expression; function: list_append")
                }
            }
            try literal(a, must: .list, for: "list_append")
            try literal(b, must: .list, for: "list_append")
            try validate(a)
            try validate(b)
        }
    }

    /// The item after the update. `old` is the stored item (nil when absent: the update then
    /// starts from the key attributes, creating the item, as DynamoDB does).
    func apply(to old: Item?, key: Item) throws(KVTableError) -> Item {
        let base = old ?? key
        // Every operand reads the item as it was before the update.
        var resolved: [(AttributePath, AttributeValue)] = []
        for case .set(let path, let value) in actions {
            resolved.append((path, try Update.resolve(value, in: base)))
        }
        var item = base
        for (path, value) in Update.inIndexOrder(resolved) {
            try Update.set(value, at: path, in: &item)
        }
        // Removals from one list apply from the highest index down, so that every index refers
        // to the list as it was.
        let removals = actions.compactMap { action -> AttributePath? in
            if case .remove(let path) = action { return path }
            return nil
        }.sorted { lhs, rhs in
            if case .index(let l)? = lhs.elements.last, case .index(let r)? = rhs.elements.last,
               lhs.elements.dropLast() == rhs.elements.dropLast() { return l > r }
            return false
        }
        // Removing below an attribute the stored item lacks is a bad path (DynamoDB); on an item
        // that does not exist it is nothing to do.
        for path in removals { try Update.remove(path, from: &item, missingIsInvalid: old != nil) }
        for action in actions {
            switch action {
            case .add(let path, let value):
                let current = path.value(in: item)
                try Update.set(try Update.add(value, to: current), at: path, in: &item)
            case .delete(let path, let value):
                guard let current = path.value(in: item) else { continue }
                if let remaining = try Update.subtract(value, from: current) {
                    try Update.set(remaining, at: path, in: &item)
                } else {
                    try Update.remove(path, from: &item)
                }
            case .set, .remove:
                continue
            }
        }
        return item
    }

    private static func resolve(_ value: UpdateValue, in item: Item) throws(KVTableError) -> AttributeValue {
        switch value {
        case .value(let v):
            return v
        case .path(let path):
            guard let v = path.value(in: item) else {
                throw .validation("The provided expression refers to an attribute that does not exist in the item")
            }
            return v
        case .plus(let a, let b), .minus(let a, let b):
            guard case .n(let x) = try resolve(a, in: item), case .n(let y) = try resolve(b, in: item) else {
                throw wrongType
            }
            if case .plus = value { return .n(try x.adding(y)) }
            return .n(try x.subtracting(y))
        case .ifNotExists(let path, let fallback):
            if let existing = path.value(in: item) { return existing }
            return try resolve(fallback, in: item)
        case .listAppend(let a, let b):
            guard case .l(let x) = try resolve(a, in: item), case .l(let y) = try resolve(b, in: item) else {
                throw wrongType
            }
            return .l(x + y)
        }
    }

    private static func add(_ value: AttributeValue, to current: AttributeValue?) throws(KVTableError) -> AttributeValue {
        guard let current else { return value }
        switch (current, value) {
        case (.n(let a), .n(let b)): return .n(try a.adding(b))
        case (.ss(let a), .ss(let b)): return .ss(a + b.filter { e in !a.contains { AttributeValue.s($0) == .s(e) } })
        case (.ns(let a), .ns(let b)): return .ns(a + b.filter { !a.contains($0) })
        case (.bs(let a), .bs(let b)): return .bs(a + b.filter { !a.contains($0) })
        default: throw wrongType
        }
    }

    /// The set without the given elements, or nil when nothing is left.
    private static func subtract(_ value: AttributeValue, from current: AttributeValue) throws(KVTableError) -> AttributeValue? {
        switch (current, value) {
        case (.ss(let a), .ss(let b)):
            let left = a.filter { e in !b.contains { AttributeValue.s($0) == .s(e) } }
            return left.isEmpty ? nil : .ss(left)
        case (.ns(let a), .ns(let b)):
            let left = a.filter { !b.contains($0) }
            return left.isEmpty ? nil : .ns(left)
        case (.bs(let a), .bs(let b)):
            let left = a.filter { !b.contains($0) }
            return left.isEmpty ? nil : .bs(left)
        default:
            throw wrongType
        }
    }

    // MARK: Document paths

    /// The paths `UPDATED_NEW` answers: each action's own path, read in the new item. A
    /// `SET list[i]` past the end appended its value elsewhere, so `list[i]` is not in the new
    /// item and is not returned — as DynamoDB answers it.
    func pathsInNewItem() -> [AttributePath] {
        actions.map(\.path)
    }

    /// The `SET` actions with those that write list elements of one list (`a[84]`, `a[17]`)
    /// in ascending index order, each group keeping the places its actions had: so several
    /// elements past the end are appended in index order, as DynamoDB appends them.
    private static func inIndexOrder(_ sets: [(AttributePath, AttributeValue)]) -> [(AttributePath, AttributeValue)] {
        var groups: [[AttributePath.Element]: [Int]] = [:]
        for (position, (path, _)) in sets.enumerated() {
            if case .index? = path.elements.last { groups[Array(path.elements.dropLast()), default: []].append(position) }
        }
        var ordered = sets
        for positions in groups.values where positions.count > 1 {
            let sorted = positions.map { sets[$0] }.sorted { lhs, rhs in
                guard case .index(let l)? = lhs.0.elements.last, case .index(let r)? = rhs.0.elements.last else { return false }
                return l < r
            }
            for (position, entry) in zip(positions, sorted) { ordered[position] = entry }
        }
        return ordered
    }

    static func set(_ value: AttributeValue, at path: AttributePath, in item: inout Item) throws(KVTableError) {
        let name = path.attributeName
        let rest = path.elements.dropFirst()
        if rest.isEmpty {
            item[name] = value
            return
        }
        guard let container = item[name] else { throw invalidPath }
        item[name] = try setting(value, at: rest, in: container)
    }

    private static func setting(_ value: AttributeValue, at path: ArraySlice<AttributePath.Element>,
                                in container: AttributeValue) throws(KVTableError) -> AttributeValue {
        let step = path.first!
        let rest = path.dropFirst()
        switch (step, container) {
        case (.name(let key), .m(var map)):
            if rest.isEmpty {
                map[key] = value
            } else {
                guard let child = map[key] else { throw invalidPath }
                map[key] = try setting(value, at: rest, in: child)
            }
            return .m(map)
        case (.index(let index), .l(var list)):
            if rest.isEmpty {
                if index < list.count { list[index] = value } else { list.append(value) }
            } else {
                guard index < list.count else { throw invalidPath }
                list[index] = try setting(value, at: rest, in: list[index])
            }
            return .l(list)
        default:
            throw invalidPath
        }
    }

    static func remove(_ path: AttributePath, from item: inout Item, missingIsInvalid: Bool = false) throws(KVTableError) {
        let name = path.attributeName
        let rest = path.elements.dropFirst()
        if rest.isEmpty {
            item[name] = nil
            return
        }
        guard let container = item[name] else {
            if missingIsInvalid { throw invalidPath }
            return
        }
        item[name] = try removing(rest, from: container)
    }

    private static func removing(_ path: ArraySlice<AttributePath.Element>,
                                 from container: AttributeValue) throws(KVTableError) -> AttributeValue {
        let step = path.first!
        let rest = path.dropFirst()
        switch (step, container) {
        case (.name(let key), .m(var map)):
            if rest.isEmpty {
                map[key] = nil
            } else if let child = map[key] {
                map[key] = try removing(rest, from: child)
            }
            return .m(map)
        case (.index(let index), .l(var list)):
            if index < list.count {
                if rest.isEmpty { list.remove(at: index) } else { list[index] = try removing(rest, from: list[index]) }
            }
            return .l(list)
        default:
            throw invalidPath
        }
    }
}

/// Selecting parts of an item (DynamoDB's `ProjectionExpression`).
///
/// Each path keeps its place in the document: projecting `a.b` returns `{a: {b: …}}`, and
/// projecting list elements `l[1]`, `l[3]` returns `l` with just those elements, in order.
enum ProjectionPaths {
    /// DynamoDB's rules: at least one path, and no two that overlap (`a` and `a.b`) or conflict
    /// (`a.b` and `a[0]`).
    static func validate(_ paths: [AttributePath]) throws(KVTableError) {
        guard !paths.isEmpty else {
            throw .validation("Invalid ProjectionExpression: The expression can not be empty;")
        }
        for path in paths { try path.validate() }
        try checkDisjoint(paths, expression: "ProjectionExpression")
    }

    /// No two paths may overlap (one a prefix of the other, or equal) or conflict (one goes
    /// on by name where the other goes on by index).
    static func checkDisjoint(_ paths: [AttributePath], expression: String) throws(KVTableError) {
        for (i, one) in paths.enumerated() {
            for two in paths[(i + 1)...] {
                let common = min(one.elements.count, two.elements.count)
                var position = 0
                while position < common && one.elements[position] == two.elements[position] { position += 1 }
                if position == common {
                    throw .validation("Invalid \(expression): Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [\(one.dynamoDBElementList)], path two: [\(two.dynamoDBElementList)]")
                }
                switch (one.elements[position], two.elements[position]) {
                case (.name, .index), (.index, .name):
                    throw .validation("Invalid \(expression): Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [\(one.dynamoDBElementList)], path two: [\(two.dynamoDBElementList)]")
                default:
                    continue
                }
            }
        }
    }

    /// Decodes the projection of a stored item: only the top-level attributes the paths
    /// start with are decoded, and nested paths are then cut out of those.
    static func decode(_ bytes: UnsafeRawBufferPointer, _ paths: [AttributePath]) throws -> Item {
        let item = try ItemCodec.decode(bytes, keeping: Set(paths.map(\.attributeName)))
        if paths.allSatisfy({ $0.elements.count == 1 }) { return item }
        return project(item, paths)
    }

    /// The parts of `item` named by `paths` (validated), in their document structure.
    static func project(_ item: Item, _ paths: [AttributePath]) -> Item {
        var byName: [String: [ArraySlice<AttributePath.Element>]] = [:]
        for path in paths {
            byName[path.attributeName, default: []].append(path.elements.dropFirst())
        }
        var result = Item(minimumCapacity: byName.count)
        for (name, rests) in byName {
            if let value = item[name], let projected = project(value, rests) {
                result[name] = projected
            }
        }
        return result
    }

    private static func project(_ value: AttributeValue, _ rests: [ArraySlice<AttributePath.Element>]) -> AttributeValue? {
        if rests.contains(where: \.isEmpty) { return value }
        switch value {
        case .m(let map):
            var groups: [String: [ArraySlice<AttributePath.Element>]] = [:]
            for rest in rests {
                if case .name(let key) = rest.first! { groups[key, default: []].append(rest.dropFirst()) }
            }
            var projected: [String: AttributeValue] = [:]
            for (key, inner) in groups {
                if let child = map[key], let part = project(child, inner) { projected[key] = part }
            }
            return projected.isEmpty ? nil : .m(projected)
        case .l(let list):
            var groups: [Int: [ArraySlice<AttributePath.Element>]] = [:]
            for rest in rests {
                if case .index(let i) = rest.first! { groups[i, default: []].append(rest.dropFirst()) }
            }
            let parts = groups.keys.sorted().compactMap { i -> AttributeValue? in
                i < list.count ? project(list[i], groups[i]!) : nil
            }
            return parts.isEmpty ? nil : .l(parts)
        default:
            return nil
        }
    }
}

extension AttributePath {
    /// The path as DynamoDB lists it in messages: `a.b[0]` is `a, b, [0]`.
    var dynamoDBElementList: String {
        elements.map { element in
            switch element {
            case .name(let name): return name
            case .index(let index): return "[\(index)]"
            }
        }.joined(separator: ", ")
    }
}

import KVTable
import KVTableDynamoDB

/// `ReturnConsumedCapacity`: the capacity units DynamoDB would charge for a request, counted
/// with DynamoDB's rules so that clients that budget or log capacity see the figures they would
/// see there. Nothing is throttled: a local store has no capacity to ration.
///
/// - A read costs one unit per 4 KB of the item read (its whole size, whatever the projection;
///   a missing item costs one unit), half for an eventually consistent read, twice in a
///   transaction. A query or scan adds up the items it reads (before the filter) and rounds
///   the sum up to 4 KB.
/// - A write costs one unit per 1 KB of the larger of the item before and after it (at least
///   one), twice in a transaction (whose condition checks count as writes of their item); each
///   secondary index whose entry the write puts, changes or removes costs the same for that
///   entry, an entry that moves to another index key costs its removal and its put, and an
///   entry the write leaves as it was costs nothing.
///
/// Sizes are DynamoDB's item sizes (names plus values, ``Item/dynamoDBItemSize``).
struct ConsumedCapacity {
    /// `TOTAL` (the sum per table) or `INDEXES` (also the table's and each index's share).
    let detailed: Bool
    private var tables: [String: TableUnits] = [:]

    private struct TableUnits {
        var read = 0.0
        var write = 0.0
        var table = 0.0
        var globalIndexes: [String: Double] = [:]
        var localIndexes: [String: Double] = [:]
    }

    /// The report the request asks for, or nil (`NONE`, or no `ReturnConsumedCapacity`).
    init?(_ request: WireRequest) throws(WireError) {
        guard let mode = try request.choice("ReturnConsumedCapacity", ["INDEXES", "TOTAL", "NONE"]), mode != "NONE" else {
            return nil
        }
        detailed = mode == "INDEXES"
    }

    static let readUnitBytes = 4096
    static let writeUnitBytes = 1024

    private static func units(_ bytes: Int, per unit: Int) -> Double {
        Double(max(1, (bytes + unit - 1) / unit))
    }

    /// One item read: `size` is nil for a missing item. `index` names the index read, if any.
    mutating func read(_ table: Table, size: Int?, consistent: Bool, transactional: Bool = false, index: String? = nil) {
        let units = Self.units(size ?? 0, per: Self.readUnitBytes) * (transactional ? 2 : consistent ? 1 : 0.5)
        add(units, to: table, index: index, isWrite: false)
    }

    /// A query or scan page that read items of `sizes` (before its filter).
    mutating func read(_ table: Table, pageOf sizes: [Int], consistent: Bool, index: String?) {
        let units = Self.units(sizes.reduce(0, +), per: Self.readUnitBytes) * (consistent ? 1 : 0.5)
        add(units, to: table, index: index, isWrite: false)
    }

    /// One item written: the item before (`old`) and after (`new`), nil where there is none.
    mutating func write(_ table: Table, old: Item?, new: Item?, transactional: Bool = false) {
        let factor = transactional ? 2.0 : 1
        let size = max(old?.dynamoDBItemSize ?? 0, new?.dynamoDBItemSize ?? 0)
        add(Self.units(size, per: Self.writeUnitBytes) * factor, to: table, index: nil, isWrite: true)
        for index in table.schema.secondaryIndexes {
            let indexKeys = index.keySchema.attributes.map(\.name)
            func entry(of item: Item?) -> (key: Item, entry: Item)? {
                item.flatMap { table.indexEntry(of: $0, inIndex: index.name) }.map { ($0.filter { indexKeys.contains($0.key) }, $0) }
            }
            let before = entry(of: old)
            let after = entry(of: new)
            var units = 0.0
            switch (before, after) {
            case (let before?, let after?) where before.entry == after.entry:
                break   // the write leaves the entry as it is: the index is not written
            case (let before?, let after?) where before.key == after.key:
                units = Self.units(max(before.entry.dynamoDBItemSize, after.entry.dynamoDBItemSize), per: Self.writeUnitBytes)
            default:
                for found in [before, after].compactMap({ $0 }) { units += Self.units(found.entry.dynamoDBItemSize, per: Self.writeUnitBytes) }
            }
            if units > 0 { add(units * factor, to: table, index: index.name, isWrite: true, local: index.isLocal) }
        }
    }

    private mutating func add(_ units: Double, to table: Table, index: String?, isWrite: Bool, local: Bool? = nil) {
        var entry = tables[table.name] ?? TableUnits()
        if isWrite { entry.write += units } else { entry.read += units }
        if let index {
            if local ?? (table.schema.index(named: index)?.isLocal == true) {
                entry.localIndexes[index, default: 0] += units
            } else {
                entry.globalIndexes[index, default: 0] += units
            }
        } else {
            entry.table += units
        }
        tables[table.name] = entry
    }

    /// The `ConsumedCapacity` of one table, as a single-table operation answers it.
    func json(for table: Table) -> JSONValue {
        json(name: table.name, tables[table.name] ?? TableUnits())
    }

    /// The `ConsumedCapacity` list of a batch: one entry per table, in name order.
    var list: JSONValue {
        .array(tables.keys.sorted().map { json(name: $0, tables[$0]!) })
    }

    private func json(name: String, _ units: TableUnits) -> JSONValue {
        var result: [String: JSONValue] = [
            "TableName": .string(name),
            "CapacityUnits": .number(units.read + units.write),
        ]
        if units.read > 0 { result["ReadCapacityUnits"] = .number(units.read) }
        if units.write > 0 { result["WriteCapacityUnits"] = .number(units.write) }
        if detailed {
            result["Table"] = .object(["CapacityUnits": .number(units.table)])
            func shares(_ indexes: [String: Double]) -> JSONValue {
                .object(indexes.mapValues { .object(["CapacityUnits": .number($0)]) })
            }
            if !units.globalIndexes.isEmpty { result["GlobalSecondaryIndexes"] = shares(units.globalIndexes) }
            if !units.localIndexes.isEmpty { result["LocalSecondaryIndexes"] = shares(units.localIndexes) }
        }
        return .object(result)
    }
}

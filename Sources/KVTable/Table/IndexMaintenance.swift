extension TableLayout {
    /// Brings every index in line with an item change, inside the item's write transaction.
    ///
    /// For each index: the old entry is removed when the old item had one under a different
    /// key (an index key attribute changed or disappeared), and the new entry is written when
    /// the new item has all the index's key attributes (indexes are sparse). Writing the new
    /// entry even when its key is unchanged keeps projected attributes current.
    func updateIndexes(_ writer: any StorageWriter, old: Item?, new: Item?, encodedNew: [UInt8]?) throws {
        for index in indexes {
            let oldKey = old.flatMap { indexKey(of: $0, in: index) }
            let newKey = new.flatMap { indexKey(of: $0, in: index) }
            if let oldKey, oldKey != newKey {
                try writer.delete(oldKey)
            }
            if let newKey, let new, let encodedNew {
                try writer.put(indexValue(of: new, encoded: encodedNew, in: index), forKey: newKey)
            }
        }
    }
}

extension TableLayout {
    /// The entry key of `item` in `index` when the item belongs in it: it has every index key
    /// attribute, each of the index's type and not empty. Items written through KVTable always
    /// pass (writes reject bad index keys); items stored before the index existed may not, and
    /// stay out of it, as in DynamoDB's backfill.
    func validIndexKey(of item: Item, in index: IndexLayout) -> [UInt8]? {
        for (position, attribute) in index.keyAttributes.enumerated() {
            guard let value = item[attribute.name] else { return nil }
            do {
                try TableLayout.checkKeyValue(value, attribute, isSortKey: position == 1, index: index.name)
            } catch {
                return nil
            }
        }
        return indexKey(of: item, in: index)
    }
}

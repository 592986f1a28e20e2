extension TableLayout {
    /// The attributes ``entries(ofNew:encoded:ttlAttribute:lookup:)`` reads: the table's and
    /// the indexes' key attributes, then the TTL attribute.
    func lookupNames(ttlAttribute: String?) -> AttributeNames {
        AttributeNames(allKeyAttributeNames + (ttlAttribute.map { [$0] } ?? []))
    }

    /// Every storage entry of an item that is new at its key: what a bulk insert writes.
    struct NewItemEntries {
        /// The item's own key (its value is the item's bytes).
        let key: [UInt8]
        /// Its index entries and its expiry entry.
        let secondary: [(key: [UInt8], value: [UInt8])]
    }

    /// The entries of `item` (its bytes `encoded`), checking its key attributes and the index
    /// key attributes it carries exactly as a single put does. The key and index attributes
    /// are looked up in one pass over the item, not one lookup per attribute per index.
    ///
    /// - Parameter lookup: ``lookupNames(ttlAttribute:)`` (made once per transaction).
    func entries(ofNew item: Item, encoded: [UInt8], ttlAttribute: String?, lookup: AttributeNames) throws(KVTableError) -> NewItemEntries {
        let values = item.values(named: lookup)

        var tableKey: [UInt8] = []
        tableKey.reserveCapacity(64)
        for (position, attribute) in keyAttributes.enumerated() {
            guard let value = values[position] else {
                throw .validation("One or more parameter values were invalid: Missing the key \(attribute.name) in the item")
            }
            try TableLayout.checkKeyValue(value, attribute, isSortKey: position == 1, index: nil)
            KeyEncoding.append(value, to: &tableKey)
        }
        let key = TableLayout.prefix(keyspace) + tableKey

        var secondary: [(key: [UInt8], value: [UInt8])] = []
        var offset = keyAttributes.count
        for index in indexes {
            var entryKey = TableLayout.prefix(index.keyspace)
            var complete = true
            for (position, attribute) in index.keyAttributes.enumerated() {
                if let value = values[offset + position] {
                    try TableLayout.checkKeyValue(value, attribute, isSortKey: position == 1, index: index.name)
                    KeyEncoding.append(value, to: &entryKey)
                } else {
                    complete = false   // sparse: no entry, but the other attributes are still checked
                }
            }
            offset += index.keyAttributes.count
            guard complete else { continue }
            entryKey += tableKey
            secondary.append((entryKey, indexValue(of: item, encoded: encoded, in: index)))
        }
        if ttlAttribute != nil, case .n(let expiry)? = values[offset] {
            var expiryKey = TableLayout.prefix(expiryKeyspace)
            KeyEncoding.append(.n(expiry), to: &expiryKey)
            expiryKey += tableKey
            secondary.append((expiryKey, []))
        }
        return NewItemEntries(key: key, secondary: secondary)
    }
}

@testable import KVTable

/// The input is what a store file holds for one item (a corrupt or hostile file, say). Whatever
/// the bytes, `ItemCodec.decode` ends in an item or a `KVTableError.storage` — never a trap or a
/// read out of bounds — and every way of reading an accepted item works. Bytes that also pass
/// the full check `verify` makes (`ItemCodec.validate`) are a well-formed item: every attribute
/// reads the same through iteration, lookup by name and the in-place reader, and the item
/// re-encodes to the same bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzItemCodec(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let valid = bytes.withUnsafeBytes { (try? ItemCodec.validate($0)) != nil }
    guard let item = try? ItemCodec.decode(bytes) else {
        precondition(!valid, "the full check accepts only what the read check accepts")
        bytes.withUnsafeBytes { raw in
            var entries = AttributeEntryBuffer()
            precondition(!accepts(raw, recording: &entries), "the recording check rejects what the check rejects")
        }
        return 0
    }
    // Whatever the names hold, reading everything must work.
    var names: [String] = []
    for (name, value) in item {
        _ = item[name]
        _ = value.dynamoDBJSON
        names.append(name)
    }
    _ = item.count
    let attributes = item.attributes
    _ = item.dynamoDBJSON.serialized()
    bytes.withUnsafeBytes { raw in
        var entries = AttributeEntryBuffer()
        precondition(accepts(raw, recording: &entries), "the recording check accepts what the check accepts")
        let stored = StoredItem(checkedBytes: raw, entries: entries.buffer)
        for name in names {
            let value = stored[name]
            if valid { precondition(value == item[name], "the in-place reader finds what the item finds: \(name)") }
        }
        let copy = stored.item
        if valid { precondition(copy == item, "the in-place reader copies out an equal item") }
    }
    guard valid else { return 0 }
    for (name, value) in item {
        precondition(item[name] == value, "lookup by name finds what iteration finds: \(name)")
    }
    precondition(names.count == item.count, "count is the number of attributes")
    precondition(Set(names).count == names.count, "names are unique")
    precondition(attributes.count == item.count, "the dictionary holds every attribute")
    let reencoded = ItemCodec.encode(attributes)
    precondition((try? ItemCodec.decode(reencoded)) == item, "a valid item re-encodes equal")
    return 0
}

/// Whether the check that records attribute offsets (the one visits use) accepts `bytes`.
func accepts(_ bytes: UnsafeRawBufferPointer, recording entries: inout AttributeEntryBuffer) -> Bool {
    do {
        _ = try ItemCodec.check(bytes, recording: &entries, locating: nil)
        return true
    } catch {
        return false
    }
}

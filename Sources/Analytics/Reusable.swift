import Synchronization

/// A value that one call borrows and gives back for the next — a table of numbered names, a
/// user numbering — when rebuilding it on every call would cost more than the call's work.
///
/// A call takes the value out and keeps it when done; a concurrent call finds none and starts
/// afresh rather than wait, so no call ever blocks on another. Only values for which any
/// state is correct may be kept this way (what a call finds in them must never change its
/// result, only its speed).
final class Reusable<Value: Sendable>: Sendable {
    private let kept = Mutex<Value?>(nil)

    init() {}

    /// The kept value, if any (nil while another call has it).
    func take() -> Value? {
        kept.withLock { $0.take() }
    }

    /// Keeps `value` for the next call (the latest one given back wins).
    func keep(_ value: Value) {
        kept.withLock { $0 = value }
    }
}

/// Attribute names as `String`s made once: a counter item has a few dozen names, the same on
/// every read, and making a `String` of a name of 16 bytes or more allocates. Bounded: past
/// `limit` names it starts again (feature and content-type names come from events).
struct NameTable: Sendable {
    private var numbers = StringInterner(capacity: 64)
    private var names: [String] = []
    private let limit = 4096

    /// The name whose UTF-8 bytes are `utf8`.
    mutating func name(ofUTF8 utf8: UnsafeRawBufferPointer) -> String {
        if names.count >= limit { self = NameTable() }
        let number = numbers.number(ofUTF8: utf8)
        if number == names.count { names.append(String(decoding: utf8, as: UTF8.self)) }
        return names[number]
    }
}

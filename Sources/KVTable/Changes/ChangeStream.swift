/// The committed changes to one table, in commit order: what ``Table/changes(bufferSize:)``
/// returns.
///
/// Its only error is ``KVTableError``, so a consumer that fell behind is caught by pattern:
///
/// ```swift
/// do {
///     for try await change in table.changes() { apply(change) }
/// } catch .changeStreamLagged {
///     resynchronise()   // then subscribe again
/// } catch {
///     report(error.code)
/// }
/// ```
///
/// Keep such a `do` exhaustive (end it with a plain `catch`): Swift 6.3 crashes compiling a
/// `do` whose typed error partly escapes a pattern-only `catch`.
///
/// The stream ends without an error when the store closes or the consuming task is cancelled.
public struct ChangeStream: AsyncSequence, Sendable {
    /// A committed change.
    public typealias Element = Change
    /// Every error of the stream is a ``KVTableError``.
    public typealias Failure = KVTableError

    /// Every error the hub finishes a stream with is a ``KVTableError``.
    let base: AsyncThrowingStream<Change, any Error>

    /// Reads the changes one at a time; not shared between tasks.
    public struct AsyncIterator: AsyncIteratorProtocol {
        /// A committed change.
        public typealias Element = Change
        /// Every error of the stream is a ``KVTableError``.
        public typealias Failure = KVTableError

        var base: AsyncThrowingStream<Change, any Error>.AsyncIterator

        /// The next change; nil once the stream has ended.
        public mutating func next() async throws(KVTableError) -> Change? {
            do {
                return try await base.next()
            } catch {
                throw Self.typed(error)
            }
        }

        /// The next change, resuming on `actor`; nil once the stream has ended.
        public mutating func next(isolation actor: isolated (any Actor)?) async throws(KVTableError) -> Change? {
            do {
                return try await base.next(isolation: actor)
            } catch {
                throw Self.typed(error)
            }
        }

        private static func typed(_ error: any Error) -> KVTableError {
            error as? KVTableError ?? .storage("The change stream failed: \(error)")
        }
    }

    /// An iterator over the stream; a stream is consumed once.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator())
    }
}

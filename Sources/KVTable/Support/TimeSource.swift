#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Where KVTable gets the time: wall-clock time for TTL expiry, and sleeping for background
/// services. Inject your own to test time-dependent behaviour without waiting.
public protocol TimeSource: Sendable {
    /// The current wall-clock time.
    func now() -> Date
    /// Suspends the calling task for `duration` (throws when the task is cancelled).
    func sleep(for duration: Duration) async throws
}

/// The system clock.
public struct SystemTimeSource: TimeSource {
    /// The system clock.
    public init() {}
    public func now() -> Date { Date() }
    public func sleep(for duration: Duration) async throws { try await Task.sleep(for: duration) }
}

extension TimeSource {
    /// The current time in epoch seconds, with milliseconds: what TTL attributes are compared with.
    public var epochSeconds: ExactDecimal {
        let milliseconds = Int((now().timeIntervalSince1970 * 1000).rounded(.down))
        return (try? ExactDecimal(coefficient: UInt128(milliseconds.magnitude), exponent: -3,
                                  isNegative: milliseconds < 0)) ?? .zero
    }
}

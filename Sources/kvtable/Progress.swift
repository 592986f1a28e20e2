import Foundation

/// Progress of long command-line work on standard error: count, rate and ETA, redrawn on one
/// line at most a few times a second — only when standard error is a terminal, so logs and
/// pipes get just the final summary line.
final class Progress {
    private let verb: String
    private var total: Int?
    private let started = ContinuousClock.now
    private var lastDrawn = ContinuousClock.now - .seconds(1)
    private let isTerminal = isatty(STDERR_FILENO) == 1
    private(set) var count = 0

    /// - Parameters:
    ///   - verb: what is being done, e.g. "copied".
    ///   - total: how many there are, when known (for the ETA).
    init(_ verb: String, total: Int? = nil) {
        self.verb = verb
        self.total = total
    }

    /// Sets the total (for the ETA) when it is only known as an estimate, e.g. from the bytes
    /// read so far.
    func estimateTotal(_ total: Int) {
        self.total = total
    }

    /// Counts `n` more and redraws when due.
    func advance(by n: Int) {
        count += n
        let now = ContinuousClock.now
        guard isTerminal, now - lastDrawn >= .milliseconds(200) else { return }
        lastDrawn = now
        var line = "\r\(count) \(verb), \(Int(rate)) items/s"
        if let total, rate > 0, total > count {
            line += ", ETA \(Progress.format(seconds: Double(total - count) / rate))"
        }
        FileHandle.standardError.write(Data((line + "\u{1B}[K").utf8))
    }

    /// Items per second so far.
    var rate: Double {
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return seconds > 0 ? Double(count) / seconds : 0
    }

    /// Elapsed time as text.
    var elapsed: String {
        let elapsed = ContinuousClock.now - started
        return Progress.format(seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    /// Clears the progress line (the caller then prints its one-line summary).
    func finish() {
        if isTerminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }

    static func format(seconds: Double) -> String {
        if seconds < 60 { return String(format: "%.1f s", seconds) }
        let whole = Int(seconds)
        return whole < 3600 ? "\(whole / 60) min \(whole % 60) s" : "\(whole / 3600) h \(whole % 3600 / 60) min"
    }
}

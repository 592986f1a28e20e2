import Histogram

/// One row of the report and of `--json`.
struct Measurement: Codable, Sendable {
    var scenario: String
    var engine: String
    var p50_ns: Double
    var p90_ns: Double
    var p99_ns: Double
    var p999_ns: Double
    var ops_per_s: Double
}

/// Times operations one by one into an HdrHistogram (nanoseconds, 3 significant digits).
struct LatencyRecorder {
    private var histogram = Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
    private(set) var operations = 0

    mutating func record(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        let nanoseconds = UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, attoseconds / 1_000_000_000))
        _ = histogram.record(max(1, nanoseconds))
        operations += 1
    }

    func measurement(scenario: String, engine: String, elapsed: Duration) -> Measurement {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return Measurement(scenario: scenario, engine: engine,
                           p50_ns: Double(histogram.valueAtPercentile(50)),
                           p90_ns: Double(histogram.valueAtPercentile(90)),
                           p99_ns: Double(histogram.valueAtPercentile(99)),
                           p999_ns: Double(histogram.valueAtPercentile(99.9)),
                           ops_per_s: seconds > 0 ? Double(operations) / seconds : 0)
    }
}

/// How long each engine runs in each scenario.
struct Budget: Sendable {
    var duration: Duration
    var maxOperations: Int
}

/// Runs `operation` repeatedly (after a short warm-up) until the budget is spent.
func measure(_ scenario: String, _ engine: String, budget: Budget,
             _ operation: (Int) throws -> Void) rethrows -> Measurement {
    let clock = ContinuousClock()
    for i in 0..<min(1000, budget.maxOperations / 10) { try operation(i) }   // warm-up
    var recorder = LatencyRecorder()
    let start = clock.now
    let deadline = start + budget.duration
    var i = 0
    while i < budget.maxOperations {
        let before = clock.now
        try operation(i)
        let after = clock.now
        recorder.record(after - before)
        i += 1
        if after >= deadline { break }
    }
    return recorder.measurement(scenario: scenario, engine: engine, elapsed: clock.now - start)
}

/// The same for async operations (writes).
func measureAsync(_ scenario: String, _ engine: String, budget: Budget,
                  _ operation: (Int) async throws -> Void) async rethrows -> Measurement {
    let clock = ContinuousClock()
    var recorder = LatencyRecorder()
    let start = clock.now
    let deadline = start + budget.duration
    var i = 0
    while i < budget.maxOperations {
        let before = clock.now
        try await operation(i)
        let after = clock.now
        recorder.record(after - before)
        i += 1
        if after >= deadline { break }
    }
    return recorder.measurement(scenario: scenario, engine: engine, elapsed: clock.now - start)
}

/// `tasks` concurrent tasks running `operation` until the budget's time is up.
func measureConcurrent(_ scenario: String, _ engine: String, tasks: Int, budget: Budget,
                       _ operation: @escaping @Sendable (_ task: Int, _ i: Int) async throws -> Void) async throws -> Measurement {
    let clock = ContinuousClock()
    let start = clock.now
    let deadline = start + budget.duration
    let perTask = max(1, budget.maxOperations / tasks)
    let samples = try await withThrowingTaskGroup(of: [Duration].self) { group in
        for task in 0..<tasks {
            group.addTask {
                var durations: [Duration] = []
                var i = 0
                while i < perTask {
                    let before = clock.now
                    try await operation(task, i)
                    let after = clock.now
                    durations.append(after - before)
                    i += 1
                    if after >= deadline { break }
                }
                return durations
            }
        }
        var all: [Duration] = []
        for try await durations in group { all += durations }
        return all
    }
    let elapsed = clock.now - start
    var recorder = LatencyRecorder()
    for sample in samples { recorder.record(sample) }
    return recorder.measurement(scenario: scenario, engine: engine, elapsed: elapsed)
}

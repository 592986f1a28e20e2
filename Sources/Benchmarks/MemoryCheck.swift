import Foundation
@_spi(Benchmarks) import KVTable

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The memory figures a full run reports: the process's peak RSS, and whether a long loop of
/// reads keeps the resident set flat (reads must not leak or grow caches per read).
enum MemoryCheck {
    static func run(_ bench: Bench, reads: Int) throws {
        let keys = bench.sampleKeys
        func readLoop(_ count: Int) throws {
            for i in 0..<count {
                guard try bench.table.read({ try $0.getItem(keys[i % keys.count]) }) != nil else {
                    throw BenchmarkError("miss")
                }
            }
        }
        try readLoop(min(reads, 1_000_000))   // warm: pools, caches, the map's pages
        let before = residentBytes()
        try readLoop(reads)
        let after = residentBytes()
        let growth = after - before
        print("\nMemory: peak RSS \(peakResidentBytes() >> 20) MiB; \(reads) getItem reads moved RSS by "
              + "\(growth / 1024) KiB (\(String(format: "%.3f", Double(growth) / Double(reads))) bytes per read)")
    }

    /// The resident set now, from /proc/self/statm (Linux); 0 where it is not available.
    static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
              let pages = text.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// The peak resident set of the process so far.
    static func peakResidentBytes() -> Int {
        var usage = rusage()
        #if canImport(Darwin)
        getrusage(RUSAGE_SELF, &usage)
        return Int(usage.ru_maxrss)          // bytes on Darwin
        #else
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Int(usage.ru_maxrss) * 1024   // KiB on Linux
        #endif
    }
}

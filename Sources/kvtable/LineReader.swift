import ArgumentParser
import Foundation

/// The lines of a file or of standard input, read 1 MiB at a time, so that input of any size
/// is read in bounded memory (`import`, `track-events`).
struct LineReader {
    private let source: FileHandle
    private var pending: [UInt8] = []
    private var start = 0
    private var atEnd = false
    /// The number of the line last returned (1-based, blank lines counted).
    private(set) var lineNumber = 0
    /// The input's size in bytes when it is a regular file (for an ETA), else nil.
    let size: Int?
    /// Bytes consumed so far, up to the end of the line last returned.
    private(set) var bytesRead = 0

    /// Reads `path`, or standard input when it is nil.
    init(path: String?) throws {
        if let path {
            guard let handle = FileHandle(forReadingAtPath: path) else { throw ValidationError("Cannot read \(path)") }
            source = handle
            size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
        } else {
            source = FileHandle.standardInput
            size = nil
        }
    }

    /// The next line that is not blank (without its line break), or nil at the end of input.
    mutating func next() throws -> String? {
        while true {
            if let newline = pending[start...].firstIndex(of: 0x0A) {
                let line = pending[start..<newline]
                bytesRead += newline + 1 - start
                start = newline + 1
                lineNumber += 1
                if let text = Self.text(line) { return text }
                continue
            }
            if atEnd {
                guard start < pending.count else { return nil }
                let line = pending[start...]
                bytesRead += pending.count - start
                start = pending.count
                lineNumber += 1
                if let text = Self.text(line) { return text }
                return nil
            }
            pending.removeSubrange(..<start)
            start = 0
            let chunk = try source.read(upToCount: 1 << 20) ?? Data()
            if chunk.isEmpty { atEnd = true } else { pending += chunk }
        }
    }

    private static func text(_ line: ArraySlice<UInt8>) -> String? {
        let text = String(decoding: line, as: UTF8.self)
        return text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : text
    }
}

import Foundation
import KVTable

/// Export formats.
public enum ExportFormat: Sendable, Hashable {
    /// One JSON object per line.
    case jsonLines
    /// RFC 4180 CSV with a header row; fields with commas, quotes or line breaks are quoted,
    /// quotes doubled.
    case csv
}

/// A JSON string literal (quotes included).
private func jsonQuoted(_ text: String) -> String {
    AttributeValue.s(text).plainJSON
}

extension Analytics {
    /// Streams the raw events with timestamps in `[start, end)` — oldest first, read a page at
    /// a time, so memory stays constant — to `write`, one line (with its `\n`) per call.
    ///
    /// JSON Lines objects hold `eventId`, `userId`, `eventType`, `sessionId`, `timestamp`
    /// (ISO-8601), `metadata` and `eventData` (numbers as JSON numbers with their exact digits,
    /// sets as arrays, binary as base64 strings). CSV columns are the same, with `eventData` as
    /// a JSON text.
    public func exportEvents(from start: Date, to end: Date, format: ExportFormat,
                             to write: (String) async throws -> Void) async throws {
        let columns = ["eventId", "userId", "eventType", "sessionId", "timestamp", "userAgent", "ipAddress", "platform", "eventData"]
        if format == .csv { try await write(CSV.line(columns)) }
        try await forEachRawEvent(from: start, to: end) { event in
            let data = AttributeValue.m(event.eventData ?? [:]).plainJSON
            let timestamp = EventLayout.iso8601(event.timestamp!)
            switch format {
            case .jsonLines:
                let metadata = "{\"userAgent\":\(jsonQuoted(event.metadata.userAgent)),\"ipAddress\":\(jsonQuoted(event.metadata.ipAddress)),\"platform\":\(jsonQuoted(event.metadata.platform))}"
                try await write("{\"eventId\":\(jsonQuoted(event.id!)),\"userId\":\(jsonQuoted(event.userId)),\"eventType\":\(jsonQuoted(event.eventType)),\"sessionId\":\(jsonQuoted(event.sessionId)),\"timestamp\":\(jsonQuoted(timestamp)),\"metadata\":\(metadata),\"eventData\":\(data)}\n")
            case .csv:
                try await write(CSV.line([event.id!, event.userId, event.eventType, event.sessionId, timestamp,
                                          event.metadata.userAgent, event.metadata.ipAddress, event.metadata.platform, data]))
            }
        }
    }

    /// Streams stored rollup records of one metric type and granularity with periods starting
    /// in `[start, end)`: JSON Lines (one record per line) or CSV in long form
    /// (`metricType,granularity,timestamp,endTimestamp,metric,value`).
    public func exportMetrics(metricType: String, granularity: Granularity, from start: Date, to end: Date,
                              format: ExportFormat, to write: (String) async throws -> Void) async throws {
        if format == .csv { try await write(CSV.line(["metricType", "granularity", "timestamp", "endTimestamp", "metric", "value"])) }
        for record in try await getMetrics(metricType: metricType, granularity: granularity, start: start, end: end) {
            switch format {
            case .jsonLines:
                let metrics = record.metrics.sorted { $0.key < $1.key }.map { "\(jsonQuoted($0.key)):\($0.value)" }.joined(separator: ",")
                try await write("{\"metricType\":\(jsonQuoted(record.metricType)),\"granularity\":\"\(record.granularity.rawValue)\",\"timestamp\":\(jsonQuoted(record.timestamp)),\"endTimestamp\":\(jsonQuoted(record.endTimestamp)),\"metrics\":{\(metrics)},\"version\":\(record.version)}\n")
            case .csv:
                for (name, value) in record.metrics.sorted(by: { $0.key < $1.key }) {
                    try await write(CSV.line([record.metricType, record.granularity.rawValue, record.timestamp, record.endTimestamp, name, value.description]))
                }
            }
        }
    }
}

/// CSV field quoting (RFC 4180).
enum CSV {
    static func line(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",") + "\r\n"
    }

    static func field(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

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
        let utc = PeriodCalendar(timeZone: TimeZone(identifier: "UTC")!)
        for day in utc.periods(.daily, from: start, to: end) {
            var cursor: PageCursor?
            repeat {
                let page = try await table.query(Query(
                    partitionKey: .s("ANALYTICS#\(day.key)"),
                    sortKey: .between(.s("EVENT#\(EventLayout.paddedMillis(max(start, day.start)))"),
                                      .s("EVENT#\(EventLayout.paddedMillis(min(end, day.end).addingTimeInterval(-0.001)))~")),
                    limit: 500, startAfter: cursor))
                for event in page.items.compactMap(EventLayout.event(from:)) where event.timestamp! >= start && event.timestamp! < end {
                    let data = JSONText.render(.m(event.eventData ?? [:]))
                    let timestamp = EventLayout.iso8601(event.timestamp!)
                    switch format {
                    case .jsonLines:
                        let metadata = "{\"userAgent\":\(JSONText.quote(event.metadata.userAgent)),\"ipAddress\":\(JSONText.quote(event.metadata.ipAddress)),\"platform\":\(JSONText.quote(event.metadata.platform))}"
                        try await write("{\"eventId\":\(JSONText.quote(event.id!)),\"userId\":\(JSONText.quote(event.userId)),\"eventType\":\(JSONText.quote(event.eventType)),\"sessionId\":\(JSONText.quote(event.sessionId)),\"timestamp\":\(JSONText.quote(timestamp)),\"metadata\":\(metadata),\"eventData\":\(data)}\n")
                    case .csv:
                        try await write(CSV.line([event.id!, event.userId, event.eventType, event.sessionId, timestamp,
                                                  event.metadata.userAgent, event.metadata.ipAddress, event.metadata.platform, data]))
                    }
                }
                cursor = page.nextCursor
            } while cursor != nil
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
                let metrics = record.metrics.sorted { $0.key < $1.key }.map { "\(JSONText.quote($0.key)):\($0.value)" }.joined(separator: ",")
                try await write("{\"metricType\":\(JSONText.quote(record.metricType)),\"granularity\":\"\(record.granularity.rawValue)\",\"timestamp\":\(JSONText.quote(record.timestamp)),\"endTimestamp\":\(JSONText.quote(record.endTimestamp)),\"metrics\":{\(metrics)},\"version\":\(record.version)}\n")
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

/// Attribute values as plain JSON text; numbers keep their exact digits.
enum JSONText {
    static func render(_ value: AttributeValue) -> String {
        switch value {
        case .s(let s): return quote(s)
        case .n(let n): return n.description
        case .b(let b): return quote(b.base64EncodedString())
        case .bool(let flag): return flag ? "true" : "false"
        case .null: return "null"
        case .l(let list): return "[" + list.map(render).joined(separator: ",") + "]"
        case .m(let map):
            return "{" + map.sorted { $0.key < $1.key }.map { "\(quote($0.key)):\(render($0.value))" }.joined(separator: ",") + "}"
        case .ss(let set): return "[" + set.map(quote).joined(separator: ",") + "]"
        case .ns(let set): return "[" + set.map(\.description).joined(separator: ",") + "]"
        case .bs(let set): return "[" + set.map { quote($0.base64EncodedString()) }.joined(separator: ",") + "]"
        }
    }

    static func quote(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if scalar.value < 0x20 {
                    result += String(format: "\\u%04x", scalar.value)
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}

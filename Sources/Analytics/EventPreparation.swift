import Crypto
import Foundation
import KVTable

/// Validation, sanitisation and anonymisation: everything that happens to an event before it
/// is stored, with the rules of SPEC §1.3.
enum EventPreparation {
    static let maximumStringLength = 1000
    static let maximumListCount = 100
    static let maximumIdentifierBytes = 1024

    /// A validated, sanitised, anonymised event with its id and timestamp fixed.
    static func prepare(_ event: AnalyticsEvent, now: Date, configuration: AnalyticsConfiguration) throws(InvalidEvent) -> AnalyticsEvent {
        var event = event
        event.userId = try identifier(event.userId, field: "userId")
        event.sessionId = try identifier(event.sessionId, field: "sessionId")
        guard configuration.eventTypes.contains(event.eventType) else {
            throw InvalidEvent(field: "eventType", reason: "\(event.eventType.debugDescription) is not one of \(configuration.eventTypes.sorted().joined(separator: ", "))")
        }
        event.metadata.userAgent = try required(event.metadata.userAgent, field: "metadata.userAgent")
        event.metadata.platform = try required(event.metadata.platform, field: "metadata.platform")
        let ip = try required(event.metadata.ipAddress, field: "metadata.ipAddress")
        if let id = event.id {
            guard UUID(uuidString: id) != nil else { throw InvalidEvent(field: "id", reason: "must be a UUID") }
            event.id = id.lowercased()
        }
        let timestamp = event.timestamp ?? now
        guard timestamp.timeIntervalSince1970 >= 0, timestamp.timeIntervalSince1970 < 32_503_680_000 else {
            throw InvalidEvent(field: "timestamp", reason: "must be between 1970 and 3000")
        }
        // Milliseconds, as stored.
        event.timestamp = Date(timeIntervalSince1970: (timestamp.timeIntervalSince1970 * 1000).rounded(.down) / 1000)
        event.metadata.ipAddress = try anonymise(ip, configuration.ipAddresses, day: TimeBuckets.utcDay(event.timestamp!))
        if event.id == nil { event.id = UUIDv7.make(at: timestamp).uuidString.lowercased() }
        if let data = event.eventData {
            event.eventData = try sanitise(data, path: "eventData", depth: 1, configuration: configuration)
        }
        return event
    }

    private static func required(_ value: String, field: String) throws(InvalidEvent) -> String {
        let trimmed = value.trimmedWhitespace
        guard !trimmed.isEmpty else { throw InvalidEvent(field: field, reason: "is required and must not be empty") }
        return trimmed
    }

    private static func identifier(_ value: String, field: String) throws(InvalidEvent) -> String {
        let trimmed = try required(value, field: field)
        guard trimmed.utf8.count <= maximumIdentifierBytes else {
            throw InvalidEvent(field: field, reason: "is longer than \(maximumIdentifierBytes) bytes")
        }
        return trimmed
    }

    // MARK: Sanitisation

    /// Strings trimmed and cut to 1,000 characters, lists (and sets) cut to 100 elements,
    /// maps sanitised recursively, `NULL`s removed; nesting deeper than the configured limit is
    /// rejected.
    static func sanitise(_ map: [String: AttributeValue], path: String, depth: Int,
                         configuration: AnalyticsConfiguration) throws(InvalidEvent) -> [String: AttributeValue] {
        guard depth <= configuration.maximumNesting else {
            throw InvalidEvent(field: path, reason: "is nested deeper than \(configuration.maximumNesting) levels")
        }
        var result: [String: AttributeValue] = [:]
        for (key, value) in map {
            if let clean = try sanitise(value, path: "\(path).\(key)", depth: depth, configuration: configuration) {
                result[key] = clean
            }
        }
        return result
    }

    private static func sanitise(_ value: AttributeValue, path: String, depth: Int,
                                 configuration: AnalyticsConfiguration) throws(InvalidEvent) -> AttributeValue? {
        switch value {
        case .null:
            return nil
        case .s(let text):
            return .s(cut(text))
        case .n, .b, .bool:
            return value
        case .m(let map):
            return .m(try sanitise(map, path: path, depth: depth + 1, configuration: configuration))
        case .l(let list):
            guard depth + 1 <= configuration.maximumNesting else {
                throw InvalidEvent(field: path, reason: "is nested deeper than \(configuration.maximumNesting) levels")
            }
            var clean: [AttributeValue] = []
            for (index, element) in list.prefix(maximumListCount).enumerated() {
                if let sanitised = try sanitise(element, path: "\(path)[\(index)]", depth: depth + 1, configuration: configuration) {
                    clean.append(sanitised)
                }
            }
            return .l(clean)
        case .ss(let set):
            // Trimming may make two elements equal: keep each once.
            var seen = Set<[UInt8]>()
            let clean = set.map(cut).filter { seen.insert(Array($0.utf8)).inserted }
            return .ss(Array(clean.prefix(maximumListCount)))
        case .ns(let set):
            return .ns(Array(set.prefix(maximumListCount)))
        case .bs(let set):
            return .bs(Array(set.prefix(maximumListCount)))
        }
    }

    private static func cut(_ text: String) -> String {
        let trimmed = text.trimmedWhitespace
        return trimmed.count > maximumStringLength ? String(trimmed.prefix(maximumStringLength)) : trimmed
    }

    // MARK: IP addresses

    static func anonymise(_ address: String, _ policy: IPAddressPolicy, day: String = "") throws(InvalidEvent) -> String {
        switch policy {
        case .keep:
            return address
        case .hash(let secret):
            let salt = HMAC<SHA256>.authenticationCode(for: Data(day.utf8), using: SymmetricKey(data: Data(secret.utf8)))
            let digest = HMAC<SHA256>.authenticationCode(for: Data(address.utf8), using: SymmetricKey(data: Data(salt)))
            return "h:" + digest.prefix(16).map { String(format: "%02x", $0) }.joined()
        case .truncate:
            if let v4 = truncateIPv4(address) { return v4 }
            if let v6 = truncateIPv6(address) { return v6 }
            throw InvalidEvent(field: "metadata.ipAddress", reason: "is not an IPv4 or IPv6 address")
        }
    }

    /// `a.b.c.d` → `a.b.c.0`.
    static func truncateIPv4(_ address: String) -> String? {
        let parts = address.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts.allSatisfy({ UInt8($0) != nil && !$0.isEmpty && $0.count <= 3 }) else { return nil }
        return "\(parts[0]).\(parts[1]).\(parts[2]).0"
    }

    /// Keeps the first 48 bits (three groups): `2001:db8:85a3:8d3:1319:8a2e:370:7348` →
    /// `2001:db8:85a3::`.
    static func truncateIPv6(_ address: String) -> String? {
        var text = address
        if let percent = text.firstIndex(of: "%") { text = String(text[..<percent]) }   // zone id
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ part: String) -> [String]? {
            if part.isEmpty { return [] }
            let groups = part.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard groups.allSatisfy({ (1...4).contains($0.count) && UInt16($0, radix: 16) != nil }) else { return nil }
            return groups
        }
        guard let head = groups(halves[0]) else { return nil }
        var all = head
        if halves.count == 2 {
            guard let tail = groups(halves[1]), head.count + tail.count < 8 else { return nil }
            all += [String](repeating: "0", count: 8 - head.count - tail.count) + tail
        }
        guard all.count == 8 else { return nil }
        let kept = all.prefix(3).map { String(UInt16($0, radix: 16)!, radix: 16) }
        return kept.joined(separator: ":") + "::"
    }
}

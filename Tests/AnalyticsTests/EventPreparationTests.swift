import Foundation
import KVTable
import Testing
@testable import Analytics

@Suite("Event validation, sanitisation and anonymisation")
struct EventPreparationTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000.123)

    static let invalid: [(String, AnalyticsEvent, InvalidEvent)] = [
        ("empty user", event(""), InvalidEvent(field: "userId", reason: "is required and must not be empty")),
        ("blank session", event(session: "  "), InvalidEvent(field: "sessionId", reason: "is required and must not be empty")),
        ("unknown type", event("u", "purchase"), InvalidEvent(field: "eventType", reason: "\"purchase\" is not one of ai_request, content_create, error, feature_use, page_view")),
        ("empty ip", event(ip: ""), InvalidEvent(field: "metadata.ipAddress", reason: "is required and must not be empty")),
        ("bad ip", event(ip: "not-an-ip"), InvalidEvent(field: "metadata.ipAddress", reason: "is not an IPv4 or IPv6 address")),
        ("bad id", event(id: "123"), InvalidEvent(field: "id", reason: "must be a UUID")),
        ("too deep", event(data: ["a": ["b": ["c": ["d": ["e": ["f": ["g": ["h": ["i": "deep"]]]]]]]]]),
         InvalidEvent(field: "eventData.a.b.c.d.e.f.g.h", reason: "is nested deeper than 8 levels")),
        ("huge id", event(String(repeating: "x", count: 2000)), InvalidEvent(field: "userId", reason: "is longer than 1024 bytes")),
    ]

    @Test("Each invalid field is named")
    func validation() {
        for (name, input, expected) in Self.invalid {
            #expect(throws: expected, "\(name)") {
                try EventPreparation.prepare(input, now: Self.now, configuration: AnalyticsConfiguration())
            }
        }
        var metadata = event()
        metadata.metadata.platform = ""
        #expect(throws: InvalidEvent(field: "metadata.platform", reason: "is required and must not be empty")) {
            try EventPreparation.prepare(metadata, now: Self.now, configuration: AnalyticsConfiguration())
        }
    }

    @Test("eventData is sanitised as SPEC §1.3 says")
    func sanitisation() throws {
        let long = String(repeating: "é", count: 1500)
        let input = event(data: [
            "title": "  padded title \n", "long": .s(long), "gone": nil,
            "list": .l((0..<150).map { .number($0) } + [nil]), "nested": ["keep": " x ", "drop": nil, "inner": ["deeper": " y "]],
            "tags": .ss([" a", "a ", "b"]), "n": 5, "flag": true,
        ])
        let prepared = try EventPreparation.prepare(input, now: Self.now, configuration: AnalyticsConfiguration())
        let data = try #require(prepared.eventData)
        #expect(data["title"] == "padded title")
        #expect(data["long"]?.stringValue?.count == 1000)
        #expect(data["gone"] == nil)
        #expect(data["list"] == .l((0..<100).map { .number($0) }))
        #expect(data["nested"] == ["keep": "x", "inner": ["deeper": "y"]])
        #expect(data["tags"] == .ss(["a", "b"]))
        #expect(data["n"] == 5 && data["flag"] == true)
        // id and time are assigned; time kept to the millisecond.
        #expect(prepared.timestamp == Date(timeIntervalSince1970: 1_800_000_000.123))
        let id = try #require(prepared.id)
        #expect(id.count == 36 && Array(id)[14] == "7")
    }

    @Test("IP addresses are truncated to /24 and /48, or kept", arguments: [
        ("203.0.113.77", "203.0.113.0"), ("10.1.2.3", "10.1.2.0"),
        ("2001:0db8:85a3:08d3:1319:8a2e:0370:7348", "2001:db8:85a3::"), ("2001:db8::1", "2001:db8:0::"),
        ("::1", "0:0:0::"), ("fe80::1%eth0", "fe80:0:0::"),
    ])
    func ipTruncation(input: String, expected: String) throws {
        #expect(try EventPreparation.anonymise(input, .truncate) == expected)
        #expect(try EventPreparation.anonymise(input, .keep) == input)
    }

    @Test("Malformed addresses are rejected when truncating", arguments: ["1.2.3", "1.2.3.256", "1::2::3", "12345::", "x.y.z.w"])
    func badAddresses(input: String) {
        #expect(throws: InvalidEvent.self) { try EventPreparation.anonymise(input, .truncate) }
    }

    @Test("Hashed addresses: stable within a day, different across days and secrets, never the address")
    func ipHashing() throws {
        let policy = IPAddressPolicy.hash(secret: "s3cret")
        let monday = try EventPreparation.anonymise("203.0.113.77", policy, day: "2027-01-18")
        #expect(monday.hasPrefix("h:") && monday.count == 34 && !monday.contains("203"))
        #expect(try EventPreparation.anonymise("203.0.113.77", policy, day: "2027-01-18") == monday)
        #expect(try EventPreparation.anonymise("203.0.113.78", policy, day: "2027-01-18") != monday)
        #expect(try EventPreparation.anonymise("203.0.113.77", policy, day: "2027-01-19") != monday)
        #expect(try EventPreparation.anonymise("203.0.113.77", .hash(secret: "other"), day: "2027-01-18") != monday)
        var configuration = AnalyticsConfiguration()
        configuration.ipAddresses = policy
        let prepared = try EventPreparation.prepare(event(at: Self.now), now: Self.now, configuration: configuration)
        #expect(prepared.metadata.ipAddress == (try EventPreparation.anonymise("203.0.113.77", policy, day: TimeBuckets.utcDay(Self.now))))
    }

    @Test("UUIDv7 ids are version 7 and sort by time")
    func uuidV7() {
        let ids = (0..<50).map { UUIDv7.make(at: Date(timeIntervalSince1970: 1_800_000_000 + Double($0))).uuidString.lowercased() }
        #expect(ids == ids.sorted())
        #expect(ids.allSatisfy { Array($0)[14] == "7" && "89ab".contains(Array($0)[19]) })
    }
}

@Suite("Civil time arithmetic")
struct CivilTimeTests {
    @Test("Agrees with Foundation's ISO-8601 calendar across years, zones and week boundaries")
    func agreesWithCalendar() {
        var random = SplitMix(seed: 5)
        for zone in ["UTC", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "Pacific/Kiritimati"] {
            let timeZone = TimeZone(identifier: zone)!
            var calendar = Calendar(identifier: .iso8601)
            calendar.timeZone = timeZone
            for _ in 0..<500 {
                let date = Date(timeIntervalSince1970: Double(random.below(4_102_444_800 * 1000)) / 1000)   // 1970…2100
                let fast = CivilTime(date, offsetSeconds: timeZone.offsetSeconds(at: date))
                let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday, .yearForWeekOfYear, .weekOfYear], from: date)
                #expect([fast.year, fast.month, fast.day, fast.hour, fast.minute, fast.second] == [c.year, c.month, c.day, c.hour, c.minute, c.second].map { $0! }, "\(zone) \(date)")
                #expect(fast.isoWeekYear == c.yearForWeekOfYear && fast.isoWeek == c.weekOfYear, "\(zone) \(date)")
                #expect(fast.weekday == (c.weekday! + 5) % 7 + 1)
            }
        }
        #expect(CivilTime(Date(timeIntervalSince1970: 1_800_000_000.123), offsetSeconds: 0).iso8601 == "2027-01-15T08:00:00.123Z")
        #expect(CivilTime(Date(timeIntervalSince1970: -1), offsetSeconds: 0).iso8601 == "1969-12-31T23:59:59.000Z")
    }
}

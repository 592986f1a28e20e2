import Foundation
import KVTable

// The code of Sources/KVTable/KVTable.docc/SingleTableDesign.md. Every ```swift block of that document must appear in
// this file verbatim (DocumentationExampleTests checks it), and the tests run it.

// doc: entities
struct User: Entity {
    static let entityType = "User"
    static let key = KeyTemplate(partition: "USER#{userId}", sort: "PROFILE")
    static let indexKeys = ["GSI3": KeyTemplate(partition: "USERS", sort: "{createdAt}#{userId}")]
    static let uniqueAttributes = ["email"]

    var userId: String
    var email: String
    var name: String
    var createdAt: Date

    /// The typed key: `User.Key(userID:)` does not compile.
    struct Key: EntityKey {
        typealias Entity = User
        var userId: String
    }
}

struct AudioFile: Entity {
    static let entityType = "AudioFile"
    static let key = KeyTemplate(partition: "USER#{userId}", sort: "FILE#{uploadedAt}#{fileId}")
    static let indexKeys = ["GSI7": KeyTemplate(partition: "UPLOADS#{uploadDay}", sort: "{uploadedAt}#{fileId}")]

    var fileId: String
    var userId: String
    var filename: String
    var sizeBytes: Int
    var uploadedAt: Date
    var uploadDay: String   // YYYY-MM-DD, for "everything uploaded that day"
}
// doc: end

// doc: access
/// Users by id and by their unique e-mail address.
func user(id: String, in table: Table) async throws -> User? {
    try await table.get(User.Key(userId: id))
}

func user(email: String, in table: Table) async throws -> User? {
    try await table.find(User.self, unique: "email", .s(email))
}

/// A user's audio files, newest first, a page at a time.
func audioFiles(of userId: String, in table: Table, limit: Int = 20,
                after cursor: PageCursor? = nil) async throws -> ([AudioFile], PageCursor?) {
    let page = try await table.queryEntities(
        Query(partitionKey: try AudioFile.partitionKey(["userId": .s(userId)]),
              sortKey: .beginsWith("FILE#"), ascending: false, limit: limit, startAfter: cursor),
        as: [AudioFile.self])
    return (page.entities(of: AudioFile.self), page.nextCursor)
}

/// A user may only read their own files: the lookup is confined to the requester's own
/// partition, so another user's file id finds nothing — there is no path to it to get wrong.
func audioFile(_ fileId: String, requestedBy requester: String, in table: Table) async throws -> AudioFile? {
    let page = try await table.queryEntities(
        Query(partitionKey: try AudioFile.partitionKey(["userId": .s(requester)]),
              sortKey: .beginsWith("FILE#"), filter: .attribute("fileId") == .value(.s(fileId))),
        as: [AudioFile.self])
    return page.entities(of: AudioFile.self).first
}
// doc: end

// doc: metrics
/// A pre-computed rollup (SPEC §1.2):
/// PK = ANALYTICS#{metricType}#{granularity}, SK = {timestamp},
/// GSI1 = ANALYTICS / {granularity}#{timestamp}#{metricType}  (all metrics of a time range),
/// GSI2 = ANALYTICS_TYPE#{metricType} / {timestamp}           (one metric type over time).
struct RollupRecord: Entity {
    static let entityType = "RollupRecord"
    static let key = KeyTemplate(partition: "ANALYTICS#{metricType}#{granularity}", sort: "{timestamp}")
    static let indexKeys = [
        "GSI1": KeyTemplate(partition: "ANALYTICS", sort: "{granularity}#{timestamp}#{metricType}"),
        "GSI2": KeyTemplate(partition: "ANALYTICS_TYPE#{metricType}", sort: "{timestamp}"),
    ]

    var metricType: String      // users, media, albums, interactions, generations, …
    var granularity: String     // hourly, daily, weekly, monthly
    var timestamp: String       // start of the period, ISO-8601 UTC
    var endTimestamp: String
    var metrics: [String: ExactDecimal]
    var calculatedAt: Date
    var version: Int
}

/// Every metric type of one granularity in a time range (GSI1).
func metrics(granularity: String, from start: String, to end: String,
             in table: Table) async throws -> [RollupRecord] {
    let page = try await table.queryEntities(
        Query(indexName: "GSI1", partitionKey: "ANALYTICS",
              sortKey: .between(.s("\(granularity)#\(start)"), .s("\(granularity)#\(end)~"))),
        as: [RollupRecord.self])
    return page.entities(of: RollupRecord.self)
}

/// One metric type over time, every granularity (GSI2).
func history(of metricType: String, from start: String, to end: String,
             in table: Table) async throws -> [RollupRecord] {
    let page = try await table.queryEntities(
        Query(indexName: "GSI2", partitionKey: try RollupRecord.partitionKey(["metricType": .s(metricType)], index: "GSI2"),
              sortKey: .between(.s(start), .s(end))),
        as: [RollupRecord.self])
    return page.entities(of: RollupRecord.self)
}
// doc: end

// doc: several types
func profileAndFiles(in table: Table) async throws -> (User?, [AudioFile]) {
    let page = try await table.queryEntities(Query(partitionKey: "USER#42"), as: [User.self, AudioFile.self])
    let profile = page.entities(of: User.self).first
    let files = page.entities(of: AudioFile.self)
    return (profile, files)
}
// doc: end

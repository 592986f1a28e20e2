import Foundation
import KVTable

/// The demo's sample: users, their files and download events in the single-table layout.
///
/// | item | PK | SK | GSI1 | GSI2 | GSI3 |
/// |---|---|---|---|---|---|
/// | user | `USER#id` | `PROFILE` | | | `USERS` / `name` |
/// | e-mail marker | `EMAIL#address` | `UNIQUE` | | | |
/// | file | `USER#id` | `FILE#uploaded_at#fileId` | `UPLOADS#date` / `uploaded_at` | | |
/// | event | `USER#id` | `EVENT#timestamp` | | `EVENTS#date` / `timestamp` | |
struct DemoData: Sendable {
    static let eventsPerUser = 10
    let users: Int
    let filesPerUser: Int

    static func userPK(_ user: Int) -> String { String(format: "USER#%06d", user) }
    static func day(_ n: Int) -> String { String(format: "2026-11-%02d", 1 + n % 28) }

    func email(forUser user: Int) -> String { "user\(user)@example.com" }

    func emailMarker(forUser user: Int) -> Item {
        ["PK": .s("EMAIL#\(email(forUser: user))"), "SK": "UNIQUE", "userId": .s(Self.userPK(user))]
    }

    func items(forUser user: Int) -> [Item] {
        let names = ["Ada", "Grace", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Radia"]
        var items: [Item] = [[
            "PK": .s(Self.userPK(user)), "SK": "PROFILE", "EntityType": "User",
            "name": .s("\(names[user % names.count]) \(user)"), "email": .s(email(forUser: user)),
            "GSI3PK": "USERS", "GSI3SK": .s("\(names[user % names.count])#\(user)"),
        ]]
        for file in 0..<filesPerUser {
            let uploaded = String(format: "%@T%02d:%02d:00Z", Self.day(file), (user + file) % 24, file % 60)
            items.append([
                "PK": .s(Self.userPK(user)), "SK": .s("FILE#\(uploaded)#\(file)"), "EntityType": "AudioFile",
                "filename": .s("take-\(user)-\(file).flac"), "size": .number(1_000_000 + user * 7919 + file * 104_729),
                "uploaded_at": .s(uploaded),
                "GSI1PK": .s("UPLOADS#\(Self.day(file))"), "GSI1SK": .s("\(uploaded)#\(user)"),
            ])
        }
        for event in 0..<Self.eventsPerUser {
            let timestamp = String(format: "%@T%02d:%02d:%02d.000Z", Self.day(event), event % 24, user % 60, event)
            items.append([
                "PK": .s(Self.userPK(user)), "SK": .s("EVENT#\(timestamp)"), "EntityType": "DownloadSession",
                "client_ip": .s("203.0.113.\(user % 256)"), "num_files_downloaded": .number(event % 5),
                "links": ["https://example.com/a", "https://example.com/b"], "has_errors": .bool((user + event) % 7 == 0),
                "GSI2PK": .s("EVENTS#\(Self.day(event))"), "GSI2SK": .s("\(timestamp)#\(user)"),
            ])
        }
        return items
    }
}

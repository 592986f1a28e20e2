import KVTable
import KVTableDynamoDB

/// BatchGetItem, BatchWriteItem, TransactWriteItems and TransactGetItems.
extension DynamoDBService {
    static let maximumBatchWrites = 25
    static let maximumBatchGets = 100

    func batchGetItem(_ request: WireRequest) throws -> JSONValue {
        let requestItems = try request.required("RequestItems", request.object)
        guard !requestItems.isEmpty else {
            throw WireError.validation("1 validation error detected: Value at 'requestItems' failed to satisfy constraint: Member must have length greater than or equal to 1")
        }
        try Self.acceptReporting(request)
        var capacity = try ConsumedCapacity(request)
        var work: [(Table, [Item], [AttributePath]?, Bool)] = []
        var total = 0
        for (name, json) in requestItems.sorted(by: { $0.key < $1.key }) {
            let entry = WireRequest(try Self.object(json, "RequestItems"))
            let table = try table(named: name)
            var keys: [Item] = []
            for key in try entry.required("Keys", entry.array) { keys.append(try WireRequest.item(key, member: "Keys")) }
            guard !keys.isEmpty else {
                throw WireError.validation("1 validation error detected: Value at 'requestItems.\(name).member.keys' failed to satisfy constraint: Member must have length greater than or equal to 1")
            }
            total += keys.count
            var expressions = try RequestExpressions(entry, expressions: ["ProjectionExpression"], legacy: ["AttributesToGet"])
            let projection = try expressions.projection() ?? LegacyParameters.attributesToGet(entry)
            try expressions.finish()
            work.append((table, keys, projection, try entry.bool("ConsistentRead") ?? false))
        }
        guard total <= Self.maximumBatchGets else {
            throw WireError.validation("Too many items requested for the BatchGetItem call")
        }
        var responses: [String: JSONValue] = [:]
        for (table, keys, projection, consistent) in work {
            let (items, whole) = try table.read { reader -> ([Item], [Item]?) in
                let items = try reader.batchGetItems(keys, projection: projection)
                // Each key is charged its whole item's size (a missing one, one unit).
                guard capacity != nil else { return (items, nil) }
                return (items, projection == nil ? items : try reader.batchGetItems(keys, projection: nil))
            }
            responses[table.name] = .array(items.map(\.dynamoDBJSON))
            if let whole {
                for item in whole { capacity?.read(table, size: item.dynamoDBItemSize, consistent: consistent) }
                for _ in whole.count..<max(whole.count, keys.count) { capacity?.read(table, size: nil, consistent: consistent) }
            }
        }
        var answer: [String: JSONValue] = ["Responses": .object(responses), "UnprocessedKeys": .object([:])]
        if let capacity { answer["ConsumedCapacity"] = capacity.list }
        return .object(answer)
    }

    func batchWriteItem(_ request: WireRequest) async throws -> JSONValue {
        let requestItems = try request.required("RequestItems", request.object)
        guard !requestItems.isEmpty else {
            throw WireError.validation("1 validation error detected: Value at 'requestItems' failed to satisfy constraint: Member must have length greater than or equal to 1")
        }
        try Self.acceptReporting(request)
        let reportsCapacity = try ConsumedCapacity(request) != nil
        var writes: [(Table, Table.WriteRequest)] = []
        var seen: [String: Set<Item>] = [:]
        for (name, json) in requestItems.sorted(by: { $0.key < $1.key }) {
            let table = try table(named: name)
            guard case .array(let entries) = json, (1...Self.maximumBatchWrites).contains(entries.count) else {
                // DynamoDB's wording for a table's list of requests out of bounds (a too-long
                // list is this message too; "Too many items requested" is for the total).
                throw WireError.validation(ConstraintViolation.message([ConstraintViolation(member: "requestItems", value: nil,
                    rule: "Map value must satisfy constraint: [Member must have length less than or equal to \(Self.maximumBatchWrites), Member must have length greater than or equal to 1]")]))
            }
            let keyNames = table.schema.keySchema.attributes.map(\.name)
            for json in entries {
                let entry = WireRequest(try Self.object(json, "RequestItems"))
                let write: Table.WriteRequest
                let key: Item
                switch (try entry.request("PutRequest"), try entry.request("DeleteRequest")) {
                case (let put?, nil):
                    let item = try put.required("Item", put.item)
                    write = .put(item)
                    key = item.filter { keyNames.contains($0.key) }
                case (nil, let delete?):
                    key = try delete.required("Key", delete.item)
                    write = .delete(key: key)
                default:
                    throw WireError.validation("A WriteRequest must contain exactly one of PutRequest and DeleteRequest")
                }
                guard seen[name, default: []].insert(key).inserted else {
                    throw WireError.validation("Provided list of item keys contains duplicates")
                }
                writes.append((table, write))
            }
        }
        guard writes.count <= Self.maximumBatchWrites else {
            throw WireError.validation("Too many items requested for the BatchWriteItem call")
        }
        // One transaction: a local batch never leaves unprocessed items behind.
        let batch = writes
        let olds = try await store.write { transaction in
            try batch.map { table, write -> Item? in
                switch write {
                case .put(let item): try transaction.putItem(table, item)
                case .delete(let key): try transaction.deleteItem(table, key)
                }
            }
        }
        var answer: [String: JSONValue] = ["UnprocessedItems": .object([:])]
        if reportsCapacity, var capacity = try ConsumedCapacity(request) {
            for ((table, write), old) in zip(batch, olds) {
                if case .put(let item) = write { capacity.write(table, old: old, new: item) } else { capacity.write(table, old: old, new: nil) }
            }
            answer["ConsumedCapacity"] = capacity.list
        }
        if try Self.wantsItemCollectionMetrics(request) {
            answer["ItemCollectionMetrics"] = try itemCollectionMetrics(of: batch.map { table, write in
                switch write {
                case .put(let item): return (table, item)
                case .delete(let key): return (table, key)
                }
            })
        }
        return .object(answer)
    }

    func transactWriteItems(_ request: WireRequest) async throws -> JSONValue {
        let items = try request.required("TransactItems", request.array)
        try Self.acceptReporting(request)
        var actions: [TransactionAction] = []
        var written: [(Table, Item)] = []
        var wantsItems: [Bool] = []
        for json in items {
            let wrapper = WireRequest(try Self.object(json, "TransactItems"))
            let kinds = ["ConditionCheck", "Put", "Delete", "Update"].filter(wrapper.has)
            guard kinds.count == 1, let kind = kinds.first, let entry = try wrapper.request(kind) else {
                throw WireError.validation("TransactItems can only contain one of Check, Put, Update or Delete")
            }
            let table = try table(entry)
            var expressions = try RequestExpressions(entry, expressions: ["ConditionExpression", "UpdateExpression"], legacy: [])
            let condition = try expressions.condition("ConditionExpression", kind: .condition)
            switch kind {
            case "Put":
                let item = try entry.required("Item", entry.item)
                actions.append(.put(table, item, condition: condition))
                written.append((table, item))
            case "Delete":
                let key = try entry.required("Key", entry.item)
                actions.append(.delete(table, key: key, condition: condition))
                written.append((table, key))
            case "Update":
                let update = try expressions.update() ?? { throw WireError.validation("1 validation error detected: Value null at 'transactItems.member.update.updateExpression' failed to satisfy constraint: Member must not be null") }()
                let key = try entry.required("Key", entry.item)
                actions.append(.update(table, key: key, update, condition: condition))
                written.append((table, key))
            default:
                guard let condition else {
                    throw WireError.validation("1 validation error detected: Value null at 'transactItems.member.conditionCheck.conditionExpression' failed to satisfy constraint: Member must not be null")
                }
                actions.append(.conditionCheck(table, key: try entry.required("Key", entry.item), condition))
            }
            try expressions.finish()
            wantsItems.append(try Self.wantsItemOnFailure(entry))
        }
        let token = try request.string("ClientRequestToken")
        let images: [(old: Item?, new: Item?)]
        do {
            images = try await store.transactWriteWithImages(actions, clientRequestToken: token,
                                                             returnItemsOnConditionFailure: wantsItems.contains(true))
        } catch let error as KVTableError {
            throw WireError(error, returnItems: wantsItems)
        }
        var capacity = try ConsumedCapacity(request)
        for (action, image) in zip(actions, images) {
            capacity?.write(action.table, old: image.old, new: image.new, transactional: true)
        }
        var answer: [String: JSONValue] = [:]
        if let capacity { answer["ConsumedCapacity"] = capacity.list }
        if try Self.wantsItemCollectionMetrics(request), let metrics = try itemCollectionMetrics(of: written) {
            answer["ItemCollectionMetrics"] = metrics
        }
        return .object(answer)
    }

    func transactGetItems(_ request: WireRequest) throws -> JSONValue {
        let items = try request.required("TransactItems", request.array)
        try Self.acceptReporting(request)
        var gets: [TransactionGet] = []
        for json in items {
            let wrapper = WireRequest(try Self.object(json, "TransactItems"))
            guard let entry = try wrapper.request("Get") else {
                throw WireError.validation("1 validation error detected: Value null at 'transactItems.member.get' failed to satisfy constraint: Member must not be null")
            }
            var expressions = try RequestExpressions(entry, expressions: ["ProjectionExpression"], legacy: [])
            let projection = try expressions.projection()
            try expressions.finish()
            gets.append(TransactionGet(try table(entry), key: try entry.required("Key", entry.item), projection: projection))
        }
        let results = try store.transactGetSynchronously(gets)
        var answer: [String: JSONValue] = ["Responses": .array(results.map { item in
            item.map { .object(["Item": $0.dynamoDBJSON]) } ?? .object([:])
        })]
        if var capacity = try ConsumedCapacity(request) {
            // Charged on the whole items (twice a read's units), read again without projections.
            let whole = gets.contains { $0.projection != nil }
                ? try store.transactGetSynchronously(gets.map { TransactionGet($0.table, key: $0.key, projection: nil) }) : results
            for (get, item) in zip(gets, whole) {
                capacity.read(get.table, size: item?.dynamoDBItemSize, consistent: true, transactional: true)
            }
            answer["ConsumedCapacity"] = capacity.list
        }
        return .object(answer)
    }
}

import KVTable
import KVTableDynamoDB

/// The expressions of one request and their shared placeholders, plus DynamoDB's rules on
/// mixing them with the legacy (pre-expression) parameters.
struct RequestExpressions {
    private var parser: ExpressionParser
    private let request: WireRequest

    /// - Parameters:
    ///   - expressions: the expression members this operation takes (`ConditionExpression`, …).
    ///   - legacy: the legacy members it takes (`Expected`, `AttributesToGet`, …).
    init(_ request: WireRequest, expressions: [String], legacy: [String]) throws(WireError) {
        self.request = request
        let usedExpressions = expressions.filter(request.has)
        // DynamoDB's one exception (as dynalite, written against DynamoDB, has it too): legacy
        // `KeyConditions` may come with a `FilterExpression` or `ProjectionExpression`; only with
        // `KeyConditionExpression` is it mixing. Every other legacy member is refused beside any
        // expression — even one of another job (`QueryFilter` with `KeyConditionExpression`).
        let usedLegacy = legacy.filter { member in
            request.has(member) && (member != "KeyConditions" || request.has("KeyConditionExpression"))
        }
        if !usedExpressions.isEmpty && !usedLegacy.isEmpty {
            throw WireError.validation("Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {\(usedLegacy.joined(separator: ", "))} Expression parameters: {\(usedExpressions.joined(separator: ", "))}")
        }
        let names = try request.expressionNames()
        let values = try request.expressionValues()
        if names != nil && usedExpressions.isEmpty {
            throw WireError.validation("ExpressionAttributeNames can only be specified when using expressions")
        }
        if values != nil && usedExpressions.isEmpty {
            throw WireError.validation("ExpressionAttributeValues can only be specified when using expressions: \(expressions.joined(separator: " and ")) is null")
        }
        do {
            parser = try ExpressionParser(names: names ?? [:], values: values ?? [:])
        } catch {
            throw WireError(error)
        }
    }

    mutating func condition(_ member: String, kind: ExpressionKind) throws(WireError) -> Condition? {
        guard let text = try request.string(member) else { return nil }
        do { return try parser.condition(text, kind: kind) } catch { throw WireError(error) }
    }

    mutating func update(_ member: String = "UpdateExpression") throws(WireError) -> Update? {
        guard let text = try request.string(member) else { return nil }
        do { return try parser.update(text) } catch { throw WireError(error) }
    }

    mutating func projection(_ member: String = "ProjectionExpression") throws(WireError) -> [AttributePath]? {
        guard let text = try request.string(member) else { return nil }
        do { return try parser.projection(text) } catch { throw WireError(error) }
    }

    mutating func keyCondition(_ member: String = "KeyConditionExpression", keySchema: KeySchema) throws(WireError)
        -> (partitionKey: AttributeValue, sortKey: SortKeyCondition?)?
    {
        guard let text = try request.string(member) else { return nil }
        do { return try parser.keyCondition(text, keySchema: keySchema) } catch { throw WireError(error) }
    }

    /// Every placeholder must have been used by one of the expressions.
    func finish() throws(WireError) {
        do { try parser.checkAllUsed() } catch { throw WireError(error) }
    }
}

"""Hostile requests over the wire: each is answered with a 4xx and a DynamoDB-shaped error body
(`__type` ending in `#Code`, a `message`), and none of them changes the store.

Starts `kvtable serve` on a free loopback port, fills two tables, takes a full snapshot (every
table's description and every item), sends each request of `CASES` exactly as a client would
(raw HTTP, so that it can be malformed in ways an SDK refuses to send), and compares the snapshot
afterwards. Where DynamoDB's wording is documented or widely quoted, the expected message
fragment is DynamoDB's.

    python3 Tests/EndToEnd/bad_input_test.py [path/to/kvtable]

The binary defaults to `.build/debug/kvtable`.
"""

import base64
import http.client
import json
import shutil
import sys
import tempfile
import unittest

from dynamodb_api_test import Server, S, N

TABLE = "Bad"


def key(pk="p", sk="a"):
    return {"PK": S(pk), "SK": S(sk)}


def item(**attributes):
    return {**key(attributes.pop("pk", "new"), attributes.pop("sk", "x")), **attributes}


class Case:
    """One hostile request: the operation, its body (a JSON value, or raw bytes), what DynamoDB
    answers (its error code, and a fragment of its message), and optional extra HTTP headers."""

    def __init__(self, name, operation, body, code, says=None, headers=None, status=400):
        self.name, self.operation, self.body = name, operation, body
        self.code, self.says, self.headers, self.status = code, says, headers or {}, status


ARN = "arn:aws:dynamodb:us-east-1:000000000000:table/" + TABLE


def tag(name, tags, says, code="ValidationException", arn=ARN):
    return Case(name, "TagResource", {"ResourceArn": arn, "Tags": tags}, code, says)


def put(name, the_item, code="ValidationException", says=None, **extra):
    return Case(name, "PutItem", {"TableName": TABLE, "Item": the_item, **extra}, code, says)


def update(name, expression, values=None, code="ValidationException", says=None, the_key=None, **extra):
    body = {"TableName": TABLE, "Key": the_key or key(), **extra}
    if expression is not None:
        body["UpdateExpression"] = expression
    if values is not None:
        body["ExpressionAttributeValues"] = values
    return Case(name, "UpdateItem", body, code, says)


def query(name, code="ValidationException", says=None, **body):
    return Case(name, "Query", {"TableName": TABLE, **body}, code, says)


def scan(name, code="ValidationException", says=None, **body):
    return Case(name, "Scan", {"TableName": TABLE, **body}, code, says)


def create(name, code="ValidationException", says=None, **body):
    definitions = body.pop("AttributeDefinitions", [{"AttributeName": "k", "AttributeType": "S"}])
    schema = body.pop("KeySchema", [{"AttributeName": "k", "KeyType": "HASH"}])
    return Case(name, "CreateTable", {"TableName": body.pop("TableName", "Created"), "BillingMode": "PAY_PER_REQUEST",
                                      "AttributeDefinitions": definitions, "KeySchema": schema, **body}, code, says)


PK_P = {":p": S("p")}
BIG = "9.9999999999999999999999999999999999999E+125"
MALFORMED = "Invalid ConditionExpression: Syntax error"

CASES = [
    # The protocol: bodies that are not a request, operations that do not exist.
    Case("malformed JSON", "PutItem", b'{"TableName": ', "SerializationException"),
    Case("a JSON array", "PutItem", b"[]", "SerializationException"),
    Case("a JSON string", "GetItem", b'"GetItem"', "SerializationException"),
    Case("an empty body", "PutItem", b"", "ValidationException", "Member must not be null"),
    Case("invalid UTF-8", "PutItem", b'{"TableName": "Bad", "Item": {"PK": {"S": "\xff\xfe"}, "SK": {"S": "x"}}}',
         "SerializationException"),
    Case("JSON nested 100,000 deep", "PutItem", b"[" * 100_000 + b"]" * 100_000, "SerializationException"),
    Case("an unknown operation", "DropEverything", {}, "UnknownOperationException", "An unknown operation was requested"),
    Case("another API version", "PutItem", {}, "UnknownOperationException",
         headers={"X-Amz-Target": "DynamoDB_20111205.PutItem"}),
    Case("no X-Amz-Target", "PutItem", {"TableName": TABLE, "Item": item()}, "UnknownOperationException",
         headers={"X-Amz-Target": None}),
    Case("a text/plain body", "PutItem", {"TableName": TABLE, "Item": item()}, "UnknownOperationException",
         headers={"Content-Type": "text/plain"}, status=404),
    Case("a form body", "PutItem", b"TableName=Bad", "UnknownOperationException",
         headers={"Content-Type": "application/x-www-form-urlencoded"}, status=404),
    Case("TableName as a number", "PutItem", {"TableName": 5, "Item": item()}, "SerializationException"),
    Case("Item as a list", "PutItem", {"TableName": TABLE, "Item": []}, "SerializationException"),
    Case("Key as a string", "GetItem", {"TableName": TABLE, "Key": "p"}, "SerializationException"),
    Case("ConsistentRead as a string", "GetItem", {"TableName": TABLE, "Key": key(), "ConsistentRead": "yes"},
         "SerializationException"),
    Case("Limit as a string", "Scan", {"TableName": TABLE, "Limit": "ten"}, "SerializationException"),
    Case("ScanIndexForward as a number", "Query", {"TableName": TABLE, "KeyConditionExpression": "PK = :p",
         "ExpressionAttributeValues": PK_P, "ScanIndexForward": 1}, "SerializationException"),

    # Table names: invalid before unknown.
    Case("no TableName", "PutItem", {"Item": item()}, "ValidationException", "Member must not be null"),
    Case("a two-character table name", "PutItem", {"TableName": "ab", "Item": item()}, "ValidationException",
         "Member must have length greater than or equal to 3"),
    Case("a table name with a slash", "GetItem", {"TableName": "a/b", "Key": key()}, "ValidationException",
         "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"),
    Case("a 256-character table name", "Query", {"TableName": "t" * 256, "KeyConditionExpression": "PK = :p",
         "ExpressionAttributeValues": PK_P}, "ValidationException", "Member must have length less than or equal to 255"),
    Case("an unknown table (PutItem)", "PutItem", {"TableName": "Nope", "Item": item()}, "ResourceNotFoundException"),
    Case("an unknown table (GetItem)", "GetItem", {"TableName": "Nope", "Key": key()}, "ResourceNotFoundException"),
    Case("an unknown table (DescribeTable)", "DescribeTable", {"TableName": "Nope"}, "ResourceNotFoundException"),
    Case("an unknown table (DeleteTable)", "DeleteTable", {"TableName": "Nope"}, "ResourceNotFoundException"),

    # Items: keys.
    put("no Item", None, says="Member must not be null"),
    put("an item without its sort key", {"PK": S("new")}, says="Missing the key SK in the item"),
    put("an item without its partition key", {"SK": S("new")}, says="Missing the key PK in the item"),
    put("a number partition key", {"PK": N(1), "SK": S("x")}, says="Type mismatch for key PK expected: S actual: N"),
    put("a string-set partition key", {"PK": {"SS": ["a"]}, "SK": S("x")}, says="Type mismatch for key"),
    put("an empty partition key", item(pk=""), says="cannot contain an empty string value"),
    put("an empty sort key", item(sk=""), says="cannot contain an empty string value"),
    put("a partition key over 2,048 bytes", item(pk="k" * 2049), says="Size of hashkey has exceeded the maximum size limit of2048 bytes"),
    put("a sort key over 1,024 bytes", item(sk="k" * 1025), says="Aggregated size of all range keys has exceeded the size limit of 1024 bytes"),
    put("an item over 400 KB", item(blob=S("x" * 410_000)), says="Item size has exceeded the maximum allowed size"),

    # Items: attribute values.
    put("a string given as a number", item(v={"S": 1}), code="SerializationException"),
    put("a boolean given as a string", item(v={"BOOL": "true"}), code="SerializationException"),
    put("a list given as a string", item(v={"L": "x"}), code="SerializationException"),
    put("a map given as a list", item(v={"M": []}), code="SerializationException"),
    put("binary that is not base64", item(v={"B": "not base64!"}), code="SerializationException"),
    put("a number that is a word", item(v=N("abc")), says="numeric"),
    put("NaN", item(v=N("NaN")), says="numeric"),
    put("Infinity", item(v=N("Infinity")), says="numeric"),
    put("a number with a leading space", item(v=N(" 1")), says="numeric"),
    put("an empty number", item(v=N("")), says="numeric"),
    put("a number above the range", item(v=N("1E+126")), says="Number overflow"),
    put("a number below the range", item(v=N("1E-131")), says="Number underflow"),
    put("a number of 39 digits", item(v=N("1" * 39)), says="more than 38 significant digits"),
    put("NULL false", item(v={"NULL": False}), says="Null attribute value types must have the value of true"),
    put("an empty string set", item(v={"SS": []}), says="An string set  may not be empty"),
    put("an empty number set", item(v={"NS": []}), says="An number set  may not be empty"),
    put("an empty binary set", item(v={"BS": []}), says="An binary set  may not be empty"),
    put("a string set with duplicates", item(v={"SS": ["a", "a"]}), says="contains duplicates"),
    put("a number set with equal numbers", item(v={"NS": ["1", "1.0"]}), says="contains duplicates"),
    put("a number set with a word", item(v={"NS": ["1", "x"]}), says="numeric"),
    put("a value with two types", item(v={"S": "a", "N": "1"}), says="more than one datatypes"),
    put("a value with no type", item(v={}), says="Supplied AttributeValue is empty"),
    put("a nested value with no type", item(v={"M": {"inner": {}}}), says="Supplied AttributeValue is empty"),
    put("an empty attribute name", item(**{"": S("v")})),
    put("an attribute name over 64 KB", item(**{"n" * 65_536: S("v")})),

    # Items: index keys.
    put("a GSI key of the wrong type", item(GSI1PK=N(1), GSI1SK=S("s")), says="Type mismatch for Index Key GSI1PK Expected: S Actual: N IndexName: GSI1"),
    put("an empty GSI key", item(GSI1PK=S(""), GSI1SK=S("s")), says="A value specified for a secondary index key is not supported"),
    put("a GSI partition key over 2,048 bytes", item(GSI1PK=S("g" * 2049), GSI1SK=S("s"))),
    put("a GSI sort key over 1,024 bytes", item(GSI1PK=S("g"), GSI1SK=S("s" * 1025))),

    # Writes: parameters.
    put("ReturnValues ALL_NEW on PutItem", item(), ReturnValues="ALL_NEW", says="ReturnValues can only be ALL_OLD or NONE"),
    put("an unknown ReturnValues", item(), ReturnValues="EVERYTHING"),
    put("an unknown ReturnValuesOnConditionCheckFailure", item(), ReturnValuesOnConditionCheckFailure="SOME"),
    put("a condition that is not an expression", item(), ConditionExpression="PK = ", says=MALFORMED),
    put("an empty condition", item(), ConditionExpression="", says="The expression can not be empty"),
    put("an undefined value placeholder", item(), ConditionExpression="v = :nope",
        says="An expression attribute value used in expression is not defined; attribute value: :nope"),
    put("an undefined name placeholder", item(), ConditionExpression="attribute_exists(#nope)",
        says="An expression attribute name used in the document path is not defined; attribute name: #nope"),
    put("an unused value", item(), ConditionExpression="attribute_not_exists(PK)", ExpressionAttributeValues={":u": S("u")},
        says="Value provided in ExpressionAttributeValues unused in expressions: keys: {:u}"),
    put("an unused name", item(), ConditionExpression="attribute_not_exists(PK)", ExpressionAttributeNames={"#u": "u"},
        says="Value provided in ExpressionAttributeNames unused in expressions: keys: {#u}"),
    put("values without an expression", item(), ExpressionAttributeValues={":u": S("u")},
        says="ExpressionAttributeValues can only be specified when using expressions"),
    put("an invalid placeholder value", item(), ConditionExpression="v = :v", ExpressionAttributeValues={":v": N("x")}, says="numeric"),
    put("Expected beside ConditionExpression", item(), ConditionExpression="attribute_not_exists(PK)",
        Expected={"v": {"Exists": False}}, says="Can not use both expression and non-expression parameters in the same request"),
    put("a reserved word as a name", item(), ConditionExpression="attribute_not_exists(name)",
        says="Attribute name is a reserved keyword; reserved keyword: name"),
    put("an unknown function", item(), ConditionExpression="exists(PK)", says="Invalid function name; function: exists"),
    put("a function name in the wrong case", item(), ConditionExpression="Attribute_Exists(PK)", says="Invalid function name"),
    put("an update function in a condition", item(), ConditionExpression="if_not_exists(PK, :v)",
        ExpressionAttributeValues={":v": S("v")}),
    put("an unknown attribute_type", item(), ConditionExpression="attribute_type(v, :t)", ExpressionAttributeValues={":t": S("STRING")},
        says="Invalid type name found in attribute_type"),
    put("redundant parentheses", item(), ConditionExpression="((attribute_not_exists(PK)))",
        says="Invalid ConditionExpression: The expression has redundant parentheses;"),
    put("redundant parentheses inside AND", item(), ConditionExpression="attribute_not_exists(PK) AND ((attribute_not_exists(SK) AND attribute_not_exists(v)))",
        says="The expression has redundant parentheses;"),
    put("BETWEEN with its bounds reversed", item(), ConditionExpression="v BETWEEN :high AND :low",
        ExpressionAttributeValues={":low": N(1), ":high": N(2)}, says="BETWEEN operator requires upper bound to be greater than or equal to lower bound"),
    put("BETWEEN bounds of two types", item(), ConditionExpression="v BETWEEN :low AND :high",
        ExpressionAttributeValues={":low": N(1), ":high": S("2")}, says="The BETWEEN operator requires same data type for lower and upper bounds"),
    put("IN with 101 candidates", item(), ConditionExpression="v IN (%s)" % ", ".join(":v%d" % n for n in range(101)),
        ExpressionAttributeValues={":v%d" % n: N(n) for n in range(101)}),
    put("a condition over 4 KB", item(), ConditionExpression=" AND ".join(["attribute_not_exists(PK)"] * 200),
        says="Expression size has exceeded the maximum allowed size"),
    put("a comparison of a path with itself", item(), ConditionExpression="n = n",
        says="The first operand must be distinct from the remaining operands for this operator or function; operator: =, first operand: [n]"),
    put("contains of a path in itself", item(), ConditionExpression="contains(#l[0], l[0])", ExpressionAttributeNames={"#l": "l"},
        says="operator: contains, first operand: [l, [0]]"),
    put("a path 33 levels deep", item(), ConditionExpression="attribute_exists(%s)" % ".".join(["a"] * 33)),
    put("a failing condition", item(pk="p", sk="a"), code="ConditionalCheckFailedException",
        ConditionExpression="attribute_not_exists(PK)", says="The conditional request failed"),
    put("a failing legacy expectation", item(pk="p", sk="a"), code="ConditionalCheckFailedException",
        Expected={"PK": {"Exists": False}}),
    # Legacy conditions: the value types each ComparisonOperator takes (on a new item, so a
    # condition evaluated instead of refused would write it).
    put("legacy CONTAINS with a list", item(), Expected={"l": {"ComparisonOperator": "CONTAINS", "AttributeValueList": [{"L": [N(1)]}]}},
        says="One or more parameter values were invalid: ComparisonOperator CONTAINS is not valid for L AttributeValue type"),
    put("legacy NOT_CONTAINS with a string set", item(), Expected={"l": {"ComparisonOperator": "NOT_CONTAINS", "AttributeValueList": [{"SS": ["a"]}]}},
        says="One or more parameter values were invalid: ComparisonOperator NOT_CONTAINS is not valid for SS AttributeValue type"),
    put("legacy IN with mixed types", item(), Expected={"n": {"ComparisonOperator": "IN", "AttributeValueList": [N(1), S("1")]}},
        says="One or more parameter values were invalid: AttributeValues inside AttributeValueList must be of same type"),
    put("legacy IN with lists", item(), Expected={"n": {"ComparisonOperator": "IN", "AttributeValueList": [{"L": []}]}},
        says="One or more parameter values were invalid: ComparisonOperator IN is not valid for L AttributeValue type"),
    put("legacy BEGINS_WITH with a number", item(), Expected={"n": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [N(1)]}},
        says="One or more parameter values were invalid: ComparisonOperator BEGINS_WITH is not valid for N AttributeValue type"),
    put("legacy GT with a boolean", item(), Expected={"n": {"ComparisonOperator": "GT", "AttributeValueList": [{"BOOL": True}]}},
        says="One or more parameter values were invalid: ComparisonOperator GT is not valid for BOOL AttributeValue type"),
    put("legacy BETWEEN with bounds of two types", item(), Expected={"n": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [N(1), S("2")]}},
        says="One or more parameter values were invalid: AttributeValues inside AttributeValueList must be of same type"),
    put("legacy BETWEEN with the bounds reversed", item(), Expected={"n": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [N(3), N(2)]}},
        says="The BETWEEN condition was provided a range where the lower bound is greater than the upper bound"),
    put("ConditionalOperator with an empty Expected", item(), Expected={}, ConditionalOperator="OR", says="ConditionalOperator"),

    # Updates.
    update("an update of the partition key", "SET PK = :v", {":v": S("v")}, says="Cannot update attribute PK. This attribute is part of the key"),
    update("a removal of the sort key", "REMOVE SK", says="Cannot update attribute SK. This attribute is part of the key"),
    update("a name into a list", "SET l.b = :v", {":v": S("v")}, says="The document path provided in the update expression is invalid for update"),
    update("an index into a map", "SET m[0] = :v", {":v": S("v")}, says="The document path provided in the update expression is invalid for update"),
    update("an index into a string", "SET s[0] = :v", {":v": S("v")}, says="The document path provided in the update expression is invalid for update"),
    update("ADD to a string", "ADD s :one", {":one": N(1)}, says="An operand in the update expression has an incorrect data type"),
    update("ADD to a list", "ADD l :one", {":one": N(1)}, says="An operand in the update expression has an incorrect data type"),
    update("ADD a string set to a number", "ADD n :set", {":set": {"SS": ["x"]}}, says="An operand in the update expression has an incorrect data type"),
    update("DELETE from a number", "DELETE n :set", {":set": {"NS": ["1"]}}, says="An operand in the update expression has an incorrect data type"),
    update("DELETE a number set from a string set", "DELETE ss :set", {":set": {"NS": ["1"]}}, says="An operand in the update expression has an incorrect data type"),
    update("a number plus a string", "SET n = n + :s", {":s": S("x")},
           says="Incorrect operand type for operator or function; operator or function: +, operand type: S"),
    update("a number plus a stored string", "SET n = n + s", says="An operand in the update expression has an incorrect data type"),
    update("arithmetic past the range", "SET huge = huge + huge", says="Number overflow"),
    update("arithmetic needing 39 digits", "SET n = n + :tiny", {":tiny": N("0.00000000000000000000000000000000000001")},
           says="Number overflow. Attempting to store a number with magnitude larger than supported range"),
    update("list_append to a number", "SET n = list_append(n, :l)", {":l": {"L": [N(1)]}}, says="An operand in the update expression has an incorrect data type"),
    update("overlapping paths", "SET m = :v, m.x = :v", {":v": S("v")}, says="Two document paths overlap with each other"),
    update("one path set and removed", "SET v = :v REMOVE v", {":v": S("v")}, says="Two document paths"),
    update("an empty update expression", "", says="Invalid UpdateExpression: The expression can not be empty;"),
    update("SET twice", "SET a = :v SET b = :v", {":v": S("v")}, says="The \"SET\" section can only be used once in an update expression"),
    update("ADD with a path as value", "ADD n n", says="Invalid UpdateExpression: Syntax error"),
    update("if_not_exists of a value", "SET v = if_not_exists(:v, :v)", {":v": S("v")},
           says="Operator or function requires a document path; operator or function: if_not_exists"),
    update("size() in an update", "SET v = size(l)", says="The function is not allowed in an update expression; function: size"),
    update("a GSI key set to a number", "SET GSI1PK = :n", {":n": N(1)}, says="Type mismatch for Index Key GSI1PK Expected: S Actual: N IndexName: GSI1"),
    update("UpdateExpression beside AttributeUpdates", "SET v = :v", {":v": S("v")},
           AttributeUpdates={"w": {"Action": "PUT", "Value": S("w")}}, says="Can not use both expression and non-expression parameters in the same request"),
    update("an update without the sort key", "SET v = :v", {":v": S("v")}, the_key={"PK": S("p")},
           says="The provided key element does not match the schema"),
    update("an update with an extra key attribute", "SET v = :v", {":v": S("v")}, the_key={**key(), "n": N(1)},
           says="The provided key element does not match the schema"),
    update("a failing update condition", "SET v = :v", {":v": S("v")}, code="ConditionalCheckFailedException",
           ConditionExpression="attribute_not_exists(PK)"),
    update("an unknown ReturnValues on UpdateItem", "SET v = :v", {":v": S("v")}, ReturnValues="SOME_NEW"),
    update("a legacy ADD of a number to a string", None, AttributeUpdates={"s": {"Action": "ADD", "Value": N(1)}},
           says="Type mismatch for attribute to update"),
    update("a legacy ADD of a number set to a string set", None, AttributeUpdates={"ss": {"Action": "ADD", "Value": {"NS": ["1"]}}},
           says="Type mismatch for attribute to update"),
    update("a legacy DELETE from a map", None, AttributeUpdates={"m": {"Action": "DELETE", "Value": {"NS": ["1"]}}},
           says="Type mismatch for attribute to update"),
    update("an ADD of a number to a string", "ADD s :n", {":n": N(1)}, says="An operand in the update expression has an incorrect data type"),
    update("a legacy PUT without a value", None, AttributeUpdates={"v": {"Action": "PUT"}}),
    update("a legacy action on a key attribute", None, AttributeUpdates={"SK": {"Action": "PUT", "Value": S("x")}},
           says="Cannot update attribute SK. This attribute is part of the key"),

    # Deletes and gets.
    Case("a delete without the sort key", "DeleteItem", {"TableName": TABLE, "Key": {"PK": S("p")}}, "ValidationException",
         "The provided key element does not match the schema"),
    Case("a delete with ReturnValues ALL_NEW", "DeleteItem", {"TableName": TABLE, "Key": key(), "ReturnValues": "ALL_NEW"},
         "ValidationException", "ReturnValues can only be ALL_OLD or NONE"),
    Case("a failing delete condition", "DeleteItem", {"TableName": TABLE, "Key": key(), "ConditionExpression": "n = :v",
         "ExpressionAttributeValues": {":v": N(6)}}, "ConditionalCheckFailedException"),
    Case("a get with a non-key attribute", "GetItem", {"TableName": TABLE, "Key": {**key(), "n": N(5)}}, "ValidationException",
         "The provided key element does not match the schema"),
    Case("a get with a number key", "GetItem", {"TableName": TABLE, "Key": {"PK": N(1), "SK": S("a")}}, "ValidationException",
         "The provided key element does not match the schema"),
    Case("a malformed projection", "GetItem", {"TableName": TABLE, "Key": key(), "ProjectionExpression": "a,,b"}, "ValidationException",
         "Invalid ProjectionExpression: Syntax error"),
    Case("overlapping projected paths", "GetItem", {"TableName": TABLE, "Key": key(), "ProjectionExpression": "m, m.x"},
         "ValidationException", "Two document paths overlap with each other"),
    Case("AttributesToGet beside ProjectionExpression", "GetItem", {"TableName": TABLE, "Key": key(), "ProjectionExpression": "n",
         "AttributesToGet": ["n"]}, "ValidationException", "Can not use both expression and non-expression parameters in the same request"),

    # Queries.
    query("a query without a key condition", says="Either the KeyConditions or KeyConditionExpression parameter must be specified in the request."),
    query("a key condition on a non-key attribute", KeyConditionExpression="n = :v", ExpressionAttributeValues={":v": N(5)},
          says="Query condition missed key schema element"),
    query("begins_with on the partition key", KeyConditionExpression="begins_with(PK, :p)", ExpressionAttributeValues=PK_P,
          says="Query key condition not supported"),
    query("OR in a key condition", KeyConditionExpression="PK = :p OR PK = :q", ExpressionAttributeValues={**PK_P, ":q": S("q")},
          says="Invalid operator used in KeyConditionExpression: OR"),
    query("two conditions on the partition key", KeyConditionExpression="PK = :p AND PK = :q", ExpressionAttributeValues={**PK_P, ":q": S("q")}),
    query("a redundant parenthesis in a key condition", KeyConditionExpression="((PK = :p))", ExpressionAttributeValues=PK_P,
          says="Invalid KeyConditionExpression: The expression has redundant parentheses;"),
    query("a filter on a key attribute", KeyConditionExpression="PK = :p", FilterExpression="SK = :s",
          ExpressionAttributeValues={**PK_P, ":s": S("a")}, says="Filter Expression can only contain non-primary key attributes: Primary key attribute: SK"),
    query("Limit 0", KeyConditionExpression="PK = :p", ExpressionAttributeValues=PK_P, Limit=0,
          says="Member must have value greater than or equal to 1"),
    query("a negative Limit", KeyConditionExpression="PK = :p", ExpressionAttributeValues=PK_P, Limit=-5,
          says="Member must have value greater than or equal to 1"),
    query("Select COUNT with a projection", KeyConditionExpression="PK = :p", ExpressionAttributeValues=PK_P, Select="COUNT",
          ProjectionExpression="n"),
    query("Select SPECIFIC_ATTRIBUTES without attributes", KeyConditionExpression="PK = :p", ExpressionAttributeValues=PK_P,
          Select="SPECIFIC_ATTRIBUTES"),
    query("an unknown Select", KeyConditionExpression="PK = :p", ExpressionAttributeValues=PK_P, Select="SOME_ATTRIBUTES"),
    query("an unknown index", IndexName="Nope", KeyConditionExpression="PK = :p", ExpressionAttributeValues=PK_P,
          says="The table does not have the specified index: Nope"),
    query("a sort-key condition on a GSI without a sort key", IndexName="GSI2",
          KeyConditionExpression="GSI2PK = :g AND SK = :s", ExpressionAttributeValues={":g": S("g"), ":s": S("a")}),
    query("Select ALL_ATTRIBUTES on a KEYS_ONLY index", IndexName="GSI2", KeyConditionExpression="GSI2PK = :g",
          ExpressionAttributeValues={":g": S("g")}, Select="ALL_ATTRIBUTES"),
    query("a consistent read of a GSI", IndexName="GSI1", KeyConditionExpression="GSI1PK = :g",
          ExpressionAttributeValues={":g": S("g")}, ConsistentRead=True, says="Consistent reads are not supported on global secondary indexes"),
    query("a start key from another partition", KeyConditionExpression="PK = :p", ExpressionAttributeValues=PK_P,
          ExclusiveStartKey=key("q", "a"), says="The provided starting key is outside query boundaries based on provided conditions"),
    query("a start key without its sort key", KeyConditionExpression="PK = :p", ExpressionAttributeValues=PK_P,
          ExclusiveStartKey={"PK": S("p")}, says="The provided starting key is invalid"),
    query("KeyConditions beside KeyConditionExpression", KeyConditionExpression="PK = :p", ExpressionAttributeValues=PK_P,
          KeyConditions={"PK": {"ComparisonOperator": "EQ", "AttributeValueList": [S("p")]}},
          says="Can not use both expression and non-expression parameters in the same request"),
    query("legacy BEGINS_WITH on the partition key", KeyConditions={"PK": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [S("p")]}},
          says="Query key condition not supported"),
    query("a legacy operator in lower case", KeyConditions={"PK": {"ComparisonOperator": "eq", "AttributeValueList": [S("p")]}}),
    query("legacy BETWEEN with one value", KeyConditions={"PK": {"ComparisonOperator": "EQ", "AttributeValueList": [S("p")]},
          "SK": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [S("a")]}},
          says="Invalid number of argument(s) for the BETWEEN ComparisonOperator"),
    query("legacy EQ with two values", KeyConditions={"PK": {"ComparisonOperator": "EQ", "AttributeValueList": [S("p"), S("q")]}},
          says="Invalid number of argument(s) for the EQ ComparisonOperator"),
    query("legacy BEGINS_WITH on a number", KeyConditions={"PK": {"ComparisonOperator": "EQ", "AttributeValueList": [S("p")]}},
          QueryFilter={"n": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [N(1)]}},
          says="ComparisonOperator BEGINS_WITH is not valid for N AttributeValue type"),
    query("QueryFilter beside KeyConditionExpression", KeyConditionExpression="PK = :p", ExpressionAttributeValues=PK_P,
          QueryFilter={"n": {"ComparisonOperator": "EQ", "AttributeValueList": [N(1)]}},
          says="Non-expression parameters: {QueryFilter} Expression parameters: {KeyConditionExpression}"),
    query("QueryFilter beside FilterExpression", KeyConditionExpression="PK = :p", ExpressionAttributeValues={**PK_P, ":n": N(1)},
          FilterExpression="n = :n", QueryFilter={"n": {"ComparisonOperator": "EQ", "AttributeValueList": [N(1)]}},
          says="Can not use both expression and non-expression parameters in the same request"),

    # Scans.
    scan("Segment without TotalSegments", Segment=0,
         says="The TotalSegments parameter is required but was not present in the request when Segment parameter is present"),
    scan("TotalSegments without Segment", TotalSegments=2,
         says="The Segment parameter is required but was not present in the request when parameter TotalSegments is present"),
    scan("Segment past TotalSegments", Segment=5, TotalSegments=2, says="The Segment parameter is zero-based and must be less than parameter TotalSegments"),
    scan("TotalSegments 0", Segment=0, TotalSegments=0, says="Member must have value greater than or equal to 1"),
    scan("a start key outside its segment", Segment=0, TotalSegments=1000000, ExclusiveStartKey=key("p", "a"),
         says="The provided Exclusive start key does not map to the provided Segment and TotalSegments values."),
    scan("TotalSegments over 1,000,000", Segment=0, TotalSegments=1_000_001, says="Member must have value less than or equal to 1000000"),
    scan("a scan with Limit 0", Limit=0, says="Member must have value greater than or equal to 1"),
    scan("a malformed filter", FilterExpression="n >", says="Invalid FilterExpression: Syntax error"),
    scan("ScanFilter beside FilterExpression", FilterExpression="n = :n", ExpressionAttributeValues={":n": N(1)},
         ScanFilter={"n": {"ComparisonOperator": "EQ", "AttributeValueList": [N(1)]}},
         says="Can not use both expression and non-expression parameters in the same request"),

    # Batches.
    Case("a batch of 26 writes", "BatchWriteItem", {"RequestItems": {TABLE: [{"PutRequest": {"Item": item(sk=str(n))}} for n in range(26)]}},
         "ValidationException", "Member must have length less than or equal to 25"),
    Case("a batch writing one item twice", "BatchWriteItem", {"RequestItems": {TABLE: [{"PutRequest": {"Item": item()}}, {"DeleteRequest": {"Key": key("new", "x")}}]}},
         "ValidationException", "Provided list of item keys contains duplicates"),
    Case("an empty batch", "BatchWriteItem", {"RequestItems": {}}, "ValidationException"),
    Case("a batch request that puts and deletes", "BatchWriteItem",
         {"RequestItems": {TABLE: [{"PutRequest": {"Item": item()}, "DeleteRequest": {"Key": key()}}]}}, "ValidationException"),
    Case("a batch request that does nothing", "BatchWriteItem", {"RequestItems": {TABLE: [{}]}}, "ValidationException"),
    Case("a batch with one bad item among good ones", "BatchWriteItem",
         {"RequestItems": {TABLE: [{"PutRequest": {"Item": item(sk="good")}}, {"PutRequest": {"Item": {"PK": S("new")}}}]}}, "ValidationException"),
    Case("a batch write to an unknown table", "BatchWriteItem", {"RequestItems": {"Nope": [{"PutRequest": {"Item": item()}}]}},
         "ResourceNotFoundException"),
    Case("a batch get of 101 keys", "BatchGetItem", {"RequestItems": {TABLE: {"Keys": [key("p", str(n)) for n in range(101)]}}},
         "ValidationException", "Too many items requested for the BatchGetItem call"),
    Case("a batch get of one key twice", "BatchGetItem", {"RequestItems": {TABLE: {"Keys": [key(), key()]}}},
         "ValidationException", "Provided list of item keys contains duplicates"),
    Case("a batch get of no keys", "BatchGetItem", {"RequestItems": {TABLE: {"Keys": []}}}, "ValidationException"),
    Case("a batch get from an unknown table", "BatchGetItem", {"RequestItems": {"Nope": {"Keys": [key()]}}}, "ResourceNotFoundException"),

    # Transactions.
    Case("an empty transaction", "TransactWriteItems", {"TransactItems": []}, "ValidationException"),
    Case("a transaction of 101 actions", "TransactWriteItems",
         {"TransactItems": [{"Put": {"TableName": TABLE, "Item": item(sk=str(n))}} for n in range(101)]}, "ValidationException",
         "Member must have length less than or equal to 100"),
    Case("a transaction writing one item twice", "TransactWriteItems",
         {"TransactItems": [{"Put": {"TableName": TABLE, "Item": item()}}, {"Delete": {"TableName": TABLE, "Key": key("new", "x")}}]},
         "ValidationException", "Transaction request cannot include multiple operations on one item"),
    Case("a transaction whose condition fails", "TransactWriteItems",
         {"TransactItems": [{"Put": {"TableName": TABLE, "Item": item()}},
                            {"ConditionCheck": {"TableName": TABLE, "Key": key(), "ConditionExpression": "attribute_not_exists(PK)"}}]},
         "TransactionCanceledException", "Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed]"),
    Case("a transaction action that does two things", "TransactWriteItems",
         {"TransactItems": [{"Put": {"TableName": TABLE, "Item": item()}, "Delete": {"TableName": TABLE, "Key": key()}}]}, "ValidationException"),
    Case("a transaction action that does nothing", "TransactWriteItems", {"TransactItems": [{}]}, "ValidationException"),
    Case("a transaction that updates a key", "TransactWriteItems",
         {"TransactItems": [{"Update": {"TableName": TABLE, "Key": key(), "UpdateExpression": "SET SK = :v",
                                        "ExpressionAttributeValues": {":v": S("v")}}}]},
         "TransactionCanceledException", "Transaction cancelled, please refer cancellation reasons for specific reasons [ValidationError]"),
    Case("a transaction with a key of the wrong type", "TransactWriteItems",
         {"TransactItems": [{"Put": {"TableName": TABLE, "Item": item()}},
                            {"Delete": {"TableName": TABLE, "Key": {"PK": N(1), "SK": S("a")}}}]},
         "TransactionCanceledException", "[None, ValidationError]"),
    Case("a client request token of 37 characters", "TransactWriteItems",
         {"TransactItems": [{"Put": {"TableName": TABLE, "Item": item()}}], "ClientRequestToken": "t" * 37},
         "ValidationException", "Member must have length less than or equal to 36"),
    Case("a transaction on an unknown table", "TransactWriteItems",
         {"TransactItems": [{"Put": {"TableName": "Nope", "Item": item()}}]}, "ResourceNotFoundException"),
    Case("an empty transactional get", "TransactGetItems", {"TransactItems": []}, "ValidationException"),
    Case("a transactional get of 101 items", "TransactGetItems",
         {"TransactItems": [{"Get": {"TableName": TABLE, "Key": key("p", str(n))}} for n in range(101)]}, "ValidationException"),

    # Tables.
    create("an attribute defined twice", AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}, {"AttributeName": "k", "AttributeType": "N"}],
           says="Attribute Name is duplicated: k"),
    create("an index projection without a type",
           AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}, {"AttributeName": "g", "AttributeType": "S"}],
           GlobalSecondaryIndexes=[{"IndexName": "GSI", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}], "Projection": {}}],
           says="One or more parameter values were invalid: Unknown ProjectionType: null"),
    create("a key attribute not defined", KeySchema=[{"AttributeName": "other", "KeyType": "HASH"}]),
    create("an unknown key type", KeySchema=[{"AttributeName": "k", "KeyType": "PRIMARY"}]),
    create("an unknown attribute type", AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "STRING"}]),
    create("a definition no key uses", AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}, {"AttributeName": "u", "AttributeType": "S"}],
           says="Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions"),
    create("two partition keys", AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}, {"AttributeName": "j", "AttributeType": "S"}],
           KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}, {"AttributeName": "j", "KeyType": "HASH"}]),
    create("a table that exists", TableName=TABLE, code="ResourceInUseException"),
    create("an invalid table name", TableName="no spaces"),
    create("a provisioned table without throughput", BillingMode="PROVISIONED"),
    create("two indexes with one name",
           AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}, {"AttributeName": "g", "AttributeType": "S"}],
           GlobalSecondaryIndexes=[{"IndexName": "GSI", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}] * 2),
    create("an INCLUDE index without attributes",
           AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}, {"AttributeName": "g", "AttributeType": "S"}],
           GlobalSecondaryIndexes=[{"IndexName": "GSI", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}], "Projection": {"ProjectionType": "INCLUDE"}}]),
    create("21 global secondary indexes", says="GlobalSecondaryIndex count exceeds the per-table limit of 20",
           AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}] + [{"AttributeName": "g%d" % n, "AttributeType": "S"} for n in range(21)],
           GlobalSecondaryIndexes=[{"IndexName": "Index%d" % n, "KeySchema": [{"AttributeName": "g%d" % n, "KeyType": "HASH"}],
                                    "Projection": {"ProjectionType": "ALL"}} for n in range(21)]),
    create("an empty list of global indexes", GlobalSecondaryIndexes=[],
           says="One or more parameter values were invalid: List of GlobalSecondaryIndexes is empty"),
    create("an empty list of local indexes", LocalSecondaryIndexes=[],
           AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}, {"AttributeName": "s", "AttributeType": "S"}],
           KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}, {"AttributeName": "s", "KeyType": "RANGE"}],
           says="One or more parameter values were invalid: List of LocalSecondaryIndexes is empty"),
    create("a local index on a table without a sort key",
           AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}, {"AttributeName": "l", "AttributeType": "S"}],
           LocalSecondaryIndexes=[{"IndexName": "LSI", "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}, {"AttributeName": "l", "KeyType": "RANGE"}],
                                   "Projection": {"ProjectionType": "ALL"}}],
           says="Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex"),
    create("a local index with another partition key",
           AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in ("k", "s", "l")],
           KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}, {"AttributeName": "s", "KeyType": "RANGE"}],
           LocalSecondaryIndexes=[{"IndexName": "LSI", "KeySchema": [{"AttributeName": "l", "KeyType": "HASH"}, {"AttributeName": "s", "KeyType": "RANGE"}],
                                   "Projection": {"ProjectionType": "ALL"}}],
           says="Index KeySchema does not have the same leading hash key as table KeySchema for index: LSI. index hash key: l, table hash key: k"),
    create("a local and a global index with one name",
           AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in ("k", "s", "l")],
           KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}, {"AttributeName": "s", "KeyType": "RANGE"}],
           GlobalSecondaryIndexes=[{"IndexName": "Same", "KeySchema": [{"AttributeName": "l", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}],
           LocalSecondaryIndexes=[{"IndexName": "Same", "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}, {"AttributeName": "l", "KeyType": "RANGE"}],
                                   "Projection": {"ProjectionType": "ALL"}}],
           says="Duplicate index name: Same"),
    create("a projected attribute listed twice",
           AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}, {"AttributeName": "g", "AttributeType": "S"}],
           GlobalSecondaryIndexes=[{"IndexName": "GSI", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                    "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["a", "a"]}}],
           says="Duplicate element in NonKeyAttributes: a"),
    Case("an index removed that does not exist", "UpdateTable", {"TableName": TABLE, "GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "Nope"}}]},
         "ResourceNotFoundException"),
    Case("an index created that exists", "UpdateTable", {"TableName": TABLE, "AttributeDefinitions": [{"AttributeName": "GSI1PK", "AttributeType": "S"}],
         "GlobalSecondaryIndexUpdates": [{"Create": {"IndexName": "GSI1", "KeySchema": [{"AttributeName": "GSI1PK", "KeyType": "HASH"}],
                                                     "Projection": {"ProjectionType": "ALL"}}}]}, "ValidationException",
         "Attempting to create an index which already exists"),
    Case("an index created that exists, with an invalid key", "UpdateTable", {"TableName": TABLE,
         "GlobalSecondaryIndexUpdates": [{"Create": {"IndexName": "GSI1", "KeySchema": [], "Projection": {"ProjectionType": "ALL"}}}]},
         "ValidationException", "Attempting to create an index which already exists"),
    Case("an index created without AttributeDefinitions", "UpdateTable", {"TableName": TABLE,
         "GlobalSecondaryIndexUpdates": [{"Create": {"IndexName": "New", "KeySchema": [{"AttributeName": "n", "KeyType": "HASH"}],
                                                     "Projection": {"ProjectionType": "ALL"}}}]},
         "ValidationException", "One or more parameter values were invalid: AttributeDefinitions is not specified for index: New"),
    Case("an index update with two actions", "UpdateTable", {"TableName": TABLE,
         "GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "GSI1"}, "Update": {"IndexName": "GSI1"}}]}, "ValidationException",
         "One or more parameter values were invalid: Only one global secondary index action is allowed per GlobalSecondaryIndexUpdate object"),
    Case("an index update with no action", "UpdateTable", {"TableName": TABLE, "GlobalSecondaryIndexUpdates": [{}]}, "ValidationException",
         "One or more parameter values were invalid: One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Delete must not be null"),
    Case("two updates of one index", "UpdateTable", {"TableName": TABLE,
         "GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "GSI1"}}, {"Delete": {"IndexName": "GSI1"}}]}, "ValidationException",
         "One or more parameter values were invalid: Only one global secondary index update per index is allowed simultaneously. Index: GSI1"),
    Case("TTL on an empty attribute name", "UpdateTimeToLive", {"TableName": TABLE, "TimeToLiveSpecification": {"AttributeName": "", "Enabled": True}},
         "ValidationException", "Value '' at 'timeToLiveSpecification.attributeName' failed to satisfy constraint: Member must have length greater than or equal to 1"),
    Case("TTL enabled twice", "UpdateTimeToLive", {"TableName": TABLE, "TimeToLiveSpecification": {"AttributeName": "ttl", "Enabled": True}},
         "ValidationException", "TimeToLive is already enabled"),
    Case("TTL without Enabled", "UpdateTimeToLive", {"TableName": TABLE, "TimeToLiveSpecification": {"AttributeName": "ttl"}},
         "ValidationException"),
    Case("ListTables with Limit 0", "ListTables", {"Limit": 0}, "ValidationException", "Member must have value greater than or equal to 1"),
    Case("a query filter on what a KEYS_ONLY index does not project", "Query", {"TableName": TABLE, "IndexName": "GSI2",
         "KeyConditionExpression": "GSI2PK = :g", "FilterExpression": "n > :n", "ExpressionAttributeValues": {":g": S("g"), ":n": N(1)}},
         "ValidationException", "Secondary index GSI2 does not project one or more filter attributes: [n]"),
    # Tags: DynamoDB's rules, all or nothing (the good tag of a mixed request is not applied).
    tag("no tags", [], "Atleast one Tag needs to be provided as Input."),
    tag("a tag without a key", [{"Value": "v"}], "The Tag Key provided is invalid, Key: null"),
    tag("a tag without a value", [{"Key": "k"}], "The Tag Value provided is invalid, Value: null"),
    tag("an empty tag key", [{"Key": "ok", "Value": "v"}, {"Key": "", "Value": "v"}], "The Tag Key provided is invalid, Key: "),
    tag("a tag key of 129 characters", [{"Key": "k" * 129, "Value": "v"}], "The Tag Key provided is invalid, Key: " + "k" * 129),
    tag("a tag value of 257 characters", [{"Key": "k", "Value": "v" * 257}], "The Tag Value provided is invalid, Value: " + "v" * 257),
    tag("a tag key with a percent sign", [{"Key": "100%", "Value": "v"}], "The Tag Key provided is invalid, Key: 100%"),
    tag("a tag value with a comma", [{"Key": "ok", "Value": "v"}, {"Key": "k", "Value": "a,b"}], "The Tag Value provided is invalid, Value: a,b"),
    tag("a tag value with an emoji", [{"Key": "k", "Value": "\U0001F511"}], "The Tag Value provided is invalid"),
    tag("a tag key prefixed aws:", [{"Key": "ok", "Value": "v"}, {"Key": "aws:zzz", "Value": "v"}], "Tag Key cannot be prefixed with aws:, Key: aws:zzz"),
    tag("a tag key given twice", [{"Key": "dup", "Value": "1"}, {"Key": "dup", "Value": "2"}], "Duplicate Tag Keys provided as input: Duplicate Tag Key found dup"),
    tag("51 tags", [{"Key": "t%d" % i, "Value": "v"} for i in range(51)], "Number of Tags exceed the current limit for the provided ResourceArn"),
    tag("a resource ARN without arn:", [{"Key": "k", "Value": "v"}], "ARNs must start with 'arn:': I_do_not_exist", arn="I_do_not_exist"),
    tag("a resource ARN of another service", [{"Key": "k", "Value": "v"}], "Provided Arn is not a DynamoDB resource arn",
        arn="arn:aws:s3:us-east-1:000000000000:table/" + TABLE),
    tag("a resource ARN of an index", [{"Key": "k", "Value": "v"}], "Invalid resource arn provided, only table or stream is accepted",
        arn=ARN + "/index/GSI1"),
    tag("a resource ARN of no table", [{"Key": "k", "Value": "v"}], "Requested resource not found", code="ResourceNotFoundException", arn=ARN + "x"),
    Case("tags listed for an index ARN", "ListTagsOfResource", {"ResourceArn": ARN + "/index/GSI1"}, "ValidationException",
         "Invalid resource arn provided, only table or stream is accepted"),
    Case("tags removed for an index ARN", "UntagResource", {"ResourceArn": ARN + "/index/GSI1", "TagKeys": ["team"]}, "ValidationException",
         "Invalid resource arn provided, only table or stream is accepted"),
    Case("no tag keys removed", "UntagResource", {"ResourceArn": ARN, "TagKeys": []}, "ValidationException",
         "Atleast one Tag Key needs to be provided as Input."),
    Case("an empty tag key removed", "UntagResource", {"ResourceArn": ARN, "TagKeys": ["team", ""]}, "ValidationException",
         "The Tag Key provided is invalid, Key: "),
    Case("a table created with a bad tag", "CreateTable", {"TableName": "Tagged", "BillingMode": "PAY_PER_REQUEST",
         "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}], "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
         "Tags": [{"Key": "a&b", "Value": "v"}]}, "ValidationException", "The Tag Key provided is invalid, Key: a&b"),
]


class BadInputTest(unittest.TestCase):
    """Every case of `CASES` against one server, with the store compared before and after."""

    @classmethod
    def setUpClass(cls):
        cls.directory = tempfile.mkdtemp(prefix="kvtable-e2e-bad-input-")
        cls.server = Server(cls.directory)
        cls.address = cls.server.endpoint.split("//")[1]
        definitions = [{"AttributeName": a, "AttributeType": "S"} for a in ("PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK")]
        index = lambda name, projection, *keys: {"IndexName": name, "Projection": {"ProjectionType": projection},
                                                 "KeySchema": [{"AttributeName": k, "KeyType": t} for k, t in zip(keys, ("HASH", "RANGE"))]}
        cls.call("CreateTable", {
            "TableName": TABLE, "BillingMode": "PAY_PER_REQUEST", "AttributeDefinitions": definitions,
            "KeySchema": [{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
            "GlobalSecondaryIndexes": [index("GSI1", "ALL", "GSI1PK", "GSI1SK"), index("GSI2", "KEYS_ONLY", "GSI2PK")]})
        cls.call("CreateTable", {"TableName": "Other", "BillingMode": "PAY_PER_REQUEST",
                                 "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "N"}],
                                 "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}]})
        cls.call("UpdateTimeToLive", {"TableName": TABLE, "TimeToLiveSpecification": {"AttributeName": "ttl", "Enabled": True}})
        for stored in [
            {**key("p", "a"), "n": N(5), "s": S("text"), "l": {"L": [N(1), N(2)]}, "m": {"M": {"x": S("y")}},
             "ss": {"SS": ["a", "b"]}, "b": {"B": base64.b64encode(b"\x00\x01").decode()}, "big": N(BIG), "huge": N("9E+125"),
             "GSI1PK": S("g"), "GSI1SK": S("1"), "GSI2PK": S("g")},
            {**key("p", "b"), "flag": {"BOOL": True}, "nothing": {"NULL": True}, "GSI1PK": S("g"), "GSI1SK": S("2")},
            {**key("q", "a"), "ttl": N(4_000_000_000)},
        ]:
            cls.call("PutItem", {"TableName": TABLE, "Item": stored})
        cls.call("PutItem", {"TableName": "Other", "Item": {"id": N(1)}})
        cls.call("TagResource", {"ResourceArn": ARN, "Tags": [{"Key": "team", "Value": "core"}]})

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        shutil.rmtree(cls.directory, ignore_errors=True)

    @classmethod
    def send(cls, operation, body, headers=None):
        """(status, parsed body) of one request, sent as raw HTTP."""
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        sent = {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810." + operation}
        sent.update(headers or {})
        connection = http.client.HTTPConnection(cls.address, timeout=30)
        try:
            connection.request("POST", "/", body=data, headers={k: v for k, v in sent.items() if v is not None})
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    @classmethod
    def call(cls, operation, body):
        status, data = cls.send(operation, body)
        assert status == 200, (operation, status, data)
        return json.loads(data) if data else None   # TagResource answers an empty body

    def snapshot(self):
        """Every table's description (minus counters DynamoDB updates lazily) and every item."""
        tables = self.call("ListTables", {})["TableNames"]
        state = {}
        for name in tables:
            description = self.call("DescribeTable", {"TableName": name})["Table"]
            for volatile in ("ItemCount", "TableSizeBytes"):
                description.pop(volatile, None)
            items, start = [], None
            while True:
                page = self.call("Scan", {"TableName": name, "ConsistentRead": True, **({"ExclusiveStartKey": start} if start else {})})
                items += page["Items"]
                start = page.get("LastEvaluatedKey")
                if not start:
                    break
            ttl = self.call("DescribeTimeToLive", {"TableName": name})
            tags = self.call("ListTagsOfResource", {"ResourceArn": description["TableArn"]})["Tags"]
            state[name] = (description, sorted(json.dumps(i, sort_keys=True) for i in items), ttl, tags)
        return tables, state

    def test_every_hostile_request_is_a_4xx_that_changes_nothing(self):
        self.assertGreaterEqual(len(CASES), 100)
        self.assertEqual(len({case.name for case in CASES}), len(CASES), "case names are unique")
        before = self.snapshot()
        self.assertEqual(len(before[1][TABLE][1]), 3)
        for case in CASES:
            with self.subTest(case.name):
                status, data = self.send(case.operation, case.body, case.headers)
                self.assertEqual(status, case.status, data[:300])
                answer = json.loads(data)
                kind = answer.get("__type", "")
                self.assertRegex(kind, r"^com\.amazon(aws\.dynamodb\.v20120810|\.coral\.validate)#\w+$")
                self.assertEqual(kind.split("#")[1], case.code, answer)
                message = answer.get("message", answer.get("Message"))
                self.assertIsInstance(message, str)
                self.assertTrue(message)
                if case.says:
                    self.assertIn(case.says, message)
        self.assertEqual(self.snapshot(), before)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)

"""End-to-end tests of `kvtable serve` driven by boto3, the AWS SDK for Python.

Starts `kvtable serve` on a free loopback port with a TTL sweep every second, runs every test
against it through boto3 exactly as an application would, then stops the server with SIGTERM
and checks that it shut down cleanly and that `kvtable verify` finds the store consistent.

    python3 Tests/EndToEnd/dynamodb_api_test.py [path/to/kvtable]

The binary defaults to `.build/debug/kvtable`.
"""

import gzip
import http.client
import json
import zlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

BINARY = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".build/debug/kvtable")


class Server:
    """One `kvtable serve` process on a free port."""

    def __init__(self, directory, *options, in_memory=False):
        self.path = os.path.join(directory, "store-%d.kvt" % id(self))
        store = ["--in-memory"] if in_memory else ["--path", self.path, "--durability", "noSync"]
        self.process = subprocess.Popen(
            [BINARY, "serve", *store, "--port", "0", *options],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()
        if "serving" not in line:
            raise RuntimeError("kvtable serve did not start: %r %s" % (line, self.process.stderr.read()))
        self.endpoint = line.split(" on ")[1].split(" ")[0]

    def client(self, key="test", secret="secret"):
        return boto3.client(
            "dynamodb", endpoint_url=self.endpoint, region_name="us-east-1",
            aws_access_key_id=key, aws_secret_access_key=secret,
            config=Config(retries={"max_attempts": 1}, max_pool_connections=16))

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        output, _ = self.process.communicate(timeout=30)
        return self.process.returncode, output


def S(text):
    return {"S": text}


def N(text):
    return {"N": str(text)}


def error_of(call, *args, **kwargs):
    """The (code, message, response) of the ClientError `call` raises."""
    try:
        call(*args, **kwargs)
    except ClientError as error:
        return error.response["Error"]["Code"], error.response["Error"]["Message"], error.response
    raise AssertionError("expected an error from %s" % call)


def single_table(client, name, **extra):
    definitions = [{"AttributeName": a, "AttributeType": "S"} for a in ("PK", "SK", "GSI1PK", "GSI1SK")]
    return client.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=definitions,
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[{
            "IndexName": "GSI1",
            "KeySchema": [{"AttributeName": "GSI1PK", "KeyType": "HASH"}, {"AttributeName": "GSI1SK", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "ALL"}}],
        **extra)


class DynamoDBAPITest(unittest.TestCase):
    server = None
    directory = None

    @classmethod
    def setUpClass(cls):
        cls.directory = tempfile.mkdtemp(prefix="kvtable-e2e-")
        cls.server = Server(cls.directory, "--ttl-sweep-seconds", "1")
        cls.db = cls.server.client()

    @classmethod
    def tearDownClass(cls):
        code, output = cls.server.stop()
        assert code == 0, "server exited with %s" % code
        assert "stopped" in output, output
        verify = subprocess.run([BINARY, "verify", "--path", cls.server.path], capture_output=True, text=True)
        assert verify.returncode == 0, verify.stdout + verify.stderr
        shutil.rmtree(cls.directory, ignore_errors=True)

    def table(self, name, **extra):
        single_table(self.db, name, **extra)
        self.addCleanup(self.db.delete_table, TableName=name)
        return name

    # MARK: Tables

    def test_create_describe_list_delete(self):
        description = single_table(self.db, "Tables1", Tags=[{"Key": "team", "Value": "core"}])["TableDescription"]
        self.assertEqual(description["TableStatus"], "ACTIVE")
        self.assertEqual(description["KeySchema"][0], {"AttributeName": "PK", "KeyType": "HASH"})
        self.assertEqual(description["GlobalSecondaryIndexes"][0]["IndexStatus"], "ACTIVE")
        self.db.get_waiter("table_exists").wait(TableName="Tables1")
        self.db.put_item(TableName="Tables1", Item={"PK": S("a"), "SK": S("1"), "GSI1PK": S("g"), "GSI1SK": S("1")})
        table = self.db.describe_table(TableName="Tables1")["Table"]
        self.assertEqual(table["ItemCount"], 1)
        self.assertEqual(table["GlobalSecondaryIndexes"][0]["ItemCount"], 1)
        self.assertTrue(table["TableArn"].endswith(":table/Tables1"))
        self.assertEqual(self.db.list_tags_of_resource(ResourceArn=table["TableArn"])["Tags"], [{"Key": "team", "Value": "core"}])

        code, message, _ = error_of(single_table, self.db, "Tables1")
        self.assertEqual(code, "ResourceInUseException")
        single_table(self.db, "Tables2")
        single_table(self.db, "Tables3")
        first = self.db.list_tables(Limit=2, ExclusiveStartTableName="Tables0")
        self.assertEqual(first["TableNames"], ["Tables1", "Tables2"])
        second = self.db.list_tables(Limit=2, ExclusiveStartTableName=first["LastEvaluatedTableName"])
        self.assertIn("Tables3", second["TableNames"])
        for name in ("Tables1", "Tables2", "Tables3"):
            deleted = self.db.delete_table(TableName=name)["TableDescription"]
            self.assertEqual((deleted["TableName"], deleted["TableStatus"]), (name, "DELETING"))
            self.assertTrue(deleted["TableArn"].endswith(":table/" + name))
            self.assertIn("TableId", deleted)
            self.assertEqual(deleted["BillingModeSummary"]["BillingMode"], "PAY_PER_REQUEST")
            # As DynamoDB: DeleteTable's description leaves out what DescribeTable adds.
            for member in ("CreationDateTime", "KeySchema", "AttributeDefinitions", "GlobalSecondaryIndexes"):
                self.assertNotIn(member, deleted)
        code, message, _ = error_of(self.db.describe_table, TableName="Tables1")
        self.assertEqual((code, message), ("ResourceNotFoundException", "Requested resource not found: Table: Tables1 not found"))
        code, _, _ = error_of(self.db.get_item, TableName="Tables1", Key={"PK": S("a"), "SK": S("1")})
        self.assertEqual(code, "ResourceNotFoundException")

    def test_create_table_validation(self):
        code, message, _ = error_of(
            self.db.create_table, TableName="Bad", BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "S"}, {"AttributeName": "X", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}])
        self.assertEqual(code, "ValidationException")
        self.assertIn("Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions", message)
        code, message, _ = error_of(
            self.db.create_table, TableName="Bad", BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in ("PK", "G", "X")],
            KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}],
            GlobalSecondaryIndexes=[{"IndexName": "GSI", "KeySchema": [{"AttributeName": "G", "KeyType": "HASH"}],
                                     "Projection": {"ProjectionType": "ALL"}}])
        self.assertIn("Some AttributeDefinitions are not used. AttributeDefinitions: [G, PK, X], keys used: [G, PK]", message)
        code, message, _ = error_of(
            self.db.create_table, TableName="Bad", BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}])
        self.assertIn("Some index key attributes are not defined in AttributeDefinitions", message)

    def test_update_table_adds_and_removes_an_index_with_backfill(self):
        name = self.table("Indexes")
        # A new index may not give an attribute the table's indexes already key on another type.
        code, message, _ = error_of(self.db.update_table, TableName=name,
                                    AttributeDefinitions=[{"AttributeName": "GSI1PK", "AttributeType": "N"}],
                                    GlobalSecondaryIndexUpdates=[{"Create": {
                                        "IndexName": "Retyped", "KeySchema": [{"AttributeName": "GSI1PK", "KeyType": "HASH"}],
                                        "Projection": {"ProjectionType": "ALL"}}}])
        self.assertEqual(code, "ValidationException")
        self.assertIn("Attributes cannot be redefined", message)
        for i in range(5):
            self.db.put_item(TableName=name, Item={"PK": S("u%d" % i), "SK": S("p"), "city": S("Oslo" if i % 2 else "Rome"), "age": N(20 + i)})
        description = self.db.update_table(
            TableName=name,
            AttributeDefinitions=[{"AttributeName": "city", "AttributeType": "S"}, {"AttributeName": "age", "AttributeType": "N"}],
            GlobalSecondaryIndexUpdates=[{"Create": {
                "IndexName": "ByCity",
                "KeySchema": [{"AttributeName": "city", "KeyType": "HASH"}, {"AttributeName": "age", "KeyType": "RANGE"}],
                "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["SK"]}}}])["TableDescription"]
        self.assertEqual(sorted(i["IndexName"] for i in description["GlobalSecondaryIndexes"]), ["ByCity", "GSI1"])
        oslo = self.db.query(TableName=name, IndexName="ByCity", KeyConditionExpression="city = :c",
                             ExpressionAttributeValues={":c": S("Oslo")}, ScanIndexForward=False)
        self.assertEqual([item["PK"]["S"] for item in oslo["Items"]], ["u3", "u1"])
        self.assertEqual(sorted(oslo["Items"][0].keys()), ["PK", "SK", "age", "city"])
        code, message, _ = error_of(self.db.query, TableName=name, IndexName="ByCity", Select="ALL_ATTRIBUTES",
                                    KeyConditionExpression="city = :c", ExpressionAttributeValues={":c": S("Oslo")})
        self.assertIn("projection type is not ALL", message)
        self.db.update_table(TableName=name, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "ByCity"}}])
        code, message, _ = error_of(self.db.query, TableName=name, IndexName="ByCity", KeyConditionExpression="city = :c",
                                    ExpressionAttributeValues={":c": S("Oslo")})
        self.assertEqual((code, message), ("ValidationException", "The table does not have the specified index: ByCity"))

    def test_local_secondary_indexes(self):
        key = [{"AttributeName": "p", "KeyType": "HASH"}, {"AttributeName": "c", "KeyType": "RANGE"}]
        definitions = [{"AttributeName": a, "AttributeType": "S"} for a in ("p", "c", "b")]

        def lsi(name, sort, projection):
            return {"IndexName": name, "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}, {"AttributeName": sort, "KeyType": "RANGE"}],
                    "Projection": projection}

        description = self.db.create_table(
            TableName="Local", BillingMode="PAY_PER_REQUEST", KeySchema=key, AttributeDefinitions=definitions,
            LocalSecondaryIndexes=[lsi("keys", "b", {"ProjectionType": "KEYS_ONLY"}),
                                   lsi("some", "b", {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["a"]})])["TableDescription"]
        self.addCleanup(self.db.delete_table, TableName="Local")
        indexes = {i["IndexName"]: i for i in description["LocalSecondaryIndexes"]}
        self.assertEqual(sorted(indexes), ["keys", "some"])
        self.assertEqual(indexes["keys"]["IndexArn"], description["TableArn"] + "/index/keys")
        self.assertEqual(indexes["some"]["Projection"], {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["a"]})
        self.assertNotIn("IndexStatus", indexes["keys"])
        self.assertNotIn("GlobalSecondaryIndexes", description)

        items = [{"p": S("x"), "c": S(str(n)), "b": S(str(9 - n)), "a": S("a%d" % n), "d": S("d%d" % n)} for n in range(4)]
        for item in items:
            self.db.put_item(TableName="Local", Item=item)
        condition = {"KeyConditionExpression": "p = :p", "ExpressionAttributeValues": {":p": S("x")}}
        # Strongly consistent, ordered by the index's sort key, projected attributes by default.
        page = self.db.query(TableName="Local", IndexName="keys", ConsistentRead=True, **condition)
        self.assertEqual([i["c"]["S"] for i in page["Items"]], ["3", "2", "1", "0"])
        self.assertEqual(sorted(page["Items"][0]), ["b", "c", "p"])
        page = self.db.query(TableName="Local", IndexName="some", Select="ALL_PROJECTED_ATTRIBUTES", **condition)
        self.assertEqual(sorted(page["Items"][0]), ["a", "b", "c", "p"])
        # What the index does not project is read from the table.
        page = self.db.query(TableName="Local", IndexName="keys", Select="ALL_ATTRIBUTES", **condition)
        self.assertEqual(page["Items"][0], items[3])
        page = self.db.query(TableName="Local", IndexName="some", Select="SPECIFIC_ATTRIBUTES", AttributesToGet=["a", "d"],
                             KeyConditions={"p": {"AttributeValueList": [S("x")], "ComparisonOperator": "EQ"},
                                            "b": {"AttributeValueList": [S("8")], "ComparisonOperator": "EQ"}})
        self.assertEqual(page["Items"], [{"a": S("a1"), "d": S("d1")}])
        page = self.db.scan(TableName="Local", IndexName="keys", FilterExpression="d = :d", ProjectionExpression="c",
                            ExpressionAttributeValues={":d": S("d2")})
        self.assertEqual(page["Items"], [{"c": S("2")}])
        # A query's filter may name only what the index projects (a scan's may name anything).
        code, message, _ = error_of(self.db.query, TableName="Local", IndexName="keys", Select="ALL_ATTRIBUTES",
                                    KeyConditionExpression="p = :p", FilterExpression="d = :d",
                                    ExpressionAttributeValues={":p": S("x"), ":d": S("d2")})
        self.assertEqual((code, message), ("ValidationException", "One or more parameter values were invalid: "
                                           "Secondary index keys does not project one or more filter attributes: [d]"))
        self.assertEqual(self.db.describe_table(TableName="Local")["Table"]["LocalSecondaryIndexes"][0]["ItemCount"], 4)
        # Wrongly typed or empty index keys are refused and write nothing.
        code, message, _ = error_of(self.db.put_item, TableName="Local", Item={"p": S("x"), "c": S("9"), "b": S("")})
        self.assertEqual(code, "ValidationException")
        self.assertIn("empty", message)
        code, message, _ = error_of(self.db.update_table, TableName="Local",
                                    GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "keys"}}])
        self.assertEqual((code, message), ("ValidationException", "Cannot delete an index that is not a GlobalSecondaryIndex: keys"))
        self.assertEqual(self.db.scan(TableName="Local", Select="COUNT")["Count"], 4)

        # CreateTable's rules, with DynamoDB's messages.
        def refused(key_schema, indexes, definitions=definitions):
            return error_of(self.db.create_table, TableName="LocalBad", BillingMode="PAY_PER_REQUEST", KeySchema=key_schema,
                            AttributeDefinitions=definitions, LocalSecondaryIndexes=indexes)[:2]
        base = lsi("idx", "b", {"ProjectionType": "ALL"})
        self.assertEqual(refused(key[:1], [base], definitions=definitions[:1] + definitions[2:]), (
            "ValidationException", "One or more parameter values were invalid: Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex"))
        other = dict(base, KeySchema=[{"AttributeName": "b", "KeyType": "HASH"}, {"AttributeName": "c", "KeyType": "RANGE"}])
        self.assertEqual(refused(key, [other]), (
            "ValidationException", "One or more parameter values were invalid: Index KeySchema does not have the same leading hash key as table KeySchema for index: idx. index hash key: b, table hash key: p"))
        hash_only = dict(base, KeySchema=[{"AttributeName": "p", "KeyType": "HASH"}])
        self.assertEqual(refused(key, [hash_only], definitions=definitions[:2]), (
            "ValidationException", "One or more parameter values were invalid: Index KeySchema does not have a range key for index: idx"))
        six = [dict(base, IndexName="idx%d" % n) for n in range(6)]
        self.assertEqual(refused(key, six), (
            "ValidationException", "One or more parameter values were invalid: Number of LocalSecondaryIndexes exceeds per-table limit of 5"))
        self.assertEqual(refused(key, [base, base]), ("ValidationException", "One or more parameter values were invalid: Duplicate index name: idx"))
        self.assertNotIn("LocalBad", self.db.list_tables()["TableNames"])

    def test_item_collection_metrics(self):
        # Reported for tables with a local secondary index, per collection written; absent otherwise.
        key = [{"AttributeName": "p", "KeyType": "HASH"}, {"AttributeName": "c", "KeyType": "RANGE"}]
        self.db.create_table(
            TableName="Collections", BillingMode="PAY_PER_REQUEST", KeySchema=key,
            AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in ("p", "c", "b")],
            LocalSecondaryIndexes=[{"IndexName": "byB", "KeySchema": [key[0], {"AttributeName": "b", "KeyType": "RANGE"}],
                                    "Projection": {"ProjectionType": "ALL"}}])
        self.addCleanup(self.db.delete_table, TableName="Collections")
        expected = {"ItemCollectionKey": {"p": S("x")}, "SizeEstimateRangeGB": [0.0, 1.0]}
        answer = self.db.put_item(TableName="Collections", Item={"p": S("x"), "c": S("1"), "b": S("b")},
                                  ReturnItemCollectionMetrics="SIZE")
        self.assertEqual(answer["ItemCollectionMetrics"], expected)
        answer = self.db.update_item(TableName="Collections", Key={"p": S("x"), "c": S("1")}, UpdateExpression="SET d = :d",
                                     ExpressionAttributeValues={":d": S("d")}, ReturnItemCollectionMetrics="SIZE")
        self.assertEqual(answer["ItemCollectionMetrics"], expected)
        answer = self.db.put_item(TableName="Collections", Item={"p": S("x"), "c": S("2")})
        self.assertNotIn("ItemCollectionMetrics", answer)
        answer = self.db.batch_write_item(RequestItems={"Collections": [
            {"PutRequest": {"Item": {"p": S("y"), "c": S("1")}}}, {"PutRequest": {"Item": {"p": S("y"), "c": S("2")}}},
            {"DeleteRequest": {"Key": {"p": S("x"), "c": S("2")}}}]}, ReturnItemCollectionMetrics="SIZE")
        collections = answer["ItemCollectionMetrics"]["Collections"]
        self.assertEqual(sorted(m["ItemCollectionKey"]["p"]["S"] for m in collections), ["x", "y"])
        answer = self.db.transact_write_items(TransactItems=[
            {"Delete": {"TableName": "Collections", "Key": {"p": S("y"), "c": S("1")}}}], ReturnItemCollectionMetrics="SIZE")
        self.assertEqual(answer["ItemCollectionMetrics"]["Collections"], [dict(expected, ItemCollectionKey={"p": S("y")})])
        answer = self.db.delete_item(TableName="Collections", Key={"p": S("x"), "c": S("1")}, ReturnItemCollectionMetrics="SIZE")
        self.assertEqual(answer["ItemCollectionMetrics"], expected)
        # A table without local indexes keeps no item collections.
        name = self.table("NoCollections")
        answer = self.db.put_item(TableName=name, Item={"PK": S("a"), "SK": S("b")}, ReturnItemCollectionMetrics="SIZE")
        self.assertNotIn("ItemCollectionMetrics", answer)
        code, _, _ = error_of(self.db.put_item, TableName=name, Item={"PK": S("a"), "SK": S("b")},
                              ReturnItemCollectionMetrics="TOTAL")
        self.assertEqual(code, "ValidationException")

    def test_tags(self):
        name = self.table("Tagged")
        arn = self.db.describe_table(TableName=name)["Table"]["TableArn"]
        self.db.tag_resource(ResourceArn=arn, Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
        self.db.untag_resource(ResourceArn=arn, TagKeys=["a"])
        self.assertEqual(self.db.list_tags_of_resource(ResourceArn=arn)["Tags"], [{"Key": "b", "Value": "2"}])
        code, _, _ = error_of(self.db.list_tags_of_resource, ResourceArn=arn.replace("Tagged", "Nope"))
        self.assertEqual(code, "ResourceNotFoundException")
        # Their success is an empty HTTP body, as DynamoDB answers it (not "{}").
        for answer in (self.db.tag_resource(ResourceArn=arn, Tags=[{"Key": "c", "Value": "3"}]),
                       self.db.untag_resource(ResourceArn=arn, TagKeys=["c"])):
            self.assertEqual(answer["ResponseMetadata"]["HTTPHeaders"].get("content-length"), "0")

    def test_consumed_capacity(self):
        name = self.table("Capacity")
        key = {"PK": S("p"), "SK": S("s")}                       # 6 bytes: names and values
        def units(answer):
            return answer["ConsumedCapacity"]["CapacityUnits"]
        def get(**kwargs):
            return units(self.db.get_item(TableName=name, Key=key, ReturnConsumedCapacity="TOTAL", **kwargs))
        # Reads: 4 KB units of the whole item, half when eventually consistent; missing is 1.
        self.assertEqual((get(ConsistentRead=True), get()), (1, 0.5))
        put = self.db.put_item(TableName=name, Item=dict(key, another=S("a" * (4096 - 6 - 7))), ReturnConsumedCapacity="TOTAL")
        self.assertEqual(put["ConsumedCapacity"], {"TableName": name, "CapacityUnits": 4, "WriteCapacityUnits": 4})
        self.assertNotIn("Attributes", put)
        self.assertEqual((get(ConsistentRead=True), get()), (1, 0.5))
        self.db.put_item(TableName=name, Item=dict(key, another=S("a" * (4097 - 6 - 7))))
        self.assertEqual((get(ConsistentRead=True), get(ProjectionExpression="PK", ConsistentRead=True), get()), (2, 2, 1))
        # Writes: 1 KB units of the larger of the item before and after.
        small = self.db.put_item(TableName=name, Item=dict(key, another=S("a")), ReturnConsumedCapacity="TOTAL")
        self.assertEqual(units(small), 5)
        update = self.db.update_item(TableName=name, Key=key, UpdateExpression="SET another = :v", ReturnConsumedCapacity="TOTAL",
                                     ExpressionAttributeValues={":v": S("a" * (2049 - 6 - 7))}, ReturnValues="UPDATED_NEW")
        self.assertEqual((units(update), len(update["Attributes"]["another"]["S"])), (3, 2049 - 13))
        delete = self.db.delete_item(TableName=name, Key=key, ReturnConsumedCapacity="TOTAL", ReturnValues="ALL_OLD")
        self.assertEqual((units(delete), "Attributes" in delete), (3, True))
        self.assertEqual(units(self.db.delete_item(TableName=name, Key=key, ReturnConsumedCapacity="TOTAL")), 1)
        # An index entry costs its own units; INDEXES shows the shares.
        indexed = self.db.put_item(TableName=name, Item=dict(key, GSI1PK=S("g"), GSI1SK=S("1")), ReturnConsumedCapacity="INDEXES")
        self.assertEqual(indexed["ConsumedCapacity"], {
            "TableName": name, "CapacityUnits": 2, "WriteCapacityUnits": 2, "Table": {"CapacityUnits": 1},
            "GlobalSecondaryIndexes": {"GSI1": {"CapacityUnits": 1}}})
        moved = self.db.update_item(TableName=name, Key=key, UpdateExpression="SET GSI1SK = :v", ExpressionAttributeValues={":v": S("2")},
                                    ReturnConsumedCapacity="INDEXES")
        self.assertEqual(moved["ConsumedCapacity"]["GlobalSecondaryIndexes"], {"GSI1": {"CapacityUnits": 2}})   # removed and put
        # Batches: one entry per table, each item charged on its own.
        other = {"PK": S("p"), "SK": S("t")}
        batch = self.db.batch_write_item(RequestItems={name: [{"PutRequest": {"Item": other}}, {"DeleteRequest": {"Key": {"PK": S("x"), "SK": S("y")}}}]},
                                         ReturnConsumedCapacity="TOTAL")
        self.assertEqual(batch["ConsumedCapacity"], [{"TableName": name, "CapacityUnits": 2, "WriteCapacityUnits": 2}])
        got = self.db.batch_get_item(RequestItems={name: {"Keys": [key, other, {"PK": S("no"), "SK": S("ne")}], "ConsistentRead": True}},
                                     ReturnConsumedCapacity="TOTAL")
        self.assertEqual(got["ConsumedCapacity"], [{"TableName": name, "CapacityUnits": 3, "ReadCapacityUnits": 3}])
        # A query rounds the sum of what it read, before its filter.
        for i in range(4):
            self.db.put_item(TableName=name, Item={"PK": S("q"), "SK": S(str(i)), "v": S("a" * 1500)})
        page = self.db.query(TableName=name, KeyConditionExpression="PK = :q", FilterExpression="v = :none", ConsistentRead=True,
                             ExpressionAttributeValues={":q": S("q"), ":none": S("none")}, ReturnConsumedCapacity="TOTAL")
        self.assertEqual((page["Count"], units(page)), (0, 2))       # 4 x 1,507 bytes = 6,028: two 4 KB units
        scan = self.db.scan(TableName=name, Select="COUNT", ReturnConsumedCapacity="TOTAL")
        self.assertEqual(units(scan), 1)                              # eventually consistent: half of two units
        self.assertNotIn("ConsumedCapacity", self.db.get_item(TableName=name, Key=key, ReturnConsumedCapacity="NONE"))
        # Transactions: twice the units; a condition check is a write of its item; the update
        # rewrites the item's GSI1 entry (an ALL projection), which costs as much again.
        written = self.db.transact_write_items(TransactItems=[
            {"Put": {"TableName": name, "Item": {"PK": S("t"), "SK": S("1")}}},
            {"ConditionCheck": {"TableName": name, "Key": other, "ConditionExpression": "attribute_exists(PK)"}},
            {"Update": {"TableName": name, "Key": key, "UpdateExpression": "SET x = :v", "ExpressionAttributeValues": {":v": N(1)}}},
        ], ReturnConsumedCapacity="INDEXES")["ConsumedCapacity"]
        self.assertEqual(written, [{"TableName": name, "CapacityUnits": 8, "WriteCapacityUnits": 8, "Table": {"CapacityUnits": 6},
                                    "GlobalSecondaryIndexes": {"GSI1": {"CapacityUnits": 2}}}])
        read = self.db.transact_get_items(TransactItems=[{"Get": {"TableName": name, "Key": key, "ProjectionExpression": "PK"}},
                                                         {"Get": {"TableName": name, "Key": {"PK": S("no"), "SK": S("ne")}}}],
                                          ReturnConsumedCapacity="TOTAL")["ConsumedCapacity"]
        self.assertEqual(read, [{"TableName": name, "CapacityUnits": 4, "ReadCapacityUnits": 4}])

    def test_table_class_and_warm_throughput(self):
        name = self.table("Options")
        table = self.db.describe_table(TableName=name)["Table"]
        self.assertNotIn("TableClassSummary", table)           # never set: DynamoDB leaves it out
        self.assertEqual(table["WarmThroughput"], {"ReadUnitsPerSecond": 12000, "WriteUnitsPerSecond": 4000, "Status": "ACTIVE"})
        self.db.update_table(TableName=name, TableClass="STANDARD_INFREQUENT_ACCESS", WarmThroughput={"ReadUnitsPerSecond": 13000})
        table = self.db.describe_table(TableName=name)["Table"]
        self.assertEqual(table["TableClassSummary"]["TableClass"], "STANDARD_INFREQUENT_ACCESS")
        self.assertIn("LastUpdateDateTime", table["TableClassSummary"])
        self.assertEqual(table["WarmThroughput"]["ReadUnitsPerSecond"], 13000)
        for kwargs, expected in [
            ({"TableClass": "standard"}, "Invalid table-class parameter provided. Please try again with a valid table-class value: [STANDARD, STANDARD_INFREQUENT_ACCESS]."),
            ({"WarmThroughput": {"ReadUnitsPerSecond": 12500}}, "One or more parameter values were invalid: Requested ReadUnitsPerSecond 12500 is lower than current WarmThroughput ReadUnitsPerSecond 13000"),
            ({"WarmThroughput": {"WriteUnitsPerSecond": 3999}}, "One or more parameter values were invalid: WriteUnitsPerSecond 3999 is lower than the minimum warm throughput of 4000"),
        ]:
            code, message, _ = error_of(self.db.update_table, TableName=name, **kwargs)
            self.assertEqual((code, message), ("ValidationException", expected))
        self.assertEqual(self.db.describe_table(TableName=name)["Table"]["WarmThroughput"]["ReadUnitsPerSecond"], 13000)

    def test_describe_endpoints(self):
        endpoints = self.db.describe_endpoints()["Endpoints"]
        self.assertEqual(len(endpoints), 1)
        self.assertEqual(endpoints[0]["CachePeriodInMinutes"], 1440)
        # The address the client reached, without a scheme: usable as an endpoint again.
        self.assertEqual("http://" + endpoints[0]["Address"], self.server.endpoint)

    def test_name_lengths_and_nesting_as_dynamodb_words_them(self):
        name = self.table("Lengths")
        key = {"PK": S("p"), "SK": S("s")}
        long_name = "x" * 65536
        for call, kwargs in [
            (self.db.get_item, dict(Key=key, ProjectionExpression="#n", ExpressionAttributeNames={"#n": long_name})),
            (self.db.get_item, dict(Key=key, AttributesToGet=[long_name])),
            (self.db.update_item, dict(Key=key, UpdateExpression="SET a = :v", ConditionExpression="#n = :v",
                                       ExpressionAttributeNames={"#n": long_name}, ExpressionAttributeValues={":v": N(1)})),
        ]:
            code, message, _ = error_of(call, TableName=name, **kwargs)
            self.assertEqual(code, "ValidationException")
            self.assertIn("65536 bytes long; the limit is 65535", message)
        self.assertNotIn("Item", self.db.get_item(TableName=name, Key=key))
        deep = S("leaf")
        for _ in range(40):
            deep = {"M": {"n": deep}}
        code, message, _ = error_of(self.db.put_item, TableName=name, Item=dict(key, deep=deep))
        self.assertEqual(message, "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit")
        # Key and projected attribute names: their 255-byte limit is checked before what they name.
        long_key = "k" * 256
        for definitions, keys, extra in [
            ([{"AttributeName": "other", "AttributeType": "S"}], [{"AttributeName": long_key, "KeyType": "HASH"}], {}),
            ([{"AttributeName": long_key, "AttributeType": "S"}], [{"AttributeName": "other", "KeyType": "HASH"}], {}),
            ([{"AttributeName": "PK", "AttributeType": "S"}, {"AttributeName": "G", "AttributeType": "S"}],
             [{"AttributeName": "PK", "KeyType": "HASH"}],
             {"GlobalSecondaryIndexes": [{"IndexName": "ByG", "KeySchema": [{"AttributeName": "G", "KeyType": "HASH"}],
                                          "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": [long_key]}}]}),
        ]:
            code, message, _ = error_of(self.db.create_table, TableName="LongKeys", BillingMode="PAY_PER_REQUEST",
                                        AttributeDefinitions=definitions, KeySchema=keys, **extra)
            self.assertEqual(code, "ValidationException")
            self.assertIn("failed to satisfy constraint: Member must have length less than or equal to 255", message)
        self.assertNotIn("LongKeys", self.db.list_tables()["TableNames"])
        # 300 operators in a condition pass, 301 do not; nesting follows from them.
        self.db.put_item(TableName=name, Item=dict(key, a=N(1), b=N(2)))
        nested = "a < b" + " OR (a < b" * 149 + ")" * 149
        self.db.update_item(TableName=name, Key=key, UpdateExpression="SET z = :v", ConditionExpression=nested,
                            ExpressionAttributeValues={":v": N(1)})
        code, message, _ = error_of(self.db.update_item, TableName=name, Key=key, UpdateExpression="SET z = :v",
                                    ConditionExpression=nested + " OR a < b", ExpressionAttributeValues={":v": N(2)})
        self.assertEqual(message, "Invalid ConditionExpression: The expression contains too many operators or functions; maximum: 300")
        self.assertEqual(self.db.get_item(TableName=name, Key=key)["Item"]["z"], N(1))

    # MARK: Items

    def test_put_get_delete_with_conditions_and_return_values(self):
        name = self.table("Items")
        key = {"PK": S("u1"), "SK": S("profile")}
        item = dict(key, n=N("1.50"), e=N("1e3"), z=N("-0"), s=S("é"), b={"B": b"\x00\xff"},
                    l={"L": [S("a"), N(1)]}, m={"M": {"x": {"NULL": True}}}, ss={"SS": ["a", "b"]}, flag={"BOOL": True})
        self.db.put_item(TableName=name, Item=item, ConditionExpression="attribute_not_exists(PK)")
        got = self.db.get_item(TableName=name, Key=key)["Item"]
        self.assertEqual((got["n"], got["e"], got["z"]), (N("1.5"), N("1000"), N("0")))
        self.assertEqual(got["b"], {"B": b"\x00\xff"})
        projected = self.db.get_item(TableName=name, Key=key, ProjectionExpression="l[1], m.x, #s", ExpressionAttributeNames={"#s": "s"})
        self.assertEqual(projected["Item"], {"l": {"L": [N(1)]}, "m": {"M": {"x": {"NULL": True}}}, "s": S("é")})

        code, message, response = error_of(self.db.put_item, TableName=name, Item=key, ConditionExpression="attribute_not_exists(PK)",
                                           ReturnValuesOnConditionCheckFailure="ALL_OLD")
        self.assertEqual((code, message), ("ConditionalCheckFailedException", "The conditional request failed"))
        self.assertEqual(response["Item"]["n"], N("1.5"))
        old = self.db.put_item(TableName=name, Item=dict(key, v=N(2)), ReturnValues="ALL_OLD")["Attributes"]
        self.assertEqual(old["s"], S("é"))
        code, message, _ = error_of(self.db.put_item, TableName=name, Item=key, ReturnValues="ALL_NEW")
        self.assertEqual(message, "ReturnValues can only be ALL_OLD or NONE")
        deleted = self.db.delete_item(TableName=name, Key=key, ConditionExpression="v = :v",
                                      ExpressionAttributeValues={":v": N("2.0")}, ReturnValues="ALL_OLD")["Attributes"]
        self.assertEqual(deleted, dict(key, v=N(2)))
        self.assertNotIn("Item", self.db.get_item(TableName=name, Key=key))
        # Functions whose first operand is a value, not a path (as DynamoDB accepts them).
        self.db.put_item(TableName=name, Item=dict(key, a=S("he"), tag=S("y")))
        for condition in ("begins_with(:s, a)", "contains(:set, tag)", "attribute_type(:s, :t)"):
            self.db.update_item(TableName=name, Key=key, UpdateExpression="SET c = :s", ConditionExpression=condition,
                                ExpressionAttributeValues={":s": S("hello"), **({":set": {"SS": ["x", "y"]}} if "set" in condition else {}),
                                                           **({":t": S("S")} if ":t" in condition else {})})
        code, _, _ = error_of(self.db.update_item, TableName=name, Key=key, UpdateExpression="SET c = :s",
                              ConditionExpression="begins_with(:s, tag)", ExpressionAttributeValues={":s": S("hello")})
        self.assertEqual(code, "ConditionalCheckFailedException")
        # size() of a value: the value's size; a value without one (a Boolean) is refused.
        self.db.update_item(TableName=name, Key=key, UpdateExpression="SET c = :s", ConditionExpression="size(:s) = :five",
                            ExpressionAttributeValues={":s": S("hello"), ":five": N(5)})
        code, message, _ = error_of(self.db.update_item, TableName=name, Key=key, UpdateExpression="SET c = :s",
                                    ConditionExpression="size(:b) > :s", ExpressionAttributeValues={":s": S("hello"), ":b": {"BOOL": True}})
        self.assertEqual((code, message), ("ValidationException", "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: size, operand type: BOOL"))
        self.db.delete_item(TableName=name, Key=key)
        # Unicode: composed and decomposed é are different keys.
        self.db.put_item(TableName=name, Item={"PK": S("\u00e9"), "SK": S("x")})
        self.assertNotIn("Item", self.db.get_item(TableName=name, Key={"PK": S("e\u0301"), "SK": S("x")}))

    def test_item_validation_errors(self):
        name = self.table("Invalid")
        key = {"PK": S("k"), "SK": S("s")}
        cases = [
            (dict(Item=dict(key, big=S("x" * (400 * 1024)))), "Item size has exceeded the maximum allowed size"),
            (dict(Item=dict(key, s={"SS": []})), "One or more parameter values were invalid: An string set  may not be empty"),
            (dict(Item=dict(key, n=N("1e126"))), "Number overflow. Attempting to store a number with magnitude larger than supported range"),
            (dict(Item=dict(key, n=N("NaN"))), None),
            (dict(Item={"PK": S("k")}), None),
            (dict(Item={"PK": S(""), "SK": S("s")}), "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: PK"),
            (dict(Item={"PK": N(1), "SK": S("s")}), None),
            (dict(Item=key, ConditionExpression="size = :v", ExpressionAttributeValues={":v": N(1)}),
             "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: size"),
            (dict(Item=key, ConditionExpression="a = :v", ExpressionAttributeValues={":v": N(1), ":w": N(2)}),
             "Value provided in ExpressionAttributeValues unused in expressions: keys: {:w}"),
            (dict(Item=key, ConditionExpression="a = :x"),
             "Invalid ConditionExpression: An expression attribute value used in expression is not defined; attribute value: :x"),
            (dict(Item=key, ConditionExpression="#a = :v", ExpressionAttributeValues={":v": N(1)}),
             "Invalid ConditionExpression: An expression attribute name used in the document path is not defined; attribute name: #a"),
            (dict(Item=key, ConditionExpression="BEGINS_WITH(a, :v)", ExpressionAttributeValues={":v": S("x")}),
             "Invalid ConditionExpression: Invalid function name; function: BEGINS_WITH"),
            (dict(Item=key, ConditionExpression="a = = :v", ExpressionAttributeValues={":v": S("x")}),
             'Invalid ConditionExpression: Syntax error; token: "=", near: "= =" (at character 5)'),
            (dict(Item=key, ConditionExpression="begins_with(a)"),
             "Invalid ConditionExpression: Incorrect number of operands for operator or function; operator or function: begins_with, number of operands: 1"),
            (dict(Item=key, Expected={"a": {"Exists": False}}, ConditionExpression="attribute_exists(a)"),
             "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {Expected} Expression parameters: {ConditionExpression}"),
            (dict(Item=key, ExpressionAttributeNames={"#a": "a"}),
             "ExpressionAttributeNames can only be specified when using expressions"),
        ]
        for arguments, expected in cases:
            code, message, _ = error_of(self.db.put_item, TableName=name, **arguments)
            self.assertEqual(code, "ValidationException", arguments)
            if expected:
                self.assertEqual(message, expected)
        self.assertEqual(self.db.scan(TableName=name)["Count"], 0)   # nothing was stored

    def test_number_string_and_key_rules(self):
        name = self.table("Rules")
        key = {"PK": S("k"), "SK": S("s")}
        for text, canonical in [("+3", "3"), (".123", "0.123"), ("0001.23", "1.23"), ("1e+5", "100000"), ("-0", "0"),
                                ("0.10", "0.1"), ("1E-130", "0." + "0" * 129 + "1"), ("12345678901234567890123456789012345678", "12345678901234567890123456789012345678")]:
            self.db.put_item(TableName=name, Item=dict(key, n=N(text)))
            got = self.db.get_item(TableName=name, Key=key)["Item"]["n"]["N"]
            self.assertEqual(got, canonical, text)
        for text in ["NaN", "Infinity", " 1", "dog", "", "1e126", "123456789012345678901234567890123456789"]:
            code, _, _ = error_of(self.db.put_item, TableName=name, Item=dict(key, n=N(text)))
            self.assertEqual(code, "ValidationException", text)
        code, message, _ = error_of(self.db.put_item, TableName=name, Item=dict(key, ns={"NS": ["1", "1.0"]}))
        self.assertIn("contains duplicates", message)
        # 1, 1.0 and 1e0 are one key.
        numbers = "NumberKeys"
        self.db.create_table(TableName=numbers, BillingMode="PAY_PER_REQUEST",
                             AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "N"}],
                             KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
        self.addCleanup(self.db.delete_table, TableName=numbers)
        self.db.put_item(TableName=numbers, Item={"id": N("1"), "v": S("first")})
        self.db.put_item(TableName=numbers, Item={"id": N("1.0"), "v": S("second")})
        self.assertEqual(self.db.get_item(TableName=numbers, Key={"id": N("1e0")})["Item"], {"id": N("1"), "v": S("second")})
        self.assertEqual(self.db.scan(TableName=numbers)["Count"], 1)
        # Empty strings and binaries are fine outside keys; empty sets are not.
        self.db.put_item(TableName=name, Item=dict(key, e=S(""), b={"B": b""}))
        code, _, _ = error_of(self.db.put_item, TableName=name, Item=dict(key, e={"BS": []}))
        self.assertEqual(code, "ValidationException")
        # Key sizes: partition key 2048 bytes, sort key 1024.
        self.db.put_item(TableName=name, Item={"PK": S("p" * 2048), "SK": S("s" * 1024)})
        code, message, _ = error_of(self.db.put_item, TableName=name, Item={"PK": S("p" * 2049), "SK": S("s")})
        self.assertEqual(message, "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes")
        code, message, _ = error_of(self.db.put_item, TableName=name, Item={"PK": S("p"), "SK": S("s" * 1025)})
        self.assertEqual(message, "One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of 1024 bytes")

    def test_update_item(self):
        name = self.table("Updates")
        key = {"PK": S("u"), "SK": S("s")}
        created = self.db.update_item(
            TableName=name, Key=key, ReturnValues="ALL_NEW",
            UpdateExpression="SET #n = :n, visits = if_not_exists(visits, :zero) + :one, events = list_append(if_not_exists(events, :empty), :e), nested = :m ADD tags :t",
            ExpressionAttributeNames={"#n": "name"},
            ExpressionAttributeValues={":n": S("Ada"), ":zero": N(0), ":one": N(1), ":empty": {"L": []}, ":e": {"L": [S("x")]},
                                       ":m": {"M": {"a": {"L": [N(1)]}}}, ":t": {"SS": ["t1"]}})["Attributes"]
        self.assertEqual(created["visits"], N(1))
        self.assertEqual(created["events"], {"L": [S("x")]})
        updated = self.db.update_item(
            TableName=name, Key=key, ReturnValues="UPDATED_NEW",
            UpdateExpression="SET nested.a[0] = :v REMOVE #n DELETE tags :t ADD visits :one",
            ExpressionAttributeNames={"#n": "name"}, ExpressionAttributeValues={":v": N(9), ":t": {"SS": ["t1"]}, ":one": N(1)})["Attributes"]
        self.assertEqual(updated, {"nested": {"M": {"a": {"L": [N(9)]}}}, "visits": N(2)})
        appended = self.db.update_item(TableName=name, Key=key, UpdateExpression="SET nested.a[7] = :v",
                                       ExpressionAttributeValues={":v": N(10)}, ReturnValues="ALL_NEW")["Attributes"]
        self.assertEqual(appended["nested"], {"M": {"a": {"L": [N(9), N(10)]}}})   # past the end appends
        old = self.db.update_item(TableName=name, Key=key, UpdateExpression="SET visits = visits - :one",
                                  ExpressionAttributeValues={":one": N(1)}, ReturnValues="UPDATED_OLD")["Attributes"]
        self.assertEqual(old, {"visits": N(2)})
        item = self.db.get_item(TableName=name, Key=key)["Item"]
        self.assertNotIn("tags", item)      # DELETE of the last element removes the set
        self.assertNotIn("name", item)
        errors = [
            ("SET SK = :v", {":v": S("x")}, "One or more parameter values were invalid: Cannot update attribute SK. This attribute is part of the key"),
            ("SET a = :v, a.b = :v", {":v": S("x")}, "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]"),
            ("ADD events :v", {":v": N(1)}, "An operand in the update expression has an incorrect data type"),
            ("SET visits = visits + :v", {":v": N("9.9999999999999999999999999999999999999E+125")}, None),
            ("SET a = :v SET b = :v", {":v": N(1)}, 'Invalid UpdateExpression: The "SET" section can only be used once in an update expression;'),
        ]
        for expression, values, expected in errors:
            code, message, _ = error_of(self.db.update_item, TableName=name, Key=key, UpdateExpression=expression,
                                        ExpressionAttributeValues=values)
            self.assertEqual(code, "ValidationException", expression)
            if expected:
                self.assertEqual(message, expected)
        self.assertEqual(self.db.get_item(TableName=name, Key=key)["Item"], item)

    # MARK: Queries and scans

    def fill(self, name, count, partition="p", **extra):
        with_batch = [{"PutRequest": {"Item": dict({"PK": S(partition), "SK": S("%04d" % i), "i": N(i), "GSI1PK": S("all"), "GSI1SK": S("%04d" % i)}, **extra)}}
                      for i in range(count)]
        for start in range(0, count, 25):
            self.db.batch_write_item(RequestItems={name: with_batch[start:start + 25]})

    def test_query_key_conditions_filters_and_counts(self):
        name = self.table("Queries")
        self.fill(name, 30)
        def q(expression, **kwargs):
            values = kwargs.pop("values", {})
            values[":p"] = S("p")
            return self.db.query(TableName=name, KeyConditionExpression=expression, ExpressionAttributeValues=values, **kwargs)
        self.assertEqual(q("PK = :p")["Count"], 30)
        self.assertEqual(q("PK = :p AND SK BETWEEN :a AND :b", values={":a": S("0005"), ":b": S("0009")})["Count"], 5)
        self.assertEqual(q("PK = :p and begins_with(SK, :x)", values={":x": S("001")})["Count"], 10)
        self.assertEqual([i["i"] for i in q("PK = :p AND SK >= :a", values={":a": S("0027")}, ScanIndexForward=False)["Items"]],
                         [N(29), N(28), N(27)])
        filtered = q("PK = :p", FilterExpression="i >= :ten", values={":ten": N(10)}, Limit=15)
        self.assertEqual((filtered["Count"], filtered["ScannedCount"]), (5, 15))
        self.assertEqual(filtered["LastEvaluatedKey"], {"PK": S("p"), "SK": S("0014")})
        # A Limit reached on the partition's last item still has a LastEvaluatedKey (DynamoDB does
        # not look ahead); the page it leads to is empty and has none. One short of it: none.
        exact = q("PK = :p", Limit=30)
        self.assertEqual((exact["Count"], exact["LastEvaluatedKey"]), (30, {"PK": S("p"), "SK": S("0029")}))
        after = q("PK = :p", Limit=30, ExclusiveStartKey=exact["LastEvaluatedKey"])
        self.assertEqual((after["Count"], after["Items"], "LastEvaluatedKey" in after), (0, [], False))
        self.assertNotIn("LastEvaluatedKey", q("PK = :p", Limit=31))
        counted = q("PK = :p", Select="COUNT")
        self.assertEqual((counted["Count"], "Items" in counted), (30, False))
        code, message, _ = error_of(q, "PK = :p", Select="COUNT", ProjectionExpression="i")
        self.assertEqual(message, "Cannot specify the ProjectionExpression when choosing to get only the Count")
        for expression, expected in [
            ("PK = :p OR SK = :p", "Invalid operator used in KeyConditionExpression: OR"),
            ("SK = :p", "Query condition missed key schema element: PK"),
            ("PK = :p AND i = :p", "Query condition missed key schema element: SK"),
            ("PK < :p", "Query key condition not supported"),
            ("PK = :p AND SK BETWEEN :z AND :p", None),
        ]:
            values = {":z": S("zzz")} if ":z" in expression else {}
            code, message, _ = error_of(q, expression, values=values)
            self.assertEqual(code, "ValidationException", expression)
            if expected:
                self.assertEqual(message, expected)
        code, message, _ = error_of(q, "PK = :p", FilterExpression="SK = :p")
        self.assertEqual(message, "Filter Expression can only contain non-primary key attributes: Primary key attribute: SK")
        gsi = self.db.query(TableName=name, IndexName="GSI1", KeyConditionExpression="GSI1PK = :g AND GSI1SK < :s",
                            ExpressionAttributeValues={":g": S("all"), ":s": S("0003")})
        self.assertEqual(gsi["Count"], 3)
        code, message, _ = error_of(self.db.query, TableName=name, IndexName="GSI1", ConsistentRead=True,
                                    KeyConditionExpression="GSI1PK = :g", ExpressionAttributeValues={":g": S("all")})
        self.assertEqual(message, "Consistent reads are not supported on global secondary indexes")

    def test_paging_never_skips_or_repeats_while_items_are_written(self):
        name = self.table("Paging")
        self.fill(name, 40)
        seen = []
        start = None
        page_number = 0
        while True:
            kwargs = {"ExclusiveStartKey": start} if start else {}
            page = self.db.query(TableName=name, KeyConditionExpression="PK = :p", ExpressionAttributeValues={":p": S("p")},
                                 Limit=7, **kwargs)
            seen += [item["SK"]["S"] for item in page["Items"]]
            # Writes between pages: before the cursor (not seen) and after it (seen once).
            self.db.put_item(TableName=name, Item={"PK": S("p"), "SK": S("0000-%d" % page_number)})
            self.db.put_item(TableName=name, Item={"PK": S("p"), "SK": S("9999-%d" % page_number)})
            page_number += 1
            start = page.get("LastEvaluatedKey")
            if not start:
                break
        self.assertEqual(len(seen), len(set(seen)))
        self.assertEqual(seen[:40], ["%04d" % i for i in range(40)])
        self.assertTrue(all(s.startswith("9999-") for s in seen[40:]))

    def test_one_megabyte_pages(self):
        name = self.table("Big")
        blob = "x" * 100_000
        for i in range(25):
            self.db.put_item(TableName=name, Item={"PK": S("p"), "SK": S("%02d" % i), "blob": S(blob)})
        first = self.db.query(TableName=name, KeyConditionExpression="PK = :p", ExpressionAttributeValues={":p": S("p")})
        self.assertLess(first["Count"], 25)
        self.assertIn("LastEvaluatedKey", first)
        rest = self.db.get_paginator("query").paginate(TableName=name, KeyConditionExpression="PK = :p",
                                                       ExpressionAttributeValues={":p": S("p")})
        self.assertEqual(sum(page["Count"] for page in rest), 25)
        scanned = self.db.get_paginator("scan").paginate(TableName=name)
        self.assertEqual(sum(page["Count"] for page in scanned), 25)

    def test_parallel_scan_segments(self):
        name = self.table("Segments")
        for partition in range(12):
            self.fill(name, 5, partition="p%d" % partition)
        everything = sorted((i["PK"]["S"], i["SK"]["S"]) for i in self.db.scan(TableName=name)["Items"])
        parts = []
        for segment in range(4):
            parts += [(i["PK"]["S"], i["SK"]["S"]) for i in self.db.scan(TableName=name, Segment=segment, TotalSegments=4)["Items"]]
        self.assertEqual(sorted(parts), everything)
        self.assertEqual(len(everything), 60)
        code, message, _ = error_of(self.db.scan, TableName=name, Segment=1)
        self.assertEqual(message, "The TotalSegments parameter is required but was not present in the request when Segment parameter is present")
        filtered = self.db.scan(TableName=name, FilterExpression="i = :one", ExpressionAttributeValues={":one": N(1)})
        self.assertEqual((filtered["Count"], filtered["ScannedCount"]), (12, 60))

    # MARK: Batches and transactions

    def test_batch_write_and_get_limits(self):
        name = self.table("Batches")
        other = self.table("Batches2")
        puts = [{"PutRequest": {"Item": {"PK": S("b%d" % i), "SK": S("s")}}} for i in range(26)]
        code, message, _ = error_of(self.db.batch_write_item, RequestItems={name: puts})
        self.assertEqual((code, message), ("ValidationException", "1 validation error detected: Value at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 25, Member must have length greater than or equal to 1]"))
        code, message, _ = error_of(self.db.batch_write_item, RequestItems={name: puts[:13], other: puts[13:]})
        self.assertEqual((code, message), ("ValidationException", "Too many items requested for the BatchWriteItem call"))
        code, message, _ = error_of(self.db.batch_write_item, RequestItems={name: [puts[0], puts[0]]})
        self.assertEqual(message, "Provided list of item keys contains duplicates")
        result = self.db.batch_write_item(RequestItems={name: puts[:20], other: puts[20:25]})
        self.assertEqual(result["UnprocessedItems"], {})
        self.db.batch_write_item(RequestItems={name: [{"DeleteRequest": {"Key": {"PK": S("b0"), "SK": S("s")}}}]})
        keys = [{"PK": S("b%d" % i), "SK": S("s")} for i in range(20)]
        got = self.db.batch_get_item(RequestItems={name: {"Keys": keys, "ProjectionExpression": "PK"},
                                                   other: {"Keys": [{"PK": S("b20"), "SK": S("s")}]}})
        self.assertEqual(len(got["Responses"][name]), 19)
        self.assertEqual(got["Responses"][other], [{"PK": S("b20"), "SK": S("s")}])
        many = [{"PK": S("k%d" % i), "SK": S("s")} for i in range(101)]
        code, message, _ = error_of(self.db.batch_get_item, RequestItems={name: {"Keys": many}})
        self.assertEqual(message, "Too many items requested for the BatchGetItem call")
        self.assertEqual(len(self.db.batch_get_item(RequestItems={name: {"Keys": many[:100]}})["Responses"][name]), 0)

    def test_transactions(self):
        name = self.table("Transactions")
        self.db.put_item(TableName=name, Item={"PK": S("acct"), "SK": S("a"), "balance": N(100)})
        self.db.put_item(TableName=name, Item={"PK": S("acct"), "SK": S("b"), "balance": N(0)})
        self.db.put_item(TableName=name, Item={"PK": S("bank"), "SK": S("open")})
        def transfer(amount, token=None):
            kwargs = {"ClientRequestToken": token} if token else {}
            return self.db.transact_write_items(TransactItems=[
                {"Update": {"TableName": name, "Key": {"PK": S("acct"), "SK": S("a")},
                            "UpdateExpression": "SET balance = balance - :x", "ConditionExpression": "balance >= :x",
                            "ExpressionAttributeValues": {":x": N(amount)}, "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
                {"Update": {"TableName": name, "Key": {"PK": S("acct"), "SK": S("b")},
                            "UpdateExpression": "SET balance = balance + :x", "ExpressionAttributeValues": {":x": N(amount)}}},
                {"ConditionCheck": {"TableName": name, "Key": {"PK": S("bank"), "SK": S("open")},
                                    "ConditionExpression": "attribute_exists(PK)"}},
            ], **kwargs)
        transfer(30, token="t-1")
        transfer(30, token="t-1")           # a retry with the same token is not applied twice
        code, message, response = error_of(transfer, 500)
        self.assertEqual(code, "TransactionCanceledException")
        self.assertIn("[ConditionalCheckFailed, None, None]", message)
        reasons = response["CancellationReasons"]
        self.assertEqual([r["Code"] for r in reasons], ["ConditionalCheckFailed", "None", "None"])
        self.assertEqual(reasons[0]["Item"]["balance"], N(70))
        got = self.db.transact_get_items(TransactItems=[
            {"Get": {"TableName": name, "Key": {"PK": S("acct"), "SK": S("a")}, "ProjectionExpression": "balance"}},
            {"Get": {"TableName": name, "Key": {"PK": S("acct"), "SK": S("b")}}},
            {"Get": {"TableName": name, "Key": {"PK": S("acct"), "SK": S("missing")}}},
        ])["Responses"]
        self.assertEqual(got[0], {"Item": {"balance": N(70)}})
        self.assertEqual(got[1]["Item"]["balance"], N(30))
        self.assertEqual(got[2], {})
        code, message, _ = error_of(self.db.transact_write_items, TransactItems=[
            {"Put": {"TableName": name, "Item": {"PK": S("x"), "SK": S("y")}}},
            {"Delete": {"TableName": name, "Key": {"PK": S("x"), "SK": S("y")}}}])
        self.assertEqual((code, message), ("ValidationException", "Transaction request cannot include multiple operations on one item"))
        code, _, _ = error_of(self.db.transact_write_items, TransactItems=[
            {"Put": {"TableName": name, "Item": {"PK": S("x%d" % i), "SK": S("y")}}} for i in range(101)])
        self.assertEqual(code, "ValidationException")
        code, _, _ = error_of(transfer, 1, token="t-1")
        self.assertEqual(code, "IdempotentParameterMismatchException")
        # Two invalid actions: DynamoDB reports the first and None for every other.
        code, _, response = error_of(self.db.transact_write_items, TransactItems=[
            {"Put": {"TableName": name, "Item": {"PK": N(7), "SK": S("y")}}},
            {"Put": {"TableName": name, "Item": {"PK": N(8), "SK": S("y")}}},
            {"Put": {"TableName": name, "Item": {"PK": S("new"), "SK": S("y")}, "ConditionExpression": "attribute_exists(PK)"}}])
        self.assertEqual([r["Code"] for r in response["CancellationReasons"]], ["ValidationError", "None", "None"])
        self.assertEqual(["Message" in r for r in response["CancellationReasons"]], [True, False, False])
        long = "x" * 100000
        code, message, _ = error_of(self.db.transact_write_items, TransactItems=[
            {"Put": {"TableName": name, "Item": {"PK": S("big%d" % i), "SK": S("y"), "x": S(long)}}} for i in range(50)])
        self.assertEqual(code, "ValidationException")
        self.assertIn("size cannot exceed 4 MB", message)

    # MARK: Legacy parameters

    def test_legacy_parameters(self):
        name = self.table("Legacy")
        key = {"PK": S("l"), "SK": S("1")}
        self.db.put_item(TableName=name, Item=dict(key, a=N(1)), Expected={"PK": {"Exists": False}})
        code, _, _ = error_of(self.db.put_item, TableName=name, Item=key, Expected={"PK": {"Exists": False}})
        self.assertEqual(code, "ConditionalCheckFailedException")
        self.db.put_item(TableName=name, Item=dict(key, a=N(2)), ConditionalOperator="OR",
                         Expected={"a": {"ComparisonOperator": "EQ", "AttributeValueList": [N(5)]}, "PK": {"ComparisonOperator": "NOT_NULL"}})
        new = self.db.update_item(TableName=name, Key=key, ReturnValues="ALL_NEW",
                                  AttributeUpdates={"a": {"Action": "ADD", "Value": N(3)}, "l": {"Action": "ADD", "Value": {"L": [S("x")]}},
                                                    "s": {"Action": "PUT", "Value": S("v")}},
                                  Expected={"a": {"Value": N(2)}})["Attributes"]
        self.assertEqual((new["a"], new["l"], new["s"]), (N(5), {"L": [S("x")]}, S("v")))
        self.db.update_item(TableName=name, Key=key, AttributeUpdates={"s": {"Action": "DELETE"}})
        self.assertEqual(self.db.get_item(TableName=name, Key=key, AttributesToGet=["a", "s"])["Item"], {"a": N(5)})
        for i in range(2, 6):
            self.db.put_item(TableName=name, Item={"PK": S("l"), "SK": S(str(i)), "a": N(i)})
        page = self.db.query(TableName=name, KeyConditions={"PK": {"ComparisonOperator": "EQ", "AttributeValueList": [S("l")]},
                                                            "SK": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [S("2"), S("4")]}},
                             QueryFilter={"a": {"ComparisonOperator": "GT", "AttributeValueList": [N(2)]}}, AttributesToGet=["SK"])
        self.assertEqual(page["Items"], [{"SK": S("3")}, {"SK": S("4")}])
        self.assertEqual(page["ScannedCount"], 3)
        scan = self.db.scan(TableName=name, ScanFilter={"a": {"ComparisonOperator": "IN", "AttributeValueList": [N(3), N(5)]}})
        self.assertEqual(scan["Count"], 3)
        code, message, _ = error_of(self.db.query, TableName=name, KeyConditions={"PK": {"ComparisonOperator": "NE", "AttributeValueList": [S("l")]}})
        self.assertEqual(message, "Attempted conditional constraint is not an indexable operation")
        # An operator name that is no operator (they are case-sensitive) fails the request's schema.
        code, message, _ = error_of(self.db.query, TableName=name, KeyConditions={"PK": {"ComparisonOperator": "eq", "AttributeValueList": [S("l")]}})
        self.assertEqual((code, message), ("ValidationException",
                         "1 validation error detected: Value 'eq' at 'keyConditions.PK.member.comparisonOperator' failed to satisfy constraint: "
                         "Member must satisfy enum value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]"))
        code, message, _ = error_of(self.db.query, TableName=name, KeyConditionExpression="PK = :p", ExpressionAttributeValues={":p": S("l")},
                                    AttributesToGet=["SK"])
        self.assertIn("Can not use both expression and non-expression parameters", message)
        # Legacy KeyConditions with a FilterExpression and a ProjectionExpression is not mixing.
        page = self.db.query(TableName=name, KeyConditions={"PK": {"ComparisonOperator": "EQ", "AttributeValueList": [S("l")]}},
                             FilterExpression="a > :a", ProjectionExpression="#s", ExpressionAttributeValues={":a": N(3)},
                             ExpressionAttributeNames={"#s": "SK"})
        self.assertEqual(page["Items"], [{"SK": S("1")}, {"SK": S("4")}, {"SK": S("5")}])
        # Any other legacy member beside an expression is, even one of another job (as DynamoDB).
        code, message, _ = error_of(self.db.query, TableName=name, KeyConditionExpression="PK = :p", ExpressionAttributeValues={":p": S("l")},
                                    QueryFilter={"a": {"ComparisonOperator": "GT", "AttributeValueList": [N(2)]}})
        self.assertEqual(message, "Can not use both expression and non-expression parameters in the same request: "
                                  "Non-expression parameters: {QueryFilter} Expression parameters: {KeyConditionExpression}")

    # MARK: TTL

    def test_time_to_live(self):
        name = self.table("Expiring")
        self.assertEqual(self.db.describe_time_to_live(TableName=name)["TimeToLiveDescription"]["TimeToLiveStatus"], "DISABLED")
        self.db.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"})
        self.assertEqual(self.db.describe_time_to_live(TableName=name)["TimeToLiveDescription"],
                         {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires"})
        code, message, _ = error_of(self.db.update_time_to_live, TableName=name,
                                    TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"})
        self.assertEqual(message, "TimeToLive is already enabled")
        now = int(time.time())
        self.db.put_item(TableName=name, Item={"PK": S("gone"), "SK": S("1"), "expires": N(now - 10), "GSI1PK": S("g"), "GSI1SK": S("1")})
        self.db.put_item(TableName=name, Item={"PK": S("soon"), "SK": S("1"), "expires": N(now + 2), "GSI1PK": S("g"), "GSI1SK": S("2")})
        self.db.put_item(TableName=name, Item={"PK": S("kept"), "SK": S("1"), "expires": S("not a number"), "GSI1PK": S("g"), "GSI1SK": S("3")})
        # An expiry time more than five years in the past never expires (DynamoDB's rule).
        self.db.put_item(TableName=name, Item={"PK": S("1975"), "SK": S("1"), "expires": N(162777600)})
        self.assertIn("Item", self.db.get_item(TableName=name, Key={"PK": S("1975"), "SK": S("1")}))
        self.db.delete_item(TableName=name, Key={"PK": S("1975"), "SK": S("1")})
        self.assertNotIn("Item", self.db.get_item(TableName=name, Key={"PK": S("gone"), "SK": S("1")}))
        gsi = lambda: [i["PK"]["S"] for i in self.db.query(TableName=name, IndexName="GSI1", KeyConditionExpression="GSI1PK = :g",
                                                           ExpressionAttributeValues={":g": S("g")})["Items"]]
        self.assertEqual(gsi(), ["soon", "kept"])
        deadline = time.time() + 15
        while self.db.describe_table(TableName=name)["Table"]["ItemCount"] > 1 and time.time() < deadline:
            time.sleep(0.5)
        table = self.db.describe_table(TableName=name)["Table"]
        self.assertEqual((table["ItemCount"], table["GlobalSecondaryIndexes"][0]["ItemCount"]), (1, 1))
        self.assertEqual(gsi(), ["kept"])

    # MARK: Protocol

    def test_compressed_requests(self):
        name = self.table("Compressed")
        def put(sk, body, encoding):
            request = urllib.request.Request(self.server.endpoint + "/", data=body, method="POST", headers={
                "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810.PutItem", "Content-Encoding": encoding})
            try:
                with urllib.request.urlopen(request) as response:
                    return response.status, response.read()
            except urllib.error.HTTPError as error:
                return error.code, error.read()
        def item(sk):
            return json.dumps({"TableName": name, "Item": {"PK": {"S": "c"}, "SK": {"S": sk}, "v": {"S": "x" * 5000}}}).encode()
        whole = item("gzip")
        self.assertEqual(put("gzip", gzip.compress(whole), "gzip")[0], 200)
        halves = item("two")
        self.assertEqual(put("two", gzip.compress(halves[:10]) + gzip.compress(halves[10:]), "gzip")[0], 200)   # two members
        self.assertEqual(put("deflate", zlib.compress(item("deflate")), "deflate")[0], 200)
        # What cannot be inflated is DynamoDB's 500, says why, and writes nothing.
        for sk, body, encoding, reason in [("plain", item("plain"), "gzip", "not valid gzip"),
                                           ("cut", gzip.compress(item("cut"))[:-1], "gzip", "ends early"),
                                           ("junk", gzip.compress(item("junk")) + b"junk", "gzip", "not valid gzip"),
                                           ("odd", item("odd"), "garbage", "Unsupported Content-Encoding: garbage")]:
            status, answer = put(sk, body, encoding)
            self.assertEqual(status, 500, sk)
            self.assertIn(reason, json.loads(answer)["message"], sk)
        keys = [i["SK"]["S"] for i in self.db.scan(TableName=name)["Items"]]
        self.assertEqual(sorted(keys), ["deflate", "gzip", "two"])

    def test_protocol_errors(self):
        def raw(target, body):
            request = urllib.request.Request(self.server.endpoint + "/", data=body, method="POST", headers={
                "Content-Type": "application/x-amz-json-1.0", **({"X-Amz-Target": target} if target else {})})
            try:
                with urllib.request.urlopen(request) as response:
                    return response.status, json.loads(response.read())
            except urllib.error.HTTPError as error:
                return error.code, json.loads(error.read())
        self.assertEqual(raw("DynamoDB_20120810.Nope", b"{}"),
                         (400, {"__type": "com.amazonaws.dynamodb.v20120810#UnknownOperationException",
                                "message": "An unknown operation was requested: DynamoDB_20120810.Nope"}))
        status, body = raw("DynamoDB_20120810.ListTables", b"{not json")
        self.assertEqual((status, body["__type"]), (400, "com.amazonaws.dynamodb.v20120810#SerializationException"))
        status, body = raw("DynamoDB_20120810.GetItem", b"{}")
        self.assertEqual(body["message"], "1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null")
        # GET / is DynamoDB's health check; every response carries a Date.
        with urllib.request.urlopen(self.server.endpoint + "/") as response:
            host = self.server.endpoint.split("//")[1]
            self.assertEqual((response.status, response.read().decode()), (200, "healthy: " + host))
            self.assertRegex(response.headers["Date"], r"^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$")
        # Only POST / is the API: another method or path is a 404 with DynamoDB's error shape.
        for method, path in [("GET", "/tables"), ("POST", "/tables"), ("PUT", "/")]:
            request = urllib.request.Request(self.server.endpoint + path, data=None if method == "GET" else b"{}",
                                             method=method, headers={"X-Amz-Target": "DynamoDB_20120810.ListTables"})
            with self.assertRaises(urllib.error.HTTPError) as caught:
                urllib.request.urlopen(request)
            self.assertEqual(caught.exception.code, 404)
            self.assertEqual(json.loads(caught.exception.read())["__type"],
                             "com.amazonaws.dynamodb.v20120810#UnknownOperationException")
        # Reads and writes share a keep-alive connection and answer in request order.
        connection = http.client.HTTPConnection(self.server.endpoint.split("//")[1])
        name = self.table("KeepAlive")
        for n in range(20):
            for target, body in [("PutItem", {"TableName": name, "Item": {"PK": {"S": "k"}, "SK": {"S": str(n)}}}),
                                 ("GetItem", {"TableName": name, "Key": {"PK": {"S": "k"}, "SK": {"S": str(n)}}})]:
                connection.request("POST", "/", body=json.dumps(body), headers={
                    "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810." + target})
                response = connection.getresponse()
                answer = json.loads(response.read())
                self.assertEqual(response.status, 200)
                if target == "GetItem":
                    self.assertEqual(answer["Item"]["SK"]["S"], str(n))
        connection.close()

    def test_concurrent_clients(self):
        name = self.table("Concurrent")
        errors = []
        def worker(n):
            client = self.server.client()
            try:
                for i in range(40):
                    client.update_item(TableName=name, Key={"PK": S("counter"), "SK": S("c")},
                                       UpdateExpression="ADD hits :one", ExpressionAttributeValues={":one": N(1)})
                    client.put_item(TableName=name, Item={"PK": S("w%d" % n), "SK": S("%03d" % i)})
            except Exception as error:  # reported below
                errors.append(error)
        threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(errors, [])
        item = self.db.get_item(TableName=name, Key={"PK": S("counter"), "SK": S("c")})["Item"]
        self.assertEqual(item["hits"], N(320))
        self.assertEqual(self.db.scan(TableName=name, Select="COUNT")["Count"], 321)


    def test_invalid_table_name_is_a_validation_error_first(self):
        for call, rule in [
                (lambda: self.db.get_item(TableName="ab", Key={"PK": S("p"), "SK": S("s")}), "Member must have length greater than or equal to 3"),
                (lambda: self.db.put_item(TableName="bad name!", Item={"PK": S("p"), "SK": S("s")}), "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"),
                (lambda: self.db.query(TableName="x", KeyConditionExpression="PK = :p", ExpressionAttributeValues={":p": S("p")}),
                 "Member must have length greater than or equal to 3")]:
            code, message, _ = error_of(call)
            self.assertEqual(code, "ValidationException")
            self.assertIn("at 'tableName' failed to satisfy constraint: " + rule, message)
        code, _, _ = error_of(self.db.get_item, TableName="NoSuchTable", Key={"PK": S("p"), "SK": S("s")})
        self.assertEqual(code, "ResourceNotFoundException")


class ServerOptionsTest(unittest.TestCase):
    def test_signature_check_and_body_limit(self):
        directory = tempfile.mkdtemp(prefix="kvtable-e2e-")
        server = Server(directory, "--access-key-id", "AKIDKVTABLE", "--secret-access-key", "s3cret",
                        "--max-body-bytes", "2000", in_memory=True)
        try:
            code, message, _ = error_of(server.client("WRONG", "s3cret").list_tables)
            self.assertEqual((code, message), ("UnrecognizedClientException", "The security token included in the request is invalid."))
            # The right key id with a forged signature (boto3 signs with the wrong secret).
            code, message, _ = error_of(server.client("AKIDKVTABLE", "not-the-secret").list_tables)
            self.assertEqual(code, "InvalidSignatureException")
            self.assertIn("The request signature we calculated does not match the signature you provided", message)
            # No signature at all.
            request = urllib.request.Request(server.endpoint, data=b"{}", method="POST", headers={
                "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810.ListTables"})
            try:
                urllib.request.urlopen(request, timeout=10)
                self.fail("an unsigned request was accepted")
            except urllib.error.HTTPError as error:
                self.assertEqual(error.code, 400)
                self.assertIn("MissingAuthenticationTokenException", error.read().decode())
            # An expired date is refused first, whatever the key and scope (as DynamoDB), and
            # parameters separated by spaces alone are read.
            request = urllib.request.Request(server.endpoint, data=b"{}", method="POST", headers={
                "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810.ListTables",
                "X-Amz-Date": "20170101T010101Z",
                "Authorization": "AWS4-HMAC-SHA256 Credential=nobody/2/3/4/aws4_request SignedHeaders=x-amz-date;host Signature=123"})
            try:
                urllib.request.urlopen(request, timeout=10)
                self.fail("an expired request was accepted")
            except urllib.error.HTTPError as error:
                body = error.read().decode()
                self.assertIn("InvalidSignatureException", body)
                self.assertIn("Signature expired", body)
            client = server.client("AKIDKVTABLE", "s3cret")
            self.assertEqual(client.list_tables()["TableNames"], [])
            single_table(client, "Limited")
            try:
                client.put_item(TableName="Limited", Item={"PK": S("p"), "SK": S("s"), "data": S("x" * 5000)})
                self.fail("a body over the limit was accepted")
            except ClientError as error:
                self.assertEqual(error.response["ResponseMetadata"]["HTTPStatusCode"], 413)
        finally:
            code, output = server.stop()
            shutil.rmtree(directory, ignore_errors=True)
        self.assertEqual(code, 0, output)
        self.assertFalse(os.path.exists(server.path))      # --in-memory wrote no file

    def test_key_id_needs_its_secret(self):
        result = subprocess.run([BINARY, "serve", "--port", "0", "--in-memory", "--access-key-id", "AKID"],
                                capture_output=True, text=True, timeout=30)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("Give --access-key-id and --secret-access-key together", result.stderr)

    def test_serve_needs_exactly_one_store(self):
        for arguments in ([], ["--in-memory", "--path", "x.kvt"]):
            result = subprocess.run([BINARY, "serve", "--port", "0", *arguments], capture_output=True, text=True, timeout=30)
            self.assertNotEqual(result.returncode, 0)
            self.assertIn("Give exactly one of --path FILE and --in-memory", result.stderr)


class HostileConnectionsTest(unittest.TestCase):
    """Clients that send the wrong thing, too much, too slowly, or too many connections."""

    @classmethod
    def setUpClass(cls):
        cls.directory = tempfile.mkdtemp(prefix="kvtable-e2e-hostile-")
        cls.server = Server(cls.directory, "--idle-timeout-seconds", "1", "--request-timeout-seconds", "1",
                            "--max-connections", "6")
        cls.host, cls.port = cls.server.endpoint.split("//")[1].split(":")
        cls.port = int(cls.port)
        cls.client = cls.server.client()
        single_table(cls.client, "Hostile")
        cls.client.put_item(TableName="Hostile", Item={"PK": S("p"), "SK": S("s")})

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        shutil.rmtree(cls.directory, ignore_errors=True)

    def connect(self):
        connection = socket.create_connection((self.host, self.port))
        connection.settimeout(10)
        return connection

    @staticmethod
    def read_until_closed(connection):
        """Everything the server sends, and how long until it closed the connection."""
        data, start = b"", time.monotonic()
        while True:
            chunk = connection.recv(65536)
            if not chunk:
                connection.close()
                return data, time.monotonic() - start
            data += chunk

    @staticmethod
    def answer(data):
        """(status, body as JSON) of one raw HTTP response."""
        head, _, body = data.partition(b"\r\n\r\n")
        return int(head.split(b" ")[1]), json.loads(body)

    def request(self, content_type, body=b"{}", target="DynamoDB_20120810.PutItem"):
        head = "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: %s\r\nContent-Length: %d\r\nConnection: close\r\n" % (target, len(body))
        if content_type is not None:
            head += "Content-Type: %s\r\n" % content_type
        return head.encode() + b"\r\n" + body

    def assert_store_unchanged(self):
        items = self.client.scan(TableName="Hostile")["Items"]
        self.assertEqual(items, [{"PK": S("p"), "SK": S("s")}])

    def test_content_type(self):
        put = json.dumps({"TableName": "Hostile", "Item": {"PK": S("p"), "SK": S("written")}}).encode()
        for content_type in [None, "text/plain", "application/x-www-form-urlencoded", "image/png", "application/json",
                             "application/x-amz-json-2.0", "application/x-amz-json-1.00", "application/x-amz-json-1"]:
            connection = self.connect()
            connection.sendall(self.request(content_type, put))
            status, body = self.answer(self.read_until_closed(connection)[0])
            self.assertEqual((status, body["__type"]), (404, "com.amazonaws.dynamodb.v20120810#UnknownOperationException"), content_type)
            self.assertIn("application/x-amz-json-1.0", body["message"])
        self.assert_store_unchanged()
        for content_type in ["application/x-amz-json-1.0", "application/x-amz-json-1.1", "APPLICATION/X-AMZ-JSON-1.0; charset=utf-8",
                             "application/x-amz-json-1.1 ;charset=UTF-8"]:
            connection = self.connect()
            connection.sendall(self.request(content_type, target="DynamoDB_20120810.ListTables"))
            status, body = self.answer(self.read_until_closed(connection)[0])
            self.assertEqual((status, body), (200, {"TableNames": ["Hostile"]}), content_type)

    def test_unreadable_http_is_a_400_that_says_why(self):
        cases = [
            (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.0\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n",
             "chunked encoding is malformed"),
            (b"POST / HTTP/1.1\r\nHost: x\r\nX-Padding: " + b"a" * 100_000 + b"\r\n\r\n", "header is too large"),
            (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: banana\r\n\r\n", "Content-Length is invalid"),
            (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not http\r\n\r\n", "not valid HTTP/1.1"),
        ]
        for raw, message in cases:
            connection = self.connect()
            connection.sendall(raw)
            data, _ = self.read_until_closed(connection)
            status, body = self.answer(data)
            self.assertEqual((status, body["__type"]), (400, "com.amazonaws.dynamodb.v20120810#SerializationException"), message)
            self.assertIn(message, body["message"])
        self.assert_store_unchanged()

    def test_idle_and_slow_connections_time_out(self):
        idle = self.connect()                       # says nothing
        partial_head = self.connect()
        partial_head.sendall(b"POST / HTTP/1.1\r\nHost: x\r\n")
        short_body = self.connect()                 # the body stops 1 byte short
        short_body.sendall(self.request("application/x-amz-json-1.0", json.dumps(
            {"TableName": "Hostile", "Item": {"PK": S("p"), "SK": S("late")}}).encode())[:-1])
        data, waited = self.read_until_closed(idle)
        self.assertEqual(data, b"")
        self.assertLess(waited, 5)
        for connection in [partial_head, short_body]:
            data, waited = self.read_until_closed(connection)
            status, body = self.answer(data)
            self.assertEqual((status, body["__type"]), (408, "com.amazonaws.dynamodb.v20120810#RequestTimeoutException"))
            self.assertLess(waited, 5)
        self.assert_store_unchanged()
        # A connection that keeps sending whole requests is never idle.
        connection = http.client.HTTPConnection(self.host, self.port, timeout=10)
        for _ in range(3):
            connection.request("POST", "/", body=b"{}", headers={
                "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810.ListTables"})
            self.assertEqual(connection.getresponse().read(), b'{"TableNames":["Hostile"]}')
            time.sleep(0.6)
        connection.close()

    def test_pipelined_requests_are_all_answered_in_order(self):
        def request(target, body):
            body = json.dumps(body).encode()
            return ("POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.0\r\n"
                    "X-Amz-Target: DynamoDB_20120810.%s\r\nContent-Length: %d\r\n\r\n" % (target, len(body))).encode() + body
        key = {"PK": S("pipelined"), "SK": S("1")}
        connection = self.connect()
        connection.sendall(request("PutItem", {"TableName": "Hostile", "Item": key})
                           + request("GetItem", {"TableName": "Hostile", "Key": key})
                           + request("DeleteItem", {"TableName": "Hostile", "Key": key}))
        data = b""
        while data.count(b"HTTP/1.1 200 OK") < 3:
            chunk = connection.recv(65536)
            self.assertTrue(chunk, "the connection closed with %r" % data)
            data += chunk
        connection.close()
        self.assertIn(b'{"Item":{"PK":{"S":"pipelined"},"SK":{"S":"1"}}}', data)
        self.assert_store_unchanged()

    def test_connections_are_bounded(self):
        held = []
        try:
            for _ in range(6):
                connection = self.connect()
                held.append(connection)
            time.sleep(0.2)                         # every one accepted
            refused = self.connect()
            data, waited = self.read_until_closed(refused)
            self.assertEqual(data, b"")
            self.assertLess(waited, 1)
        finally:
            for connection in held:
                connection.close()
        time.sleep(0.3)
        self.assertEqual(self.client.list_tables()["TableNames"], ["Hostile"])   # room again


class CopyTest(unittest.TestCase):
    """`kvtable copy`: store file → endpoint → store file, and a re-run after an interruption."""

    def run_kvtable(self, *arguments, env=None, check=True):
        result = subprocess.run([BINARY, *arguments], capture_output=True, text=True, timeout=600,
                                env={**os.environ, **(env or {})})
        if check:
            self.assertEqual(result.returncode, 0, result.stderr)
        return result

    def test_round_trip_and_rerun(self):
        directory = tempfile.mkdtemp(prefix="kvtable-e2e-")
        server = Server(directory, "--access-key-id", "AKIDCOPY", "--secret-access-key", "copy-secret", in_memory=True)
        credentials = {"AWS_ACCESS_KEY_ID": "AKIDCOPY", "AWS_SECRET_ACCESS_KEY": "copy-secret"}
        try:
            source = os.path.join(directory, "source.kvt")
            back = os.path.join(directory, "back.kvt")
            # A source store with a single-table schema and 3,000 items (export format in, via import).
            seed_client = server.client("AKIDCOPY", "copy-secret")
            single_table(seed_client, "Seed")
            seed_client.update_time_to_live(TableName="Seed", TimeToLiveSpecification={"AttributeName": "expires", "Enabled": True})
            lines = "".join(json.dumps({"PK": {"S": "USER#%d" % (n % 50)}, "SK": {"S": "ITEM#%05d" % n},
                                        "n": {"N": str(n)}, "tags": {"SS": ["a", "b%d" % (n % 3)]},
                                        "GSI1PK": {"S": "G#%d" % (n % 7)}, "GSI1SK": {"S": "%05d" % n}}) + "\n"
                            for n in range(3000))
            self.run_kvtable("copy", server.endpoint, source, "--table", "Seed", env=credentials)  # empty table → file
            subprocess.run([BINARY, "import", "--path", source, "--table", "Seed"], input=lines, text=True, check=True,
                           capture_output=True, timeout=120)

            result = self.run_kvtable("copy", source, server.endpoint, "--table", "Seed", "--destination-table", "Moved", env=credentials)
            self.assertRegex(result.stdout, r"copied 3000 items .* source holds 3000, destination 3000")
            self.assertEqual(server.client("AKIDCOPY", "copy-secret").scan(TableName="Moved", Select="COUNT")["Count"], 3000)
            ttl = server.client("AKIDCOPY", "copy-secret").describe_time_to_live(TableName="Moved")["TimeToLiveDescription"]
            self.assertEqual((ttl["TimeToLiveStatus"], ttl["AttributeName"]), ("ENABLED", "expires"))   # TTL travels both ways

            result = self.run_kvtable("copy", server.endpoint, back, "--table", "Moved", env=credentials)
            self.assertIn("source holds 3000, destination 3000", result.stdout)
            original = self.run_kvtable("export", "--path", source, "--table", "Seed").stdout.splitlines()
            returned = self.run_kvtable("export", "--path", back, "--table", "Moved").stdout.splitlines()
            self.assertEqual(sorted(original), sorted(returned))

            # Interrupted: the copy is killed part-way, then run again to completion.
            process = subprocess.Popen([BINARY, "copy", source, server.endpoint, "--table", "Seed",
                                        "--destination-table", "Again", "--page-size", "100"],
                                       env={**os.environ, **credentials}, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            client = server.client("AKIDCOPY", "copy-secret")
            deadline = time.time() + 60
            while time.time() < deadline:
                tables = client.list_tables()["TableNames"]
                if "Again" in tables and client.scan(TableName="Again", Select="COUNT")["Count"] > 0:
                    break
                time.sleep(0.01)
            process.kill()
            process.wait()
            partial = client.scan(TableName="Again", Select="COUNT")["Count"]
            self.assertGreater(partial, 0)
            result = self.run_kvtable("copy", source, server.endpoint, "--table", "Seed", "--destination-table", "Again", env=credentials)
            self.assertIn("source holds 3000, destination 3000", result.stdout)

            # Errors: no credentials for an endpoint; a missing source table.
            result = self.run_kvtable("copy", source, server.endpoint, "--table", "Seed", check=False,
                                      env={"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""})
            self.assertNotEqual(result.returncode, 0)
            self.assertIn("AWS_ACCESS_KEY_ID", result.stderr)
            result = self.run_kvtable("copy", source, back, "--table", "Nope", check=False)
            self.assertNotEqual(result.returncode, 0)
        finally:
            server.stop()
            shutil.rmtree(directory, ignore_errors=True)

    def test_item_commands_reach_an_endpoint(self):
        directory = tempfile.mkdtemp(prefix="kvtable-e2e-")
        server = Server(directory, in_memory=True)
        env = {"AWS_ACCESS_KEY_ID": "k", "AWS_SECRET_ACCESS_KEY": "s"}
        try:
            single_table(server.client(), "Remote")
            self.run_kvtable("put", "--endpoint", server.endpoint, "--table", "Remote",
                             "--item", '{"PK": {"S": "a"}, "SK": {"S": "b"}, "v": {"N": "1"}}', env=env)
            result = self.run_kvtable("get", "--endpoint", server.endpoint, "--table", "Remote",
                                      "--key", '{"PK": {"S": "a"}, "SK": {"S": "b"}}', env=env)
            self.assertEqual(json.loads(result.stdout), {"PK": {"S": "a"}, "SK": {"S": "b"}, "v": {"N": "1"}})
            result = self.run_kvtable("query", "--endpoint", server.endpoint, "--table", "Remote",
                                      "--key-condition", "PK = :p", "--values", '{":p": {"S": "a"}}', "--count", env=env)
            self.assertEqual(result.stdout.strip(), "1")
            self.assertIn("Remote", self.run_kvtable("tables", "--endpoint", server.endpoint, env=env).stdout)
            result = self.run_kvtable("get", "--endpoint", server.endpoint, "--path", "x.kvt", "--table", "Remote",
                                      "--key", "{}", check=False, env=env)
            self.assertIn("Give exactly one of --path FILE and --endpoint URL", result.stderr)
        finally:
            server.stop()
            shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)

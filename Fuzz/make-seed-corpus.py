#!/usr/bin/env python3
"""Writes the fuzzers' seed corpus (Corpus/<fuzzer>/): small valid inputs that reach each part of
each parser, from which libFuzzer mutates. Run again after changing a seed list; the files are in
the repository, with the inputs fuzzing found interesting added beside them (`make fuzz` merges
new coverage back into Corpus/)."""

import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))

EXPRESSIONS = [
    "a = :n", "#a <> :s AND b < :n", "a BETWEEN :z AND :n", "a IN (:n, :z, :neg)", "NOT (a = :n OR b = :s)",
    "attribute_exists(#pk) AND attribute_not_exists(m.k)", "attribute_type(a, :t)", "begins_with(b, :s)",
    "contains(ss, :s)", "size(l) > :z", "l[1][1].x = :n", "m.n.deep[0] >= :n", "(a = :n) AND (b = :s)",
    "attribute_type (a, :t)", "PK = :s AND SK BETWEEN :s AND :s", "#pk = :s AND begins_with(#sk, :s)",
    "SET a = :n", "SET a = a + :n, b = :s REMOVE l[0]", "SET l = list_append(l, :l), #b = if_not_exists(#b, :s)",
    "ADD ns :ns, a :n DELETE ss :ss", "REMOVE m.k, m.n.deep[1]", "SET l[7] = :n", "SET m.new = :m",
    "a, b, l[0], m.n.deep", "#dot, #a", "((a = :n))", "a = :n AND ((b = :s AND a = :n))",
]

REQUESTS = [
    {"TableName": "Bad", "Item": {"PK": {"S": "p"}, "SK": {"S": "s"}, "n": {"N": "1.5E+3"}, "b": {"B": "AAE="},
                                  "l": {"L": [{"BOOL": True}, {"NULL": True}, {"M": {"k": {"SS": ["a", "b"]}}}]},
                                  "ns": {"NS": ["1", "-2.25"]}, "bs": {"BS": ["AQ=="]}}},
    {"TableName": "Bad", "Key": {"PK": {"S": "p"}, "SK": {"S": "s"}}, "UpdateExpression": "SET a = :v",
     "ExpressionAttributeValues": {":v": {"N": "-0.000001"}}, "ReturnValues": "ALL_NEW"},
    {"TableName": "Bad", "KeyConditionExpression": "PK = :p", "Limit": 10, "ScanIndexForward": False,
     "ExclusiveStartKey": {"PK": {"S": "p"}, "SK": {"S": "\u00e9\ud83d\ude00"}}},
    {"RequestItems": {"Bad": [{"PutRequest": {"Item": {"PK": {"S": "p"}, "SK": {"S": "1"}}}},
                              {"DeleteRequest": {"Key": {"PK": {"S": "p"}, "SK": {"S": "2"}}}}]}},
    {"a": [1, -2, 3.5e-7, 1e300, True, False, None, "esc\\\"\n\t\u0001"], "nested": {"x": {"y": [[], {}]}}},
]


def varint(value):
    out = bytearray()
    while value >= 0x80:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def string(text):
    data = text.encode()
    return varint(len(data)) + data


def number(negative, exponent, coefficient):
    return bytes([1 if negative else 0]) + varint((exponent << 1) ^ (exponent >> 63)) + varint(coefficient)


def item(attributes):
    """ItemCodec's form (Sources/KVTable/Values/ItemCodec.swift): version 1, then the sorted
    attributes."""
    return bytes([1]) + varint(len(attributes)) + b"".join(
        string(name) + value for name, value in sorted(attributes.items(), key=lambda pair: pair[0].encode()))


def members(attributes):
    return varint(len(attributes)) + b"".join(
        string(name) + value for name, value in sorted(attributes.items(), key=lambda pair: pair[0].encode()))


S = lambda text: b"\x01" + string(text)
N = lambda negative, exponent, coefficient: b"\x02" + number(negative, exponent, coefficient)
B = lambda data: b"\x03" + varint(len(data)) + data

ITEMS = [
    {},
    {"PK": S("p"), "SK": S("s")},
    {"PK": S("USER#1"), "SK": S("PROFILE"), "age": N(False, 0, 42), "price": N(True, -2, 1999), "blob": B(b"\x00\xff"),
     "yes": b"\x04", "no": b"\x05", "none": b"\x06"},
    {"PK": S("p"), "l": b"\x07" + varint(3) + S("a") + N(False, 3, 5) + b"\x07" + varint(0),
     "m": b"\x08" + members({"k": S("v"), "inner": b"\x08" + members({"deep": b"\x06"})})},
    {"ss": b"\x09" + varint(2) + string("a") + string("b"), "ns": b"\x0a" + varint(2) + number(False, 0, 1) + number(True, 5, 7),
     "bs": b"\x0b" + varint(1) + varint(2) + b"\x01\x02", "\u00e9t\u00e9": S("\U0001F600")},
]


def write(fuzzer, inputs):
    directory = os.path.join(HERE, "Corpus", fuzzer)
    os.makedirs(directory, exist_ok=True)
    for n, data in enumerate(inputs):
        with open(os.path.join(directory, "seed-%02d" % n), "wb") as file:
            file.write(data)


write("expression-parser", [text.encode() for text in EXPRESSIONS])
write("request-json", [json.dumps(body, ensure_ascii=n % 2 == 0).encode() for n, body in enumerate(REQUESTS)])
write("item-codec", [item(attributes) for attributes in ITEMS])

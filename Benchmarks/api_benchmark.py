"""Put, get and query operations per second through boto3: `kvtable serve` against moto's server.

Both servers run on loopback in their own processes; the same boto3 client code drives each,
one client thread and then several. Reported: operations per second (median of the rounds)
and the median latency of one call, per server and operation, plus the ratio to moto.

    scripts/benchmark-api.sh             # builds kvtable (release), installs moto, runs this
    python3 Benchmarks/api_benchmark.py --kvtable .build/release/kvtable [--items 2000] [--rounds 3] [--json out.json]
"""

import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

import boto3
from botocore.config import Config


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_kvtable(binary, directory, durability):
    path = os.path.join(directory, "bench-%s.kvt" % durability)
    process = subprocess.Popen([binary, "serve", "--path", path, "--port", "0", "--durability", durability],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = process.stdout.readline()
    return process, line.split(" on ")[1].split(" ")[0]


def start_moto():
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = "http://127.0.0.1:%d" % port
    for _ in range(100):
        try:
            urllib.request.urlopen(endpoint + "/moto-api/", timeout=1)
            return process, endpoint
        except Exception:
            time.sleep(0.1)
    raise RuntimeError("moto server did not start")


def client(endpoint):
    return boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id="bench", aws_secret_access_key="bench",
                        config=Config(retries={"max_attempts": 1}, max_pool_connections=32))


def create_table(db, name):
    db.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in ("PK", "SK", "GSI1PK", "GSI1SK")],
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[{"IndexName": "GSI1", "Projection": {"ProjectionType": "ALL"},
                                 "KeySchema": [{"AttributeName": "GSI1PK", "KeyType": "HASH"},
                                               {"AttributeName": "GSI1SK", "KeyType": "RANGE"}]}])


def item(i):
    return {"PK": {"S": "USER#%d" % (i // 20)}, "SK": {"S": "FILE#%05d" % i}, "GSI1PK": {"S": "TYPE#%d" % (i % 7)},
            "GSI1SK": {"S": "%08d" % i}, "name": {"S": "file-%d.txt" % i}, "size": {"N": str(i * 37)},
            "tags": {"SS": ["a", "b"]}, "meta": {"M": {"owner": {"S": "u%d" % (i // 20)}, "v": {"N": "1"}}}}


def run_operation(endpoint, table, operation, items, threads):
    """Runs `items` calls of `operation` split over `threads` clients; returns (ops/s, latencies)."""
    latencies = []
    lock = threading.Lock()

    def work(indexes):
        db = client(endpoint)
        local = []
        for i in indexes:
            start = time.perf_counter()
            if operation == "put":
                db.put_item(TableName=table, Item=item(i))
            elif operation == "get":
                db.get_item(TableName=table, Key={"PK": item(i)["PK"], "SK": item(i)["SK"]})
            else:
                page = db.query(TableName=table, KeyConditionExpression="PK = :p",
                                ExpressionAttributeValues={":p": {"S": "USER#%d" % (i // 20)}}, Limit=20)
                assert page["Count"] == 20, page["Count"]
            local.append(time.perf_counter() - start)
        with lock:
            latencies.extend(local)

    chunks = [range(t, items, threads) for t in range(threads)]
    workers = [threading.Thread(target=work, args=(chunk,)) for chunk in chunks]
    start = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return items / (time.perf_counter() - start), latencies


def raw_gets(endpoint, table, items):
    """GetItem over one keep-alive HTTP connection with pre-built bodies: the server's own cost,
    without botocore's request building and response parsing. Returns (ops/s, latencies)."""
    host, port = endpoint.replace("http://", "").split(":")
    connection = http.client.HTTPConnection(host, int(port))
    headers = {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810.GetItem",
               "Authorization": "AWS4-HMAC-SHA256 Credential=bench/20261122/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0"}
    bodies = [json.dumps({"TableName": table, "Key": {"PK": item(i)["PK"], "SK": item(i)["SK"]}}) for i in range(items)]
    latencies = []
    start = time.perf_counter()
    for body in bodies:
        began = time.perf_counter()
        connection.request("POST", "/", body=body, headers=headers)
        response = connection.getresponse()
        assert response.status == 200 and b'"Item"' in response.read()
        latencies.append(time.perf_counter() - began)
    elapsed = time.perf_counter() - start
    connection.close()
    return items / elapsed, latencies


def bench_server(name, endpoint, items, rounds, thread_counts):
    db = client(endpoint)
    results = []
    for threads in thread_counts:
        for operation in ("put", "get", "query"):
            rates, medians = [], []
            for r in range(rounds):
                table = "Bench_%s_%d_%d" % (operation, threads, r)
                create_table(db, table)
                if operation != "put":
                    run_operation(endpoint, table, "put", items, 4)      # load, not measured
                rate, latencies = run_operation(endpoint, table, operation, items, threads)
                rates.append(rate)
                medians.append(statistics.median(latencies))
                db.delete_table(TableName=table)
            results.append({"server": name, "operation": operation, "threads": threads,
                            "ops_per_s": statistics.median(rates), "p50_ms": statistics.median(medians) * 1000,
                            "rounds": rates})
            print("%-16s %-6s %2d thread(s): %8.0f ops/s  p50 %.3f ms" % (name, operation, threads, results[-1]["ops_per_s"], results[-1]["p50_ms"]),
                  flush=True)
    rates, medians = [], []
    for r in range(rounds):
        table = "Bench_raw_%d" % r
        create_table(db, table)
        run_operation(endpoint, table, "put", items, 4)
        rate, latencies = raw_gets(endpoint, table, items)
        rates.append(rate)
        medians.append(statistics.median(latencies))
        db.delete_table(TableName=table)
    results.append({"server": name, "operation": "raw-get", "threads": 1, "ops_per_s": statistics.median(rates),
                    "p50_ms": statistics.median(medians) * 1000, "rounds": rates})
    print("%-16s raw-get 1 connection: %8.0f ops/s  p50 %.3f ms" % (name, results[-1]["ops_per_s"], results[-1]["p50_ms"]), flush=True)
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kvtable", default=".build/release/kvtable")
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", default="1,4")
    parser.add_argument("--json")
    arguments = parser.parse_args()
    thread_counts = [int(t) for t in arguments.threads.split(",")]

    directory = tempfile.mkdtemp(prefix="kvtable-api-bench-")
    results = []
    try:
        for durability in ("durable", "noSync"):
            process, endpoint = start_kvtable(arguments.kvtable, directory, durability)
            try:
                results += bench_server("kvtable-" + durability, endpoint, arguments.items, arguments.rounds, thread_counts)
            finally:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=30)
        process, endpoint = start_moto()
        try:
            results += bench_server("moto", endpoint, arguments.items, arguments.rounds, thread_counts)
        finally:
            process.terminate()
            process.wait(timeout=30)
    finally:
        shutil.rmtree(directory, ignore_errors=True)

    print("\n| operation | threads | kvtable durable ops/s | kvtable noSync ops/s | moto ops/s | durable ÷ moto | p50 ms (kvtable durable / moto) |")
    print("|---|---|---|---|---|---|---|")
    index = {(r["server"], r["operation"], r["threads"]): r for r in results}
    for threads in thread_counts:
        for operation in ("put", "get", "query"):
            durable = index[("kvtable-durable", operation, threads)]
            nosync = index[("kvtable-noSync", operation, threads)]
            moto = index[("moto", operation, threads)]
            print("| %s | %d | %.0f | %.0f | %.0f | %.2f | %.2f / %.2f |" % (
                operation, threads, durable["ops_per_s"], nosync["ops_per_s"], moto["ops_per_s"],
                durable["ops_per_s"] / moto["ops_per_s"], durable["p50_ms"], moto["p50_ms"]))
    durable, nosync, moto = (index[(server, "raw-get", 1)] for server in ("kvtable-durable", "kvtable-noSync", "moto"))
    print("| GetItem, raw HTTP (no boto3) | 1 | %.0f | %.0f | %.0f | %.2f | %.2f / %.2f |" % (
        durable["ops_per_s"], nosync["ops_per_s"], moto["ops_per_s"], durable["ops_per_s"] / moto["ops_per_s"],
        durable["p50_ms"], moto["p50_ms"]))
    if arguments.json:
        with open(arguments.json, "w") as output:
            json.dump(results, output, indent=1)


if __name__ == "__main__":
    main()

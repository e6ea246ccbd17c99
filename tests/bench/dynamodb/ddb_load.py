"""Load one DynamoDB endpoint: PutItem and GetItem requests/s from
several processes on keep-alive connections, and the latency of a Query
returning 1,000 items.  Usage: ddb_load.py URL [seconds] [procs]

The client is Python (http.client, no SigV4 signature; every server
here accepts unsigned or fake-signed requests), so the figures are a
floor for fast servers: compare servers within one run."""
import http.client
import json
import multiprocessing
import sys
import time
import urllib.parse

HDR = {"Content-Type": "application/x-amz-json-1.0",
       "Authorization": "AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/dynamodb/aws4_request, "
                        "SignedHeaders=host, Signature=0",
       "X-Amz-Date": "20250101T000000Z"}


def conn_for(url):
    u = urllib.parse.urlparse(url)
    return http.client.HTTPConnection(u.hostname, u.port, timeout=30)


def call(conn, op, body):
    h = dict(HDR, **{"X-Amz-Target": "DynamoDB_20120810." + op})
    conn.request("POST", "/", body=json.dumps(body), headers=h)
    r = conn.getresponse()
    data = r.read()
    if r.status != 200:
        raise RuntimeError("%s: %d %s" % (op, r.status, data[:200]))
    return json.loads(data)


def worker(args):
    url, op, seconds, wid = args
    c = conn_for(url)
    n = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        k = "w%d-%d" % (wid, n % 1000)
        if op == "PutItem":
            call(c, "PutItem", {"TableName": "bench", "Item": {
                "pk": {"S": k}, "sk": {"N": "0"}, "status": {"S": "processed"},
                "width": {"N": "1024"}, "height": {"N": "768"}, "etag": {"S": "0123456789abcdef"}}})
        else:
            call(c, "GetItem", {"TableName": "bench", "Key": {"pk": {"S": k}, "sk": {"N": "0"}}})
        n += 1
    return n


def main():
    url = sys.argv[1]
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 5
    procs = int(sys.argv[3]) if len(sys.argv) > 3 else 4
    c = conn_for(url)
    try:
        call(c, "DeleteTable", {"TableName": "bench"})
    except RuntimeError:
        pass
    call(c, "CreateTable", {"TableName": "bench", "BillingMode": "PAY_PER_REQUEST",
                            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                                     {"AttributeName": "sk", "AttributeType": "N"}],
                            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                          {"AttributeName": "sk", "KeyType": "RANGE"}]})
    # dynalite (like AWS) creates tables asynchronously: wait for ACTIVE.
    for _ in range(200):
        desc = call(c, "DescribeTable", {"TableName": "bench"})
        if desc["Table"]["TableStatus"] == "ACTIVE":
            break
        time.sleep(0.05)
    for op in ("PutItem", "GetItem"):
        with multiprocessing.Pool(procs) as pool:
            t0 = time.monotonic()
            total = sum(pool.map(worker, [(url, op, seconds, i) for i in range(procs)]))
            dt = time.monotonic() - t0
        print("  %-8s %8.0f req/s  (%d requests, %d client processes)" % (op, total / dt, total, procs))
    c = conn_for(url)  # a fresh one: some peers drop idle connections
    for i in range(1000):
        call(c, "PutItem", {"TableName": "bench", "Item": {"pk": {"S": "q"}, "sk": {"N": str(i)},
                                                            "v": {"S": "x" * 100}}})
    best = None
    for _ in range(10):
        t0 = time.monotonic()
        r = call(c, "Query", {"TableName": "bench", "KeyConditionExpression": "pk = :p",
                              "ExpressionAttributeValues": {":p": {"S": "q"}}})
        dt = time.monotonic() - t0
        assert r["Count"] == 1000, r["Count"]
        best = dt if best is None else min(best, dt)
    print("  Query    %8.1f ms  (1,000 items, best of 10, client time included)" % (best * 1000))


if __name__ == "__main__":
    main()

"""Shared pieces of the pipeline's end-to-end tests (test_pipeline*.py):
the local stack deployed into a test emulator, an SNS HTTP subscriber
that confirms its subscription and records notifications, a tiny RESP
client, and waiting helpers.  Python stdlib + boto3 only."""
import http.server
import json
import os
import socket
import sys
import threading
import time
import unittest
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "lib"))
import deploy_local  # noqa: E402
from clients import boto3_client  # noqa: E402
from emu import ROOT, Emulator  # noqa: E402

MANIFEST = os.path.join(ROOT, "fixtures", "manifest.json")
CACHE_CONTROL = "public, max-age=31536000, immutable"
MIME = {"jpeg": "image/jpeg", "webp": "image/webp"}
EXT = {"jpeg": "jpg", "webp": "webp"}


def lambda_zip():
    """The zip `make lambda-zip` builds (BUILD_DIR from the Makefile, else build/)."""
    build = os.environ.get("BUILD_DIR") or os.path.join(ROOT, "build")
    path = os.path.join(build, "lambda", "pipeline.zip")
    if not os.path.exists(path):
        path = os.path.join(ROOT, "build", "lambda", "pipeline.zip")
    if not os.path.exists(path):
        raise unittest.SkipTest("needs %s: run `make lambda-zip`" % path)
    return path


def manifest():
    with open(MANIFEST) as f:
        return json.load(f)


def fixture_path(upload):
    return os.path.join(os.path.dirname(MANIFEST), upload["file"])


def wait_for(pred, timeout=60.0, interval=0.1, what="condition"):
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for %s" % what)
        time.sleep(interval)


class Subscriber:
    """An HTTP endpoint for SNS: confirms subscriptions (GET SubscribeURL)
    and keeps every Notification as (headers, parsed body)."""

    def __init__(self):
        self.notes = []
        self.cond = threading.Condition()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(n) or b"{}")
                kind = self.headers.get("x-amz-sns-message-type")
                if kind == "SubscriptionConfirmation":
                    urllib.request.urlopen(body["SubscribeURL"], timeout=10).read()
                elif kind == "Notification":
                    with outer.cond:
                        outer.notes.append(({k.lower(): v for k, v in self.headers.items()}, body))
                        outer.cond.notify_all()
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *a):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d/notifications" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def events_for(self, image_id):
        with self.cond:
            return [json.loads(b["Message"]) | {"_attrs": b.get("MessageAttributes", {})}
                    for _, b in self.notes if json.loads(b["Message"]).get("image_id") == image_id]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def subscribe(sns, topic_arn, sub):
    arn = sns.subscribe(TopicArn=topic_arn, Protocol="http", Endpoint=sub.url,
                        ReturnSubscriptionArn=True)["SubscriptionArn"]
    wait_for(lambda: sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
             .get("PendingConfirmation") == "false", 20, what="the subscription to be confirmed")
    return arn


def redis_cmd(port, *args, timeout=5):
    """One RESP command; returns the reply (bytes, int, None, or list)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        out = b"*%d\r\n" % len(args)
        for a in args:
            a = a.encode() if isinstance(a, str) else a
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        s.sendall(out)
        f = s.makefile("rb")
        return _resp(f)
    finally:
        s.close()


def _resp(f):
    line = f.readline().rstrip(b"\r\n")
    t, rest = line[:1], line[1:]
    if t == b"+":
        return rest
    if t == b"-":
        raise RuntimeError(rest.decode())
    if t == b":":
        return int(rest)
    if t == b"$":
        n = int(rest)
        if n < 0:
            return None
        data = f.read(n + 2)
        return data[:-2]
    if t == b"*":
        return [_resp(f) for _ in range(int(rest))]
    raise RuntimeError("bad RESP line %r" % line)


class Stack:
    """An emulator with the local stack deployed and a subscriber on the topic."""

    def __init__(self, emu_args=(), emu_env=None, redis_url=None, extra_env=None):
        self.zip = lambda_zip()
        env = {"IMGPIPE_LAMBDA_RETRY_DELAY_MS": "300"}
        env.update(emu_env or {})
        self.emu = Emulator(args=list(emu_args), env=env).start()
        try:
            if redis_url is None and self.emu.redis_port:
                redis_url = "redis://127.0.0.1:%d" % self.emu.redis_port
            self.info = deploy_local.deploy(self.emu.endpoint, self.zip, redis_url,
                                            extra_env=extra_env, log=lambda m: None)
            self.s3 = boto3_client(self.emu, "s3")
            self.ddb = boto3_client(self.emu, "dynamodb")
            self.sns = boto3_client(self.emu, "sns")
            self.lam = boto3_client(self.emu, "lambda")
            self.sub = Subscriber()
            subscribe(self.sns, self.info["topic_arn"], self.sub)
        except BaseException:
            self.emu.stop()
            raise

    def stop(self):
        self.sub.close()
        return self.emu.stop()

    def item(self, image_id):
        out = self.ddb.get_item(TableName=deploy_local.TABLE, Key={"image_id": {"S": image_id}},
                                ConsistentRead=True)
        return out.get("Item")

    def wait_item(self, image_id, timeout=90):
        return wait_for(lambda: (lambda it: it if it and "published_at" in it else None)(self.item(image_id)),
                        timeout, 0.2, "the item of %s" % image_id)

    def upload(self, path, key, content_type="application/octet-stream"):
        with open(path, "rb") as f:
            return self.s3.put_object(Bucket=deploy_local.UPLOADS, Key=key, Body=f.read(),
                                      ContentType=content_type)

    def processed_keys(self, prefix):
        out = self.s3.list_objects_v2(Bucket=deploy_local.PROCESSED, Prefix=prefix)
        return sorted(o["Key"] for o in out.get("Contents", []))

    def logs(self):
        return self.emu.logs()


def plain(av):
    """A DynamoDB AttributeValue as plain Python."""
    (t, v), = av.items()
    if t == "S":
        return v
    if t == "N":
        return int(v) if v.lstrip("-").isdigit() else float(v)
    if t == "M":
        return {k: plain(x) for k, x in v.items()}
    if t == "L":
        return [plain(x) for x in v]
    if t == "BOOL":
        return v
    if t == "NULL":
        return None
    return v


def item_plain(item):
    return {k: plain(v) for k, v in item.items()}

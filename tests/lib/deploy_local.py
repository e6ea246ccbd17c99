"""Deploy the local imgpipe stack into a running emulator, idempotently.

    python3 tests/lib/deploy_local.py [--endpoint URL] [--redis-url URL]
                                      [--zip build/lambda/pipeline.zip]

Creates what is missing and updates what changed, through the emulator's
own AWS APIs (the same requests the aws cli would send, SigV4-signed, so
it also works with `--auth sigv4`):

  buckets   imgpipe-uploads, imgpipe-processed
  table     imgpipe-images (hash image_id; GSI status-created_at-index on
            status + created_at, projection ALL; on-demand)
  topic     imgpipe-events
  function  imgpipe-pipeline (provided.al2023, the zip; environment
            UPLOAD_BUCKET, PROCESSED_BUCKET, TABLE_NAME, TOPIC_ARN,
            REDIS_URL, and IMGPIPE_VARIANTS when set); its code is
            replaced only when the zip's SHA-256 differs
  permission  s3.amazonaws.com may invoke it for the uploads bucket
  notification  s3:ObjectCreated:* under uploads/ -> the function

These names are the local stack's public interface.  Python standard
library only (`make run` must work before boto3 is installed).
"""
import argparse
import base64
import datetime
import hashlib
import hmac
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

UPLOADS = "imgpipe-uploads"
PROCESSED = "imgpipe-processed"
TABLE = "imgpipe-images"
TOPIC = "imgpipe-events"
FUNCTION = "imgpipe-pipeline"
GSI = "status-created_at-index"
ROLE = "arn:aws:iam::123456789012:role/imgpipe-pipeline"


class AwsError(Exception):
    def __init__(self, status, body, error_type=None):
        self.status = status
        self.error_type = (error_type or "").split(":")[0]
        self.body = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
        super().__init__("HTTP %d: %s" % (status, self.body[:400]))

    def code(self):
        if self.error_type:
            return self.error_type
        b = self.body
        try:
            t = json.loads(b).get("__type") or json.loads(b).get("Type") or ""
            return t.split("#")[-1]
        except ValueError:
            pass
        if "<Code>" in b:
            return b.split("<Code>", 1)[1].split("</Code>", 1)[0]
        return ""


class Client:
    """SigV4-signed requests to one endpoint (region, keys from the
    environment or the emulator's defaults)."""

    def __init__(self, endpoint, region=None, key=None, secret=None):
        self.endpoint = endpoint.rstrip("/")
        self.region = region or os.environ.get("AWS_REGION") or \
            os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
        self.key = key or os.environ.get("AWS_ACCESS_KEY_ID") or "test"
        self.secret = secret or os.environ.get("AWS_SECRET_ACCESS_KEY") or "test"

    def _sign(self, method, path, query, headers, body, service):
        now = datetime.datetime.now(datetime.timezone.utc)
        amz_date = now.strftime("%Y%m%dT%H%M%SZ")
        day = amz_date[:8]
        payload_hash = hashlib.sha256(body).hexdigest()
        host = urllib.parse.urlsplit(self.endpoint).netloc
        headers = dict(headers, **{"host": host, "x-amz-date": amz_date,
                                   "x-amz-content-sha256": payload_hash})
        names = sorted(k.lower() for k in headers)
        canon_headers = "".join("%s:%s\n" % (n, str(headers[[k for k in headers if k.lower() == n][0]]).strip())
                                for n in names)
        signed = ";".join(names)
        pairs = sorted((urllib.parse.quote(k, safe="-_.~"), urllib.parse.quote(v, safe="-_.~"))
                       for k, v in query)
        canon_query = "&".join("%s=%s" % kv for kv in pairs)
        canon = "\n".join([method, urllib.parse.quote(path, safe="/-_.~"), canon_query,
                           canon_headers, signed, payload_hash])
        scope = "%s/%s/%s/aws4_request" % (day, self.region, service)
        to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                             hashlib.sha256(canon.encode()).hexdigest()])
        k = ("AWS4" + self.secret).encode()
        for part in (day, self.region, service, "aws4_request"):
            k = hmac.new(k, part.encode(), hashlib.sha256).digest()
        sig = hmac.new(k, to_sign.encode(), hashlib.sha256).hexdigest()
        headers["Authorization"] = ("AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s"
                                    % (self.key, scope, signed, sig))
        del headers["host"]
        return headers

    def call(self, service, method, path, query=(), body=b"", headers=None, timeout=300):
        """One request; returns (status, body bytes) or raises AwsError."""
        if isinstance(body, str):
            body = body.encode()
        query = list(query)
        h = self._sign(method, path, query, headers or {}, body, service)
        url = self.endpoint + urllib.parse.quote(path, safe="/-_.~")
        if query:
            url += "?" + "&".join("%s=%s" % (urllib.parse.quote(k, safe="-_.~"),
                                             urllib.parse.quote(v, safe="-_.~")) for k, v in query)
        req = urllib.request.Request(url, data=body if method in ("PUT", "POST") else None,
                                     method=method, headers=h)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            raise AwsError(e.code, e.read(), e.headers.get("x-amzn-errortype"))

    def json(self, target, payload, service="dynamodb", version="1.0"):
        _, out = self.call(service, "POST", "/", body=json.dumps(payload),
                           headers={"X-Amz-Target": target,
                                    "Content-Type": "application/x-amz-json-%s" % version})
        return json.loads(out or b"{}")

    def query(self, service, params):
        form = urllib.parse.urlencode(params)
        _, out = self.call(service, "POST", "/", body=form,
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
        return out.decode()

    def rest_json(self, method, path, payload=None, query=()):
        body = json.dumps(payload) if payload is not None else b""
        _, out = self.call("lambda", method, path, query=query, body=body,
                           headers={"Content-Type": "application/json"} if payload is not None else {})
        return json.loads(out) if out else {}


def wait_healthy(endpoint, timeout=30.0, pid=None):
    """Wait for /_emulator/health; with pid, give up as soon as that
    process (the emulator being started) is gone."""
    deadline = time.monotonic() + timeout
    while True:
        if pid:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                raise RuntimeError("the emulator (pid %d) exited" % pid)
        try:
            with urllib.request.urlopen(endpoint.rstrip("/") + "/_emulator/health", timeout=2) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("the emulator at %s did not answer /_emulator/health" % endpoint)
        time.sleep(0.2)


def ensure_bucket(c, name, log):
    try:
        c.call("s3", "PUT", "/" + name)
        log("bucket %s ready" % name)
    except AwsError as e:
        if e.code() not in ("BucketAlreadyOwnedByYou",):
            raise
        log("bucket %s exists" % name)


def ensure_table(c, log):
    try:
        c.json("DynamoDB_20120810.CreateTable", {
            "TableName": TABLE,
            "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [
                {"AttributeName": "image_id", "AttributeType": "S"},
                {"AttributeName": "status", "AttributeType": "S"},
                {"AttributeName": "created_at", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "image_id", "KeyType": "HASH"}],
            "GlobalSecondaryIndexes": [{
                "IndexName": GSI,
                "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"},
                              {"AttributeName": "created_at", "KeyType": "RANGE"}],
                "Projection": {"ProjectionType": "ALL"}}]})
        log("table %s created" % TABLE)
    except AwsError as e:
        if e.code() != "ResourceInUseException":
            raise
        log("table %s exists" % TABLE)
    for _ in range(100):
        t = c.json("DynamoDB_20120810.DescribeTable", {"TableName": TABLE})["Table"]
        if t.get("TableStatus") == "ACTIVE":
            return
        time.sleep(0.1)
    raise RuntimeError("table %s did not become ACTIVE" % TABLE)


def ensure_topic(c, log):
    out = c.query("sns", {"Action": "CreateTopic", "Name": TOPIC, "Version": "2010-03-31"})
    arn = out.split("<TopicArn>", 1)[1].split("</TopicArn>", 1)[0]
    log("topic %s" % arn)
    return arn


def ensure_function(c, zip_path, env, log):
    with open(zip_path, "rb") as f:
        data = f.read()
    sha = base64.b64encode(hashlib.sha256(data).digest()).decode()
    path = "/2015-03-31/functions/" + FUNCTION
    config = {"Runtime": "provided.al2023", "Handler": "bootstrap", "Role": ROLE,
              "Timeout": 60, "MemorySize": 1024, "Architectures": ["x86_64"],
              "Description": "imgpipe: S3 uploads -> variants, item, cache, event",
              "Environment": {"Variables": env}}
    try:
        cur = c.rest_json("GET", path)["Configuration"]
    except AwsError as e:
        if e.code() != "ResourceNotFoundException":
            raise
        cur = None
    if cur is None:
        payload = dict(config, FunctionName=FUNCTION, PackageType="Zip",
                       Code={"ZipFile": base64.b64encode(data).decode()})
        cur = c.rest_json("POST", "/2015-03-31/functions", payload)
        log("function %s created" % FUNCTION)
    else:
        if cur.get("CodeSha256") != sha:
            wait_ready(c, path)
            c.rest_json("PUT", path + "/code", {"ZipFile": base64.b64encode(data).decode()})
            log("function %s: code updated" % FUNCTION)
        wanted = cur.get("Environment", {}).get("Variables", {})
        if wanted != env or cur.get("Timeout") != config["Timeout"] or \
                cur.get("MemorySize") != config["MemorySize"]:
            wait_ready(c, path)
            c.rest_json("PUT", path + "/configuration",
                        {k: config[k] for k in ("Timeout", "MemorySize", "Environment")})
            log("function %s: configuration updated" % FUNCTION)
        else:
            log("function %s is up to date" % FUNCTION)
    wait_ready(c, path)
    return c.rest_json("GET", path)["Configuration"]["FunctionArn"]


def wait_ready(c, path, timeout=60.0):
    deadline = time.monotonic() + timeout
    while True:
        cfg = c.rest_json("GET", path)["Configuration"]
        if cfg.get("State") == "Active" and cfg.get("LastUpdateStatus", "Successful") != "InProgress":
            return
        if cfg.get("State") == "Failed" or time.monotonic() > deadline:
            raise RuntimeError("function %s is %s: %s" % (FUNCTION, cfg.get("State"),
                                                          cfg.get("StateReason")))
        time.sleep(0.2)


def ensure_permission(c, log):
    try:
        c.rest_json("POST", "/2015-03-31/functions/%s/policy" % FUNCTION, {
            "StatementId": "s3-invoke", "Action": "lambda:InvokeFunction",
            "Principal": "s3.amazonaws.com", "SourceArn": "arn:aws:s3:::" + UPLOADS})
        log("permission s3-invoke added")
    except AwsError as e:
        if e.code() != "ResourceConflictException":
            raise


def ensure_notification(c, function_arn, log):
    xml = ('<NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
           "<CloudFunctionConfiguration><Id>imgpipe-uploads-to-pipeline</Id>"
           "<CloudFunction>%s</CloudFunction><Event>s3:ObjectCreated:*</Event>"
           "<Filter><S3Key><FilterRule><Name>prefix</Name><Value>uploads/</Value></FilterRule>"
           "</S3Key></Filter></CloudFunctionConfiguration></NotificationConfiguration>" % function_arn)
    c.call("s3", "PUT", "/" + UPLOADS, query=[("notification", "")], body=xml,
           headers={"Content-Type": "application/xml"})
    log("notification %s uploads/ -> %s" % (UPLOADS, FUNCTION))


def deploy(endpoint, zip_path, redis_url=None, extra_env=None, log=print, pid=None):
    """Deploy (or update) the stack; returns a dict of what exists."""
    wait_healthy(endpoint, pid=pid)
    c = Client(endpoint)
    ensure_bucket(c, UPLOADS, log)
    ensure_bucket(c, PROCESSED, log)
    ensure_table(c, log)
    topic = ensure_topic(c, log)
    env = {"UPLOAD_BUCKET": UPLOADS, "PROCESSED_BUCKET": PROCESSED,
           "TABLE_NAME": TABLE, "TOPIC_ARN": topic}
    if redis_url:
        env["REDIS_URL"] = redis_url
    if os.environ.get("IMGPIPE_VARIANTS"):
        env["IMGPIPE_VARIANTS"] = os.environ["IMGPIPE_VARIANTS"]
    env.update(extra_env or {})
    fn = ensure_function(c, zip_path, env, log)
    ensure_permission(c, log)
    ensure_notification(c, fn, log)
    return {"uploads_bucket": UPLOADS, "processed_bucket": PROCESSED, "table": TABLE,
            "topic_arn": topic, "function_arn": fn, "environment": env}


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--endpoint", default="http://127.0.0.1:4566")
    ap.add_argument("--redis-url", default=None)
    ap.add_argument("--zip", default="build/lambda/pipeline.zip")
    ap.add_argument("--emulator-pid", type=int, default=None,
                    help="stop waiting when this process exits")
    a = ap.parse_args(argv)
    try:
        out = deploy(a.endpoint, a.zip, a.redis_url, pid=a.emulator_pid,
                     log=lambda m: print("deploy: " + m, flush=True))
    except (AwsError, RuntimeError, OSError) as e:
        print("deploy: failed: %s" % e, file=sys.stderr)
        return 1
    print("deploy: done (%s)" % out["function_arn"], flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

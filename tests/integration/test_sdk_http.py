"""The sdk's HTTP core (sdk/aws_http.c, aws_retry.c, aws_config.c) against
a scripted fake AWS endpoint: standard-mode retries on 5xx and throttling
(and none on final errors), AWS_MAX_ATTEMPTS, connection reuse across
attempts, the headers every request carries, connection failures, and
endpoint/credential resolution from the environment and shared files."""
import http.server
import json
import os
import tempfile
import threading
import unittest

from sdk_support import drive, free_port, sdk_env

NO_SUCH_KEY = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code>'
               b'<Message>The specified key does not exist.</Message>'
               b'<RequestId>REQ-404</RequestId></Error>')


class Script(http.server.BaseHTTPRequestHandler):
    """Answers from a list of (status, headers, body); records requests."""
    protocol_version = "HTTP/1.1"
    answers = []
    seen = []
    connections = set()

    def handle_one(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        Script.seen.append({"method": self.command, "path": self.path,
                            "headers": {k.lower(): v for k, v in self.headers.items()},
                            "body": body})
        Script.connections.add(self.client_address)
        status, headers, payload = Script.answers.pop(0) if Script.answers else (200, {}, b"")
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = handle_one

    def log_message(self, *a):
        pass


class TestRetries(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Script)
        threading.Thread(target=cls.srv.serve_forever, daemon=True).start()
        cls.endpoint = "http://127.0.0.1:%d" % cls.srv.server_address[1]

    @classmethod
    def tearDownClass(cls):
        cls.srv.shutdown()
        cls.srv.server_close()

    def setUp(self):
        Script.answers, Script.seen, Script.connections = [], [], set()

    def sdk(self, *args, **env):
        return drive(sdk_env(self.endpoint, **env), *args)

    def test_5xx_retried_then_success_on_one_connection(self):
        Script.answers = [(503, {}, b"<Error><Code>ServiceUnavailable</Code></Error>"),
                          (500, {"x-amz-request-id": "R2"}, b""),
                          (200, {"ETag": '"e"'}, b"payload")]
        r = self.sdk("s3-get", "bkt", "some key")
        self.assertTrue(r["ok"], r)
        self.assertEqual(r["length"], 7)
        self.assertEqual(len(Script.seen), 3)
        self.assertEqual([s["headers"]["amz-sdk-request"] for s in Script.seen],
                         ["attempt=1; max=3", "attempt=2; max=3", "attempt=3; max=3"])
        ids = {s["headers"]["amz-sdk-invocation-id"] for s in Script.seen}
        self.assertEqual(len(ids), 1)
        self.assertEqual(len(Script.connections), 1)  # keep-alive across attempts
        h = Script.seen[0]["headers"]
        self.assertEqual(Script.seen[0]["path"], "/bkt/some%20key")
        self.assertTrue(h["authorization"].startswith(
            "AWS4-HMAC-SHA256 Credential=test/"))
        self.assertIn("/us-east-1/s3/aws4_request", h["authorization"])
        self.assertIn("x-amz-date", h)
        self.assertEqual(h["x-amz-content-sha256"],
                         "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        self.assertEqual(h["host"], "127.0.0.1:%d" % self.srv.server_address[1])

    def test_gives_up_after_max_attempts(self):
        Script.answers = [(503, {}, b"<Error><Code>SlowDown</Code><Message>m</Message></Error>")] * 5
        r = self.sdk("s3-get", "bkt", "k")
        self.assertEqual((r["ok"], r["code"], r["status"], r["message"]), (False, "SlowDown", 503, "m"))
        self.assertEqual(len(Script.seen), 3)
        Script.answers, Script.seen = [(503, {}, b"")] * 5, []
        r = self.sdk("s3-get", "bkt", "k", AWS_MAX_ATTEMPTS="1")
        self.assertEqual((r["code"], len(Script.seen)), ("ServiceUnavailable", 1))
        Script.answers, Script.seen = [(500, {}, b"")] * 5, []
        r = self.sdk("s3-get", "bkt", "k", AWS_MAX_ATTEMPTS="4")
        self.assertEqual((r["code"], len(Script.seen)), ("InternalError", 4))

    def test_throttling_json_retried(self):
        throttle = json.dumps({"__type": "com.amazonaws.dynamodb.v20120810#ThrottlingException",
                               "message": "Rate exceeded"}).encode()
        Script.answers = [(400, {"Content-Type": "application/x-amz-json-1.0"}, throttle),
                          (200, {"Content-Type": "application/x-amz-json-1.0"}, b"{}")]
        r = self.sdk("ddb-get", "t", '{"image_id":{"S":"x"}}')
        self.assertEqual((r["ok"], r["item"]), (True, None))
        self.assertEqual(len(Script.seen), 2)
        h = Script.seen[0]["headers"]
        self.assertEqual(h["x-amz-target"], "DynamoDB_20120810.GetItem")
        self.assertEqual(h["content-type"], "application/x-amz-json-1.0")
        self.assertIn("/us-east-1/dynamodb/aws4_request", h["authorization"])
        self.assertNotIn("x-amz-content-sha256", h)
        self.assertEqual(json.loads(Script.seen[0]["body"]),
                         {"TableName": "t", "Key": {"image_id": {"S": "x"}}, "ConsistentRead": True})

    def test_final_errors_not_retried(self):
        Script.answers = [(404, {"x-amz-request-id": "HDR"}, NO_SUCH_KEY)]
        r = self.sdk("s3-get", "bkt", "k")
        self.assertEqual((r["code"], r["request_id"], len(Script.seen)), ("NoSuchKey", "REQ-404", 1))
        Script.answers, Script.seen = [(400, {"x-amzn-RequestId": "J-1"}, json.dumps(
            {"__type": "ConditionalCheckFailedException", "message": "no"}).encode())], []
        r = self.sdk("ddb-put", "t", '{"image_id":{"S":"x"}}')
        self.assertEqual((r["code"], r["request_id"], len(Script.seen)),
                         ("ConditionalCheckFailedException", "J-1", 1))
        # a DynamoDB answer whose body does not match its x-amz-crc32
        Script.answers, Script.seen = [(200, {"x-amz-crc32": "1"}, b"{}")], []
        r = self.sdk("ddb-get", "t", '{"image_id":{"S":"x"}}')
        self.assertEqual(r["code"], "CRC32CheckFailed")

    def test_sns_form_body(self):
        Script.answers = [(200, {}, b'<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">'
                           b'<PublishResult><MessageId>m-1</MessageId></PublishResult>'
                           b'</PublishResponse>')]
        r = self.sdk("sns-publish", "arn:aws:sns:us-east-1:1:t", "a b&c=d", "-",
                     "event", "String", "x y")
        self.assertEqual((r["ok"], r["message_id"]), (True, "m-1"))
        self.assertEqual(Script.seen[0]["body"].decode(),
                         "Action=Publish&Version=2010-03-31&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A1%3At"
                         "&Message=a%20b%26c%3Dd&MessageAttributes.entry.1.Name=event"
                         "&MessageAttributes.entry.1.Value.DataType=String"
                         "&MessageAttributes.entry.1.Value.StringValue=x%20y")

    def test_connection_refused(self):
        port = free_port()
        r = drive(sdk_env("http://127.0.0.1:%d" % port), "s3-head", "bkt", "k")
        self.assertEqual((r["ok"], r["code"], r["status"]), (False, "ConnectionError", 0))

    def test_session_token_sent(self):
        Script.answers = [(200, {}, b"")]
        r = self.sdk("s3-delete", "bkt", "k", AWS_SESSION_TOKEN="TOKEN/1")
        self.assertTrue(r["ok"], r)
        h = Script.seen[0]["headers"]
        self.assertEqual(h["x-amz-security-token"], "TOKEN/1")
        self.assertIn("x-amz-security-token", h["authorization"].split("SignedHeaders=")[1])


class TestConfigResolution(unittest.TestCase):
    def test_environment_and_files(self):
        with tempfile.TemporaryDirectory() as d:
            cfg, creds = os.path.join(d, "config"), os.path.join(d, "credentials")
            with open(cfg, "w") as f:
                f.write("[profile local]\nregion = eu-west-3\nservices = emu\n"
                        "[services emu]\ndynamodb =\n  endpoint_url = http://ddb:8000\n")
            with open(creds, "w") as f:
                f.write("[local]\naws_access_key_id = AK\naws_secret_access_key = SK\n"
                        "aws_session_token = ST\n")
            env = sdk_env(None, AWS_ACCESS_KEY_ID=None, AWS_SECRET_ACCESS_KEY=None,
                          AWS_REGION=None, AWS_PROFILE="local", AWS_CONFIG_FILE=cfg,
                          AWS_SHARED_CREDENTIALS_FILE=creds,
                          AWS_ENDPOINT_URL_SNS="http://sns:1/")
            r = drive(env, "config")
            self.assertTrue(r["ok"], r)
            self.assertEqual((r["region"], r["profile"], r["access_key"], r["session_token"]),
                             ("eu-west-3", "local", "AK", "ST"))
            self.assertEqual(r["credential_source"], "shared-credentials-file")
            self.assertEqual(r["dynamodb"], "http://ddb:8000")
            self.assertEqual(r["sns"], "http://sns:1")
            self.assertEqual(r["s3"], "https://s3.eu-west-3.amazonaws.com")
            env["AWS_PROFILE"] = "absent"
            r = drive(env, "config")
            self.assertEqual((r["ok"], r["code"]), (False, "ProfileNotFound"))
            r = drive(sdk_env(None, AWS_REGION=None), "s3-head", "b", "k")
            self.assertEqual((r["ok"], r["code"], r["message"]),
                             (False, "NoRegion", "You must specify a region."))


if __name__ == "__main__":
    unittest.main()

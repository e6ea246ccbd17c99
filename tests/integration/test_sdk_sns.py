"""The sdk's SNS client (sdk/aws_sns.c) through the driver program:
Publish with String, Number and Binary message attributes and a subject,
checked where the message is delivered (an SQS queue on moto_server, an
HTTP endpoint on the emulator), and the errors for a missing topic."""
import base64
import http.server
import json
import threading
import time
import unittest
import urllib.request

from emu import Emulator
from sdk_support import Moto, boto3_client, drive, sdk_env, skip_if_missing

EVENT = json.dumps({"event": "image.processed", "image_id": "abc"})
ATTRS = ["event", "String", "image.processed", "width", "Number", "800",
         "raw", "Binary", "bytes!"]


def check_envelope(test, env):
    test.assertEqual(env["Type"], "Notification")
    test.assertEqual(env["Message"], EVENT)
    test.assertEqual(env["Subject"], "processed")
    attrs = env["MessageAttributes"]
    test.assertEqual(attrs["event"], {"Type": "String", "Value": "image.processed"})
    test.assertEqual(attrs["width"], {"Type": "Number", "Value": "800"})
    test.assertEqual(attrs["raw"]["Type"], "Binary")
    test.assertEqual(base64.b64decode(attrs["raw"]["Value"]), b"bytes!")


class TestSnsMoto(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Moto().start()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def test_publish_with_attributes_reaches_queue(self):
        sns = boto3_client(self.server.endpoint, "sns")
        sqs = boto3_client(self.server.endpoint, "sqs")
        arn = sns.create_topic(Name="sdk-events")["TopicArn"]
        q = sqs.create_queue(QueueName="sdk-events-q")["QueueUrl"]
        qarn = sqs.get_queue_attributes(QueueUrl=q, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=qarn)
        r = drive(sdk_env(self.server.endpoint), "sns-publish", arn, EVENT, "processed", *ATTRS)
        self.assertTrue(r["ok"], r)
        self.assertRegex(r["message_id"], r"^[0-9a-f-]{36}$")
        msgs = sqs.receive_message(QueueUrl=q, WaitTimeSeconds=2).get("Messages", [])
        self.assertEqual(len(msgs), 1)
        env = json.loads(msgs[0]["Body"])
        self.assertEqual(env["MessageId"], r["message_id"])
        check_envelope(self, env)

    def test_publish_to_missing_topic(self):
        r = drive(sdk_env(self.server.endpoint), "sns-publish",
                  "arn:aws:sns:us-east-1:123456789012:sdk-missing", "x")
        self.assertEqual((r["ok"], r["code"], r["status"]), (False, "NotFound", 404))
        self.assertTrue(r["request_id"])


class Receiver(http.server.BaseHTTPRequestHandler):
    """An SNS HTTP endpoint: confirms subscriptions, keeps notifications."""
    got = []

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.send_response(200)
        self.end_headers()
        if body.get("Type") == "SubscriptionConfirmation":
            urllib.request.urlopen(body["SubscribeURL"], timeout=5).read()
        else:
            Receiver.got.append(body)

    def log_message(self, *a):
        pass


class TestSnsEmulator(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.emu = Emulator().start()

    @classmethod
    def tearDownClass(cls):
        rc = cls.emu.stop()
        if rc != 0:
            raise AssertionError("emulator exited with %s:\n%s" % (rc, cls.emu.logs()))

    def test_publish_with_attributes_reaches_http_endpoint(self):
        env = sdk_env(self.emu.endpoint)
        r = drive(env, "sns-publish", "arn:aws:sns:us-east-1:000000000000:sdk-none", "x")
        skip_if_missing(r, "SNS Publish")
        self.assertEqual((r["ok"], r["code"], r["status"]), (False, "NotFound", 404))
        sns = boto3_client(self.emu.endpoint, "sns")
        arn = sns.create_topic(Name="sdk-events")["TopicArn"]
        srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        try:
            Receiver.got = []
            sns.subscribe(TopicArn=arn, Protocol="http",
                          Endpoint="http://127.0.0.1:%d/hook" % srv.server_address[1])
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                subs = sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"]
                if subs and subs[0]["SubscriptionArn"] != "PendingConfirmation":
                    break
                time.sleep(0.1)
            r = drive(env, "sns-publish", arn, EVENT, "processed", *ATTRS)
            self.assertTrue(r["ok"], r)
            while time.monotonic() < deadline and not Receiver.got:
                time.sleep(0.1)
            self.assertEqual(len(Receiver.got), 1)
            self.assertEqual(Receiver.got[0]["MessageId"], r["message_id"])
            check_envelope(self, Receiver.got[0])
        finally:
            srv.shutdown()
            srv.server_close()


if __name__ == "__main__":
    unittest.main()

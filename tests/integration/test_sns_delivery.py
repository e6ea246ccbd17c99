"""SNS delivery to HTTP endpoints, end to end: a subscriber server in the
test receives the SubscriptionConfirmation, follows its SubscribeURL,
receives Notifications with AWS's JSON and headers, verifies every
signature with `cryptography` exactly as AWS's docs describe (certificate
from SigningCertURL, SHA1withRSA or SHA256withRSA over the canonical
string), and fails on purpose to exercise retries, dead letters and the
outbox surviving a restart.  Lambda subscriptions stay queued while no
Lambda service exists."""
import base64
import http.server
import json
import os
import shutil
import socket
import sys
import tempfile
import threading
import time
import unittest
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

from emu import Emulator

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
NS = "{http://sns.amazonaws.com/doc/2010-03-31/}"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Subscriber:
    """An HTTP endpoint that records every POST; `fail_next` POSTs get 500."""

    def __init__(self, port=None):
        self.received = []
        self.fail_next = 0
        self.lock = threading.Lock()
        self.cond = threading.Condition(self.lock)
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(n)
                with outer.cond:
                    fail = outer.fail_next > 0
                    if fail:
                        outer.fail_next -= 1
                    outer.received.append({"headers": {k.lower(): v for k, v in self.headers.items()},
                                           "body": body, "failed": fail, "path": self.path})
                    outer.cond.notify_all()
                self.send_response(500 if fail else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *a):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port or 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return "http://127.0.0.1:%d/hook" % self.port

    def wait(self, pred, timeout=30):
        """Wait until pred(received) is true; returns received."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while not pred(self.received):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError("subscriber did not get what was expected: %r" %
                                         [(r["headers"].get("x-amz-sns-message-type"), r["body"][:200])
                                          for r in self.received])
                self.cond.wait(left)
            return list(self.received)

    def wait_type(self, msg_type, count=1, timeout=30):
        got = self.wait(lambda rs: len([r for r in rs if not r["failed"] and
                                        r["headers"].get("x-amz-sns-message-type") == msg_type]) >= count,
                        timeout)
        return [r for r in got if not r["failed"] and
                r["headers"].get("x-amz-sns-message-type") == msg_type]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def verify_signature(testcase, msg):
    """Verify an SNS message the way AWS's documentation says to."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding
    if msg["Type"] == "Notification":
        fields = ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
    else:
        fields = ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"]
    text = "".join("%s\n%s\n" % (f, msg[f]) for f in fields if f in msg)
    with urllib.request.urlopen(msg["SigningCertURL"], timeout=10) as r:
        pem = r.read()
    testcase.assertTrue(msg["SigningCertURL"].endswith(".pem"))
    cert = x509.load_pem_x509_certificate(pem)
    algo = hashes.SHA1() if msg["SignatureVersion"] == "1" else hashes.SHA256()
    # raises InvalidSignature when it does not verify
    cert.public_key().verify(base64.b64decode(msg["Signature"]), text.encode(),
                             padding.PKCS1v15(), algo)
    # and a tampered message does not
    from cryptography.exceptions import InvalidSignature
    with testcase.assertRaises(InvalidSignature):
        cert.public_key().verify(base64.b64decode(msg["Signature"]),
                                 text.replace("\n", " \n", 1).encode(),
                                 padding.PKCS1v15(), algo)


def call(emu, action, **params):
    """One SNS Query call; returns (status, root element)."""
    params = dict(params, Action=action, Version="2010-03-31")
    status, _, body = emu.http("POST", "/", body=urllib.parse.urlencode(params).encode(),
                               headers=FORM)
    return status, ET.fromstring(body)


def text_of(root, name):
    el = root.find(".//" + NS + name)
    return el.text if el is not None else None


def resources(emu):
    status, _, body = emu.http("GET", "/_emulator/resources")
    assert status == 200
    return json.loads(body)["sns"]


def lambda_available(emu):
    """Is a Lambda service (with operations) part of this build?"""
    status, _, body = emu.http("GET", "/_emulator/health")
    return json.loads(body)["services"].get("lambda", {}).get("operations", 0) > 0


def create_topic(emu, name, **attrs):
    params = {"Name": name}
    for i, (k, v) in enumerate(attrs.items(), 1):
        params["Attributes.entry.%d.key" % i] = k
        params["Attributes.entry.%d.value" % i] = v
    status, root = call(emu, "CreateTopic", **params)
    assert status == 200, ET.tostring(root)
    return text_of(root, "TopicArn")


def subscribe_confirmed(testcase, emu, sub, topic, **attrs):
    """Subscribe sub's URL, follow the SubscribeURL; returns (arn, confirmation)."""
    params = {"TopicArn": topic, "Protocol": "http", "Endpoint": sub.url,
              "ReturnSubscriptionArn": "true"}
    for i, (k, v) in enumerate(attrs.items(), 1):
        params["Attributes.entry.%d.key" % i] = k
        params["Attributes.entry.%d.value" % i] = v
    with sub.cond:
        before = len([r for r in sub.received if not r["failed"] and
                      r["headers"].get("x-amz-sns-message-type") == "SubscriptionConfirmation"])
    status, root = call(emu, "Subscribe", **params)
    testcase.assertEqual(status, 200, ET.tostring(root))
    arn = text_of(root, "SubscriptionArn")
    conf = sub.wait_type("SubscriptionConfirmation", before + 1)[-1]
    doc = json.loads(conf["body"])
    with urllib.request.urlopen(doc["SubscribeURL"], timeout=10) as r:
        testcase.assertEqual(r.status, 200)
        root = ET.fromstring(r.read())
    testcase.assertEqual(text_of(root, "SubscriptionArn"), arn)
    return arn, conf


class TestHttpDelivery(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.emu = Emulator(args=["--fast-retries"]).start()
        cls.sub = Subscriber()

    @classmethod
    def tearDownClass(cls):
        cls.sub.close()
        rc = cls.emu.stop()
        assert rc == 0, cls.emu.logs()

    def test_confirmation_then_signed_notification(self):
        topic = create_topic(self.emu, "deliver-v1")
        arn, conf = subscribe_confirmed(self, self.emu, self.sub, topic)
        doc = json.loads(conf["body"])
        self.assertEqual(list(doc), ["Type", "MessageId", "Token", "TopicArn", "Message",
                                     "SubscribeURL", "Timestamp", "SignatureVersion",
                                     "Signature", "SigningCertURL"])
        self.assertEqual(doc["TopicArn"], topic)
        self.assertIn("You have chosen to subscribe to the topic " + topic, doc["Message"])
        self.assertEqual(conf["headers"]["x-amz-sns-message-type"], "SubscriptionConfirmation")
        self.assertEqual(conf["headers"]["x-amz-sns-topic-arn"], topic)
        self.assertNotIn("x-amz-sns-subscription-arn", conf["headers"])
        self.assertEqual(conf["headers"]["content-type"], "text/plain; charset=UTF-8")
        self.assertEqual(conf["headers"]["user-agent"], "Amazon Simple Notification Service Agent")
        verify_signature(self, doc)

        status, root = call(self.emu, "GetSubscriptionAttributes", SubscriptionArn=arn)
        self.assertEqual(status, 200)
        attrs = {e.find(NS + "key").text: e.find(NS + "value").text
                 for e in root.iter(NS + "entry")}
        self.assertEqual(attrs["PendingConfirmation"], "false")

        status, root = call(self.emu, "Publish", TopicArn=topic, Message="hello world",
                            Subject="greeting",
                            **{"MessageAttributes.entry.1.Name": "color",
                               "MessageAttributes.entry.1.Value.DataType": "String",
                               "MessageAttributes.entry.1.Value.StringValue": "blue",
                               "MessageAttributes.entry.2.Name": "size",
                               "MessageAttributes.entry.2.Value.DataType": "Number",
                               "MessageAttributes.entry.2.Value.StringValue": "42"})
        self.assertEqual(status, 200, ET.tostring(root))
        mid = text_of(root, "MessageId")
        got = self.sub.wait(lambda rs: any(r["headers"].get("x-amz-sns-message-id") == mid
                                           for r in rs))
        note = [r for r in got if r["headers"].get("x-amz-sns-message-id") == mid][0]
        self.assertEqual(note["headers"]["x-amz-sns-message-type"], "Notification")
        self.assertEqual(note["headers"]["x-amz-sns-subscription-arn"], arn)
        self.assertEqual(note["headers"]["x-amz-sns-topic-arn"], topic)
        msg = json.loads(note["body"])
        self.assertEqual(list(msg), ["Type", "MessageId", "TopicArn", "Subject", "Message",
                                     "Timestamp", "SignatureVersion", "Signature",
                                     "SigningCertURL", "UnsubscribeURL", "MessageAttributes"])
        self.assertEqual(msg["Message"], "hello world")
        self.assertEqual(msg["Subject"], "greeting")
        self.assertEqual(msg["SignatureVersion"], "1")
        self.assertRegex(msg["Timestamp"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        self.assertEqual(msg["MessageAttributes"], {"color": {"Type": "String", "Value": "blue"},
                                                    "size": {"Type": "Number", "Value": "42"}})
        verify_signature(self, msg)

        # the UnsubscribeURL works unsigned, like AWS's
        with urllib.request.urlopen(msg["UnsubscribeURL"], timeout=10) as r:
            self.assertEqual(r.status, 200)
        status, root = call(self.emu, "GetSubscriptionAttributes", SubscriptionArn=arn)
        self.assertEqual(status, 404)
        self.assertEqual(text_of(root, "Code"), "NotFound")

    def test_signature_version_2_and_no_subject(self):
        topic = create_topic(self.emu, "deliver-v2", SignatureVersion="2")
        _, conf = subscribe_confirmed(self, self.emu, self.sub, topic)
        verify_signature(self, json.loads(conf["body"]))
        status, root = call(self.emu, "Publish", TopicArn=topic, Message="v2 body")
        mid = text_of(root, "MessageId")
        got = self.sub.wait(lambda rs: any(r["headers"].get("x-amz-sns-message-id") == mid
                                           for r in rs))
        msg = json.loads([r for r in got if r["headers"].get("x-amz-sns-message-id") == mid][0]["body"])
        self.assertEqual(msg["SignatureVersion"], "2")
        self.assertNotIn("Subject", msg)
        self.assertNotIn("MessageAttributes", msg)
        verify_signature(self, msg)

    def test_raw_delivery_and_structured_message(self):
        topic = create_topic(self.emu, "deliver-raw")
        subscribe_confirmed(self, self.emu, self.sub, topic, RawMessageDelivery="true")
        body = json.dumps({"default": "plain", "http": "for http endpoints"})
        status, root = call(self.emu, "Publish", TopicArn=topic, Message=body,
                            MessageStructure="json")
        self.assertEqual(status, 200, ET.tostring(root))
        mid = text_of(root, "MessageId")
        got = self.sub.wait(lambda rs: any(r["headers"].get("x-amz-sns-message-id") == mid
                                           for r in rs))
        note = [r for r in got if r["headers"].get("x-amz-sns-message-id") == mid][0]
        self.assertEqual(note["body"], b"for http endpoints")
        self.assertEqual(note["headers"]["x-amz-sns-rawdelivery"], "true")

    def test_filter_policy_drops_what_does_not_match(self):
        topic = create_topic(self.emu, "deliver-filter")
        subscribe_confirmed(self, self.emu, self.sub, topic,
                            FilterPolicy=json.dumps({"status": ["processed"],
                                                     "width": [{"numeric": [">", 100]}]}))
        ids = {}
        for status_value, width in (("failed", "500"), ("processed", "50"), ("processed", "640")):
            st, root = call(self.emu, "Publish", TopicArn=topic, Message="m-%s-%s" % (status_value, width),
                            **{"MessageAttributes.entry.1.Name": "status",
                               "MessageAttributes.entry.1.Value.DataType": "String",
                               "MessageAttributes.entry.1.Value.StringValue": status_value,
                               "MessageAttributes.entry.2.Name": "width",
                               "MessageAttributes.entry.2.Value.DataType": "Number",
                               "MessageAttributes.entry.2.Value.StringValue": width})
            self.assertEqual(st, 200)
            ids[text_of(root, "MessageId")] = (status_value, width)
        self.sub.wait(lambda rs: any(r["body"].find(b"m-processed-640") >= 0 for r in rs))
        # the delivery rows show that only one was queued for this topic
        rows = [d for d in resources(self.emu)["deliveries"] if d["message_id"] in ids]
        self.assertEqual([ids[d["message_id"]] for d in rows], [("processed", "640")])

    def test_retries_until_the_endpoint_recovers(self):
        topic = create_topic(self.emu, "deliver-retry")
        sub = Subscriber()  # its own: failures meant for this message only
        self.addCleanup(sub.close)
        arn, _ = subscribe_confirmed(self, self.emu, sub, topic)
        with sub.cond:
            sub.fail_next = 2
        st, root = call(self.emu, "Publish", TopicArn=topic, Message="retry me")
        mid = text_of(root, "MessageId")
        got = sub.wait(lambda rs: any(r["headers"].get("x-amz-sns-message-id") == mid and
                                           not r["failed"] for r in rs))
        attempts = [r for r in got if r["headers"].get("x-amz-sns-message-id") == mid]
        self.assertEqual([a["failed"] for a in attempts], [True, True, False])
        # a retry is the same message: same id, same body
        self.assertEqual(len({a["body"] for a in attempts}), 1)
        deadline = time.monotonic() + 30
        while True:
            row = [d for d in resources(self.emu)["deliveries"] if d["message_id"] == mid][0]
            if row["state"] == "delivered" or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        self.assertEqual(row["state"], "delivered")
        self.assertEqual(row["attempts"], 3)
        self.assertEqual(row["subscription_arn"], arn)

    def test_exhausted_retries_fail_or_dead_letter(self):
        topic = create_topic(self.emu, "deliver-exhaust")
        policy = json.dumps({"healthyRetryPolicy": {"numRetries": 2, "minDelayTarget": 1,
                                                    "maxDelayTarget": 1}})
        sub = Subscriber()
        self.addCleanup(sub.close)
        subscribe_confirmed(self, self.emu, sub, topic, DeliveryPolicy=policy,
                            RedrivePolicy=json.dumps(
                                {"deadLetterTargetArn": "arn:aws:sqs:us-east-1:123456789012:dlq"}))
        with sub.cond:
            sub.fail_next = 3
        st, root = call(self.emu, "Publish", TopicArn=topic, Message="doomed")
        mid = text_of(root, "MessageId")
        deadline = time.monotonic() + 30
        while True:
            rows = [d for d in resources(self.emu)["deliveries"] if d["message_id"] == mid]
            if (rows and rows[0]["state"] != "pending") or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        self.assertEqual(rows[0]["state"], "dead-lettered")
        self.assertEqual(rows[0]["attempts"], 3)
        self.assertEqual(rows[0]["last_status"], 500)
        self.assertEqual(rows[0]["dead_letter_target_arn"], "arn:aws:sqs:us-east-1:123456789012:dlq")

    def test_lambda_event_for_a_missing_function_stays_queued(self):
        topic = create_topic(self.emu, "deliver-lambda")
        st, root = call(self.emu, "Subscribe", TopicArn=topic, Protocol="lambda",
                        Endpoint="arn:aws:lambda:us-east-1:123456789012:function:nowhere")
        self.assertEqual(st, 200)
        sub_arn = text_of(root, "SubscriptionArn")
        self.assertTrue(sub_arn.startswith(topic + ":"))  # confirmed at once
        st, root = call(self.emu, "Publish", TopicArn=topic, Message="for lambda")
        mid = text_of(root, "MessageId")
        deadline = time.monotonic() + 5
        while True:
            row = [d for d in resources(self.emu)["deliveries"] if d["message_id"] == mid][0]
            if row.get("last_error") or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        # never dropped: retried on AWS's schedule for Lambda (100,015
        # attempts), or, with no Lambda service in the build, not even tried
        self.assertEqual(row["state"], "pending")
        self.assertTrue(row.get("last_error"))
        if not lambda_available(self.emu):
            self.assertEqual(row["attempts"], 0)
            self.assertIn("Lambda", row["last_error"])

    def test_lambda_function_receives_the_sns_event(self):
        if not lambda_available(self.emu):
            self.skipTest("needs the Lambda service in this build")
        sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
            os.path.abspath(__file__))), "fixtures", "lambda"))
        import fixtures
        from clients import boto3_client
        tmp = tempfile.mkdtemp(prefix="sns-lambda-")
        try:
            record = os.path.join(tmp, "records")
            fixtures.create(boto3_client(self.emu, "lambda"), "sns-target",
                            Environment={"Variables": {"RECORD_FILE": record,
                                                       "TOUCH_FILE": record + ".touch"}})
            fn = "arn:aws:lambda:us-east-1:123456789012:function:sns-target"
            topic = create_topic(self.emu, "deliver-lambda-ok")
            st, root = call(self.emu, "Subscribe", TopicArn=topic, Protocol="lambda", Endpoint=fn)
            sub_arn = text_of(root, "SubscriptionArn")
            # the fixture's bootstrap records events that carry a
            # "requestContext" key: a message attribute of that name does
            st, root = call(self.emu, "Publish", TopicArn=topic, Message="to a function",
                            Subject="s",
                            **{"MessageAttributes.entry.1.Name": "requestContext",
                               "MessageAttributes.entry.1.Value.DataType": "String",
                               "MessageAttributes.entry.1.Value.StringValue": "x"})
            mid = text_of(root, "MessageId")
            deadline = time.monotonic() + 20
            lines = []
            while not lines and time.monotonic() < deadline:
                if os.path.exists(record):
                    with open(record) as fh:
                        lines = [l for l in fh.read().splitlines() if l]
                time.sleep(0.1)
            self.assertEqual(len(lines), 1)
            event = json.loads(lines[0])
            rec = event["Records"][0]
            self.assertEqual(rec["EventSource"], "aws:sns")
            self.assertEqual(rec["EventVersion"], "1.0")
            self.assertEqual(rec["EventSubscriptionArn"], sub_arn)
            sns = rec["Sns"]
            self.assertEqual(sns["MessageId"], mid)
            self.assertEqual(sns["Message"], "to a function")
            self.assertEqual(sns["Subject"], "s")
            self.assertEqual(sns["MessageAttributes"],
                             {"requestContext": {"Type": "String", "Value": "x"}})
            # Lambda's spelling of the URLs; the signature verifies
            msg = dict(sns, SigningCertURL=sns["SigningCertUrl"])
            verify_signature(self, msg)
            row = [d for d in resources(self.emu)["deliveries"] if d["message_id"] == mid][0]
            self.assertEqual(row["state"], "delivered")
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def test_signing_certificate_is_served(self):
        status, headers, body = self.emu.http("GET", "/?Action=GetSigningCertificate")
        self.assertEqual(status, 200)
        self.assertTrue(body.startswith(b"-----BEGIN CERTIFICATE-----"))
        status, _, body = self.emu.http(
            "GET", "/?Action=GetSigningCertificate&Certificate=SimpleNotificationService-x.pem")
        self.assertEqual(status, 404)


class TestOutboxSurvivesRestart(unittest.TestCase):
    def test_undelivered_message_is_delivered_after_restart(self):
        data = tempfile.mkdtemp(prefix="imgpipe-sns-")
        try:
            sub = Subscriber()
            port = sub.port
            emu = Emulator(data_dir=data).start()
            topic = create_topic(emu, "restart")
            policy = json.dumps({"healthyRetryPolicy": {"numRetries": 50, "minDelayTarget": 1,
                                                        "maxDelayTarget": 1}})
            subscribe_confirmed(self, emu, sub, topic, DeliveryPolicy=policy)
            sub.close()  # the endpoint goes away: deliveries fail, stay queued
            st, root = call(emu, "Publish", TopicArn=topic, Message="survive")
            mid = text_of(root, "MessageId")
            deadline = time.monotonic() + 10
            while True:
                row = [d for d in resources(emu)["deliveries"] if d["message_id"] == mid][0]
                if row["attempts"] >= 1 or time.monotonic() > deadline:
                    break
                time.sleep(0.05)
            self.assertEqual(row["state"], "pending")
            self.assertGreaterEqual(row["attempts"], 1)
            emu_port = emu.port
            self.assertEqual(emu.stop(), 0)

            sub = Subscriber(port)  # back on the same port
            # the emulator too: the URLs in queued messages name its port
            emu = Emulator(data_dir=data, args=["--port", str(emu_port)]).start()
            try:
                got = sub.wait(lambda rs: any(r["headers"].get("x-amz-sns-message-id") == mid
                                              for r in rs), timeout=15)
                msg = json.loads([r for r in got
                                  if r["headers"].get("x-amz-sns-message-id") == mid][0]["body"])
                self.assertEqual(msg["Message"], "survive")
                verify_signature(self, msg)  # the key pair survived too
            finally:
                sub.close()
                self.assertEqual(emu.stop(), 0)
        finally:
            shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()

"""The pipeline's failure paths, driven by synchronous invokes of the
deployed function (the bucket notification is removed, so nothing else
runs): Redis down is not fatal; an SNS that answers 503 fails the
invocation as transient after the item is committed, and the redelivery
announces it exactly once; a missing table is a dependency error that
writes nothing; an upload over IMGPIPE_MAX_BYTES fails without being
downloaded."""
import http.server
import json
import os
import threading
import time
import unittest

from pipeline_support import (ROOT, Stack, deploy_local, item_plain,
                              wait_for)

PHOTO = os.path.join(ROOT, "fixtures", "images", "photo_2.5mp_canon.jpg")
SMALL = os.path.join(ROOT, "fixtures", "images", "photoshop_iptc_icc.jpg")


class Unavailable:
    """An endpoint that answers every request 503 ServiceUnavailable."""

    def __init__(self):
        self.hits = 0
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                outer.hits += 1
                body = (b'<ErrorResponse><Error><Type>Receiver</Type><Code>ServiceUnavailable</Code>'
                        b'<Message>try later</Message></Error><RequestId>x</RequestId></ErrorResponse>')
                self.send_response(503)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *a):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class TestPipelineFailures(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # Redis is configured but nothing listens there: never fatal.
        cls.st = Stack(redis_url="redis://127.0.0.1:1")
        cls.st.s3.put_bucket_notification_configuration(
            Bucket=deploy_local.UPLOADS, NotificationConfiguration={})
        cls.base_env = dict(cls.st.info["environment"])

    @classmethod
    def tearDownClass(cls):
        rc = cls.st.stop()
        assert rc == 0, "emulator exit code %r" % rc

    def set_env(self, **changes):
        env = dict(self.base_env)
        for k, v in changes.items():
            if v is None:
                env.pop(k, None)
            else:
                env[k] = v
        lam = self.st.lam
        lam.update_function_configuration(FunctionName=deploy_local.FUNCTION,
                                          Environment={"Variables": env})
        wait_for(lambda: lam.get_function_configuration(FunctionName=deploy_local.FUNCTION)
                 .get("LastUpdateStatus", "Successful") == "Successful", 30, what="the update")

    def upload_event(self, path, image_id):
        put = self.st.upload(path, "uploads/%s.jpg" % image_id, "image/jpeg")
        return {"Records": [{
            "eventVersion": "2.1", "eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
            "eventTime": "2024-05-01T10:00:00.000Z",
            "s3": {"bucket": {"name": deploy_local.UPLOADS},
                   "object": {"key": "uploads/%s.jpg" % image_id, "size": os.path.getsize(path),
                              "eTag": put["ETag"].strip('"'),
                              "sequencer": "%016X" % time.time_ns()}}}]}

    def invoke(self, event):
        out = self.st.lam.invoke(FunctionName=deploy_local.FUNCTION, Payload=json.dumps(event))
        return out.get("FunctionError"), json.loads(out["Payload"].read())

    def test_1_redis_down_is_not_fatal(self):
        self.set_env()
        err, body = self.invoke(self.upload_event(SMALL, "noredis"))
        self.assertIsNone(err, body)
        self.assertEqual(body["records"][0]["outcome"], "processed")
        item = item_plain(self.st.wait_item("noredis", 30))
        self.assertEqual(item["status"], "processed")
        wait_for(lambda: self.st.sub.events_for("noredis"), 30, what="the event")

    def test_2_sns_unavailable_is_transient_and_redelivery_announces_once(self):
        bad = Unavailable()
        try:
            self.set_env(AWS_ENDPOINT_URL_SNS=bad.url, AWS_MAX_ATTEMPTS="2")
            event = self.upload_event(SMALL, "snsdown")
            err, body = self.invoke(event)
            self.assertEqual(err, "Unhandled")
            self.assertEqual(body["errorType"], "Pipeline.Transient", body)
            self.assertIn("Publish", body["errorMessage"])
            self.assertGreaterEqual(bad.hits, 2, "the sdk retried the 503")
        finally:
            bad.close()
        item = item_plain(self.st.item("snsdown"))
        self.assertEqual(item["status"], "processed", "the item was committed")
        self.assertNotIn("published_at", item)
        self.assertEqual(self.st.sub.events_for("snsdown"), [])
        # Lambda retries the same event once SNS is back
        self.set_env()
        err, body = self.invoke(event)
        self.assertIsNone(err, body)
        self.assertEqual(body["records"][0]["outcome"], "duplicate")
        wait_for(lambda: self.st.sub.events_for("snsdown"), 30, what="the event")
        self.assertIn("published_at", self.st.item("snsdown"))
        err, body = self.invoke(event)
        self.assertEqual(body["records"][0]["outcome"], "duplicate")
        time.sleep(1.0)
        self.assertEqual(len(self.st.sub.events_for("snsdown")), 1, "announced once")

    def test_3_missing_table_is_a_dependency_error(self):
        self.set_env(TABLE_NAME="no-such-table")
        try:
            err, body = self.invoke(self.upload_event(SMALL, "notable"))
        finally:
            self.set_env()
        self.assertEqual(err, "Unhandled")
        self.assertEqual(body["errorType"], "Pipeline.Dependency", body)
        self.assertIn("ResourceNotFoundException", body["errorMessage"])
        self.assertEqual(self.st.processed_keys("notable/"), [])
        self.assertIsNone(self.st.item("notable"))

    def test_4_too_large_is_refused_before_download(self):
        self.set_env(IMGPIPE_MAX_BYTES="100000")
        try:
            err, body = self.invoke(self.upload_event(PHOTO, "toolarge"))
        finally:
            self.set_env()
        self.assertIsNone(err, body)
        self.assertEqual(body["records"][0]["outcome"], "failed")
        item = item_plain(self.st.wait_item("toolarge", 30))
        self.assertEqual(item["error"]["code"], "too_large")
        self.assertNotIn("sha256", item, "never downloaded")
        self.assertFalse([l for l in self.st.logs().splitlines()
                          if "GetObject" in l and "uploads/toolarge.jpg" in l])
        ev = wait_for(lambda: self.st.sub.events_for("toolarge"), 30, what="the event")[0]
        self.assertEqual(ev["event"], "image.failed")


if __name__ == "__main__":
    unittest.main()

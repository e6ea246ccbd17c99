"""The pipeline end to end in the emulator, as `make run` deploys it:
every fixture of fixtures/manifest.json uploaded through S3 to
uploads/{id}.{ext} -> the function (the real zip) -> variants in the
processed bucket, the DynamoDB item, the Redis key, and the SNS event
delivered to an HTTP subscriber; then redelivery of the same event,
stale and foreign records, and a bad upload replacing a good one."""
import json
import os
import time
import unittest

from pipeline_support import (CACHE_CONTROL, EXT, MIME, Stack, deploy_local,
                              fixture_path, item_plain, manifest, redis_cmd,
                              wait_for)


def event_for(item, bucket=deploy_local.UPLOADS, sequencer=None, key=None):
    """An S3 ObjectCreated record for the upload an item records."""
    return {"Records": [{
        "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": "us-east-1",
        "eventTime": item["created_at"], "eventName": "ObjectCreated:Put",
        "s3": {"s3SchemaVersion": "1.0", "configurationId": "test",
               "bucket": {"name": bucket, "arn": "arn:aws:s3:::" + bucket},
               "object": {"key": key or item["source_key"], "size": item["bytes"],
                          "eTag": item["source_etag"],
                          "sequencer": sequencer or item["source_sequencer"]}}}]}


class TestPipeline(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.st = Stack()
        cls.m = manifest()
        # Upload every fixture once; the tests below check the results.
        cls.ids = {}
        for n, up in enumerate(cls.m["uploads"]):
            ext = os.path.splitext(up["file"])[1].lstrip(".").lower()
            image_id = "fx%02d-%s" % (n, os.path.basename(up["file"]).split(".")[0].replace("_", "-")[:40])
            cls.ids[up["file"]] = image_id
            cls.st.upload(fixture_path(up), "uploads/%s.%s" % (image_id, ext), up["content_type"])

    @classmethod
    def tearDownClass(cls):
        rc = cls.st.stop()
        assert rc == 0, "emulator exit code %r" % rc

    def invoke(self, event):
        out = self.st.lam.invoke(FunctionName=deploy_local.FUNCTION, Payload=json.dumps(event))
        body = json.loads(out["Payload"].read())
        self.assertNotIn("FunctionError", out, body)
        return body

    def test_every_fixture(self):
        st = self.st
        for up in self.m["uploads"]:
            image_id = self.ids[up["file"]]
            with self.subTest(fixture=up["file"]):
                item = item_plain(st.wait_item(image_id))
                self.assertEqual(item["status"], up["status"])
                self.assertEqual(item["bytes"], os.path.getsize(fixture_path(up)))
                self.assertEqual(item["source_key"], "uploads/%s.%s" % (
                    image_id, os.path.splitext(up["file"])[1].lstrip(".").lower()))
                for f in ("created_at", "processed_at", "published_at", "message_id"):
                    self.assertIn(f, item)
                keys = st.processed_keys(image_id + "/")
                if up["status"] == "processed":
                    self.check_processed(up, image_id, item, keys)
                else:
                    self.assertEqual(item["error"]["code"], up["error"])
                    self.assertTrue(item["error"]["message"])
                    self.assertNotIn("variants", item)
                    self.assertEqual(keys, [], "no variant left behind")
                self.check_cache(image_id, item)
                self.check_event(image_id, item)

    def check_processed(self, up, image_id, item, keys):
        self.assertEqual(item["format"], up["format"])
        self.assertEqual((item["width"], item["height"]), (up["width"], up["height"]))
        self.assertEqual(item.get("camera", {}), up.get("camera", {}))
        self.assertEqual(len(item["sha256"]), 64)
        want = []
        for name, v in up["variants"].items():
            got = item["variants"][name]
            key = "%s/%s.%s" % (image_id, name, EXT[v["format"]])
            want.append(key)
            self.assertEqual(got["key"], key)
            self.assertEqual((got["width"], got["height"], got["format"]),
                             (v["width"], v["height"], v["format"]))
            head = self.st.s3.head_object(Bucket=deploy_local.PROCESSED, Key=key)
            self.assertEqual(head["ContentType"], MIME[v["format"]])
            self.assertEqual(head["CacheControl"], CACHE_CONTROL)
            self.assertEqual(head["ContentLength"], got["bytes"])
        self.assertEqual(sorted(want), keys)

    def check_cache(self, image_id, item):
        raw = redis_cmd(self.st.emu.redis_port, "GET", "image:" + image_id)
        self.assertIsNotNone(raw, "image:%s is cached" % image_id)
        cached = json.loads(raw)
        for f in ("image_id", "status", "sha256", "variants", "error", "width", "height"):
            self.assertEqual(cached.get(f), item.get(f), f)
        ttl = redis_cmd(self.st.emu.redis_port, "TTL", "image:" + image_id)
        self.assertTrue(0 < ttl <= 3600, ttl)

    def check_event(self, image_id, item):
        evs = wait_for(lambda: self.st.sub.events_for(image_id), 30, what="the SNS event")
        self.assertEqual(len(evs), 1, "one event per image")
        ev = evs[0]
        name = "image.processed" if item["status"] == "processed" else "image.failed"
        self.assertEqual(ev["event"], name)
        self.assertEqual(ev["_attrs"]["event"], {"Type": "String", "Value": name})
        self.assertEqual(ev["status"], item["status"])
        if name == "image.failed":
            self.assertEqual(ev["error"], item["error"])
        else:
            self.assertEqual(ev["variants"], item["variants"])

    def test_gsi_lists_by_status(self):
        for up in self.m["uploads"]:
            self.st.wait_item(self.ids[up["file"]])
        out = self.st.ddb.query(TableName=deploy_local.TABLE, IndexName=deploy_local.GSI,
                                KeyConditionExpression="#s = :s",
                                ExpressionAttributeNames={"#s": "status"},
                                ExpressionAttributeValues={":s": {"S": "failed"}})
        got = {i["image_id"]["S"] for i in out["Items"]}
        want = {self.ids[u["file"]] for u in self.m["uploads"] if u["status"] == "failed"}
        self.assertTrue(want <= got, (want, got))

    def test_redelivery_is_idempotent(self):
        up = self.m["uploads"][1]
        image_id = self.ids[up["file"]]
        before = item_plain(self.st.wait_item(image_id))
        heads = {k: self.st.s3.head_object(Bucket=deploy_local.PROCESSED, Key=k)["ETag"]
                 for k in self.st.processed_keys(image_id + "/")}
        wait_for(lambda: self.st.sub.events_for(image_id), 30, what="the first event")
        for _ in range(2):
            out = self.invoke(event_for(before))
            self.assertEqual(out["records"][0]["outcome"], "duplicate", out)
        # an older upload of the same id (smaller sequencer) changes nothing either
        out = self.invoke(event_for(before, sequencer="00"))
        self.assertEqual(out["records"][0]["outcome"], "stale", out)
        time.sleep(1.0)
        self.assertEqual(item_plain(self.st.item(image_id)), before, "the item is unchanged")
        self.assertEqual({k: self.st.s3.head_object(Bucket=deploy_local.PROCESSED, Key=k)["ETag"]
                          for k in self.st.processed_keys(image_id + "/")}, heads)
        self.assertEqual(len(self.st.sub.events_for(image_id)), 1, "no second event")

    def test_records_that_are_not_uploads_are_skipped(self):
        item = {"created_at": "2024-01-01T00:00:00.000Z", "bytes": 1, "source_etag": "x",
                "source_sequencer": "01", "source_key": "uploads/ignored.jpg"}
        cases = [
            event_for(item, bucket=deploy_local.PROCESSED),            # the pipeline's own output
            event_for(item, key="elsewhere/skip1.jpg"),                # not under uploads/
            event_for(item, key="uploads/a/b.jpg"),                    # not {id}.{ext}
            event_for(item, key="uploads/noext"),
            {"Records": [{"eventSource": "aws:s3", "eventName": "ObjectRemoved:Delete",
                          "s3": {"bucket": {"name": deploy_local.UPLOADS},
                                 "object": {"key": "uploads/gone.jpg"}}}]},
            {"hello": "world"},                                        # not an S3 event
        ]
        for ev in cases:
            out = self.invoke(ev)
            for r in out["records"]:
                self.assertEqual(r["outcome"], "skipped", (ev, out))
        self.assertIsNone(self.st.item("ignored"))
        self.assertIsNone(self.st.item("skip1"))

    def test_key_is_url_decoded(self):
        # S3 form-encodes keys in event records; the handler decodes them
        item = {"created_at": "2024-01-01T00:00:00.000Z", "bytes": 1, "source_etag": "x",
                "source_sequencer": "01", "source_key": "uploads/no%2Bsuch+thing.jpg"}
        out = self.invoke(event_for(item))
        self.assertEqual(out["records"][0]["key"], "uploads/no+such thing.jpg")
        self.assertEqual(out["records"][0]["outcome"], "skipped")

    def test_missing_object_is_gone(self):
        item = {"created_at": "2024-01-01T00:00:00.000Z", "bytes": 1, "source_etag": "x",
                "source_sequencer": "01", "source_key": "uploads/neverthere.jpg"}
        out = self.invoke(event_for(item))
        self.assertEqual(out["records"][0]["outcome"], "gone", out)
        self.assertIsNone(self.st.item("neverthere"))

    def test_bad_upload_replacing_a_good_one(self):
        good = fixture_path(self.m["uploads"][4])
        self.st.upload(good, "uploads/replaced.jpg", "image/jpeg")
        first = item_plain(self.st.wait_item("replaced"))
        self.assertEqual(first["status"], "processed")
        self.assertEqual(len(self.st.processed_keys("replaced/")), 4)
        self.st.upload(os.path.join(os.path.dirname(good), "bad_text.jpg"), "uploads/replaced.jpg")
        second = wait_for(lambda: (lambda it: it if it and it["status"] == "failed" and
                                   "published_at" in it else None)(
            item_plain(self.st.item("replaced"))), 60, 0.2, "the failed item")
        self.assertEqual(second["error"]["code"], "not_image")
        self.assertGreater(second["source_sequencer"], first["source_sequencer"])
        self.assertEqual(self.st.processed_keys("replaced/"), [], "the old variants are gone")
        evs = wait_for(lambda: (lambda e: e if len(e) == 2 else None)(self.st.sub.events_for("replaced")),
                       30, what="two events")
        self.assertEqual([e["event"] for e in evs], ["image.processed", "image.failed"])


if __name__ == "__main__":
    unittest.main()

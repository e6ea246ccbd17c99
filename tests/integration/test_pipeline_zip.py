"""The deployment zip (`make lambda-zip`) on its own: unpacked into an
empty directory, it must carry every library it loads (nothing resolved
from the host), and run with a clean environment - only what Lambda sets -
against a Runtime API (a fake one here, so the test controls the event)
and the emulator's S3/DynamoDB/SNS/Redis: a HEIC upload (the libvips
module in the zip) becomes an item and variants.  An init failure is
posted to /runtime/init/error."""
import http.server
import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time
import unittest
import zipfile

from pipeline_support import (ROOT, Emulator, boto3_client, deploy_local,
                              item_plain, lambda_zip, wait_for)


class FakeRuntimeApi:
    """Serves /2018-06-01/runtime/...: hands out queued events, records
    responses, errors and init errors."""

    def __init__(self):
        self.events = queue.Queue()
        self.posts = []
        self.cond = threading.Condition()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                if not self.path.endswith("/runtime/invocation/next"):
                    return self.reply(404, b"{}")
                try:
                    rid, body = outer.events.get(timeout=30)
                except queue.Empty:
                    return self.reply(500, b"{}")
                self.reply(200, body, {
                    "Lambda-Runtime-Aws-Request-Id": rid,
                    "Lambda-Runtime-Deadline-Ms": str(int(time.time() * 1000) + 60000),
                    "Lambda-Runtime-Invoked-Function-Arn":
                        "arn:aws:lambda:us-east-1:123456789012:function:imgpipe-pipeline",
                    "Lambda-Runtime-Trace-Id": "Root=1-00000000-000000000000000000000000"})

            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(n)
                with outer.cond:
                    outer.posts.append((self.path, self.headers.get("Lambda-Runtime-Function-Error-Type"),
                                        json.loads(body or b"null")))
                    outer.cond.notify_all()
                self.reply(202, b'{"status":"OK"}')

            def reply(self, status, body, headers=None):
                self.send_response(status)
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *a):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.address = "127.0.0.1:%d" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_post(self, suffix, timeout=60):
        def find():
            with self.cond:
                return [p for p in self.posts if p[0].endswith(suffix)]
        return wait_for(find, timeout, what="a POST to %s" % suffix)[0]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class TestPipelineZip(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.zip = lambda_zip()
        cls.dir = tempfile.mkdtemp(prefix="imgpipe-zip-")
        cls.task = os.path.join(cls.dir, "task")
        os.mkdir(cls.task)
        with zipfile.ZipFile(cls.zip) as z:
            z.extractall(cls.task)
            for info in z.infolist():   # zipfile drops the mode bits
                mode = (info.external_attr >> 16) & 0o777
                if mode:
                    os.chmod(os.path.join(cls.task, info.filename), mode)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def lambda_env(self, api, **extra):
        # What Lambda gives a provided.al2023 function, and no more
        env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "en_US.UTF-8", "TZ": ":UTC",
               "LD_LIBRARY_PATH": "%s/lib:%s" % (self.task, self.task),
               "LAMBDA_TASK_ROOT": self.task, "_HANDLER": "bootstrap",
               "AWS_LAMBDA_RUNTIME_API": api, "AWS_LAMBDA_FUNCTION_NAME": "imgpipe-pipeline",
               "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1",
               "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
               "AWS_SESSION_TOKEN": "token"}
        env.update(extra)
        return env

    def test_layout_and_libraries_are_self_contained(self):
        boot = os.path.join(self.task, "bootstrap")
        self.assertTrue(os.access(boot, os.X_OK), "bootstrap is executable")
        loader = os.path.join(self.task, "vendor", "lib", "ld-linux-x86-64.so.2")
        real = os.path.join(self.task, "bin", "bootstrap-real")
        for p in (loader, real):
            self.assertTrue(os.access(p, os.X_OK), p)
        self.assertFalse(os.path.exists(os.path.join(self.task, "lib", "libc.so.6")),
                         "no libc on Lambda's LD_LIBRARY_PATH (/var/task/lib)")
        mods = [os.path.join(r, f) for r, _, fs in os.walk(os.path.join(self.task, "vendor"))
                for f in fs if f == "vips-heif.so"]
        self.assertEqual(len(mods), 1, "the HEIF module is bundled")
        for obj in (real, mods[0]):
            out = subprocess.run([loader, "--library-path", os.path.join(self.task, "vendor", "lib"),
                                  "--list", obj], env={}, capture_output=True, text=True, timeout=30)
            self.assertEqual(out.returncode, 0, out.stderr)
            self.assertNotIn("not found", out.stdout)
            for line in out.stdout.splitlines():
                parts = line.split()
                if "=>" in parts:
                    path = parts[parts.index("=>") + 1]
                    self.assertTrue(path.startswith(os.path.join(self.task, "vendor")),
                                    "%s resolves outside the zip: %s" % (obj, line))

    def test_init_error_is_reported(self):
        api = FakeRuntimeApi()
        try:
            p = subprocess.run(["./bootstrap"], cwd=self.task, env=self.lambda_env(api.address),
                               capture_output=True, text=True, timeout=60)
            self.assertEqual(p.returncode, 1)
            path, etype, body = api.wait_post("/runtime/init/error", 5)
            self.assertEqual(etype, "Runtime.InitError")
            self.assertEqual(body["errorType"], "Runtime.InitError")
            self.assertIn("UPLOAD_BUCKET", body["errorMessage"])
        finally:
            api.close()

    def test_runs_from_an_empty_directory_with_a_clean_environment(self):
        emu = Emulator().start()
        api = FakeRuntimeApi()
        proc = None
        try:
            c = deploy_local.Client(emu.endpoint)
            for b in (deploy_local.UPLOADS, deploy_local.PROCESSED):
                deploy_local.ensure_bucket(c, b, lambda m: None)
            deploy_local.ensure_table(c, lambda m: None)
            topic = deploy_local.ensure_topic(c, lambda m: None)
            s3 = boto3_client(emu, "s3")
            with open(os.path.join(ROOT, "fixtures", "images", "photo.heic"), "rb") as f:
                put = s3.put_object(Bucket=deploy_local.UPLOADS, Key="uploads/zipheic.heic", Body=f.read())
            event = {"Records": [{
                "eventVersion": "2.1", "eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
                "eventTime": "2024-05-01T10:00:00.000Z",
                "s3": {"bucket": {"name": deploy_local.UPLOADS},
                       "object": {"key": "uploads/zipheic.heic", "eTag": put["ETag"].strip('"'),
                                  "sequencer": "0A"}}}]}
            api.events.put(("req-1", json.dumps(event).encode()))
            env = self.lambda_env(api.address, AWS_ENDPOINT_URL=emu.endpoint,
                                  UPLOAD_BUCKET=deploy_local.UPLOADS,
                                  PROCESSED_BUCKET=deploy_local.PROCESSED,
                                  TABLE_NAME=deploy_local.TABLE, TOPIC_ARN=topic,
                                  REDIS_URL="redis://127.0.0.1:%d" % emu.redis_port)
            proc = subprocess.Popen(["./bootstrap"], cwd=self.task, env=env,
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            path, etype, body = api.wait_post("/runtime/invocation/req-1/response", 60)
            self.assertEqual(body["records"][0]["outcome"], "processed", body)
            ddb = boto3_client(emu, "dynamodb")
            item = item_plain(ddb.get_item(TableName=deploy_local.TABLE,
                                           Key={"image_id": {"S": "zipheic"}})["Item"])
            self.assertEqual((item["status"], item["format"], item["width"], item["height"]),
                             ("processed", "heic", 1920, 1280))
            self.assertEqual(item["created_at"], "2024-05-01T10:00:00.000Z")
            keys = sorted(o["Key"] for o in s3.list_objects_v2(
                Bucket=deploy_local.PROCESSED, Prefix="zipheic/")["Contents"])
            self.assertEqual(keys, ["zipheic/large.jpg", "zipheic/medium-webp.webp",
                                    "zipheic/medium.jpg", "zipheic/thumb.jpg"])
        finally:
            if proc:
                proc.kill()
                proc.wait()
            api.close()
            self.assertEqual(emu.stop(), 0)


if __name__ == "__main__":
    unittest.main()

"""Lambda Invoke against real `bootstrap` children (the shell + curl
fixture in tests/fixtures/lambda/): results, logs, function errors,
crashes, timeouts, init failures, warm reuse, concurrency limits,
payload rules, and the Runtime API's own errors."""
import base64
import json
import os
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "fixtures", "lambda"))
import fixtures  # noqa: E402
from clients import boto3_client  # noqa: E402
from emu import Emulator  # noqa: E402


def J(obj):
    return json.dumps(obj, separators=(",", ":"))


class TestLambdaInvoke(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.emu = Emulator(env={"IMGPIPE_LAMBDA_SYNC_WAIT_MS": "300"}).start()
        cls.c = boto3_client(cls.emu, "lambda")
        fixtures.create(cls.c, "echo", Timeout=10,
                        Environment={"Variables": {"CUSTOM_VAR": "hi"}})

    @classmethod
    def tearDownClass(cls):
        rc = cls.emu.stop()
        assert rc == 0, "emulator exit code %r" % rc

    def invoke(self, name, event, **kw):
        out = self.c.invoke(FunctionName=name, Payload=J(event), **kw)
        return out, out["Payload"].read()

    def test_echo_round_trip(self):
        out, body = self.invoke("echo", {"hello": "world", "n": 1})
        self.assertEqual(out["StatusCode"], 200)
        self.assertEqual(out["ExecutedVersion"], "$LATEST")
        self.assertNotIn("FunctionError", out)
        self.assertEqual(json.loads(body), {"echo": {"hello": "world", "n": 1}, "function": "echo"})

    def test_log_tail(self):
        out, body = self.invoke("echo", {"action": "print"}, LogType="Tail")
        self.assertEqual(body, b'"ok"')
        log = base64.b64decode(out["LogResult"]).decode()
        rid = out["ResponseMetadata"]["RequestId"]
        self.assertIn("START RequestId: %s Version: $LATEST" % rid, log)
        self.assertIn("hello from stdout %s" % rid, log)
        self.assertIn("hello from stderr", log)
        self.assertIn("END RequestId: %s" % rid, log)
        self.assertRegex(log, r"REPORT RequestId: %s\tDuration: [0-9.]+ ms\tBilled Duration: \d+ ms\t"
                              r"Memory Size: 128 MB\tMax Memory Used: \d+ MB" % rid)

    def test_no_log_without_tail(self):
        out, _ = self.invoke("echo", {"x": 1})
        self.assertNotIn("LogResult", out)

    def test_environment(self):
        _, body = self.invoke("echo", {"action": "env"})
        env = json.loads(body)
        self.assertEqual(env["name"], "echo")
        self.assertEqual(env["version"], "$LATEST")
        self.assertEqual(env["memory"], "128")
        self.assertEqual(env["handler"], "bootstrap")
        self.assertEqual(env["region"], "us-east-1")
        self.assertEqual(env["endpoint"], self.emu.endpoint)
        self.assertEqual(env["token"], "set")
        self.assertEqual(env["custom"], "hi")
        self.assertEqual(env["root"], env["cwd"])
        self.assertEqual(env["arn"], "arn:aws:lambda:us-east-1:123456789012:function:echo")
        self.assertGreater(int(env["deadline"]), time.time() * 1000)

    def test_function_error(self):
        out, body = self.invoke("echo", {"action": "error"})
        self.assertEqual(out["StatusCode"], 200)
        self.assertEqual(out["FunctionError"], "Unhandled")
        self.assertEqual(json.loads(body), {"errorMessage": "boom", "errorType": "HandlerError"})

    def test_crash_then_recover(self):
        out, body = self.invoke("echo", {"action": "crash"}, LogType="Tail")
        self.assertEqual(out["FunctionError"], "Unhandled")
        doc = json.loads(body)
        self.assertEqual(doc["errorType"], "Runtime.ExitError")
        self.assertIn("Runtime exited with error: exit status 7", doc["errorMessage"])
        self.assertIn("crashing now", base64.b64decode(out["LogResult"]).decode())
        out, body = self.invoke("echo", {"after": "crash"})
        self.assertNotIn("FunctionError", out)
        self.assertEqual(json.loads(body)["echo"], {"after": "crash"})

    def test_warm_worker_is_reused(self):
        fixtures.create(self.c, "warm")
        _, first = self.invoke("warm", {"action": "count"})
        _, second = self.invoke("warm", {"action": "count"})
        self.assertEqual((first, second), (b"1", b"2"))

    def test_timeout_kills_the_worker(self):
        fixtures.create(self.c, "slow", Timeout=1)
        t0 = time.monotonic()
        out, body = self.invoke("slow", {"action": "sleep", "s": 30}, LogType="Tail")
        self.assertLess(time.monotonic() - t0, 10)
        self.assertEqual(out["FunctionError"], "Unhandled")
        doc = json.loads(body)
        self.assertEqual(doc["errorType"], "Sandbox.Timedout")
        self.assertIn("Task timed out after 1.00 seconds", doc["errorMessage"])
        self.assertIn("Task timed out after 1.00 seconds", base64.b64decode(out["LogResult"]).decode())
        _, body = self.invoke("slow", {"action": "count"})
        self.assertEqual(body, b"1", "a fresh worker replaced the killed one")

    def test_init_error_is_reported(self):
        fixtures.create(self.c, "initerr", fixture="init_error")
        out, body = self.invoke("initerr", {})
        self.assertEqual(out["FunctionError"], "Unhandled")
        self.assertEqual(json.loads(body), {"errorMessage": "missing configuration",
                                            "errorType": "Runtime.ConfigError"})

    def test_init_crash_is_exit_error(self):
        fixtures.create(self.c, "initcrash", fixture="init_crash")
        out, body = self.invoke("initcrash", {})
        self.assertEqual(out["FunctionError"], "Unhandled")
        doc = json.loads(body)
        self.assertEqual(doc["errorType"], "Runtime.ExitError")
        self.assertIn("exit status 3", doc["errorMessage"])

    def test_missing_bootstrap(self):
        fixtures.create(self.c, "nobootstrap", fixture="init_crash")
        import io
        import zipfile
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("handler.txt", "no bootstrap here")
        self.c.update_function_code(FunctionName="nobootstrap", ZipFile=buf.getvalue())
        out, body = self.invoke("nobootstrap", {})
        self.assertEqual(out["FunctionError"], "Unhandled")
        self.assertEqual(json.loads(body)["errorType"], "Runtime.InvalidEntrypoint")

    def test_reserved_concurrency_limits_parallel_calls(self):
        fixtures.create(self.c, "single", Timeout=20)
        self.c.put_function_concurrency(FunctionName="single", ReservedConcurrentExecutions=1)
        results = []

        def slow_call():
            results.append(self.invoke("single", {"action": "sleep", "s": 3})[1])
        t = threading.Thread(target=slow_call)
        t.start()
        time.sleep(1.5)
        import botocore.exceptions
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.invoke("single", {"x": 1})
        err = cm.exception.response
        self.assertEqual(err["Error"]["Code"], "TooManyRequestsException")
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 429)
        t.join()
        self.assertEqual(results, [b'"slept"'])

    def test_zero_concurrency_throttles(self):
        fixtures.create(self.c, "off")
        self.c.put_function_concurrency(FunctionName="off", ReservedConcurrentExecutions=0)
        import botocore.exceptions
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.invoke("off", {})
        self.assertEqual(cm.exception.response["Error"]["Code"], "TooManyRequestsException")
        self.c.delete_function_concurrency(FunctionName="off")
        self.assertEqual(self.invoke("off", {"a": 1})[0]["StatusCode"], 200)

    def test_parallel_calls_use_several_workers(self):
        fixtures.create(self.c, "wide", Timeout=20)
        bodies = []
        threads = [threading.Thread(target=lambda: bodies.append(
            self.invoke("wide", {"action": "sleep", "s": 2})[1])) for _ in range(3)]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(bodies, [b'"slept"'] * 3)
        self.assertLess(time.monotonic() - t0, 5.5, "the three ran side by side")
        res = json.loads(self.emu.http("GET", "/_emulator/resources")[2])
        pool = [p for p in res["lambda"]["pools"] if p["function"] == "wide"][0]
        self.assertEqual(pool["workers"], 3)

    def test_not_found(self):
        import botocore.exceptions
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.invoke("nope", {})
        err = cm.exception.response
        self.assertEqual(err["Error"]["Code"], "ResourceNotFoundException")
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 404)
        self.assertEqual(err["Error"]["Message"],
                         "Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope")

    def test_dry_run(self):
        out = self.c.invoke(FunctionName="echo", InvocationType="DryRun")
        self.assertEqual(out["StatusCode"], 204)

    def test_bad_json_payload(self):
        st, hdrs, body = self.emu.http("POST", "/2015-03-31/functions/echo/invocations", b"{not json")
        self.assertEqual(st, 400)
        self.assertEqual(hdrs["x-amzn-errortype"], "InvalidRequestContentException")

    def test_payload_limits(self):
        big = b'"' + b"a" * (6 * 1024 * 1024) + b'"'
        st, hdrs, _ = self.emu.http("POST", "/2015-03-31/functions/echo/invocations", big)
        self.assertEqual(st, 413)
        self.assertEqual(hdrs["x-amzn-errortype"], "RequestEntityTooLargeException")
        mid = b'"' + b"a" * (300 * 1024) + b'"'
        st, hdrs, _ = self.emu.http("POST", "/2015-03-31/functions/echo/invocations", mid,
                                    {"X-Amz-Invocation-Type": "Event"})
        self.assertEqual(st, 413)
        st, _, body = self.emu.http("POST", "/2015-03-31/functions/echo/invocations", mid)
        self.assertEqual(st, 200)
        self.assertEqual(len(json.loads(body)["echo"]), 300 * 1024)

    def test_runtime_api_rejects_strangers(self):
        st, hdrs, _ = self.emu.http("GET", "/_lambda/0000000000000000/2018-06-01/runtime/invocation/next")
        self.assertEqual(st, 403)
        st, _, _ = self.emu.http("POST", "/_lambda/0000000000000000/2018-06-01/runtime/invocation/x/response",
                                 b"{}")
        self.assertEqual(st, 403)


if __name__ == "__main__":
    unittest.main()

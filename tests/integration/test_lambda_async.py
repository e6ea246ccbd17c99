"""Lambda asynchronous invocations: Invoke Event (202, durable queue),
retries per MaximumRetryAttempts, failure records, OnSuccess/OnFailure
destinations that are Lambda functions, and events that survive a
kill -9 of the emulator."""
import json
import os
import signal
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "fixtures", "lambda"))
import fixtures  # noqa: E402
from clients import boto3_client  # noqa: E402
from emu import Emulator  # noqa: E402


def J(obj):
    return json.dumps(obj, separators=(",", ":"))


def wait_for(pred, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = pred()
        if value:
            return value
        time.sleep(0.1)
    return pred()


def lines(path):
    try:
        with open(path) as fh:
            return [l for l in fh.read().splitlines() if l]
    except FileNotFoundError:
        return []


class TestLambdaAsync(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="lambda-async-")
        cls.emu = Emulator(env={"IMGPIPE_LAMBDA_RETRY_DELAY_MS": "200"}).start()
        cls.c = boto3_client(cls.emu, "lambda")

    @classmethod
    def tearDownClass(cls):
        rc = cls.emu.stop()
        assert rc == 0, "emulator exit code %r" % rc

    def resources(self):
        return json.loads(self.emu.http("GET", "/_emulator/resources")[2])["lambda"]

    def make(self, name, **env):
        files = {k: os.path.join(self.tmp, "%s-%s" % (name, k)) for k in ("TOUCH_FILE", "RECORD_FILE")}
        files.update(env)
        fixtures.create(self.c, name, Environment={"Variables": files})
        return files

    def test_event_runs_once(self):
        f = self.make("evt")
        out = self.c.invoke(FunctionName="evt", InvocationType="Event", Payload=J({"action": "touch"}))
        self.assertEqual(out["StatusCode"], 202)
        rid = out["ResponseMetadata"]["RequestId"]
        self.assertEqual(wait_for(lambda: lines(f["TOUCH_FILE"])), [rid],
                         "the function ran with the request id Invoke answered")
        time.sleep(0.5)
        self.assertEqual(lines(f["TOUCH_FILE"]), [rid])

    def test_failures_are_retried_twice_then_recorded(self):
        f = self.make("flaky")
        before = self.resources()["failed_events"]
        self.c.invoke(FunctionName="flaky", InvocationType="Event", Payload=J({"action": "touchcrash"}))
        self.assertTrue(wait_for(lambda: self.resources()["failed_events"] == before + 1))
        got = lines(f["TOUCH_FILE"])
        self.assertEqual(len(got), 3, "one attempt and two retries")
        self.assertEqual(len(set(got)), 1, "every attempt carries the same request id")

    def test_maximum_retry_attempts_zero(self):
        f = self.make("noretry")
        self.c.put_function_event_invoke_config(FunctionName="noretry", MaximumRetryAttempts=0)
        before = self.resources()["failed_events"]
        self.c.invoke(FunctionName="noretry", InvocationType="Event", Payload=J({"action": "touchcrash"}))
        self.assertTrue(wait_for(lambda: self.resources()["failed_events"] == before + 1))
        time.sleep(0.6)
        self.assertEqual(len(lines(f["TOUCH_FILE"])), 1)

    def test_destinations(self):
        sink = self.make("sink")
        self.make("src")
        arn = "arn:aws:lambda:us-east-1:123456789012:function:sink"
        self.c.put_function_event_invoke_config(
            FunctionName="src", MaximumRetryAttempts=1,
            DestinationConfig={"OnSuccess": {"Destination": arn}, "OnFailure": {"Destination": arn}})
        self.c.invoke(FunctionName="src", InvocationType="Event", Payload=J({"action": "count", "k": 1}))
        recs = wait_for(lambda: lines(sink["RECORD_FILE"]))
        self.assertEqual(len(recs), 1)
        ok = json.loads(recs[0])
        self.assertEqual(ok["requestContext"]["condition"], "Success")
        self.assertEqual(ok["requestPayload"], {"action": "count", "k": 1})
        self.assertEqual(ok["responseContext"]["statusCode"], 200)
        self.assertEqual(ok["responsePayload"], 1)
        self.c.invoke(FunctionName="src", InvocationType="Event", Payload=J({"action": "crash"}))
        recs = wait_for(lambda: len(lines(sink["RECORD_FILE"])) == 2 and lines(sink["RECORD_FILE"]))
        bad = json.loads(recs[1])
        self.assertEqual(bad["requestContext"]["condition"], "RetriesExhausted")
        self.assertEqual(bad["requestContext"]["approximateInvokeCount"], 2)
        self.assertEqual(bad["responseContext"]["functionError"], "Unhandled")
        self.assertEqual(bad["responsePayload"]["errorType"], "Runtime.ExitError")

    def test_event_for_unknown_function(self):
        import botocore.exceptions
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.c.invoke(FunctionName="ghost", InvocationType="Event", Payload=b"{}")
        self.assertEqual(cm.exception.response["Error"]["Code"], "ResourceNotFoundException")


class TestLambdaAsyncDurable(unittest.TestCase):
    def test_queued_events_survive_kill_9(self):
        data = tempfile.mkdtemp(prefix="lambda-durable-")
        touch = os.path.join(data, "touched")
        emu = Emulator(data_dir=data, keep_data=True).start()
        try:
            c = boto3_client(emu, "lambda")
            fixtures.create(c, "later", Environment={"Variables": {"TOUCH_FILE": touch}})
            # Throttled: the events stay queued, nothing runs them.
            c.put_function_concurrency(FunctionName="later", ReservedConcurrentExecutions=0)
            ids = [c.invoke(FunctionName="later", InvocationType="Event",
                            Payload=J({"action": "touch"}))["ResponseMetadata"]["RequestId"]
                   for _ in range(3)]
            time.sleep(0.5)
            self.assertEqual(lines(touch), [])
        finally:
            emu.stop(sig=signal.SIGKILL)
        emu = Emulator(data_dir=data).start()
        try:
            c = boto3_client(emu, "lambda")
            res = json.loads(emu.http("GET", "/_emulator/resources")[2])["lambda"]
            self.assertEqual(res["queued_events"], 3)
            c.delete_function_concurrency(FunctionName="later")
            self.assertTrue(wait_for(lambda: len(lines(touch)) == 3))
            self.assertEqual(sorted(lines(touch)), sorted(ids))
        finally:
            self.assertEqual(emu.stop(), 0)


if __name__ == "__main__":
    unittest.main()

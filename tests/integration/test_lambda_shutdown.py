"""SIGTERM with Lambda requests parked in the edge: a warm worker's
/next long-poll and a synchronous Invoke still running.  The emulator
must answer the caller, not wait out --shutdown-timeout on the parked
poll, and exit 0 (regression test for the edge/owner cancel handshake)."""
import json
import os
import signal
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "fixtures", "lambda"))
import fixtures  # noqa: E402
from clients import boto3_client  # noqa: E402
from emu import Emulator  # noqa: E402


class TestLambdaShutdown(unittest.TestCase):
    def test_parked_poll_does_not_hold_shutdown(self):
        emu = Emulator(args=["--shutdown-timeout", "60"]).start()
        try:
            c = boto3_client(emu, "lambda")
            fixtures.create(c, "warm", Timeout=10)
            out = c.invoke(FunctionName="warm", Payload=json.dumps({"action": "count"}, separators=(",", ":")))
            self.assertEqual(out["Payload"].read(), b"1")
            # The worker is now parked on /next.  Stopping must not wait
            # the 60 s shutdown timeout for it.
            t0 = time.monotonic()
            rc = emu.stop()
            self.assertEqual(rc, 0, emu.logs())
            self.assertLess(time.monotonic() - t0, 30)
            self.assertNotIn("still in flight", emu.logs())
        finally:
            emu.stop()

    def test_invoke_in_flight_gets_an_answer(self):
        emu = Emulator(args=["--shutdown-timeout", "60"]).start()
        result = {}
        try:
            c = boto3_client(emu, "lambda")
            fixtures.create(c, "slow", Timeout=30)

            def call():
                try:
                    out = c.invoke(FunctionName="slow",
                                   Payload=json.dumps({"action": "sleep", "s": 3}, separators=(",", ":")))
                    result["status"] = out["StatusCode"]
                    result["body"] = out["Payload"].read()
                except Exception as e:  # the answer may be an error
                    result["error"] = e

            t = threading.Thread(target=call)
            t.start()
            time.sleep(1.0)
            emu.proc.send_signal(signal.SIGTERM)
            t.join(60)
            self.assertFalse(t.is_alive())
            self.assertTrue(result, "the caller got no answer")
            self.assertEqual(emu.stop(), 0, emu.logs())
        finally:
            emu.stop()


if __name__ == "__main__":
    unittest.main()

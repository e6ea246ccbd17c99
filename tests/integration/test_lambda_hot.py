"""Hot reload: Code {"S3Bucket": "hot-reload", "S3Key": <dir>} runs
`bootstrap` from a local directory, and rewriting it recycles the warm
worker so the next invocation runs the new build."""
import json
import os
import stat
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "fixtures", "lambda"))
import fixtures  # noqa: E402
from clients import boto3_client  # noqa: E402
from emu import Emulator  # noqa: E402

BOOTSTRAP = """#!/bin/sh
API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
HDRS=$(mktemp)
trap 'rm -f "$HDRS"' EXIT
while true; do
	curl -sS -D "$HDRS" "$API/invocation/next" > /dev/null || exit 1
	ID=$(tr -d '\\r' < "$HDRS" | sed -n 's/^[Ll]ambda-[Rr]untime-[Aa]ws-[Rr]equest-[Ii]d: *//p')
	curl -sS -X POST -d '{"build":"%s","pid":'$$'}' "$API/invocation/$ID/response" > /dev/null
done
"""


def write_bootstrap(d, build):
    tmp = os.path.join(d, ".bootstrap.new")
    with open(tmp, "w") as f:
        f.write(BOOTSTRAP % build)
    os.chmod(tmp, stat.S_IRWXU | stat.S_IRGRP | stat.S_IXGRP)
    os.replace(tmp, os.path.join(d, "bootstrap"))


class TestLambdaHotReload(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.emu = Emulator().start()
        cls.c = boto3_client(cls.emu, "lambda")

    @classmethod
    def tearDownClass(cls):
        assert cls.emu.stop() == 0

    def invoke(self, name):
        out = self.c.invoke(FunctionName=name, Payload=b"{}")
        self.assertNotIn("FunctionError", out)
        return json.loads(out["Payload"].read())

    def test_rewrite_bootstrap_reloads(self):
        with tempfile.TemporaryDirectory() as d:
            write_bootstrap(d, "v1")
            out = fixtures.create(self.c, "hot", Code={"S3Bucket": "hot-reload", "S3Key": d})
            self.assertEqual(out["CodeSize"], 0)
            self.c.get_waiter("function_active_v2").wait(FunctionName="hot")
            first = self.invoke("hot")
            self.assertEqual(first["build"], "v1")
            self.assertEqual(self.invoke("hot")["pid"], first["pid"])  # warm reuse
            write_bootstrap(d, "v2")
            deadline = time.time() + 5
            while True:
                got = self.invoke("hot")
                if got["build"] == "v2" or time.time() > deadline:
                    break
                time.sleep(0.05)
            self.assertEqual(got["build"], "v2")
            self.assertNotEqual(got["pid"], first["pid"])
            # Stays on the new build, warm again.
            self.assertEqual(self.invoke("hot"), got)
            self.c.delete_function(FunctionName="hot")
            self.assertTrue(os.path.exists(os.path.join(d, "bootstrap")))  # the user's files stay

    def test_update_code_to_hot_dir_and_errors(self):
        import botocore.exceptions
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            fixtures.create(self.c, "hot-bad", Code={"S3Bucket": "hot-reload", "S3Key": "relative/dir"})
        self.assertEqual(cm.exception.response["Error"]["Code"], "InvalidParameterValueException")
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            fixtures.create(self.c, "hot-bad", Code={"S3Bucket": "hot-reload", "S3Key": "/nonexistent/x"})
        self.assertEqual(cm.exception.response["Error"]["Code"], "InvalidParameterValueException")
        with tempfile.TemporaryDirectory() as d:
            write_bootstrap(d, "dir")
            fixtures.create(self.c, "hot2")
            self.c.update_function_code(FunctionName="hot2", S3Bucket="hot-reload", S3Key=d)
            self.c.get_waiter("function_updated_v2").wait(FunctionName="hot2")
            self.assertEqual(self.invoke("hot2")["build"], "dir")
            self.c.delete_function(FunctionName="hot2")


if __name__ == "__main__":
    unittest.main()

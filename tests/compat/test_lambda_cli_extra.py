"""The aws cli on what was added to Lambda after the first cut: aliases
(create/get/list/update/delete-alias, invoke --qualifier), code from an S3
object (--code S3Bucket=…,S3Key=…) and from a hot-reload directory."""
import json
import os
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "fixtures", "lambda"))
import fixtures  # noqa: E402
from clients import aws  # noqa: E402
from emu import Emulator  # noqa: E402


class TestLambdaCliExtra(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.emu = Emulator().start()
        cls.tmp = tempfile.mkdtemp()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)
        assert cls.emu.stop() == 0

    def cli(self, *args):
        out = aws(self.emu, *args)
        return json.loads(out.stdout) if out.stdout.strip() else None

    def invoke(self, *args, payload):
        # fileb:// reads the payload the same way in aws cli v1 and v2.
        event = os.path.join(self.tmp, "event.json")
        with open(event, "w") as f:
            f.write(payload)
        path = os.path.join(self.tmp, "out.json")
        meta = self.cli("lambda", "invoke", *args, "--payload", "fileb://" + event, path)
        with open(path) as f:
            return meta, json.load(f)

    def test_s3_code_and_aliases(self):
        zpath = os.path.join(self.tmp, "fn.zip")
        with open(zpath, "wb") as f:
            f.write(fixtures.zip_fixture("shell"))
        self.cli("s3api", "create-bucket", "--bucket", "cli-packages")
        self.cli("s3api", "put-object", "--bucket", "cli-packages", "--key", "fn.zip",
                 "--body", zpath)
        out = self.cli("lambda", "create-function", "--function-name", "cli-al",
                       "--runtime", "provided.al2023", "--role", fixtures.ROLE,
                       "--handler", "bootstrap", "--code", "S3Bucket=cli-packages,S3Key=fn.zip",
                       "--publish")
        self.assertEqual(out["Version"], "1")
        self.cli("lambda", "wait", "function-active-v2", "--function-name", "cli-al")
        out = self.cli("lambda", "create-alias", "--function-name", "cli-al", "--name", "live",
                       "--function-version", "1")
        self.assertEqual(out["AliasArn"], "arn:aws:lambda:us-east-1:123456789012:function:cli-al:live")
        self.assertEqual(self.cli("lambda", "get-alias", "--function-name", "cli-al",
                                  "--name", "live")["FunctionVersion"], "1")
        meta, body = self.invoke("--function-name", "cli-al", "--qualifier", "live",
                                 payload='{"action":"echo","v":1}')
        self.assertEqual(meta["ExecutedVersion"], "1")
        self.assertEqual(body["echo"], {"action": "echo", "v": 1})
        self.cli("lambda", "update-alias", "--function-name", "cli-al", "--name", "live",
                 "--function-version", "$LATEST", "--description", "head")
        aliases = self.cli("lambda", "list-aliases", "--function-name", "cli-al")["Aliases"]
        self.assertEqual([(a["Name"], a["FunctionVersion"], a["Description"]) for a in aliases],
                         [("live", "$LATEST", "head")])
        self.cli("lambda", "delete-alias", "--function-name", "cli-al", "--name", "live")
        self.assertEqual(self.cli("lambda", "list-aliases", "--function-name", "cli-al")["Aliases"], [])
        out = aws(self.emu, "lambda", "get-alias", "--function-name", "cli-al", "--name", "live",
                  check=False)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("ResourceNotFoundException", out.stderr)

    def test_hot_reload_directory(self):
        d = os.path.join(self.tmp, "hot")
        os.mkdir(d)
        shutil.copy(os.path.join(os.path.dirname(os.path.abspath(fixtures.__file__)),
                                 "shell", "bootstrap"), d)
        self.cli("lambda", "create-function", "--function-name", "cli-hot",
                 "--runtime", "provided.al2023", "--role", fixtures.ROLE, "--handler", "bootstrap",
                 "--code", "S3Bucket=hot-reload,S3Key=%s" % d)
        self.cli("lambda", "wait", "function-active-v2", "--function-name", "cli-hot")
        _, body = self.invoke("--function-name", "cli-hot", payload='{"action":"echo","h":1}')
        self.assertEqual(body, {"echo": {"action": "echo", "h": 1}, "function": "cli-hot"})
        self.cli("lambda", "delete-function", "--function-name", "cli-hot")
        self.assertTrue(os.path.exists(os.path.join(d, "bootstrap")))


if __name__ == "__main__":
    unittest.main()

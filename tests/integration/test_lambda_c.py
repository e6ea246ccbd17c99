"""A Lambda function written in C (tests/fixtures/lambda/c_echo/echo.c),
compiled by the test and deployed as a provided.al2023 zip: results,
warm reuse, function errors, and its output in the Tail log."""
import base64
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
import zipfile

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(HERE, "fixtures", "lambda"))
import fixtures  # noqa: E402
from clients import boto3_client  # noqa: E402
from emu import Emulator  # noqa: E402


def build_zip():
    cc = shutil.which("cc") or shutil.which("gcc")
    if not cc:
        raise unittest.SkipTest("needs a C compiler (cc) to build the test function")
    tmp = tempfile.mkdtemp(prefix="lambda-c-")
    exe = os.path.join(tmp, "bootstrap")
    subprocess.run([cc, "-std=c11", "-D_GNU_SOURCE", "-O2", "-Wall", "-Werror", "-o", exe,
                    os.path.join(HERE, "fixtures", "lambda", "c_echo", "echo.c")], check=True)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        info = zipfile.ZipInfo("bootstrap")
        info.external_attr = 0o100755 << 16
        info.create_system = 3
        with open(exe, "rb") as fh:
            z.writestr(info, fh.read())
    shutil.rmtree(tmp)
    return buf.getvalue()


class TestLambdaC(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        zip_bytes = build_zip()
        cls.emu = Emulator().start()
        cls.c = boto3_client(cls.emu, "lambda")
        cls.c.create_function(FunctionName="cfn", Runtime="provided.al2023", Role=fixtures.ROLE,
                              Handler="bootstrap", Code={"ZipFile": zip_bytes})

    @classmethod
    def tearDownClass(cls):
        assert cls.emu.stop() == 0

    def test_echo_and_warm_reuse(self):
        first = self.c.invoke(FunctionName="cfn", Payload=b'{"n":1}', LogType="Tail")
        doc = json.loads(first["Payload"].read())
        self.assertEqual(doc["echo"], {"n": 1})
        self.assertEqual(doc["lang"], "c")
        log = base64.b64decode(first["LogResult"]).decode()
        self.assertIn("C function event %d: %s" % (doc["count"], first["ResponseMetadata"]["RequestId"]), log)
        second = json.loads(self.c.invoke(FunctionName="cfn", Payload=b'{"n":2}')["Payload"].read())
        self.assertEqual(second["count"], doc["count"] + 1, "the same warm process answered")

    def test_function_error(self):
        out = self.c.invoke(FunctionName="cfn", Payload=b'{"please":"fail"}')
        self.assertEqual(out["FunctionError"], "Unhandled")
        self.assertEqual(json.loads(out["Payload"].read()),
                         {"errorMessage": "asked to fail", "errorType": "CError"})


if __name__ == "__main__":
    unittest.main()

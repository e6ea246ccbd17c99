"""CreateFunction/UpdateFunctionCode with Code.S3Bucket/S3Key naming a
real bucket of the emulator: the package is read from S3, and AWS's
errors for a missing bucket or key."""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "fixtures", "lambda"))
import fixtures  # noqa: E402
from clients import boto3_client  # noqa: E402
from emu import Emulator  # noqa: E402


class TestLambdaS3Code(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.emu = Emulator().start()
        cls.c = boto3_client(cls.emu, "lambda")
        cls.s3 = boto3_client(cls.emu, "s3")
        cls.s3.create_bucket(Bucket="packages")
        cls.zip = fixtures.zip_fixture("shell")
        cls.s3.put_object(Bucket="packages", Key="fn/v1.zip", Body=cls.zip)

    @classmethod
    def tearDownClass(cls):
        assert cls.emu.stop() == 0

    def error(self, fn, **kw):
        import botocore.exceptions
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            fn(**kw)
        return cm.exception.response

    def test_create_and_update_from_s3(self):
        import base64
        import hashlib
        out = fixtures.create(self.c, "from-s3", Code={"S3Bucket": "packages", "S3Key": "fn/v1.zip"})
        self.assertEqual(out["CodeSize"], len(self.zip))
        self.assertEqual(out["CodeSha256"], base64.b64encode(hashlib.sha256(self.zip).digest()).decode())
        self.c.get_waiter("function_active_v2").wait(FunctionName="from-s3")
        res = self.c.invoke(FunctionName="from-s3", Payload=b'{"action":"echo","x":1}')
        self.assertEqual(json.loads(res["Payload"].read())["echo"], {"action": "echo", "x": 1})
        zip2 = fixtures.zip_fixture("init_error")
        self.s3.put_object(Bucket="packages", Key="fn/v2.zip", Body=zip2)
        out = self.c.update_function_code(FunctionName="from-s3", S3Bucket="packages", S3Key="fn/v2.zip")
        self.assertEqual(out["CodeSize"], len(zip2))
        self.c.get_waiter("function_updated_v2").wait(FunctionName="from-s3")
        res = self.c.invoke(FunctionName="from-s3", Payload=b"{}")
        self.assertEqual(res.get("FunctionError"), "Unhandled")

    def test_missing_bucket_or_key(self):
        err = self.error(fixtures.create, client=self.c, name="bad-s3",
                         Code={"S3Bucket": "no-such-bucket", "S3Key": "x.zip"})
        self.assertEqual(err["Error"]["Code"], "InvalidParameterValueException")
        self.assertIn("S3 Error Code: NoSuchBucket", err["Error"]["Message"])
        err = self.error(fixtures.create, client=self.c, name="bad-s3",
                         Code={"S3Bucket": "packages", "S3Key": "missing.zip"})
        self.assertEqual(err["Error"]["Code"], "InvalidParameterValueException")
        self.assertIn("S3 Error Code: NoSuchKey", err["Error"]["Message"])
        self.s3.put_object(Bucket="packages", Key="notzip", Body=b"hello")
        err = self.error(fixtures.create, client=self.c, name="bad-s3",
                         Code={"S3Bucket": "packages", "S3Key": "notzip"})
        self.assertEqual(err["Error"]["Code"], "InvalidParameterValueException")
        names = [f["FunctionName"] for f in self.c.list_functions()["Functions"]]
        self.assertNotIn("bad-s3", names)


if __name__ == "__main__":
    unittest.main()

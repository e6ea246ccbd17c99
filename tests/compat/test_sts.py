"""STS GetCallerIdentity through the aws cli and boto3, with --auth off
and --auth sigv4 (real signatures from botocore, checked by the emulator)."""
import json
import unittest

from clients import aws, boto3_client
from emu import Emulator


class TestStsAuthOff(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.emu = Emulator().start()

    @classmethod
    def tearDownClass(cls):
        cls.emu.stop()

    def test_aws_cli_get_caller_identity(self):
        out = aws(self.emu, "sts", "get-caller-identity")
        doc = json.loads(out.stdout)
        self.assertEqual(doc["Account"], "123456789012")
        self.assertEqual(doc["Arn"], "arn:aws:iam::123456789012:root")

    def test_boto3_get_caller_identity(self):
        sts = boto3_client(self.emu, "sts")
        doc = sts.get_caller_identity()
        self.assertEqual(doc["Account"], "123456789012")
        self.assertEqual(doc["ResponseMetadata"]["HTTPStatusCode"], 200)
        self.assertRegex(doc["ResponseMetadata"]["RequestId"], r"^[0-9a-f-]{36}$")

    def test_boto3_unknown_operation_is_a_client_error(self):
        import botocore.exceptions
        sts = boto3_client(self.emu, "sts")
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            sts.get_session_token()
        self.assertEqual(cm.exception.response["Error"]["Code"], "InvalidAction")


class TestStsSigV4(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.emu = Emulator(args=["--auth", "sigv4", "--access-key", "test",
                                 "--secret-key", "test"]).start()

    @classmethod
    def tearDownClass(cls):
        cls.emu.stop()

    def test_signed_by_the_right_key(self):
        out = aws(self.emu, "sts", "get-caller-identity")
        self.assertEqual(json.loads(out.stdout)["Account"], "123456789012")
        self.assertEqual(boto3_client(self.emu, "sts").get_caller_identity()["Account"],
                         "123456789012")

    def test_wrong_secret_is_signature_does_not_match(self):
        out = aws(self.emu, "sts", "get-caller-identity", secret="wrong", check=False)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("SignatureDoesNotMatch", out.stderr)
        import botocore.exceptions
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            boto3_client(self.emu, "sts", secret="wrong").get_caller_identity()
        self.assertEqual(cm.exception.response["Error"]["Code"], "SignatureDoesNotMatch")
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 403)

    def test_unsigned_request_is_refused(self):
        status, _, body = self.emu.http(
            "POST", "/", body=b"Action=GetCallerIdentity&Version=2011-06-15",
            headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(status, 403, body)
        self.assertIn(b"<ErrorResponse", body)
        self.assertIn(b"MissingAuthenticationToken", body)

    def test_admin_stays_unsigned(self):
        status, _, _ = self.emu.http("GET", "/_emulator/health")
        self.assertEqual(status, 200)

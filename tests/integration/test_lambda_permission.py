"""S3 -> Lambda permission check: with --auth sigv4, S3's
PutBucketNotificationConfiguration accepts a Lambda destination only when
the function's resource policy (AddPermission) lets s3.amazonaws.com
invoke it for the bucket's ARN, as AWS does; otherwise InvalidArgument
and nothing is stored.  With --auth off the configuration is accepted
as before."""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "fixtures", "lambda"))
import fixtures  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402
from clients import boto3_client  # noqa: E402
from emu import Emulator  # noqa: E402


def lambda_config(arn):
    return {"LambdaFunctionConfigurations": [
        {"Id": "thumb", "LambdaFunctionArn": arn, "Events": ["s3:ObjectCreated:*"]}]}


class TestLambdaPermissionSigv4(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.emu = Emulator(args=["--auth", "sigv4"]).start()
        cls.s3 = boto3_client(cls.emu, "s3")
        cls.lam = boto3_client(cls.emu, "lambda")

    @classmethod
    def tearDownClass(cls):
        rc = cls.emu.stop()
        assert rc == 0, "emulator exit code %r" % rc

    def refused(self, bucket, arn):
        with self.assertRaises(ClientError) as cm:
            self.s3.put_bucket_notification_configuration(
                Bucket=bucket, NotificationConfiguration=lambda_config(arn))
        err = cm.exception.response
        self.assertEqual(err["Error"]["Code"], "InvalidArgument")
        self.assertEqual(err["Error"]["Message"],
                         "Unable to validate the following destination configurations")
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 400)
        got = self.s3.get_bucket_notification_configuration(Bucket=bucket)
        self.assertNotIn("LambdaFunctionConfigurations", got)

    def test_permission_for_the_bucket_is_required(self):
        self.s3.create_bucket(Bucket="perm-in")
        arn = fixtures.create(self.lam, "perm-thumb")["FunctionArn"]
        self.refused("perm-in", arn)
        self.lam.add_permission(FunctionName="perm-thumb", StatementId="s3-other",
                                Action="lambda:InvokeFunction",
                                Principal="s3.amazonaws.com",
                                SourceArn="arn:aws:s3:::some-other-bucket")
        self.refused("perm-in", arn)
        self.lam.add_permission(FunctionName="perm-thumb", StatementId="s3-wrong-principal",
                                Action="lambda:InvokeFunction",
                                Principal="sns.amazonaws.com",
                                SourceArn="arn:aws:s3:::perm-in")
        self.refused("perm-in", arn)
        self.lam.add_permission(FunctionName="perm-thumb", StatementId="s3-in",
                                Action="lambda:InvokeFunction",
                                Principal="s3.amazonaws.com",
                                SourceArn="arn:aws:s3:::perm-in")
        self.s3.put_bucket_notification_configuration(
            Bucket="perm-in", NotificationConfiguration=lambda_config(arn))
        got = self.s3.get_bucket_notification_configuration(Bucket="perm-in")
        self.assertEqual([c["LambdaFunctionArn"] for c in got["LambdaFunctionConfigurations"]],
                         [arn])
        # Removing the permission does not undo an accepted configuration,
        # but a new one is checked again.
        self.lam.remove_permission(FunctionName="perm-thumb", StatementId="s3-in")
        with self.assertRaises(ClientError) as cm:
            self.s3.put_bucket_notification_configuration(
                Bucket="perm-in", NotificationConfiguration=lambda_config(arn))
        self.assertEqual(cm.exception.response["Error"]["Code"], "InvalidArgument")
        got = self.s3.get_bucket_notification_configuration(Bucket="perm-in")
        self.assertEqual(len(got["LambdaFunctionConfigurations"]), 1)

    def test_wildcard_source_arn(self):
        self.s3.create_bucket(Bucket="perm-wild-1")
        arn = fixtures.create(self.lam, "perm-wild")["FunctionArn"]
        self.lam.add_permission(FunctionName="perm-wild", StatementId="s3-wild",
                                Action="lambda:*", Principal="s3.amazonaws.com",
                                SourceArn="arn:aws:s3:::perm-wild-?")
        self.s3.put_bucket_notification_configuration(
            Bucket="perm-wild-1", NotificationConfiguration=lambda_config(arn))
        self.s3.create_bucket(Bucket="perm-wild-10")
        self.refused("perm-wild-10", arn)

    def test_missing_function(self):
        self.s3.create_bucket(Bucket="perm-missing")
        self.refused("perm-missing",
                     "arn:aws:lambda:us-east-1:123456789012:function:no-such-function")


class TestLambdaPermissionAuthOff(unittest.TestCase):
    def test_recorded_not_checked(self):
        emu = Emulator().start()
        try:
            s3 = boto3_client(emu, "s3")
            lam = boto3_client(emu, "lambda")
            s3.create_bucket(Bucket="perm-off")
            arn = fixtures.create(lam, "perm-off")["FunctionArn"]
            s3.put_bucket_notification_configuration(
                Bucket="perm-off", NotificationConfiguration=lambda_config(arn))
            got = s3.get_bucket_notification_configuration(Bucket="perm-off")
            self.assertEqual([c["LambdaFunctionArn"]
                              for c in got["LambdaFunctionConfigurations"]], [arn])
        finally:
            rc = emu.stop()
        self.assertEqual(rc, 0, "emulator exit code %r" % rc)


if __name__ == "__main__":
    unittest.main()

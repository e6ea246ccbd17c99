"""Lambda aliases through boto3: create/get/list/update/delete, Invoke and
GetFunctionConfiguration through an alias, and AWS's errors."""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "fixtures", "lambda"))
import fixtures  # noqa: E402
from clients import boto3_client  # noqa: E402
from emu import Emulator  # noqa: E402

ARN = "arn:aws:lambda:us-east-1:123456789012:function:%s"


class TestLambdaAlias(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.emu = Emulator().start()
        cls.c = boto3_client(cls.emu, "lambda")
        fixtures.create(cls.c, "al", Publish=True, Environment={"Variables": {"CUSTOM_VAR": "one"}})
        cls.c.get_waiter("function_active_v2").wait(FunctionName="al")
        cls.c.update_function_configuration(FunctionName="al",
                                            Environment={"Variables": {"CUSTOM_VAR": "two"}})
        cls.c.get_waiter("function_updated_v2").wait(FunctionName="al")
        cls.c.publish_version(FunctionName="al")

    @classmethod
    def tearDownClass(cls):
        assert cls.emu.stop() == 0

    def error(self, fn, **kw):
        import botocore.exceptions
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            fn(**kw)
        return cm.exception.response

    def custom(self, qualifier):
        out = self.c.invoke(FunctionName="al", Qualifier=qualifier, Payload=b'{"action":"env"}')
        return json.loads(out["Payload"].read())["custom"], out["ExecutedVersion"]

    def test_alias_lifecycle(self):
        out = self.c.create_alias(FunctionName="al", Name="live", FunctionVersion="1",
                                  Description="prod")
        self.assertEqual(out["ResponseMetadata"]["HTTPStatusCode"], 201)
        self.assertEqual(out["AliasArn"], ARN % "al" + ":live")
        self.assertEqual((out["Name"], out["FunctionVersion"], out["Description"]), ("live", "1", "prod"))
        rev = out["RevisionId"]
        self.assertEqual(self.custom("live"), ("one", "1"))
        got = self.c.get_alias(FunctionName="al", Name="live")
        self.assertEqual(got["RevisionId"], rev)
        cfg = self.c.get_function_configuration(FunctionName="al", Qualifier="live")
        self.assertEqual(cfg["Version"], "1")
        err = self.error(self.c.update_alias, FunctionName="al", Name="live", FunctionVersion="2",
                         RevisionId="nope")
        self.assertEqual(err["Error"]["Code"], "PreconditionFailedException")
        out = self.c.update_alias(FunctionName="al", Name="live", FunctionVersion="2", RevisionId=rev,
                                  RoutingConfig={"AdditionalVersionWeights": {"1": 0.5}})
        self.assertEqual(out["FunctionVersion"], "2")
        self.assertEqual(out["Description"], "prod")
        self.assertEqual(out["RoutingConfig"], {"AdditionalVersionWeights": {"1": 0.5}})
        self.assertNotEqual(out["RevisionId"], rev)
        self.assertEqual(self.custom("live"), ("two", "2"))
        self.c.create_alias(FunctionName=ARN % "al", Name="dev", FunctionVersion="$LATEST")
        names = [a["Name"] for a in self.c.list_aliases(FunctionName="al")["Aliases"]]
        self.assertEqual(names, ["dev", "live"])
        only = self.c.list_aliases(FunctionName="al", FunctionVersion="2")["Aliases"]
        self.assertEqual([a["Name"] for a in only], ["live"])
        page = self.c.list_aliases(FunctionName="al", MaxItems=1)
        self.assertEqual([a["Name"] for a in page["Aliases"]], ["dev"])
        page = self.c.list_aliases(FunctionName="al", Marker=page["NextMarker"])
        self.assertEqual([a["Name"] for a in page["Aliases"]], ["live"])
        self.assertNotIn("NextMarker", page)
        self.c.delete_alias(FunctionName="al", Name="dev")
        err = self.error(self.c.get_alias, FunctionName="al", Name="dev")
        self.assertEqual(err["Error"]["Code"], "ResourceNotFoundException")
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 404)
        self.assertIn("Cannot find alias arn: %s:dev" % (ARN % "al"), err["Error"]["Message"])
        err = self.error(self.c.invoke, FunctionName="al", Qualifier="dev", Payload=b"{}")
        self.assertEqual(err["Error"]["Code"], "ResourceNotFoundException")

    def test_alias_errors(self):
        err = self.error(self.c.create_alias, FunctionName="al", Name="x", FunctionVersion="99")
        self.assertEqual(err["Error"]["Code"], "ResourceNotFoundException")
        err = self.error(self.c.create_alias, FunctionName="nope", Name="x", FunctionVersion="1")
        self.assertEqual(err["Error"]["Code"], "ResourceNotFoundException")
        err = self.error(self.c.create_alias, FunctionName="al", Name="123", FunctionVersion="1")
        self.assertEqual(err["Error"]["Code"], "ValidationException")
        self.c.create_alias(FunctionName="al", Name="dup", FunctionVersion="1")
        err = self.error(self.c.create_alias, FunctionName="al", Name="dup", FunctionVersion="1")
        self.assertEqual(err["Error"]["Code"], "ResourceConflictException")
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 409)
        err = self.error(self.c.update_alias, FunctionName="al", Name="ghost", FunctionVersion="1")
        self.assertEqual(err["Error"]["Code"], "ResourceNotFoundException")
        err = self.error(self.c.delete_function, FunctionName="al", Qualifier="1")
        self.assertEqual(err["Error"]["Code"], "ResourceConflictException")
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 409)
        self.assertEqual(err["Error"]["Message"],
                         "Unable to delete version because the following aliases reference it: [dup]")
        self.c.delete_alias(FunctionName="al", Name="dup")


if __name__ == "__main__":
    unittest.main()

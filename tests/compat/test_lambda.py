"""Lambda's control plane through boto3 (with its waiters) and the aws
cli: what Terraform's aws_lambda_function and aws_lambda_permission call,
versions, event invoke config, concurrency, tags, and AWS's errors."""
import base64
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "fixtures", "lambda"))
import fixtures  # noqa: E402
from clients import aws, boto3_client  # noqa: E402
from emu import Emulator  # noqa: E402

ARN = "arn:aws:lambda:us-east-1:123456789012:function:%s"


class TestLambdaBoto3(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.emu = Emulator().start()
        cls.c = boto3_client(cls.emu, "lambda")

    @classmethod
    def tearDownClass(cls):
        assert cls.emu.stop() == 0

    def error(self, fn, **kw):
        import botocore.exceptions
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            fn(**kw)
        return cm.exception.response

    def test_terraform_create_sequence(self):
        zip_bytes = fixtures.zip_fixture("shell")
        out = self.c.create_function(
            FunctionName="tf-fn", Runtime="provided.al2023", Role=fixtures.ROLE,
            Handler="bootstrap", Code={"ZipFile": zip_bytes}, Description="",
            Timeout=30, MemorySize=256, Architectures=["x86_64"], PackageType="Zip",
            Environment={"Variables": {"TABLE_NAME": "images"}})
        self.assertEqual(out["ResponseMetadata"]["HTTPStatusCode"], 201)
        self.assertEqual(out["State"], "Pending")
        self.assertEqual(out["FunctionArn"], ARN % "tf-fn")
        self.assertEqual(out["CodeSize"], len(zip_bytes))
        import hashlib
        self.assertEqual(out["CodeSha256"], base64.b64encode(hashlib.sha256(zip_bytes).digest()).decode())
        self.c.get_waiter("function_active_v2").wait(FunctionName="tf-fn")
        got = self.c.get_function(FunctionName="tf-fn")
        cfg = got["Configuration"]
        self.assertEqual(cfg["State"], "Active")
        self.assertEqual(cfg["LastUpdateStatus"], "Successful")
        self.assertEqual((cfg["Timeout"], cfg["MemorySize"], cfg["Runtime"]), (30, 256, "provided.al2023"))
        self.assertEqual(cfg["Environment"], {"Variables": {"TABLE_NAME": "images"}})
        self.assertEqual(cfg["Version"], "$LATEST")
        self.assertRegex(cfg["LastModified"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$")
        self.assertEqual(got["Code"]["RepositoryType"], "S3")
        import urllib.request
        with urllib.request.urlopen(got["Code"]["Location"]) as r:
            self.assertEqual(r.read(), zip_bytes)
        versions = self.c.list_versions_by_function(FunctionName="tf-fn", MaxItems=10000)
        self.assertEqual([v["Version"] for v in versions["Versions"]], ["$LATEST"])
        csc = self.c.get_function_code_signing_config(FunctionName="tf-fn")
        self.assertEqual(csc["FunctionName"], "tf-fn")
        self.assertEqual(csc["CodeSigningConfigArn"], "")

    def test_permissions(self):
        fixtures.create(self.c, "perm")
        out = self.c.add_permission(FunctionName="perm", StatementId="AllowS3Invoke",
                                    Action="lambda:InvokeFunction", Principal="s3.amazonaws.com",
                                    SourceArn="arn:aws:s3:::imgpipe-uploads")
        stmt = json.loads(out["Statement"])
        self.assertEqual(stmt["Principal"], {"Service": "s3.amazonaws.com"})
        self.assertEqual(stmt["Condition"], {"ArnLike": {"AWS:SourceArn": "arn:aws:s3:::imgpipe-uploads"}})
        self.assertEqual(stmt["Resource"], ARN % "perm")
        self.c.add_permission(FunctionName="perm", StatementId="AllowApi", Action="lambda:InvokeFunction",
                              Principal="apigateway.amazonaws.com",
                              SourceArn="arn:aws:execute-api:us-east-1::abc123/*/*")
        err = self.error(self.c.add_permission, FunctionName="perm", StatementId="AllowApi",
                         Action="lambda:InvokeFunction", Principal="apigateway.amazonaws.com")
        self.assertEqual(err["Error"]["Code"], "ResourceConflictException")
        policy = json.loads(self.c.get_policy(FunctionName="perm")["Policy"])
        self.assertEqual([s["Sid"] for s in policy["Statement"]], ["AllowS3Invoke", "AllowApi"])
        self.c.remove_permission(FunctionName="perm", StatementId="AllowS3Invoke")
        self.assertEqual(len(json.loads(self.c.get_policy(FunctionName="perm")["Policy"])["Statement"]), 1)
        self.c.remove_permission(FunctionName="perm", StatementId="AllowApi")
        err = self.error(self.c.get_policy, FunctionName="perm")
        self.assertEqual(err["Error"]["Code"], "ResourceNotFoundException")
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 404)
        err = self.error(self.c.remove_permission, FunctionName="perm", StatementId="AllowApi")
        self.assertEqual(err["Error"]["Code"], "ResourceNotFoundException")

    def test_update_and_versions(self):
        fixtures.create(self.c, "upd")
        out = self.c.update_function_configuration(FunctionName="upd", Timeout=7,
                                                   Environment={"Variables": {"A": "1"}})
        self.assertEqual(out["LastUpdateStatus"], "InProgress")
        self.c.get_waiter("function_updated_v2").wait(FunctionName="upd")
        cfg = self.c.get_function_configuration(FunctionName="upd")
        self.assertEqual((cfg["Timeout"], cfg["Environment"]["Variables"]), (7, {"A": "1"}))
        v1 = self.c.publish_version(FunctionName="upd", Description="first")
        self.assertEqual((v1["Version"], v1["FunctionArn"]), ("1", ARN % "upd" + ":1"))
        again = self.c.publish_version(FunctionName="upd")
        self.assertEqual(again["Version"], "1", "nothing changed: the same version")
        new_zip = fixtures.zip_fixture("shell", {"extra.txt": b"v2"})
        out = self.c.update_function_code(FunctionName="upd", ZipFile=new_zip, Publish=True)
        self.assertEqual(out["Version"], "2")
        self.c.get_waiter("function_updated_v2").wait(FunctionName="upd")
        versions = [v["Version"] for v in self.c.list_versions_by_function(FunctionName="upd")["Versions"]]
        self.assertEqual(versions, ["$LATEST", "1", "2"])
        self.assertEqual(self.c.get_function(FunctionName="upd", Qualifier="1")["Configuration"]["Timeout"], 7)
        page = self.c.list_versions_by_function(FunctionName="upd", MaxItems=2)
        self.assertEqual([v["Version"] for v in page["Versions"]], ["$LATEST", "1"])
        rest = self.c.list_versions_by_function(FunctionName="upd", Marker=page["NextMarker"])
        self.assertEqual([v["Version"] for v in rest["Versions"]], ["2"])
        out = self.c.invoke(FunctionName="upd", Qualifier="1", Payload=b'{"q":1}')
        self.assertEqual(out["ExecutedVersion"], "1")
        self.c.delete_function(FunctionName="upd", Qualifier="1")
        err = self.error(self.c.get_function, FunctionName="upd", Qualifier="1")
        self.assertEqual(err["Error"]["Code"], "ResourceNotFoundException")
        err = self.error(self.c.update_function_configuration, FunctionName="upd",
                         RevisionId="00000000-0000-0000-0000-000000000000", Timeout=3)
        self.assertEqual(err["Error"]["Code"], "PreconditionFailedException")

    def test_list_and_delete(self):
        for n in ("list-a", "list-b", "list-c"):
            fixtures.create(self.c, n)
        names = [f["FunctionName"] for f in self.c.list_functions()["Functions"]]
        for n in ("list-a", "list-b", "list-c"):
            self.assertIn(n, names)
        page = self.c.list_functions(MaxItems=1)
        self.assertEqual(len(page["Functions"]), 1)
        self.assertIn("NextMarker", page)
        everything = [f["FunctionName"] for p in self.c.get_paginator("list_functions").paginate(
            PaginationConfig={"PageSize": 2}) for f in p["Functions"]]
        self.assertEqual(sorted(everything), sorted(set(everything)))
        self.assertTrue({"list-a", "list-b", "list-c"} <= set(everything))
        out = self.c.delete_function(FunctionName="list-b")
        self.assertEqual(out["ResponseMetadata"]["HTTPStatusCode"], 204)
        err = self.error(self.c.get_function, FunctionName="list-b")
        self.assertEqual(err["Error"]["Code"], "ResourceNotFoundException")
        self.assertEqual(err["Error"]["Message"], "Function not found: " + ARN % "list-b")
        err = self.error(self.c.delete_function, FunctionName="list-b")
        self.assertEqual(err["Error"]["Code"], "ResourceNotFoundException")

    def test_create_errors(self):
        fixtures.create(self.c, "dup")
        err = self.error(fixtures.create, client=self.c, name="dup")
        self.assertEqual(err["Error"]["Code"], "ResourceConflictException")
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 409)
        self.assertEqual(err["Error"]["Message"], "Function already exist: dup")
        err = self.error(fixtures.create, client=self.c, name="badrole", Role="not-a-role")
        self.assertEqual(err["Error"]["Code"], "ValidationException")
        err = self.error(fixtures.create, client=self.c, name="badtimeout", Timeout=901)
        self.assertEqual(err["Error"]["Code"], "ValidationException")
        err = self.error(fixtures.create, client=self.c, name="py", Runtime="python3.12")
        self.assertEqual(err["Error"]["Code"], "InvalidParameterValueException")
        err = self.error(self.c.create_function, FunctionName="badzip", Runtime="provided.al2023",
                         Role=fixtures.ROLE, Handler="x", Code={"ZipFile": b"not a zip"})
        self.assertEqual(err["Error"]["Code"], "InvalidParameterValueException")
        self.assertIn("Could not unzip uploaded file", err["Error"]["Message"])
        err = self.error(fixtures.create, client=self.c, name="reserved",
                         Environment={"Variables": {"AWS_REGION": "x"}})
        self.assertEqual(err["Error"]["Code"], "InvalidParameterValueException")
        names = [f["FunctionName"] for f in self.c.list_functions()["Functions"]]
        for n in ("badrole", "badtimeout", "py", "badzip", "reserved"):
            self.assertNotIn(n, names)

    def test_event_invoke_config(self):
        fixtures.create(self.c, "eic")
        err = self.error(self.c.get_function_event_invoke_config, FunctionName="eic")
        self.assertEqual(err["Error"]["Code"], "ResourceNotFoundException")
        dest = "arn:aws:sns:us-east-1:123456789012:failures"
        out = self.c.put_function_event_invoke_config(
            FunctionName="eic", MaximumRetryAttempts=1, MaximumEventAgeInSeconds=120,
            DestinationConfig={"OnFailure": {"Destination": dest}})
        self.assertEqual(out["MaximumRetryAttempts"], 1)
        self.assertEqual(out["FunctionArn"], ARN % "eic" + ":$LATEST")
        out = self.c.update_function_event_invoke_config(FunctionName="eic", MaximumRetryAttempts=0)
        self.assertEqual((out["MaximumRetryAttempts"], out["MaximumEventAgeInSeconds"]), (0, 120))
        got = self.c.get_function_event_invoke_config(FunctionName="eic")
        self.assertEqual(got["DestinationConfig"]["OnFailure"]["Destination"], dest)
        err = self.error(self.c.put_function_event_invoke_config, FunctionName="eic", MaximumRetryAttempts=3)
        self.assertEqual(err["Error"]["Code"], "ValidationException")
        self.c.delete_function_event_invoke_config(FunctionName="eic")
        err = self.error(self.c.get_function_event_invoke_config, FunctionName="eic")
        self.assertEqual(err["Error"]["Code"], "ResourceNotFoundException")

    def test_concurrency(self):
        fixtures.create(self.c, "conc")
        self.assertNotIn("ReservedConcurrentExecutions", self.c.get_function_concurrency(FunctionName="conc"))
        out = self.c.put_function_concurrency(FunctionName="conc", ReservedConcurrentExecutions=5)
        self.assertEqual(out["ReservedConcurrentExecutions"], 5)
        self.assertEqual(self.c.get_function(FunctionName="conc")["Concurrency"],
                         {"ReservedConcurrentExecutions": 5})
        self.assertEqual(self.c.get_function_concurrency(FunctionName="conc")["ReservedConcurrentExecutions"], 5)
        self.c.delete_function_concurrency(FunctionName="conc")
        self.assertNotIn("Concurrency", self.c.get_function(FunctionName="conc"))

    def test_tags(self):
        fixtures.create(self.c, "tagged", Tags={"team": "img"})
        arn = ARN % "tagged"
        self.assertEqual(self.c.list_tags(Resource=arn)["Tags"], {"team": "img"})
        self.c.tag_resource(Resource=arn, Tags={"env": "dev", "team": "media"})
        self.assertEqual(self.c.list_tags(Resource=arn)["Tags"], {"team": "media", "env": "dev"})
        self.c.untag_resource(Resource=arn, TagKeys=["team", "absent"])
        self.assertEqual(self.c.list_tags(Resource=arn)["Tags"], {"env": "dev"})
        self.assertEqual(self.c.get_function(FunctionName="tagged")["Tags"], {"env": "dev"})
        err = self.error(self.c.list_tags, Resource=ARN % "ghost")
        self.assertEqual(err["Error"]["Code"], "ResourceNotFoundException")

    def test_account_settings(self):
        out = self.c.get_account_settings()
        self.assertEqual(out["AccountLimit"]["ConcurrentExecutions"], 1000)
        self.assertGreaterEqual(out["AccountUsage"]["FunctionCount"], 0)

    def test_name_forms(self):
        fixtures.create(self.c, "forms")
        for form in ("forms", ARN % "forms", "123456789012:function:forms", ARN % "forms" + ":$LATEST"):
            self.assertEqual(self.c.get_function_configuration(FunctionName=form)["FunctionName"], "forms")
        err = self.error(self.c.get_function, FunctionName=ARN % "forms" + ":1", Qualifier="2")
        self.assertEqual(err["Error"]["Code"], "InvalidParameterValueException")


class TestLambdaCli(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.emu = Emulator().start()

    @classmethod
    def tearDownClass(cls):
        assert cls.emu.stop() == 0

    def test_cli_lifecycle(self):
        tmp = tempfile.mkdtemp(prefix="lambda-cli-")
        zpath = os.path.join(tmp, "fn.zip")
        with open(zpath, "wb") as fh:
            fh.write(fixtures.zip_fixture("shell"))
        out = aws(self.emu, "lambda", "create-function", "--function-name", "cli-fn",
                  "--runtime", "provided.al2023", "--role", fixtures.ROLE, "--handler", "bootstrap",
                  "--zip-file", "fileb://" + zpath)
        self.assertEqual(json.loads(out.stdout)["FunctionName"], "cli-fn")
        aws(self.emu, "lambda", "wait", "function-active-v2", "--function-name", "cli-fn")
        result = os.path.join(tmp, "out.json")
        event = os.path.join(tmp, "event.json")
        with open(event, "w") as fh:
            fh.write('{"from":"cli"}')
        # fileb:// reads the payload the same way in aws cli v1 and v2.
        out = aws(self.emu, "lambda", "invoke", "--function-name", "cli-fn",
                  "--payload", "fileb://" + event, "--log-type", "Tail", result)
        meta = json.loads(out.stdout)
        self.assertEqual(meta["StatusCode"], 200)
        self.assertIn("REPORT RequestId:", base64.b64decode(meta["LogResult"]).decode())
        with open(result) as fh:
            self.assertEqual(json.load(fh)["echo"], {"from": "cli"})
        names = [f["FunctionName"] for f in json.loads(
            aws(self.emu, "lambda", "list-functions").stdout)["Functions"]]
        self.assertIn("cli-fn", names)
        aws(self.emu, "lambda", "delete-function", "--function-name", "cli-fn")
        out = aws(self.emu, "lambda", "get-function", "--function-name", "cli-fn", check=False)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("ResourceNotFoundException", out.stderr)


if __name__ == "__main__":
    unittest.main()

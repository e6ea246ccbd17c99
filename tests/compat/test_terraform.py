"""Terraform against the emulator: infra/local (the module infra/aws
applies to AWS) through the real hashicorp/aws provider, from a local
plugin directory (infra/tf.sh finds it).

  - the whole stack: apply, a second plan with no changes, destroy, and
    an upload through the Terraform-made notification and function.  It
    is skipped, naming the services, while the emulator answers
    NotImplemented for a service the stack needs (IAM, CloudWatch Logs,
    API Gateway v2 at the time of writing);
  - the storage and messaging part of the same configuration (the two
    buckets, the table with its GSI, the topic) with -target: apply, plan
    with no changes, destroy.

Skipped, saying why, when terraform or the provider is not installed or
the zip is not built."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "lib"))
from clients import boto3_client  # noqa: E402
from emu import ROOT, Emulator  # noqa: E402

SUBSET = ["module.imgpipe.aws_s3_bucket.uploads", "module.imgpipe.aws_s3_bucket.processed",
          "module.imgpipe.aws_dynamodb_table.images", "module.imgpipe.aws_sns_topic.events"]


def zip_path():
    build = os.environ.get("BUILD_DIR") or os.path.join(ROOT, "build")
    for p in (os.path.join(build, "lambda", "pipeline.zip"),
              os.path.join(ROOT, "build", "lambda", "pipeline.zip")):
        if os.path.exists(p):
            return p
    raise unittest.SkipTest("needs build/lambda/pipeline.zip: run `make lambda-zip`")


class TestTerraform(unittest.TestCase):
    def setUp(self):
        if not shutil.which("terraform"):
            raise unittest.SkipTest("needs terraform on PATH: not installed")
        self.zip = zip_path()
        self.dir = tempfile.mkdtemp(prefix="imgpipe-tf-")
        for part in ("modules", "local"):
            shutil.copytree(os.path.join(ROOT, "infra", part), os.path.join(self.dir, part),
                            ignore=shutil.ignore_patterns(".terraform", "*.tfstate*", ".terraform.lock.hcl"))
        shutil.copy(os.path.join(ROOT, "infra", "tf.sh"), self.dir)
        init = self.tf("init")
        if init.returncode == 3:
            shutil.rmtree(self.dir, ignore_errors=True)
            raise unittest.SkipTest("terraform-provider-aws not found: " + init.stderr.strip())
        self.assertEqual(init.returncode, 0, init.stdout + init.stderr)
        self.emu = Emulator().start()
        self.vars = ["-var", "endpoint=" + self.emu.endpoint, "-var", "lambda_zip=" + self.zip,
                     "-var", "redis_url=redis://127.0.0.1:%d" % self.emu.redis_port]

    def tearDown(self):
        rc = self.emu.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
        self.assertEqual(rc, 0, "emulator exit code")

    def tf(self, *args, timeout=600):
        env = dict(os.environ, AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null",
                   AWS_EC2_METADATA_DISABLED="true")
        for k in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            env.pop(k, None)
        return subprocess.run(["sh", os.path.join(self.dir, "tf.sh"), "local"] + list(args),
                              capture_output=True, text=True, timeout=timeout, env=env)

    def run_ok(self, *args):
        out = self.tf(*args)
        self.assertEqual(out.returncode, 0, "terraform %s:\n%s%s" % (args[0], out.stdout[-4000:],
                                                                      out.stderr[-4000:]))
        return out

    def test_storage_and_messaging_subset(self):
        targets = ["-target=" + t for t in SUBSET]
        self.run_ok("apply", "-auto-approve", "-no-color", "-input=false", *(self.vars + targets))
        ddb = boto3_client(self.emu, "dynamodb")
        t = ddb.describe_table(TableName="imgpipe-images")["Table"]
        self.assertEqual(t["KeySchema"], [{"AttributeName": "image_id", "KeyType": "HASH"}])
        gsi = t["GlobalSecondaryIndexes"][0]
        self.assertEqual(gsi["IndexName"], "status-created_at-index")
        self.assertEqual([k["AttributeName"] for k in gsi["KeySchema"]], ["status", "created_at"])
        s3 = boto3_client(self.emu, "s3")
        names = {b["Name"] for b in s3.list_buckets()["Buckets"]}
        self.assertTrue({"imgpipe-uploads", "imgpipe-processed"} <= names)
        plan = self.tf("plan", "-detailed-exitcode", "-no-color", "-input=false", *(self.vars + targets))
        self.assertEqual(plan.returncode, 0, "second plan shows no changes:\n" + plan.stdout[-4000:])
        self.run_ok("destroy", "-auto-approve", "-no-color", "-input=false", *self.vars)
        names = {b["Name"] for b in s3.list_buckets()["Buckets"]}
        self.assertFalse({"imgpipe-uploads", "imgpipe-processed"} & names)
        self.assertNotIn("imgpipe-images", ddb.list_tables()["TableNames"])

    def test_full_stack(self):
        out = self.tf("apply", "-auto-approve", "-no-color", "-input=false", *self.vars)
        if out.returncode != 0:
            text = out.stdout + out.stderr
            missing = sorted(set(re.findall(r"NotImplemented: service '([^']+)'", text)))
            ops = sorted(set(re.findall(r"operation error ([\w ]+): (\w+), https response error "
                                        r"StatusCode: 501", text)))
            cleanup = self.tf("destroy", "-auto-approve", "-no-color", "-input=false", *self.vars)
            self.assertEqual(cleanup.returncode, 0, "destroy after a partial apply:\n" +
                             cleanup.stdout[-3000:] + cleanup.stderr[-3000:])
            if missing or ops:
                raise unittest.SkipTest(
                    "the emulator answers NotImplemented for services the stack needs: %s (%s); "
                    "what was created was destroyed again" % (
                        ", ".join(missing), ", ".join("%s %s" % o for o in ops)))
            self.fail("terraform apply:\n" + text[-6000:])
        plan = self.tf("plan", "-detailed-exitcode", "-no-color", "-input=false", *self.vars)
        self.assertEqual(plan.returncode, 0, "second plan shows no changes:\n" + plan.stdout[-4000:])
        # the deployed stack works: an upload becomes an item
        s3 = boto3_client(self.emu, "s3")
        with open(os.path.join(ROOT, "fixtures", "images", "photoshop_iptc_icc.jpg"), "rb") as f:
            s3.put_object(Bucket="imgpipe-uploads", Key="uploads/tf1.jpg", Body=f.read())
        ddb = boto3_client(self.emu, "dynamodb")
        deadline = time.monotonic() + 60
        item = None
        while time.monotonic() < deadline and not item:
            item = ddb.get_item(TableName="imgpipe-images", Key={"image_id": {"S": "tf1"}}).get("Item")
            time.sleep(0.3)
        self.assertIsNotNone(item, "the Terraform-made stack processed an upload")
        self.assertEqual(item["status"]["S"], "processed", json.dumps(item))
        self.run_ok("destroy", "-auto-approve", "-no-color", "-input=false", *self.vars)


if __name__ == "__main__":
    unittest.main()

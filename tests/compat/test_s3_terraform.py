"""S3 through Terraform's AWS provider (the calls it makes for
aws_s3_bucket and its satellite resources): apply, a second plan that
must be empty, an upload that the notification turns into an event, and
destroy with force_destroy.  Skips when terraform or the provider
plugin (infra/tf.sh's plugin directories) is missing."""
import glob
import json
import os
import shutil
import subprocess
import tempfile
import unittest

from emu import Emulator

CONFIG = """
terraform {
  required_providers { aws = { source = "hashicorp/aws" } }
}
provider "aws" {
  access_key                  = "test"
  secret_key                  = "test"
  region                      = "us-east-1"
  s3_use_path_style           = true
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_requesting_account_id  = true
  endpoints {
    s3  = "%(endpoint)s"
    sts = "%(endpoint)s"
  }
}
resource "aws_s3_bucket" "uploads" {
  bucket        = "imgpipe-uploads"
  force_destroy = true
}
resource "aws_s3_bucket" "processed" {
  bucket = "imgpipe-processed"
  tags   = { env = "dev" }
}
resource "aws_s3_bucket_versioning" "processed" {
  bucket = aws_s3_bucket.processed.id
  versioning_configuration { status = "Enabled" }
}
resource "aws_s3_bucket_cors_configuration" "uploads" {
  bucket = aws_s3_bucket.uploads.id
  cors_rule {
    allowed_methods = ["PUT", "GET"]
    allowed_origins = ["*"]
    allowed_headers = ["*"]
    max_age_seconds = 300
  }
}
resource "aws_s3_bucket_public_access_block" "processed" {
  bucket                  = aws_s3_bucket.processed.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}
resource "aws_s3_bucket_notification" "uploads" {
  bucket = aws_s3_bucket.uploads.id
  lambda_function {
    lambda_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:imgpipe-processor"
    events              = ["s3:ObjectCreated:*"]
    filter_prefix       = "uploads/"
  }
}
"""


def plugin_dir():
    candidates = [os.environ.get("TF_PLUGIN_DIR"), "/opt/tf-plugins",
                  os.path.expanduser("~/.terraform.d/plugins"),
                  os.path.expanduser("~/.local/share/terraform/plugins")]
    for d in candidates:
        if d and glob.glob(os.path.join(d, "registry.terraform.io/hashicorp/aws/*/*/terraform-provider-aws*")):
            return d
    return None


class TestTerraformS3(unittest.TestCase):
    def setUp(self):
        if not shutil.which("terraform"):
            raise unittest.SkipTest("needs terraform on PATH: not installed")
        self.plugins = plugin_dir()
        if not self.plugins:
            raise unittest.SkipTest("needs the hashicorp/aws provider in a local plugin directory")
        self.emu = Emulator().start()
        self.dir = tempfile.mkdtemp(prefix="tf-s3-")
        with open(os.path.join(self.dir, "main.tf"), "w") as f:
            f.write(CONFIG % {"endpoint": self.emu.endpoint})

    def tearDown(self):
        self.emu.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def tf(self, *args, check=True):
        env = dict(os.environ, TF_IN_AUTOMATION="1", CHECKPOINT_DISABLE="1",
                   AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null")
        out = subprocess.run(["terraform"] + list(args) + ["-no-color"], cwd=self.dir,
                             capture_output=True, text=True, env=env, timeout=600)
        if check and out.returncode != 0:
            raise AssertionError("terraform %s failed (%d):\n%s%s" % (
                args[0], out.returncode, out.stdout[-3000:], out.stderr[-3000:]))
        return out

    def test_apply_plan_destroy(self):
        self.tf("init", "-plugin-dir=" + self.plugins, "-input=false")
        self.tf("apply", "-auto-approve", "-input=false")
        plan = self.tf("plan", "-detailed-exitcode", "-input=false", check=False)
        self.assertEqual(plan.returncode, 0, plan.stdout[-3000:])
        st, _, body = self.emu.http("GET", "/imgpipe-uploads?notification=")
        self.assertIn(b"<CloudFunction>arn:aws:lambda:us-east-1:123456789012:function:imgpipe-processor"
                      b"</CloudFunction>", body)
        self.assertEqual(self.emu.http("PUT", "/imgpipe-uploads/uploads/a.jpg", b"img")[0], 200)
        self.assertEqual(self.emu.http("PUT", "/imgpipe-uploads/other/b.jpg", b"img")[0], 200)
        st, _, body = self.emu.http("GET", "/_emulator/resources")
        recs = [r for r in json.loads(body)["s3"]["events"]["records"] if r["bucket"] == "imgpipe-uploads"]
        self.assertEqual([r["payload"]["Records"][0]["s3"]["object"]["key"] for r in recs], ["uploads/a.jpg"])
        self.tf("destroy", "-auto-approve", "-input=false")
        self.assertEqual(self.emu.http("HEAD", "/imgpipe-uploads")[0], 404)
        self.assertEqual(self.emu.http("HEAD", "/imgpipe-processed")[0], 404)


if __name__ == "__main__":
    unittest.main()

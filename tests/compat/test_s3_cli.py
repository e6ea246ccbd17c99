"""S3 through the aws cli: the high-level `s3` commands (mb, cp, mv,
sync, ls, rm, presign, rb) and `s3api` for the bucket sub-resources and
object operations, with --auth off and with real SigV4 checking."""
import json
import os
import shutil
import tempfile
import unittest
import urllib.request

from clients import aws
from emu import Emulator


class CliCase(unittest.TestCase):
    ARGS = []

    @classmethod
    def setUpClass(cls):
        cls.emu = Emulator(args=cls.ARGS).start()
        cls.tmp = tempfile.mkdtemp(prefix="s3cli-")

    @classmethod
    def tearDownClass(cls):
        rc = cls.emu.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)
        logs = cls.emu.logs()
        if rc != 0 or "Sanitizer" in logs or "runtime error" in logs:
            raise AssertionError("emulator exited %s:\n%s" % (rc, logs[-4000:]))

    def api(self, *args):
        out = aws(self.emu, "s3api", *args)
        return json.loads(out.stdout) if out.stdout.strip() else {}


class TestS3Commands(CliCase):
    def test_cp_ls_mv_rm_sync(self):
        aws(self.emu, "s3", "mb", "s3://cli-bucket")
        src = os.path.join(self.tmp, "dir")
        os.makedirs(os.path.join(src, "sub"))
        files = {"a.txt": b"alpha", "sub/b c.bin": os.urandom(9 * 1024 * 1024),
                 "sub/ünï+.txt": b"unicode"}
        for name, data in files.items():
            with open(os.path.join(src, name), "wb") as f:
                f.write(data)
        aws(self.emu, "s3", "sync", src, "s3://cli-bucket/tree")
        out = aws(self.emu, "s3", "ls", "--recursive", "s3://cli-bucket/tree/").stdout
        for name in files:
            self.assertIn("tree/" + name, out)
        dst = os.path.join(self.tmp, "back")
        aws(self.emu, "s3", "sync", "s3://cli-bucket/tree", dst)
        for name, data in files.items():
            with open(os.path.join(dst, name), "rb") as f:
                self.assertEqual(f.read(), data, name)
        # a second sync has nothing to do
        out = aws(self.emu, "s3", "sync", src, "s3://cli-bucket/tree").stdout
        self.assertEqual(out.strip(), "")
        aws(self.emu, "s3", "mv", "s3://cli-bucket/tree/a.txt", "s3://cli-bucket/moved.txt")
        out = aws(self.emu, "s3", "cp", "s3://cli-bucket/moved.txt", "-").stdout
        self.assertEqual(out, "alpha")
        out = aws(self.emu, "s3", "ls", "s3://cli-bucket/").stdout
        self.assertIn("PRE tree/", out)
        self.assertIn("moved.txt", out)
        url = aws(self.emu, "s3", "presign", "s3://cli-bucket/moved.txt").stdout.strip()
        self.assertEqual(urllib.request.urlopen(url).read(), b"alpha")
        aws(self.emu, "s3", "rm", "--recursive", "s3://cli-bucket/")
        self.assertEqual(aws(self.emu, "s3", "ls", "s3://cli-bucket/").stdout.strip(), "")
        aws(self.emu, "s3", "rb", "s3://cli-bucket")
        self.assertNotIn("cli-bucket", aws(self.emu, "s3", "ls").stdout)

    def test_rb_force_and_errors(self):
        aws(self.emu, "s3", "mb", "s3://cli-force")
        src = os.path.join(self.tmp, "one.txt")
        with open(src, "w") as f:
            f.write("x")
        aws(self.emu, "s3", "cp", src, "s3://cli-force/one.txt")
        out = aws(self.emu, "s3", "rb", "s3://cli-force", check=False)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("BucketNotEmpty", out.stderr)
        aws(self.emu, "s3", "rb", "--force", "s3://cli-force")
        out = aws(self.emu, "s3api", "head-bucket", "--bucket", "cli-force", check=False)
        self.assertIn("404", out.stderr)


class TestS3Api(CliCase):
    def test_bucket_subresources(self):
        self.api("create-bucket", "--bucket", "cli-api")
        self.api("put-bucket-versioning", "--bucket", "cli-api",
                 "--versioning-configuration", "Status=Enabled")
        self.assertEqual(self.api("get-bucket-versioning", "--bucket", "cli-api")["Status"], "Enabled")
        self.api("put-bucket-tagging", "--bucket", "cli-api",
                 "--tagging", "TagSet=[{Key=env,Value=dev}]")
        self.assertEqual(self.api("get-bucket-tagging", "--bucket", "cli-api")["TagSet"],
                         [{"Key": "env", "Value": "dev"}])
        policy = json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::cli-api/*"}]})
        self.api("put-bucket-policy", "--bucket", "cli-api", "--policy", policy)
        self.assertEqual(json.loads(self.api("get-bucket-policy", "--bucket", "cli-api")["Policy"]),
                         json.loads(policy))
        self.api("put-bucket-cors", "--bucket", "cli-api", "--cors-configuration",
                 json.dumps({"CORSRules": [{"AllowedOrigins": ["*"], "AllowedMethods": ["GET"]}]}))
        self.assertEqual(self.api("get-bucket-cors", "--bucket", "cli-api")["CORSRules"][0]["AllowedMethods"],
                         ["GET"])
        self.api("put-public-access-block", "--bucket", "cli-api", "--public-access-block-configuration",
                 "BlockPublicAcls=false,IgnorePublicAcls=false,BlockPublicPolicy=false,RestrictPublicBuckets=false")
        pab = self.api("get-public-access-block", "--bucket", "cli-api")
        self.assertFalse(pab["PublicAccessBlockConfiguration"]["BlockPublicAcls"])
        self.api("put-bucket-ownership-controls", "--bucket", "cli-api", "--ownership-controls",
                 "Rules=[{ObjectOwnership=BucketOwnerPreferred}]")
        oc = self.api("get-bucket-ownership-controls", "--bucket", "cli-api")
        self.assertEqual(oc["OwnershipControls"]["Rules"][0]["ObjectOwnership"], "BucketOwnerPreferred")
        self.api("put-bucket-encryption", "--bucket", "cli-api", "--server-side-encryption-configuration",
                 json.dumps({"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]}))
        enc = self.api("get-bucket-encryption", "--bucket", "cli-api")
        self.assertEqual(enc["ServerSideEncryptionConfiguration"]["Rules"][0]
                         ["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"], "aws:kms")
        self.api("put-bucket-lifecycle-configuration", "--bucket", "cli-api", "--lifecycle-configuration",
                 json.dumps({"Rules": [{"ID": "expire", "Status": "Enabled", "Filter": {"Prefix": "tmp/"},
                                        "Expiration": {"Days": 1}}]}))
        lc = self.api("get-bucket-lifecycle-configuration", "--bucket", "cli-api")
        self.assertEqual(lc["Rules"][0]["ID"], "expire")
        self.api("delete-bucket-cors", "--bucket", "cli-api")
        out = aws(self.emu, "s3api", "get-bucket-cors", "--bucket", "cli-api", check=False)
        self.assertIn("NoSuchCORSConfiguration", out.stderr)
        self.assertEqual(self.api("get-bucket-location", "--bucket", "cli-api")["LocationConstraint"], None)

    def test_object_operations(self):
        self.api("create-bucket", "--bucket", "cli-obj")
        body = os.path.join(self.tmp, "body.txt")
        with open(body, "w") as f:
            f.write("hello world")
        put = self.api("put-object", "--bucket", "cli-obj", "--key", "k", "--body", body,
                       "--metadata", "owner=ada", "--content-type", "text/plain",
                       "--checksum-algorithm", "SHA256", "--tagging", "t=1")
        self.assertIn("ChecksumSHA256", put)
        head = self.api("head-object", "--bucket", "cli-obj", "--key", "k", "--checksum-mode", "ENABLED")
        self.assertEqual(head["Metadata"], {"owner": "ada"})
        self.assertEqual(head["ChecksumSHA256"], put["ChecksumSHA256"])
        out = os.path.join(self.tmp, "out.txt")
        got = self.api("get-object", "--bucket", "cli-obj", "--key", "k", "--range", "bytes=0-4", out)
        self.assertEqual(got["ContentRange"], "bytes 0-4/11")
        with open(out) as f:
            self.assertEqual(f.read(), "hello")
        self.assertEqual(self.api("get-object-tagging", "--bucket", "cli-obj", "--key", "k")["TagSet"],
                         [{"Key": "t", "Value": "1"}])
        self.api("copy-object", "--bucket", "cli-obj", "--key", "k2", "--copy-source", "cli-obj/k")
        attrs = self.api("get-object-attributes", "--bucket", "cli-obj", "--key", "k2",
                         "--object-attributes", "ObjectSize", "ETag")
        self.assertEqual(attrs["ObjectSize"], 11)
        listed = self.api("list-objects-v2", "--bucket", "cli-obj")
        self.assertEqual([o["Key"] for o in listed["Contents"]], ["k", "k2"])
        versions = self.api("list-object-versions", "--bucket", "cli-obj")
        self.assertEqual([v["VersionId"] for v in versions["Versions"]], ["null", "null"])
        deleted = self.api("delete-objects", "--bucket", "cli-obj", "--delete",
                           "Objects=[{Key=k},{Key=k2}]")
        self.assertEqual(sorted(d["Key"] for d in deleted["Deleted"]), ["k", "k2"])
        out = aws(self.emu, "s3api", "get-object", "--bucket", "cli-obj", "--key", "k", out, check=False)
        self.assertIn("NoSuchKey", out.stderr)

    def test_multipart_by_hand(self):
        self.api("create-bucket", "--bucket", "cli-mpu")
        up = self.api("create-multipart-upload", "--bucket", "cli-mpu", "--key", "m")
        part = os.path.join(self.tmp, "part")
        with open(part, "wb") as f:
            f.write(b"p" * (5 * 1024 * 1024))
        e1 = self.api("upload-part", "--bucket", "cli-mpu", "--key", "m", "--part-number", "1",
                      "--upload-id", up["UploadId"], "--body", part)["ETag"]
        parts = self.api("list-parts", "--bucket", "cli-mpu", "--key", "m", "--upload-id", up["UploadId"])
        self.assertEqual(parts["Parts"][0]["Size"], 5 * 1024 * 1024)
        done = self.api("complete-multipart-upload", "--bucket", "cli-mpu", "--key", "m",
                        "--upload-id", up["UploadId"], "--multipart-upload",
                        json.dumps({"Parts": [{"PartNumber": 1, "ETag": e1}]}))
        self.assertTrue(done["ETag"].endswith('-1"'))
        self.assertEqual(self.api("list-multipart-uploads", "--bucket", "cli-mpu").get("Uploads"), None)

    def test_notification_configuration(self):
        self.api("create-bucket", "--bucket", "cli-notif")
        cfg = {"LambdaFunctionConfigurations": [{
            "Id": "proc", "LambdaFunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:p",
            "Events": ["s3:ObjectCreated:*"],
            "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "uploads/"},
                                               {"Name": "suffix", "Value": ".jpg"}]}}}]}
        self.api("put-bucket-notification-configuration", "--bucket", "cli-notif",
                 "--notification-configuration", json.dumps(cfg))
        got = self.api("get-bucket-notification-configuration", "--bucket", "cli-notif")
        conf = got["LambdaFunctionConfigurations"][0]
        self.assertEqual(conf["Id"], "proc")
        self.assertEqual(sorted((r["Name"], r["Value"]) for r in conf["Filter"]["Key"]["FilterRules"]),
                         [("Prefix", "uploads/"), ("Suffix", ".jpg")])


class TestS3CommandsSigV4(CliCase):
    ARGS = ["--auth", "sigv4", "--access-key", "test", "--secret-key", "test"]

    def test_signed_requests_and_wrong_secret(self):
        aws(self.emu, "s3", "mb", "s3://cli-signed")
        src = os.path.join(self.tmp, "signed.bin")
        with open(src, "wb") as f:
            f.write(os.urandom(7 * 1024 * 1024))
        aws(self.emu, "s3", "cp", src, "s3://cli-signed/x.bin")
        dst = os.path.join(self.tmp, "signed.out")
        aws(self.emu, "s3", "cp", "s3://cli-signed/x.bin", dst)
        with open(src, "rb") as a, open(dst, "rb") as b:
            self.assertEqual(a.read(), b.read())
        url = aws(self.emu, "s3", "presign", "s3://cli-signed/x.bin", "--expires-in", "60").stdout.strip()
        self.assertEqual(len(urllib.request.urlopen(url).read()), 7 * 1024 * 1024)
        out = aws(self.emu, "s3", "ls", "s3://cli-signed", secret="wrong", check=False)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("SignatureDoesNotMatch", out.stderr)


if __name__ == "__main__":
    unittest.main()

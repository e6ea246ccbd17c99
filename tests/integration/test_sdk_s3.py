"""The sdk's S3 client (sdk/aws_s3.c) through the driver program, against
moto_server and against the emulator: put/get from memory and files,
head, delete, ListObjectsV2 pagination and prefixes, presigned URLs,
conditional create, and the AWS error codes surfaced to callers."""
import base64
import hashlib
import os
import tempfile
import unittest
import urllib.error
import urllib.request

from sdk_support import OnEmulator, OnMoto, boto3_client, drive, sdk_env, skip_if_missing


class S3Cases:
    """Cases run against each server; subclasses set cls.endpoint."""
    bucket = "sdk-s3-tests"

    @classmethod
    def make_bucket(cls):
        s3 = boto3_client(cls.endpoint, "s3")
        try:
            s3.create_bucket(Bucket=cls.bucket)
        except Exception as e:  # the emulator may not have S3 yet
            code = getattr(e, "response", {}).get("Error", {}).get("Code")
            if code in ("NotImplemented", "UnknownOperationException"):
                raise unittest.SkipTest("emulator has no S3 CreateBucket yet")
            raise
        cls.s3 = s3

    prepare = make_bucket

    def run_sdk(self, *args, **env):
        return drive(sdk_env(self.endpoint, **env), *args)

    def test_put_get_head_delete(self):
        key = "dir one/ünï+cöde & ~x.txt"
        r = self.run_sdk("s3-put", self.bucket, key, "hello sdk", "text/plain",
                         "public, max-age=31536000, immutable")
        self.assertTrue(r["ok"], r)
        self.assertEqual(r["etag"], '"%s"' % hashlib.md5(b"hello sdk").hexdigest())
        self.assertEqual(r["size"], 9)
        # what boto3 sees is what was sent
        h = self.s3.head_object(Bucket=self.bucket, Key=key)
        self.assertEqual(h["ContentType"], "text/plain")
        self.assertEqual(h["CacheControl"], "public, max-age=31536000, immutable")
        self.assertEqual(h["Metadata"], {"origin": "sdk-driver"})
        r = self.run_sdk("s3-get", self.bucket, key)
        self.assertTrue(r["ok"], r)
        self.assertEqual(base64.b64decode(r["body_b64"]), b"hello sdk")
        self.assertEqual(r["content_type"], "text/plain")
        self.assertEqual(r["cache_control"], "public, max-age=31536000, immutable")
        r = self.run_sdk("s3-head", self.bucket, key)
        self.assertTrue(r["ok"], r)
        self.assertEqual(r["size"], 9)
        self.assertRegex(r["last_modified"], r"^\w{3}, \d\d \w{3} \d{4} ")
        r = self.run_sdk("s3-delete", self.bucket, key)
        self.assertTrue(r["ok"], r)
        r = self.run_sdk("s3-head", self.bucket, key)
        self.assertEqual((r["ok"], r["code"], r["status"], r["exit"]), (False, "NotFound", 404, 1))

    def test_file_round_trip_streams_large_body(self):
        data = os.urandom(3 * 1024 * 1024 + 17)  # above the 100-continue threshold
        with tempfile.TemporaryDirectory() as d:
            src, dst = os.path.join(d, "src.bin"), os.path.join(d, "out", "dst.bin")
            os.mkdir(os.path.dirname(dst))
            with open(src, "wb") as f:
                f.write(data)
            r = self.run_sdk("s3-put-file", self.bucket, "big.bin", src, "application/octet-stream")
            self.assertTrue(r["ok"], r)
            self.assertEqual(r["size"], len(data))
            got = self.s3.get_object(Bucket=self.bucket, Key="big.bin")["Body"].read()
            self.assertEqual(hashlib.sha256(got).hexdigest(), hashlib.sha256(data).hexdigest())
            r = self.run_sdk("s3-get-file", self.bucket, "big.bin", dst)
            self.assertTrue(r["ok"], r)
            with open(dst, "rb") as f:
                self.assertEqual(f.read(), data)
            self.assertEqual(os.listdir(os.path.dirname(dst)), ["dst.bin"])  # no temp left
            # a failed download leaves nothing behind, not even a temp file
            r = self.run_sdk("s3-get-file", self.bucket, "nope.bin", os.path.join(d, "out", "n"))
            self.assertEqual((r["ok"], r["code"]), (False, "NoSuchKey"))
            self.assertEqual(os.listdir(os.path.dirname(dst)), ["dst.bin"])

    def test_empty_object(self):
        r = self.run_sdk("s3-put", self.bucket, "empty", "")
        self.assertTrue(r["ok"], r)
        r = self.run_sdk("s3-get", self.bucket, "empty")
        self.assertEqual((r["ok"], r["length"]), (True, 0))

    def test_errors_carry_code_message_request_id(self):
        r = self.run_sdk("s3-get", self.bucket, "missing-key")
        self.assertEqual((r["ok"], r["code"], r["status"]), (False, "NoSuchKey", 404))
        self.assertEqual(r["message"], "The specified key does not exist.")
        self.assertTrue(r["request_id"])
        r = self.run_sdk("s3-get", "sdk-no-such-bucket", "k")
        self.assertEqual((r["code"], r["status"]), ("NoSuchBucket", 404))
        self.assertEqual(r["message"], "The specified bucket does not exist")
        # a body larger than the caller's limit is refused, not truncated
        self.run_sdk("s3-put", self.bucket, "ten", "0123456789")
        r = self.run_sdk("s3-get", self.bucket, "ten", 4)
        self.assertEqual((r["ok"], r["code"]), (False, "ClientError"))

    def test_conditional_create(self):
        r = self.run_sdk("s3-put-new", self.bucket, "once", "first")
        skip_if_missing(r, "If-None-Match on PutObject")
        self.assertTrue(r["ok"], r)
        r = self.run_sdk("s3-put-new", self.bucket, "once", "second")
        self.assertEqual((r["ok"], r["code"], r["status"]), (False, "PreconditionFailed", 412))
        body = self.s3.get_object(Bucket=self.bucket, Key="once")["Body"].read()
        self.assertEqual(body, b"first")

    def test_list_prefix_delimiter_pagination(self):
        keys = ["list/a/1", "list/a/2", "list/b", "list/c d", "list/e+f", "other"]
        for k in keys:
            self.assertTrue(self.run_sdk("s3-put", self.bucket, k, "x")["ok"])
        seen, token = [], None
        for _ in range(10):
            args = ["s3-list", self.bucket, "list/", "-", 2] + ([token] if token else [])
            r = self.run_sdk(*args)
            self.assertTrue(r["ok"], r)
            self.assertLessEqual(len(r["keys"]), 2)
            seen += r["keys"]
            token = r.get("next_token")
            if not r["truncated"]:
                break
            self.assertTrue(token)
        self.assertEqual(seen, sorted(k for k in keys if k.startswith("list/")))
        r = self.run_sdk("s3-list", self.bucket, "list/", "/")
        self.assertEqual(r["keys"], ["list/b", "list/c d", "list/e+f"])
        self.assertEqual(r["prefixes"], ["list/a/"])
        self.assertEqual(r["sizes"], [1, 1, 1])

    def test_presigned_urls(self):
        self.run_sdk("s3-put", self.bucket, "pre/signed key.txt", "presigned body")
        r = self.run_sdk("s3-presign", "GET", self.bucket, "pre/signed key.txt", 300)
        self.assertTrue(r["ok"], r)
        self.assertIn("X-Amz-Signature=", r["url"])
        self.assertIn("X-Amz-Expires=300", r["url"])
        with urllib.request.urlopen(r["url"], timeout=10) as resp:
            self.assertEqual(resp.read(), b"presigned body")
        r = self.run_sdk("s3-presign", "PUT", self.bucket, "pre/put.txt", 300)
        req = urllib.request.Request(r["url"], data=b"via presigned put", method="PUT",
                                     headers={"Content-Type": "application/octet-stream"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            self.assertEqual(resp.status, 200)
        body = self.s3.get_object(Bucket=self.bucket, Key="pre/put.txt")["Body"].read()
        self.assertEqual(body, b"via presigned put")
        r = self.run_sdk("s3-presign", "GET", self.bucket, "k", 604801)
        self.assertEqual((r["ok"], r["code"]), (False, "InvalidParameter"))


class TestS3Moto(OnMoto, S3Cases, unittest.TestCase):
    pass


class TestS3Emulator(OnEmulator, S3Cases, unittest.TestCase):
    pass


if __name__ == "__main__":
    unittest.main()

"""imgctl (sdk/imgctl.c), the CLI over the sdk, against moto_server and
the emulator with the local stack's names: upload puts the file at
uploads/{id}.{ext} with its Content-Type; get/wait read the item (exit
codes for processed, failed and timeout); download and url fetch a
variant named in the item; ls lists the uploads."""
import os
import subprocess
import tempfile
import unittest
import urllib.request

from sdk_support import OnEmulator, OnMoto, boto3_client, program, sdk_env

JPEG = b"\xff\xd8\xff\xe0" + os.urandom(2048) + b"\xff\xd9"


class ImgctlCases:
    @classmethod
    def make_stack(cls):
        cls.s3 = boto3_client(cls.endpoint, "s3")
        cls.ddb = boto3_client(cls.endpoint, "dynamodb")
        for b in ("imgpipe-uploads", "imgpipe-processed"):
            cls.s3.create_bucket(Bucket=b)
        try:
            cls.ddb.create_table(
                TableName="imgpipe-images", BillingMode="PAY_PER_REQUEST",
                AttributeDefinitions=[{"AttributeName": "image_id", "AttributeType": "S"}],
                KeySchema=[{"AttributeName": "image_id", "KeyType": "HASH"}])
        except Exception as e:
            code = getattr(e, "response", {}).get("Error", {}).get("Code")
            if code in ("NotImplemented", "UnknownOperationException"):
                raise unittest.SkipTest("emulator has no DynamoDB yet (%s)" % code)
            raise

    prepare = make_stack

    def ctl(self, *args):
        return subprocess.run([program("bin/imgctl")] + list(args), capture_output=True,
                              text=True, env=sdk_env(self.endpoint), timeout=60)

    def put_item(self, image_id, status):
        self.ddb.put_item(TableName="imgpipe-images", Item={
            "image_id": {"S": image_id}, "status": {"S": status}, "width": {"N": "640"},
            "variants": {"M": {"thumb": {"M": {
                "key": {"S": "%s/thumb.jpg" % image_id}, "width": {"N": "200"}}}}}})

    def test_upload_get_wait_download(self):
        with tempfile.TemporaryDirectory() as d:
            src = os.path.join(d, "Photo.JPG")
            with open(src, "wb") as f:
                f.write(JPEG)
            out = self.ctl("upload", src)
            self.assertEqual(out.returncode, 0, out.stderr)
            image_id = out.stdout.split()[0]
            self.assertRegex(image_id, r"^[0-9a-f]{32}$")
            obj = self.s3.get_object(Bucket="imgpipe-uploads", Key="uploads/%s.jpg" % image_id)
            self.assertEqual(obj["ContentType"], "image/jpeg")
            self.assertEqual(obj["Body"].read(), JPEG)
            out = self.ctl("upload", src, "--id", "chosen-id_1")
            self.assertEqual(out.returncode, 0, out.stderr)
            self.assertEqual(out.stdout.split()[0], "chosen-id_1")
            self.assertEqual(self.ctl("upload", src, "--id", "../x").returncode, 2)

            out = self.ctl("get", image_id)
            self.assertEqual(out.returncode, 1)
            self.assertIn("no item for image_id", out.stderr)
            out = self.ctl("wait", image_id, "--timeout", "0.5")
            self.assertEqual(out.returncode, 3, out.stderr)

            self.put_item(image_id, "processed")
            self.s3.put_object(Bucket="imgpipe-processed", Key="%s/thumb.jpg" % image_id,
                               Body=b"thumb-bytes", ContentType="image/jpeg")
            out = self.ctl("wait", image_id, "--timeout", "5")
            self.assertEqual(out.returncode, 0, out.stderr)
            self.assertIn('"status":\t"processed"', out.stdout)
            self.assertIn('"width":\t640', out.stdout)
            dst = os.path.join(d, "t.jpg")
            out = self.ctl("download", image_id, "thumb", "-o", dst)
            self.assertEqual(out.returncode, 0, out.stderr)
            with open(dst, "rb") as f:
                self.assertEqual(f.read(), b"thumb-bytes")
            out = self.ctl("url", image_id, "thumb", "--expires", "60")
            self.assertEqual(out.returncode, 0, out.stderr)
            with urllib.request.urlopen(out.stdout.strip(), timeout=10) as r:
                self.assertEqual(r.read(), b"thumb-bytes")
            out = self.ctl("download", image_id, "huge")
            self.assertEqual(out.returncode, 1)
            self.assertIn("no variant 'huge'", out.stderr)
            out = self.ctl("ls")
            self.assertIn("uploads/%s.jpg" % image_id, out.stdout)

    def test_failed_image_exit_code(self):
        self.put_item("bad-1", "failed")
        out = self.ctl("wait", "bad-1", "--timeout", "5")
        self.assertEqual(out.returncode, 1)
        self.assertIn('"failed"', out.stdout)

    def test_usage_and_errors(self):
        self.assertEqual(self.ctl().returncode, 2)
        self.assertEqual(self.ctl("frobnicate").returncode, 2)
        out = self.ctl("upload", "/nonexistent/file.png")
        self.assertEqual(out.returncode, 1)
        self.assertIn("ClientError", out.stderr)


class TestImgctlMoto(OnMoto, ImgctlCases, unittest.TestCase):
    pass


class TestImgctlEmulator(OnEmulator, ImgctlCases, unittest.TestCase):
    pass


if __name__ == "__main__":
    unittest.main()

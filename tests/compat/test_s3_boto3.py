"""S3 through boto3: managed transfers (upload_file / download_file with
multipart and the SDK's default CRC checksums sent as aws-chunked
trailers), paginators, presigned GET/PUT/HEAD URLs used with plain HTTP,
presigned expiry, virtual-hosted addressing, and the same with real
SigV4 checking (signed streaming chunks)."""
import hashlib
import os
import shutil
import tempfile
import time
import unittest
import urllib.error
import urllib.request

from clients import boto3_client, need_boto3
from emu import Emulator


class Boto3Case(unittest.TestCase):
    ARGS = []

    @classmethod
    def setUpClass(cls):
        need_boto3()
        cls.emu = Emulator(args=cls.ARGS).start()
        cls.s3 = boto3_client(cls.emu, "s3")
        cls.tmp = tempfile.mkdtemp(prefix="s3boto-")

    @classmethod
    def tearDownClass(cls):
        rc = cls.emu.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)
        logs = cls.emu.logs()
        if rc != 0 or "Sanitizer" in logs or "runtime error" in logs:
            raise AssertionError("emulator exited %s:\n%s" % (rc, logs[-4000:]))


class TestTransfers(Boto3Case):
    def transfer(self, bucket, size, threshold):
        from boto3.s3.transfer import TransferConfig
        cfg = TransferConfig(multipart_threshold=threshold, multipart_chunksize=threshold)
        src = os.path.join(self.tmp, "src-%d" % size)
        data = os.urandom(size)
        with open(src, "wb") as f:
            f.write(data)
        self.s3.upload_file(src, bucket, "obj-%d" % size, Config=cfg)
        dst = src + ".out"
        self.s3.download_file(bucket, "obj-%d" % size, dst, Config=cfg)
        with open(dst, "rb") as f:
            self.assertEqual(hashlib.sha256(f.read()).digest(), hashlib.sha256(data).digest())
        return self.s3.head_object(Bucket=bucket, Key="obj-%d" % size, ChecksumMode="ENABLED")

    def test_single_and_multipart(self):
        self.s3.create_bucket(Bucket="boto-xfer")
        head = self.transfer("boto-xfer", 100 * 1024, 8 * 1024 * 1024)
        self.assertTrue(any(k.startswith("Checksum") and k != "ChecksumType" for k in head))
        head = self.transfer("boto-xfer", 21 * 1024 * 1024 + 7, 8 * 1024 * 1024)
        self.assertTrue(head["ETag"].endswith('-3"'))
        self.assertEqual(head["ContentLength"], 21 * 1024 * 1024 + 7)

    def test_every_checksum_algorithm(self):
        self.s3.create_bucket(Bucket="boto-ck")
        for alg in ["CRC32", "CRC32C", "SHA1", "SHA256", "CRC64NVME"]:
            try:
                put = self.s3.put_object(Bucket="boto-ck", Key=alg, Body=b"data " * 1000,
                                         ChecksumAlgorithm=alg)
            except Exception as e:  # an SDK without that algorithm's library
                if "CRC32C" in alg or "CRC64" in alg:
                    if "MissingDependency" in type(e).__name__ or "awscrt" in str(e):
                        continue
                raise
            got = self.s3.get_object(Bucket="boto-ck", Key=alg, ChecksumMode="ENABLED")
            self.assertEqual(got["Body"].read(), b"data " * 1000)
            self.assertEqual(got["Checksum" + alg], put["Checksum" + alg], alg)

    def test_paginators(self):
        self.s3.create_bucket(Bucket="boto-pages")
        for i in range(37):
            self.s3.put_object(Bucket="boto-pages", Key="p/%03d" % i, Body=b"")
        for op in ["list_objects_v2", "list_objects", "list_object_versions"]:
            pages = self.s3.get_paginator(op).paginate(Bucket="boto-pages",
                                                        PaginationConfig={"PageSize": 10})
            keys = []
            for page in pages:
                keys += [o["Key"] for o in page.get("Contents", page.get("Versions", []))]
            self.assertEqual(keys, ["p/%03d" % i for i in range(37)], op)

    def test_presigned_urls(self):
        self.s3.create_bucket(Bucket="boto-presign")
        put = self.s3.generate_presigned_url("put_object", Params={"Bucket": "boto-presign", "Key": "up.jpg"},
                                             ExpiresIn=300)
        req = urllib.request.Request(put, data=b"jpeg bytes", method="PUT",
                                     headers={"Content-Type": ""})
        self.assertEqual(urllib.request.urlopen(req).status, 200)
        get = self.s3.generate_presigned_url("get_object", Params={"Bucket": "boto-presign", "Key": "up.jpg"})
        self.assertEqual(urllib.request.urlopen(get).read(), b"jpeg bytes")
        head = self.s3.generate_presigned_url("head_object", Params={"Bucket": "boto-presign", "Key": "up.jpg"})
        r = urllib.request.urlopen(urllib.request.Request(head, method="HEAD"))
        self.assertEqual(r.headers["Content-Length"], "10")
        expired = self.s3.generate_presigned_url("get_object", Params={"Bucket": "boto-presign", "Key": "up.jpg"},
                                                 ExpiresIn=1)
        time.sleep(2.1)
        with self.assertRaises(urllib.error.HTTPError) as cm:
            urllib.request.urlopen(expired)
        self.assertEqual(cm.exception.code, 403)
        self.assertIn(b"<Code>AccessDenied</Code>", cm.exception.read())

    def test_client_errors(self):
        from botocore.exceptions import ClientError
        with self.assertRaises(ClientError) as cm:
            self.s3.get_object(Bucket="boto-nobucket", Key="k")
        self.assertEqual(cm.exception.response["Error"]["Code"], "NoSuchBucket")
        self.s3.create_bucket(Bucket="boto-err")
        with self.assertRaises(self.s3.exceptions.NoSuchKey):
            self.s3.get_object(Bucket="boto-err", Key="missing")
        with self.assertRaises(ClientError) as cm:
            self.s3.create_bucket(Bucket="Bad_Name")
        self.assertEqual(cm.exception.response["Error"]["Code"], "InvalidBucketName")

    def test_virtual_hosted_client(self):
        """boto3 with addressing_style=virtual; *.s3.localhost is reached
        through the emulator itself as an HTTP proxy (absolute-form
        requests), so no resolver setup is needed."""
        from botocore.config import Config
        import boto3
        self.s3.create_bucket(Bucket="boto-vhost")
        vh = boto3.client("s3", endpoint_url="http://s3.localhost:%d" % self.emu.port,
                          region_name="us-east-1", aws_access_key_id="test",
                          aws_secret_access_key="test",
                          config=Config(s3={"addressing_style": "virtual"},
                                        proxies={"http": self.emu.endpoint},
                                        retries={"max_attempts": 1}))
        vh.put_object(Bucket="boto-vhost", Key="v/k", Body=b"virtual")
        self.assertEqual(self.s3.get_object(Bucket="boto-vhost", Key="v/k")["Body"].read(), b"virtual")
        self.assertEqual([o["Key"] for o in vh.list_objects_v2(Bucket="boto-vhost")["Contents"]], ["v/k"])
        self.assertEqual(vh.get_object(Bucket="boto-vhost", Key="v/k")["Body"].read(), b"virtual")


def post_form(url, fields, data, filename="pic.jpg"):
    boundary = "----boto3PostBoundary"
    body = b""
    for k, v in fields.items():
        body += ('--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
                 % (boundary, k, v)).encode()
    body += ('--%s\r\nContent-Disposition: form-data; name="file"; filename="%s"\r\n'
             'Content-Type: image/jpeg\r\n\r\n' % (boundary, filename)).encode()
    body += data + ("\r\n--%s--\r\n" % boundary).encode()
    req = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "multipart/form-data; boundary=" + boundary})
    return urllib.request.urlopen(req)


class TestPresignedPost(Boto3Case):
    def test_generate_presigned_post(self):
        self.s3.create_bucket(Bucket="boto-post")
        post = self.s3.generate_presigned_post("boto-post", "in/${filename}",
                                               Conditions=[["content-length-range", 1, 1000]],
                                               ExpiresIn=60)
        r = post_form(post["url"], post["fields"], b"jpeg-bytes")
        self.assertEqual(r.status, 204)
        got = self.s3.get_object(Bucket="boto-post", Key="in/pic.jpg")
        self.assertEqual(got["Body"].read(), b"jpeg-bytes")
        with self.assertRaises(urllib.error.HTTPError) as cm:
            post_form(post["url"], post["fields"], b"x" * 2000, "big.jpg")
        self.assertEqual(cm.exception.code, 400)


class TestTransfersSigV4(Boto3Case):
    ARGS = ["--auth", "sigv4", "--access-key", "test", "--secret-key", "test"]

    def test_signed_upload_download_and_bad_secret(self):
        from boto3.s3.transfer import TransferConfig
        self.s3.create_bucket(Bucket="boto-signed")
        data = os.urandom(12 * 1024 * 1024)
        src = os.path.join(self.tmp, "signed")
        with open(src, "wb") as f:
            f.write(data)
        cfg = TransferConfig(multipart_threshold=6 * 1024 * 1024, multipart_chunksize=6 * 1024 * 1024)
        self.s3.upload_file(src, "boto-signed", "s", Config=cfg)
        self.assertEqual(self.s3.get_object(Bucket="boto-signed", Key="s")["Body"].read(), data)
        put = self.s3.generate_presigned_url("put_object", Params={"Bucket": "boto-signed", "Key": "p"})
        # no Content-Type: the URL signed none (urllib would add a form type)
        urllib.request.urlopen(urllib.request.Request(put, data=b"presigned", method="PUT",
                                                      headers={"Content-Type": ""}))
        self.assertEqual(self.s3.get_object(Bucket="boto-signed", Key="p")["Body"].read(), b"presigned")
        post = self.s3.generate_presigned_post("boto-signed", "form/${filename}")
        self.assertEqual(post_form(post["url"], post["fields"], b"signed form").status, 204)
        self.assertEqual(self.s3.get_object(Bucket="boto-signed", Key="form/pic.jpg")["Body"].read(),
                         b"signed form")
        sig_field = "signature" if "signature" in post["fields"] else "x-amz-signature"
        forged = dict(post["fields"])
        forged[sig_field] = forged[sig_field][:-4] + ("AAAA" if not forged[sig_field].endswith("AAAA") else "BBBB")
        with self.assertRaises(urllib.error.HTTPError) as cm:
            post_form(post["url"], forged, b"x")
        self.assertEqual(cm.exception.code, 403)
        self.assertIn(b"SignatureDoesNotMatch", cm.exception.read())
        bad = boto3_client(self.emu, "s3", secret="nope")
        from botocore.exceptions import ClientError
        with self.assertRaises(ClientError) as cm:
            bad.put_object(Bucket="boto-signed", Key="x", Body=b"x")
        self.assertEqual(cm.exception.response["Error"]["Code"], "SignatureDoesNotMatch")
        self.assertEqual(self.s3.list_objects_v2(Bucket="boto-signed")["KeyCount"], 3)


if __name__ == "__main__":
    unittest.main()

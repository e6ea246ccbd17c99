"""S3 on the wire, with plain HTTP against the real binary: addressing,
buckets and their sub-resources, objects (keys, metadata, ranges,
conditionals, checksums, Content-MD5, chunked bodies), listings,
multipart, notification configuration and the event outbox, CORS,
errors in S3's XML shape, and durability across a restart and kill -9."""
import base64
import hashlib
import http.client
import json
import os
import signal
import threading
import unittest
import urllib.parse
import xml.etree.ElementTree as ET
import zlib

from emu import Emulator

NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"


def q(key):
    return urllib.parse.quote(key, safe="/")


def xml(body):
    return ET.fromstring(body)


def err_code(body):
    return xml(body).findtext("Code")


def md5_b64(data):
    return base64.b64encode(hashlib.md5(data).digest()).decode()


class S3Case(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.emu = Emulator().start()

    @classmethod
    def tearDownClass(cls):
        rc = cls.emu.stop()
        logs = cls.emu.logs()
        if rc != 0 or "Sanitizer" in logs or "runtime error" in logs:
            raise AssertionError("emulator exited %s:\n%s" % (rc, logs[-4000:]))

    def req(self, method, path, body=None, headers=None):
        return self.emu.http(method, path, body, headers)

    def bucket(self, name):
        st, _, body = self.req("PUT", "/" + name)
        self.assertEqual(st, 200, body)
        return name


class TestBuckets(S3Case):
    def test_create_head_list_delete(self):
        self.assertEqual(self.req("HEAD", "/tb-one")[0], 404)
        st, h, _ = self.req("PUT", "/tb-one", headers={"x-amz-acl": "private"})
        self.assertEqual((st, h["location"]), (200, "/tb-one"))
        st, h, body = self.req("HEAD", "/tb-one")
        self.assertEqual((st, h["x-amz-bucket-region"], body), (200, "us-east-1", b""))
        st, _, body = self.req("GET", "/")
        names = [b.findtext(NS + "Name") for b in xml(body).iter(NS + "Bucket")]
        self.assertIn("tb-one", names)
        self.assertEqual(self.req("DELETE", "/tb-one")[0], 204)
        self.assertEqual(self.req("HEAD", "/tb-one")[0], 404)

    def test_invalid_names(self):
        for name in ["ab", "UPPER", "a..b", "-abc", "192.168.1.1", "abc-", "xn--abc", "a" * 64]:
            st, _, body = self.req("PUT", "/" + name)
            self.assertEqual(st, 400, name)
            self.assertEqual(err_code(body), "InvalidBucketName", name)
            self.assertEqual(xml(body).findtext("BucketName"), name)

    def test_recreate_in_us_east_1_is_ok_elsewhere_conflict(self):
        self.bucket("tb-again")
        self.assertEqual(self.req("PUT", "/tb-again")[0], 200)

    def test_location_constraint(self):
        body = (b'<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
                b'<LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>')
        st, _, resp = self.req("PUT", "/tb-eu", body)
        self.assertEqual(st, 400)
        self.assertEqual(err_code(resp), "IllegalLocationConstraintException")
        st, _, resp = self.req("PUT", "/tb-eu", body.replace(b"eu-west-1", b"us-east-1"))
        self.assertEqual(err_code(resp), "InvalidLocationConstraint")

    def test_delete_not_empty_and_missing(self):
        b = self.bucket("tb-full")
        self.req("PUT", "/%s/k" % b, b"x")
        st, _, body = self.req("DELETE", "/" + b)
        self.assertEqual((st, err_code(body)), (409, "BucketNotEmpty"))
        st, _, body = self.req("DELETE", "/tb-nope")
        self.assertEqual((st, err_code(body)), (404, "NoSuchBucket"))
        self.assertEqual(xml(body).findtext("BucketName"), "tb-nope")
        self.assertTrue(xml(body).findtext("RequestId"))

    def test_location(self):
        b = self.bucket("tb-loc")
        st, _, body = self.req("GET", "/%s?location" % b)
        self.assertEqual(st, 200)
        self.assertEqual(xml(body).tag, NS + "LocationConstraint")
        self.assertFalse(xml(body).text)


class TestSubresources(S3Case):
    NOT_CONFIGURED = {
        "cors": "NoSuchCORSConfiguration", "policy": "NoSuchBucketPolicy",
        "tagging": "NoSuchTagSet", "website": "NoSuchWebsiteConfiguration",
        "lifecycle": "NoSuchLifecycleConfiguration",
        "replication": "ReplicationConfigurationNotFoundError",
        "object-lock": "ObjectLockConfigurationNotFoundError",
    }

    def test_terraform_reads_on_a_new_bucket(self):
        b = self.bucket("ts-new")
        for sub, code in self.NOT_CONFIGURED.items():
            st, _, body = self.req("GET", "/%s?%s=" % (b, sub))
            self.assertEqual((st, err_code(body)), (404, code), sub)
        for sub, root in [("versioning", "VersioningConfiguration"), ("acl", "AccessControlPolicy"),
                          ("accelerate", "AccelerateConfiguration"), ("logging", "BucketLoggingStatus"),
                          ("requestPayment", "RequestPaymentConfiguration"),
                          ("encryption", "ServerSideEncryptionConfiguration"),
                          ("notification", "NotificationConfiguration")]:
            st, _, body = self.req("GET", "/%s?%s=" % (b, sub))
            self.assertEqual(st, 200, sub)
            self.assertEqual(xml(body).tag, NS + root, sub)
        st, _, body = self.req("GET", "/%s?requestPayment=" % b)
        self.assertEqual(xml(body).findtext(NS + "Payer"), "BucketOwner")
        # set at creation, as AWS does; gone once deleted
        for sub, code in [("publicAccessBlock", "NoSuchPublicAccessBlockConfiguration"),
                          ("ownershipControls", "OwnershipControlsNotFoundError")]:
            self.assertEqual(self.req("GET", "/%s?%s" % (b, sub))[0], 200, sub)
            self.assertEqual(self.req("DELETE", "/%s?%s" % (b, sub))[0], 204, sub)
            st, _, body = self.req("GET", "/%s?%s" % (b, sub))
            self.assertEqual((st, err_code(body)), (404, code), sub)

    def test_documents_round_trip(self):
        b = self.bucket("ts-docs")
        docs = {
            "versioning": b'<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>Enabled</Status></VersioningConfiguration>',
            "tagging": b"<Tagging><TagSet><Tag><Key>env</Key><Value>dev</Value></Tag></TagSet></Tagging>",
            "cors": b"<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>",
            "lifecycle": b"<LifecycleConfiguration><Rule><ID>r</ID><Status>Enabled</Status><Filter/><Expiration><Days>3</Days></Expiration></Rule></LifecycleConfiguration>",
            "website": b"<WebsiteConfiguration><IndexDocument><Suffix>index.html</Suffix></IndexDocument></WebsiteConfiguration>",
        }
        for sub, doc in docs.items():
            st, _, body = self.req("PUT", "/%s?%s" % (b, sub), doc)
            self.assertIn(st, (200, 204), (sub, body))
            st, _, body = self.req("GET", "/%s?%s" % (b, sub))
            self.assertEqual(st, 200, sub)
            self.assertIn(doc, body, sub)
        policy = b'{"Version":"2012-10-17","Statement":[]}'
        self.assertEqual(self.req("PUT", "/%s?policy" % b, policy)[0], 204)
        st, h, body = self.req("GET", "/%s?policy" % b)
        self.assertEqual((st, body), (200, policy))
        st, _, body = self.req("PUT", "/%s?policy" % b, b"not json")
        self.assertEqual((st, err_code(body)), (400, "MalformedPolicy"))
        for sub in ["tagging", "cors", "policy", "website", "lifecycle"]:
            self.assertEqual(self.req("DELETE", "/%s?%s" % (b, sub))[0], 204)
            self.assertEqual(self.req("GET", "/%s?%s" % (b, sub))[0], 404, sub)

    def test_malformed_documents(self):
        b = self.bucket("ts-bad")
        st, _, body = self.req("PUT", "/%s?cors" % b, b"<CORSConfiguration><CORSRule>")
        self.assertEqual((st, err_code(body)), (400, "MalformedXML"))
        st, _, body = self.req("PUT", "/%s?tagging" % b, b"<Wrong/>")
        self.assertEqual((st, err_code(body)), (400, "MalformedXML"))
        dup = b"<Tagging><TagSet><Tag><Key>a</Key><Value>1</Value></Tag><Tag><Key>a</Key><Value>2</Value></Tag></TagSet></Tagging>"
        st, _, body = self.req("PUT", "/%s?tagging" % b, dup)
        self.assertEqual((st, err_code(body)), (400, "InvalidTag"))
        bomb = (b'<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
                b"<Tagging><TagSet><Tag><Key>&b;</Key><Value>v</Value></Tag></TagSet></Tagging>")
        st, _, body = self.req("PUT", "/%s?tagging" % b, bomb)
        self.assertEqual((st, err_code(body)), (400, "MalformedXML"))
        st, _, body = self.req("PUT", "/%s?versioning" % b,
                               b"<VersioningConfiguration><Status>On</Status></VersioningConfiguration>")
        self.assertEqual((st, err_code(body)), (400, "MalformedXML"))

    def test_unsupported_subresource(self):
        b = self.bucket("ts-unsup")
        st, _, body = self.req("GET", "/%s?analytics" % b)
        self.assertEqual((st, err_code(body)), (501, "NotImplemented"))


class TestObjects(S3Case):
    def test_keys_round_trip(self):
        b = self.bucket("to-keys")
        keys = ["../etc/passwd", "a//b", "a+b c", "100%", "ünï/cødé ☃", "/lead", "q?x=1#f",
                "tab\tkey", "x" * 1024]
        for k in keys:
            st, _, body = self.req("PUT", "/%s/%s" % (b, q(k)), k.encode())
            self.assertEqual(st, 200, (k, body))
        for k in keys:
            st, _, body = self.req("GET", "/%s/%s" % (b, q(k)))
            self.assertEqual((st, body), (200, k.encode()), k)
        st, _, body = self.req("GET", "/%s?list-type=2" % b)
        listed = [c.findtext(NS + "Key") for c in xml(body).iter(NS + "Contents")]
        self.assertEqual(sorted(listed, key=lambda s: s.encode()), listed)
        self.assertEqual(sorted(keys), sorted(listed))
        st, _, body = self.req("PUT", "/%s/%s" % (b, "y" * 1025), b"x")
        self.assertEqual((st, err_code(body)), (400, "KeyTooLongError"))
        # bytes live in files named by id, never by key
        import re
        for d, _, files in os.walk(os.path.join(self.emu.data_dir, "blobs")):
            for f in files:
                self.assertRegex(f, "^[0-9a-f]{32}$")

    def test_put_get_head_metadata(self):
        b = self.bucket("to-meta")
        hdrs = {"Content-Type": "image/png", "Cache-Control": "max-age=60",
                "Content-Disposition": "inline", "Content-Language": "en",
                "Expires": "Thu, 01 Dec 2094 16:00:00 GMT", "x-amz-meta-Owner": "Ada",
                "x-amz-storage-class": "STANDARD_IA", "x-amz-tagging": "a=1&b=2"}
        data = b"\x89PNG" + os.urandom(1000)
        st, h, _ = self.req("PUT", "/%s/img.png" % b, data, hdrs)
        self.assertEqual(h["etag"], '"%s"' % hashlib.md5(data).hexdigest())
        self.assertIn("x-amz-checksum-crc64nvme", h)
        st, h, body = self.req("GET", "/%s/img.png" % b)
        self.assertEqual((st, body), (200, data))
        for k, v in [("content-type", "image/png"), ("cache-control", "max-age=60"),
                     ("content-disposition", "inline"), ("content-language", "en"),
                     ("x-amz-meta-owner", "Ada"), ("x-amz-storage-class", "STANDARD_IA"),
                     ("x-amz-tagging-count", "2"), ("accept-ranges", "bytes")]:
            self.assertEqual(h.get(k), v, k)
        st, h, body = self.req("HEAD", "/%s/img.png" % b)
        self.assertEqual((st, body, h["content-length"]), (200, b"", str(len(data))))
        st, h, _ = self.req("GET", "/%s/img.png?response-content-type=text/plain"
                               "&response-cache-control=no-cache" % b)
        self.assertEqual((h["content-type"], h["cache-control"]), ("text/plain", "no-cache"))

    def test_missing(self):
        b = self.bucket("to-missing")
        st, _, body = self.req("GET", "/%s/nope" % b)
        self.assertEqual((st, err_code(body)), (404, "NoSuchKey"))
        self.assertEqual(xml(body).findtext("Key"), "nope")
        st, _, body = self.req("HEAD", "/%s/nope" % b)
        self.assertEqual((st, body), (404, b""))
        st, _, body = self.req("GET", "/to-nobucket/k")
        self.assertEqual((st, err_code(body)), (404, "NoSuchBucket"))
        self.assertEqual(self.req("DELETE", "/%s/nope" % b)[0], 204)

    def test_ranges(self):
        b = self.bucket("to-range")
        data = bytes(range(256)) * 4
        self.req("PUT", "/%s/r" % b, data)
        for rng, (lo, hi) in [("bytes=0-9", (0, 9)), ("bytes=1000-", (1000, 1023)),
                              ("bytes=-24", (1000, 1023)), ("bytes=10-5000", (10, 1023))]:
            st, h, body = self.req("GET", "/%s/r" % b, headers={"Range": rng})
            self.assertEqual(st, 206, rng)
            self.assertEqual(body, data[lo:hi + 1], rng)
            self.assertEqual(h["content-range"], "bytes %d-%d/1024" % (lo, hi))
        st, h, body = self.req("GET", "/%s/r" % b, headers={"Range": "bytes=2000-"})
        self.assertEqual((st, err_code(body)), (416, "InvalidRange"))
        self.assertEqual(h["content-range"], "bytes */1024")
        st, _, body = self.req("GET", "/%s/r" % b, headers={"Range": "bytes=5-1"})
        self.assertEqual((st, len(body)), (200, 1024))
        st, h, body = self.req("HEAD", "/%s/r" % b, headers={"Range": "bytes=0-99"})
        self.assertEqual((st, h["content-length"]), (206, "100"))

    def test_conditionals(self):
        b = self.bucket("to-cond")
        _, h, _ = self.req("PUT", "/%s/c" % b, b"v1")
        etag = h["etag"]
        _, h, _ = self.req("HEAD", "/%s/c" % b)
        lm = h["last-modified"]
        cases = [({"If-Match": etag}, 200), ({"If-Match": '"nope"'}, 412),
                 ({"If-None-Match": etag}, 304), ({"If-None-Match": '"nope"'}, 200),
                 ({"If-None-Match": "*"}, 304),
                 ({"If-Modified-Since": lm}, 304),
                 ({"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}, 200),
                 ({"If-Unmodified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}, 412),
                 ({"If-Unmodified-Since": lm}, 200),
                 # If-Match true wins over a false If-Unmodified-Since
                 ({"If-Match": etag, "If-Unmodified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}, 200),
                 # If-None-Match false wins over a true If-Modified-Since
                 ({"If-None-Match": etag, "If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}, 304)]
        for hdrs, want in cases:
            st, h, body = self.req("GET", "/%s/c" % b, headers=hdrs)
            self.assertEqual(st, want, hdrs)
            if want == 412:
                self.assertEqual(err_code(body), "PreconditionFailed")
            if want == 304:
                self.assertEqual((body, h["etag"]), (b"", etag))
        st, _, body = self.req("PUT", "/%s/c" % b, b"v2", {"If-None-Match": "*"})
        self.assertEqual((st, err_code(body)), (412, "PreconditionFailed"))

    def test_content_md5_and_checksums(self):
        b = self.bucket("to-digest")
        data = b"payload bytes"
        st, _, _ = self.req("PUT", "/%s/ok" % b, data, {"Content-MD5": md5_b64(data)})
        self.assertEqual(st, 200)
        st, _, body = self.req("PUT", "/%s/bad" % b, data, {"Content-MD5": md5_b64(b"other")})
        self.assertEqual((st, err_code(body)), (400, "BadDigest"))
        self.assertEqual(self.req("GET", "/%s/bad" % b)[0], 404)
        st, _, body = self.req("PUT", "/%s/bad" % b, data, {"Content-MD5": "!!"})
        self.assertEqual((st, err_code(body)), (400, "InvalidDigest"))
        crc = base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()
        st, h, _ = self.req("PUT", "/%s/crc" % b, data, {"x-amz-checksum-crc32": crc})
        self.assertEqual((st, h["x-amz-checksum-crc32"]), (200, crc))
        _, h, _ = self.req("HEAD", "/%s/crc" % b, headers={"x-amz-checksum-mode": "ENABLED"})
        self.assertEqual((h["x-amz-checksum-crc32"], h["x-amz-checksum-type"]), (crc, "FULL_OBJECT"))
        _, h, _ = self.req("HEAD", "/%s/crc" % b)
        self.assertNotIn("x-amz-checksum-crc32", h)
        st, _, body = self.req("PUT", "/%s/crc2" % b, data, {"x-amz-checksum-crc32": "AAAAAA=="})
        self.assertEqual((st, err_code(body)), (400, "BadDigest"))
        sha = base64.b64encode(hashlib.sha256(data).digest()).decode()
        st, h, _ = self.req("PUT", "/%s/sha" % b, data, {"x-amz-checksum-sha256": sha})
        self.assertEqual(h["x-amz-checksum-sha256"], sha)
        st, _, body = self.req("PUT", "/%s/hex" % b, data,
                               {"x-amz-content-sha256": hashlib.sha256(b"x").hexdigest()})
        self.assertEqual((st, err_code(body)), (400, "XAmzContentSHA256Mismatch"))

    def test_unsigned_aws_chunked_with_trailer(self):
        b = self.bucket("to-chunked")
        data = os.urandom(70000)
        crc = base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()
        body = b""
        for i in range(0, len(data), 65536):
            c = data[i:i + 65536]
            body += b"%x\r\n" % len(c) + c + b"\r\n"
        body += b"0\r\nx-amz-checksum-crc32:" + crc.encode() + b"\r\n\r\n"
        hdrs = {"Content-Encoding": "aws-chunked", "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
                "x-amz-decoded-content-length": str(len(data)), "x-amz-trailer": "x-amz-checksum-crc32",
                "x-amz-sdk-checksum-algorithm": "CRC32"}
        st, h, resp = self.req("PUT", "/%s/obj" % b, body, hdrs)
        self.assertEqual(st, 200, resp)
        self.assertEqual(h["x-amz-checksum-crc32"], crc)
        st, h, got = self.req("GET", "/%s/obj" % b)
        self.assertEqual(got, data)
        self.assertNotIn("content-encoding", h)
        bad = body.replace(crc.encode(), b"AAAAAA==")
        st, _, resp = self.req("PUT", "/%s/obj2" % b, bad, hdrs)
        self.assertEqual((st, err_code(resp)), (400, "BadDigest"))
        self.assertEqual(self.req("HEAD", "/%s/obj2" % b)[0], 404)

    def test_transfer_encoding_chunked(self):
        b = self.bucket("to-te")
        conn = http.client.HTTPConnection(self.emu.host, self.emu.port, timeout=10)
        data = [b"hello ", b"chunked ", b"world"]
        conn.request("PUT", "/%s/te" % b, body=iter(data), encode_chunked=True)
        r = conn.getresponse()
        r.read()
        conn.close()
        self.assertEqual(r.status, 200)
        self.assertEqual(self.req("GET", "/%s/te" % b)[2], b"".join(data))

    def test_copy(self):
        b = self.bucket("to-copy")
        self.req("PUT", "/%s/src" % b, b"source", {"x-amz-meta-a": "1", "Content-Type": "text/x"})
        st, _, body = self.req("PUT", "/%s/dst" % b, headers={"x-amz-copy-source": "/%s/src" % b})
        self.assertEqual(st, 200, body)
        self.assertEqual(xml(body).findtext(NS + "ETag"), '"%s"' % hashlib.md5(b"source").hexdigest())
        st, h, data = self.req("GET", "/%s/dst" % b)
        self.assertEqual((data, h["x-amz-meta-a"], h["content-type"]), (b"source", "1", "text/x"))
        st, _, _ = self.req("PUT", "/%s/dst2" % b, headers={
            "x-amz-copy-source": "%s/src" % b, "x-amz-metadata-directive": "REPLACE",
            "x-amz-meta-b": "2"})
        _, h, _ = self.req("HEAD", "/%s/dst2" % b)
        self.assertEqual((h.get("x-amz-meta-a"), h["x-amz-meta-b"]), (None, "2"))
        st, _, body = self.req("PUT", "/%s/src" % b, headers={"x-amz-copy-source": "%s/src" % b})
        self.assertEqual((st, err_code(body)), (400, "InvalidRequest"))
        st, _, body = self.req("PUT", "/%s/x" % b, headers={"x-amz-copy-source": "%s/none" % b})
        self.assertEqual((st, err_code(body)), (404, "NoSuchKey"))
        st, _, body = self.req("PUT", "/%s/x" % b, headers={
            "x-amz-copy-source": "%s/src" % b, "x-amz-copy-source-if-match": '"zzz"'})
        self.assertEqual((st, err_code(body)), (412, "PreconditionFailed"))

    def test_delete_objects(self):
        b = self.bucket("to-multidel")
        for k in ["a", "b", "c"]:
            self.req("PUT", "/%s/%s" % (b, k), b"x")
        doc = (b"<Delete><Object><Key>a</Key></Object><Object><Key>b</Key></Object>"
               b"<Object><Key>zz</Key></Object></Delete>")
        st, _, body = self.req("POST", "/%s?delete" % b, doc, {"Content-MD5": md5_b64(doc)})
        self.assertEqual(st, 200, body)
        deleted = sorted(d.findtext(NS + "Key") for d in xml(body).iter(NS + "Deleted"))
        self.assertEqual(deleted, ["a", "b", "zz"])
        st, _, body = self.req("POST", "/%s?delete" % b, doc.replace(b"<Delete>", b"<Delete><Quiet>true</Quiet>"))
        self.assertEqual(list(xml(body).iter(NS + "Deleted")), [])
        st, _, body = self.req("GET", "/%s" % b)
        self.assertEqual([c.findtext(NS + "Key") for c in xml(body).iter(NS + "Contents")], ["c"])

    def test_tagging_and_attributes(self):
        b = self.bucket("to-tags")
        self.req("PUT", "/%s/t" % b, b"12345")
        doc = b"<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>"
        self.assertEqual(self.req("PUT", "/%s/t?tagging" % b, doc)[0], 200)
        st, _, body = self.req("GET", "/%s/t?tagging" % b)
        self.assertEqual(xml(body).find(NS + "TagSet/" + NS + "Tag/" + NS + "Key").text, "k")
        self.assertEqual(self.req("DELETE", "/%s/t?tagging" % b)[0], 204)
        st, _, body = self.req("GET", "/%s/t?tagging" % b)
        self.assertEqual(list(xml(body).iter(NS + "Tag")), [])
        st, _, body = self.req("GET", "/%s/t?attributes" % b,
                               headers={"x-amz-object-attributes": "ETag,ObjectSize,StorageClass,Checksum"})
        doc = xml(body)
        self.assertEqual(doc.findtext(NS + "ObjectSize"), "5")
        self.assertEqual(doc.findtext(NS + "ETag"), hashlib.md5(b"12345").hexdigest())
        self.assertEqual(doc.findtext(NS + "StorageClass"), "STANDARD")


class TestListing(S3Case):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.emu.http("PUT", "/tlist")
        cls.keys = ["a/1", "a/2", "a/b/3", "b/1", "c", "d e", "d+f"]
        for k in cls.keys:
            cls.emu.http("PUT", "/tlist/" + q(k), b"x")

    def list(self, query):
        st, _, body = self.req("GET", "/tlist?" + query)
        self.assertEqual(st, 200, body)
        doc = xml(body)
        return (doc, [c.findtext(NS + "Key") for c in doc.iter(NS + "Contents")],
                [p.findtext(NS + "Prefix") for p in doc.iter(NS + "CommonPrefixes")])

    def test_delimiter(self):
        doc, keys, prefixes = self.list("list-type=2&delimiter=/")
        self.assertEqual((keys, prefixes), (["c", "d e", "d+f"], ["a/", "b/"]))
        self.assertEqual(doc.findtext(NS + "KeyCount"), "5")
        doc, keys, prefixes = self.list("list-type=2&delimiter=/&prefix=a/")
        self.assertEqual((keys, prefixes), (["a/1", "a/2"], ["a/b/"]))

    def test_v2_pagination(self):
        seen, token = [], None
        while True:
            doc, keys, prefixes = self.list("list-type=2&max-keys=2&delimiter=/" +
                                            ("&continuation-token=" + q(token) if token else ""))
            seen += keys + prefixes
            if doc.findtext(NS + "IsTruncated") != "true":
                break
            token = doc.findtext(NS + "NextContinuationToken")
        self.assertEqual(seen, ["a/", "b/", "c", "d e", "d+f"])
        _, keys, _ = self.list("list-type=2&start-after=b/1")
        self.assertEqual(keys, ["c", "d e", "d+f"])
        st, _, body = self.req("GET", "/tlist?list-type=2&continuation-token=%%%%")
        self.assertEqual(st, 400)

    def test_v1_marker(self):
        doc, keys, _ = self.list("max-keys=3")
        self.assertEqual(keys, ["a/1", "a/2", "a/b/3"])
        self.assertEqual(doc.findtext(NS + "IsTruncated"), "true")
        doc, keys, _ = self.list("marker=a/b/3")
        self.assertEqual(keys, ["b/1", "c", "d e", "d+f"])
        doc, _, prefixes = self.list("delimiter=/&max-keys=1")
        self.assertEqual((prefixes, doc.findtext(NS + "NextMarker")), (["a/"], "a/"))

    def test_url_encoding(self):
        doc, keys, _ = self.list("list-type=2&encoding-type=url&prefix=d")
        self.assertEqual([urllib.parse.unquote_plus(k) for k in keys], ["d e", "d+f"])
        self.assertEqual(doc.findtext(NS + "EncodingType"), "url")
        st, _, body = self.req("GET", "/tlist?encoding-type=bogus")
        self.assertEqual((st, err_code(body)), (400, "InvalidArgument"))

    def test_versions(self):
        st, _, body = self.req("GET", "/tlist?versions&max-keys=2")
        doc = xml(body)
        vers = list(doc.iter(NS + "Version"))
        self.assertEqual([v.findtext(NS + "VersionId") for v in vers], ["null", "null"])
        self.assertEqual(doc.findtext(NS + "NextKeyMarker"), "a/2")
        st, _, body = self.req("GET", "/tlist?versions&key-marker=a/2")
        self.assertEqual([v.findtext(NS + "Key") for v in xml(body).iter(NS + "Version")],
                         self.keys[2:])

    def test_virtual_host(self):
        for host in ["tlist.s3.localhost", "tlist.localhost:%d" % self.emu.port,
                     "tlist.s3.us-east-1.amazonaws.com", "tlist.s3.amazonaws.com",
                     "tlist.s3.localhost.localstack.cloud"]:
            st, _, body = self.req("GET", "/d%20e", headers={"Host": host})
            self.assertEqual((st, body), (200, b"x"), host)
            st, _, body = self.req("GET", "/?list-type=2&prefix=a/", headers={"Host": host})
            self.assertEqual([c.findtext(NS + "Key") for c in xml(body).iter(NS + "Contents")],
                             ["a/1", "a/2", "a/b/3"], host)
        # a virtual-hosted key that looks like another service's path
        st, _, _ = self.req("PUT", "/2015-03-31/functions", b"y", {"Host": "tlist.s3.localhost"})
        self.assertEqual(st, 200)
        self.assertEqual(self.req("GET", "/tlist/2015-03-31/functions")[2], b"y")
        self.req("DELETE", "/tlist/2015-03-31/functions")


class TestMultipart(S3Case):
    def start(self, b, key, headers=None):
        st, h, body = self.req("POST", "/%s/%s?uploads" % (b, key), headers=headers)
        self.assertEqual(st, 200, body)
        return xml(body).findtext(NS + "UploadId"), h

    def test_full_cycle(self):
        b = self.bucket("tm-full")
        uid, _ = self.start(b, "big")
        p1, p2 = os.urandom(5 * 1024 * 1024), os.urandom(1000)
        e1 = self.req("PUT", "/%s/big?partNumber=1&uploadId=%s" % (b, uid), p1)[1]["etag"]
        e2 = self.req("PUT", "/%s/big?partNumber=2&uploadId=%s" % (b, uid), p2)[1]["etag"]
        st, _, body = self.req("GET", "/%s/big?uploadId=%s" % (b, uid))
        self.assertEqual([p.findtext(NS + "PartNumber") for p in xml(body).iter(NS + "Part")], ["1", "2"])
        st, _, body = self.req("GET", "/%s?uploads" % b)
        self.assertEqual([u.findtext(NS + "UploadId") for u in xml(body).iter(NS + "Upload")], [uid])
        doc = ("<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>%s</ETag></Part>"
               "<Part><PartNumber>2</PartNumber><ETag>%s</ETag></Part></CompleteMultipartUpload>" % (e1, e2))
        st, _, body = self.req("POST", "/%s/big?uploadId=%s" % (b, uid), doc.encode())
        self.assertEqual(st, 200, body)
        want = hashlib.md5(hashlib.md5(p1).digest() + hashlib.md5(p2).digest()).hexdigest() + "-2"
        self.assertEqual(xml(body).findtext(NS + "ETag"), '"%s"' % want)
        st, h, data = self.req("GET", "/%s/big" % b)
        self.assertEqual((data == p1 + p2, h["etag"]), (True, '"%s"' % want))
        st, _, body = self.req("POST", "/%s/big?uploadId=%s" % (b, uid), doc.encode())
        self.assertEqual((st, err_code(body)), (404, "NoSuchUpload"))

    def test_errors(self):
        b = self.bucket("tm-err")
        uid, _ = self.start(b, "k")
        e1 = self.req("PUT", "/%s/k?partNumber=1&uploadId=%s" % (b, uid), b"small")[1]["etag"]
        e2 = self.req("PUT", "/%s/k?partNumber=2&uploadId=%s" % (b, uid), b"small")[1]["etag"]
        part = "<Part><PartNumber>%d</PartNumber><ETag>%s</ETag></Part>"
        for parts, code in [((part % (2, e2)) + (part % (1, e1)), "InvalidPartOrder"),
                            (part % (1, '"0000"'), "InvalidPart"),
                            (part % (3, e1), "InvalidPart"),
                            ((part % (1, e1)) + (part % (2, e2)), "EntityTooSmall")]:
            st, _, body = self.req("POST", "/%s/k?uploadId=%s" % (b, uid),
                                   ("<CompleteMultipartUpload>%s</CompleteMultipartUpload>" % parts).encode())
            self.assertEqual((st, err_code(body)), (400, code))
        st, _, body = self.req("PUT", "/%s/k?partNumber=0&uploadId=%s" % (b, uid), b"x")
        self.assertEqual((st, err_code(body)), (400, "InvalidArgument"))
        self.assertEqual(self.req("DELETE", "/%s/k?uploadId=%s" % (b, uid))[0], 204)
        st, _, body = self.req("PUT", "/%s/k?partNumber=1&uploadId=%s" % (b, uid), b"x")
        self.assertEqual((st, err_code(body)), (404, "NoSuchUpload"))
        self.assertEqual(self.req("DELETE", "/%s/k?uploadId=%s" % (b, uid))[0], 404)

    def test_composite_checksum_and_part_copy(self):
        b = self.bucket("tm-ck")
        self.req("PUT", "/%s/src" % b, b"A" * (6 * 1024 * 1024))
        uid, h = self.start(b, "dst", {"x-amz-checksum-algorithm": "CRC32"})
        self.assertEqual(h["x-amz-checksum-type"], "COMPOSITE")
        st, _, body = self.req("PUT", "/%s/dst?partNumber=1&uploadId=%s" % (b, uid), headers={
            "x-amz-copy-source": "/%s/src" % b, "x-amz-copy-source-range": "bytes=0-5242879"})
        self.assertEqual(st, 200, body)
        e1 = xml(body).findtext(NS + "ETag")
        c1 = xml(body).findtext(NS + "ChecksumCRC32")
        st, h, _ = self.req("PUT", "/%s/dst?partNumber=2&uploadId=%s" % (b, uid), b"tail")
        e2, c2 = h["etag"], h["x-amz-checksum-crc32"]
        doc = ("<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>%s</ETag></Part>"
               "<Part><PartNumber>2</PartNumber><ETag>%s</ETag></Part></CompleteMultipartUpload>" % (e1, e2))
        st, _, body = self.req("POST", "/%s/dst?uploadId=%s" % (b, uid), doc.encode())
        self.assertEqual(st, 200, body)
        raw = base64.b64decode(c1) + base64.b64decode(c2)
        want = base64.b64encode(zlib.crc32(raw).to_bytes(4, "big")).decode() + "-2"
        self.assertEqual(xml(body).findtext(NS + "ChecksumCRC32"), want)
        _, h, data = self.req("GET", "/%s/dst" % b, headers={"x-amz-checksum-mode": "ENABLED"})
        self.assertEqual(data, b"A" * 5242880 + b"tail")
        self.assertEqual((h["x-amz-checksum-crc32"], h["x-amz-checksum-type"]), (want, "COMPOSITE"))


class TestNotifications(S3Case):
    CONFIG = ('<NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
              "<CloudFunctionConfiguration><Event>s3:ObjectCreated:*</Event><Filter><S3Key><FilterRule>"
              "<Name>prefix</Name><Value>uploads/</Value></FilterRule></S3Key></Filter><Id>tf-s3-lambda-1</Id>"
              "<CloudFunction>arn:aws:lambda:us-east-1:123456789012:function:imgpipe-processor</CloudFunction>"
              "</CloudFunctionConfiguration>"
              "<QueueConfiguration><Id>q</Id><Queue>arn:aws:sqs:us-east-1:123456789012:q</Queue>"
              "<Event>s3:ObjectRemoved:Delete</Event></QueueConfiguration></NotificationConfiguration>")

    def events(self):
        st, _, body = self.req("GET", "/_emulator/resources")
        return json.loads(body)["s3"]["events"]

    def test_terraform_shape_and_events(self):
        b = self.bucket("tn-up")
        st, _, body = self.req("PUT", "/%s?notification=" % b, self.CONFIG.encode(),
                               {"Content-Type": "application/xml"})
        self.assertEqual(st, 200, body)
        st, _, body = self.req("GET", "/%s?notification=" % b)
        doc = xml(body)
        cf = doc.find(NS + "CloudFunctionConfiguration")
        self.assertEqual(cf.findtext(NS + "Id"), "tf-s3-lambda-1")
        self.assertEqual(cf.findtext(NS + "CloudFunction"),
                         "arn:aws:lambda:us-east-1:123456789012:function:imgpipe-processor")
        self.assertEqual(cf.findtext(NS + "Event"), "s3:ObjectCreated:*")
        rule = cf.find(NS + "Filter/" + NS + "S3Key/" + NS + "FilterRule")
        self.assertEqual((rule.findtext(NS + "Name"), rule.findtext(NS + "Value")), ("Prefix", "uploads/"))
        ev = self.events()
        test_events = [r for r in ev["records"] if r["event"] == "s3:TestEvent" and r["bucket"] == b]
        self.assertEqual([r["target_type"] for r in test_events], ["sqs"])

        self.req("PUT", "/%s/uploads/red%%20flower.jpg" % b, b"abc")
        self.req("PUT", "/%s/other/skip.jpg" % b, b"abc")
        self.req("DELETE", "/%s/uploads/red%%20flower.jpg" % b)
        recs = [r for r in self.events()["records"] if r["bucket"] == b and r["event"] != "s3:TestEvent"]
        self.assertEqual(sorted(r["event"] for r in recs), ["ObjectCreated:Put", "ObjectRemoved:Delete"])
        put = [r for r in recs if r["event"] == "ObjectCreated:Put"][0]
        self.assertEqual(put["state"], "pending")
        rec = put["payload"]["Records"][0]
        self.assertEqual(rec["eventVersion"], "2.1")
        self.assertEqual(rec["eventSource"], "aws:s3")
        self.assertEqual(rec["eventName"], "ObjectCreated:Put")
        self.assertEqual(rec["s3"]["configurationId"], "tf-s3-lambda-1")
        self.assertEqual(rec["s3"]["bucket"]["arn"], "arn:aws:s3:::" + b)
        self.assertEqual(rec["s3"]["object"]["key"], "uploads/red+flower.jpg")
        self.assertEqual(rec["s3"]["object"]["size"], 3)
        self.assertEqual(rec["s3"]["object"]["eTag"], hashlib.md5(b"abc").hexdigest())
        self.assertRegex(rec["s3"]["object"]["sequencer"], "^[0-9A-F]{16,}$")
        dele = [r for r in recs if r["event"] == "ObjectRemoved:Delete"][0]
        self.assertEqual(dele["target_type"], "sqs")
        self.assertNotIn("size", dele["payload"]["Records"][0]["s3"]["object"])
        # Terraform's destroy: an empty configuration
        st, _, _ = self.req("PUT", "/%s?notification=" % b, b"<NotificationConfiguration/>")
        self.assertEqual(st, 200)
        st, _, body = self.req("GET", "/%s?notification=" % b)
        self.assertEqual(list(xml(body)), [])

    def test_sns_target_receives_records_through_the_bus(self):
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        st, _, body = self.req("POST", "/", b"Action=CreateTopic&Name=s3-events&Version=2010-03-31", form)
        if st != 200:
            self.skipTest("the SNS service is not in this build (CreateTopic: %d)" % st)
        arn = ET.fromstring(body).find(".//{*}TopicArn").text
        b = self.bucket("tn-sns")
        cfg = ("<NotificationConfiguration><TopicConfiguration><Id>t</Id><Topic>%s</Topic>"
               "<Event>s3:ObjectCreated:*</Event></TopicConfiguration></NotificationConfiguration>" % arn)
        self.assertEqual(self.req("PUT", "/%s?notification" % b, cfg.encode())[0], 200)
        self.req("PUT", "/%s/k" % b, b"x")
        import time
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            recs = [r for r in self.events()["records"] if r["bucket"] == b]
            if len(recs) == 2 and all(r["state"] == "delivered" for r in recs):
                break
            time.sleep(0.1)
        self.assertEqual(sorted((r["event"], r["state"]) for r in recs),
                         [("ObjectCreated:Put", "delivered"), ("s3:TestEvent", "delivered")])

    def test_invalid_configurations(self):
        b = self.bucket("tn-bad")
        bad_event = self.CONFIG.replace("s3:ObjectCreated:*", "s3:ObjectMade:*")
        st, _, body = self.req("PUT", "/%s?notification" % b, bad_event.encode())
        self.assertEqual((st, err_code(body)), (400, "InvalidArgument"))
        overlap = ('<NotificationConfiguration><TopicConfiguration><Topic>arn:aws:sns:us-east-1:1:t</Topic>'
                   '<Event>s3:ObjectCreated:Put</Event></TopicConfiguration><TopicConfiguration>'
                   '<Topic>arn:aws:sns:us-east-1:1:u</Topic><Event>s3:ObjectCreated:*</Event>'
                   '</TopicConfiguration></NotificationConfiguration>')
        st, _, body = self.req("PUT", "/%s?notification" % b, overlap.encode())
        self.assertEqual((st, err_code(body)), (400, "InvalidArgument"))
        self.assertIn("overlap", xml(body).findtext("Message"))


class TestCors(S3Case):
    def test_preflight_and_headers(self):
        b = self.bucket("tc-cors")
        st, _, body = self.req("OPTIONS", "/%s/k" % b, headers={
            "Origin": "http://a.example", "Access-Control-Request-Method": "PUT"})
        self.assertEqual((st, err_code(body)), (403, "CORSResponse"))
        doc = (b"<CORSConfiguration><CORSRule><AllowedOrigin>http://*.example</AllowedOrigin>"
               b"<AllowedMethod>PUT</AllowedMethod><AllowedMethod>GET</AllowedMethod>"
               b"<AllowedHeader>*</AllowedHeader><ExposeHeader>ETag</ExposeHeader>"
               b"<MaxAgeSeconds>300</MaxAgeSeconds></CORSRule></CORSConfiguration>")
        self.assertEqual(self.req("PUT", "/%s?cors" % b, doc)[0], 200)
        st, h, _ = self.req("OPTIONS", "/%s/k" % b, headers={
            "Origin": "http://a.example", "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "content-type, x-amz-meta-a"})
        self.assertEqual(st, 200)
        self.assertEqual(h["access-control-allow-origin"], "http://a.example")
        self.assertEqual(h["access-control-allow-methods"], "PUT, GET")
        self.assertEqual(h["access-control-max-age"], "300")
        st, _, _ = self.req("OPTIONS", "/%s/k" % b, headers={
            "Origin": "http://evil.com", "Access-Control-Request-Method": "PUT"})
        self.assertEqual(st, 403)
        self.req("PUT", "/%s/k" % b, b"x")
        _, h, _ = self.req("GET", "/%s/k" % b, headers={"Origin": "http://a.example"})
        self.assertEqual((h["access-control-allow-origin"], h["access-control-expose-headers"]),
                         ("http://a.example", "ETag"))


def form_body(fields, file_data, filename="photo.jpg", boundary="----imgpipeBoundary7MA4YWxk"):
    out = b""
    for name, value in fields:
        out += ("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n"
                % (boundary, name, value)).encode()
    out += ("--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"%s\"\r\n"
            "Content-Type: image/jpeg\r\n\r\n" % (boundary, filename)).encode()
    out += file_data + ("\r\n--%s--\r\n" % boundary).encode()
    return out, {"Content-Type": "multipart/form-data; boundary=" + boundary}


class TestPostObject(S3Case):
    def policy(self, conditions, expires_in=300):
        import datetime
        exp = (datetime.datetime.now(datetime.timezone.utc) +
               datetime.timedelta(seconds=expires_in)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        return base64.b64encode(json.dumps({"expiration": exp, "conditions": conditions}).encode()).decode()

    def test_browser_upload(self):
        b = self.bucket("tp-post")
        data = os.urandom(300000) + b"\r\n--not-the-boundary\r\n" + os.urandom(1000)
        pol = self.policy([{"bucket": b}, ["starts-with", "$key", "uploads/"],
                           ["content-length-range", 1, 1000000], {"success_action_status": "201"},
                           ["starts-with", "$x-amz-meta-tag", ""]])
        body, hdrs = form_body([("key", "uploads/${filename}"), ("policy", pol),
                                ("success_action_status", "201"), ("x-amz-meta-tag", "t1")], data)
        st, h, resp = self.req("POST", "/" + b, body, hdrs)
        self.assertEqual(st, 201, resp)
        self.assertEqual(xml(resp).findtext("Key"), "uploads/photo.jpg")
        self.assertEqual(h["etag"], '"%s"' % hashlib.md5(data).hexdigest())
        st, h, got = self.req("GET", "/%s/uploads/photo.jpg" % b)
        self.assertEqual((got == data, h["content-type"], h["x-amz-meta-tag"]), (True, "image/jpeg", "t1"))
        body, hdrs = form_body([("key", "plain.bin")], b"abc")
        st, _, _ = self.req("POST", "/" + b, body, hdrs)
        self.assertEqual(st, 204)

    def test_policy_refusals(self):
        b = self.bucket("tp-deny")
        cases = [
            (self.policy([{"bucket": b}, ["starts-with", "$key", "ok/"]]), "bad/k", 403, "AccessDenied"),
            (self.policy([{"bucket": b}, ["starts-with", "$key", ""]], expires_in=-10), "k", 403, "AccessDenied"),
            (self.policy([{"bucket": b}, ["starts-with", "$key", ""], ["content-length-range", 0, 10]]),
             "k", 400, "EntityTooLarge"),
            (self.policy([{"bucket": b}]), "k", 403, "AccessDenied"),  # key not covered
        ]
        for pol, key, status, code in cases:
            body, hdrs = form_body([("key", key), ("policy", pol)], b"x" * 100)
            st, _, resp = self.req("POST", "/" + b, body, hdrs)
            self.assertEqual((st, err_code(resp)), (status, code), key)
            self.assertEqual(self.req("HEAD", "/%s/%s" % (b, key))[0], 404)
        body, hdrs = form_body([("policy", "x")], b"x")
        st, _, resp = self.req("POST", "/" + b, body, hdrs)
        self.assertEqual((st, err_code(resp)), (400, "InvalidArgument"))
        st, _, resp = self.req("POST", "/" + b, b"--zz\r\ngarbage", {"Content-Type": "multipart/form-data; boundary=zz"})
        self.assertEqual((st, err_code(resp)), (400, "MalformedPOSTRequest"))


class TestDurability(unittest.TestCase):
    def test_restart_keeps_everything_and_reset_wipes(self):
        emu = Emulator(keep_data=True).start()
        try:
            emu.http("PUT", "/td-keep")
            emu.http("PUT", "/td-keep/k", b"persist")
            emu.http("PUT", "/td-keep?tagging", b"<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet></Tagging>")
            self.assertEqual(emu.stop(), 0)
            emu2 = Emulator(data_dir=emu.data_dir).start()
            try:
                self.assertEqual(emu2.http("GET", "/td-keep/k")[2], b"persist")
                self.assertEqual(emu2.http("GET", "/td-keep?tagging")[0], 200)
                self.assertEqual(emu2.http("POST", "/_emulator/reset")[0], 200)
                self.assertEqual(emu2.http("HEAD", "/td-keep")[0], 404)
                blobs = [f for d, _, fs in os.walk(os.path.join(emu.data_dir, "blobs")) for f in fs]
                self.assertEqual(blobs, [])
            finally:
                self.assertEqual(emu2.stop(), 0)
        finally:
            import shutil
            shutil.rmtree(emu.data_dir, ignore_errors=True)

    def test_kill_9_during_concurrent_uploads_leaves_no_torn_object(self):
        emu = Emulator(keep_data=True).start()
        try:
            emu.http("PUT", "/td-kill")
            size = 2 * 1024 * 1024
            payloads = {i: bytes([i]) * size for i in range(8)}
            stop = threading.Event()

            def writer(i):
                n = 0
                while not stop.is_set():
                    try:
                        emu.http("PUT", "/td-kill/obj%d" % i, payloads[(i + n) % 8], timeout=5)
                    except Exception:
                        return
                    n += 1
            threads = [threading.Thread(target=writer, args=(i,)) for i in range(4)]
            for t in threads:
                t.start()
            import time
            time.sleep(1.0)
            emu.proc.send_signal(signal.SIGKILL)
            emu.proc.wait()
            stop.set()
            for t in threads:
                t.join(10)
            emu2 = Emulator(data_dir=emu.data_dir).start()
            try:
                st, _, body = emu2.http("GET", "/td-kill?list-type=2")
                keys = [c.findtext(NS + "Key") for c in xml(body).iter(NS + "Contents")]
                self.assertTrue(keys)
                for k in keys:
                    st, h, data = emu2.http("GET", "/td-kill/" + k)
                    self.assertEqual(st, 200)
                    self.assertEqual(len(data), size, k)
                    self.assertIn(data, payloads.values(), k)
                    self.assertEqual(h["etag"], '"%s"' % hashlib.md5(data).hexdigest())
                self.assertEqual(os.listdir(os.path.join(emu.data_dir, "tmp")), [])
            finally:
                self.assertEqual(emu2.stop(), 0)
        finally:
            import shutil
            shutil.rmtree(emu.data_dir, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()

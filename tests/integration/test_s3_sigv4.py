"""S3 under --auth sigv4 with bodies no Python SDK sends: aws-chunked
uploads with signed chunks (STREAMING-AWS4-HMAC-SHA256-PAYLOAD, as the
Java and Go SDKs send them), with and without a signed trailer, signed
here by a small SigV4 implementation; a forged chunk is refused and
leaves nothing stored."""
import base64
import datetime
import hashlib
import hmac
import os
import unittest
import zlib

from emu import Emulator

KEY, SECRET, REGION = "test", "test", "us-east-1"
EMPTY = hashlib.sha256(b"").hexdigest()


def hmac256(key, msg):
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


class Signer:
    def __init__(self, host):
        self.host = host
        now = datetime.datetime.now(datetime.timezone.utc)
        self.amz_date = now.strftime("%Y%m%dT%H%M%SZ")
        self.day = now.strftime("%Y%m%d")
        self.scope = "%s/%s/s3/aws4_request" % (self.day, REGION)
        k = hmac256(("AWS4" + SECRET).encode(), self.day)
        k = hmac256(k, REGION)
        k = hmac256(k, "s3")
        self.key = hmac256(k, "aws4_request")

    def sign(self, string):
        return hmac.new(self.key, string.encode(), hashlib.sha256).hexdigest()

    def headers(self, method, path, payload_hash, extra=None):
        h = {"host": self.host, "x-amz-date": self.amz_date,
             "x-amz-content-sha256": payload_hash}
        h.update({k.lower(): v for k, v in (extra or {}).items()})
        names = sorted(h)
        canonical = "\n".join([method, path, "",
                               "".join("%s:%s\n" % (n, h[n].strip()) for n in names),
                               ";".join(names), payload_hash])
        sts = "\n".join(["AWS4-HMAC-SHA256", self.amz_date, self.scope,
                         hashlib.sha256(canonical.encode()).hexdigest()])
        sig = self.sign(sts)
        h["authorization"] = ("AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s"
                              % (KEY, self.scope, ";".join(names), sig))
        return h, sig

    def chunk(self, prev, data):
        sts = "\n".join(["AWS4-HMAC-SHA256-PAYLOAD", self.amz_date, self.scope, prev, EMPTY,
                         hashlib.sha256(data).hexdigest()])
        sig = self.sign(sts)
        return b"%x;chunk-signature=%s\r\n" % (len(data), sig.encode()) + data + b"\r\n", sig

    def trailer(self, prev, text):
        sts = "\n".join(["AWS4-HMAC-SHA256-TRAILER", self.amz_date, self.scope, prev,
                         hashlib.sha256(text.encode()).hexdigest()])
        return self.sign(sts)


class TestSignedChunks(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.emu = Emulator(args=["--auth", "sigv4", "--access-key", KEY, "--secret-key", SECRET]).start()
        cls.host = "%s:%d" % (cls.emu.host, cls.emu.port)
        s = Signer(cls.host)
        h, _ = s.headers("PUT", "/signed-chunks", EMPTY)
        st, _, body = cls.emu.http("PUT", "/signed-chunks", b"", h)
        assert st == 200, body

    @classmethod
    def tearDownClass(cls):
        rc = cls.emu.stop()
        logs = cls.emu.logs()
        if rc != 0 or "Sanitizer" in logs or "runtime error" in logs:
            raise AssertionError("emulator exited %s:\n%s" % (rc, logs[-4000:]))

    def upload(self, key, data, forge=False, trailer=False):
        s = Signer(self.host)
        mode = ("STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER" if trailer
                else "STREAMING-AWS4-HMAC-SHA256-PAYLOAD")
        extra = {"content-encoding": "aws-chunked",
                 "x-amz-decoded-content-length": str(len(data))}
        if trailer:
            extra["x-amz-trailer"] = "x-amz-checksum-crc32"
        chunks = [data[i:i + 65536] for i in range(0, len(data), 65536)] + [b""]
        # content-length is signed: compute the encoded size first
        body_len = sum(len(b"%x;chunk-signature=" % len(c)) + 64 + 2 + len(c) + 2 for c in chunks)
        crc = base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()
        if trailer:
            body_len -= 2  # the last chunk's CRLF is the trailer's
            tline = "x-amz-checksum-crc32:%s" % crc
            body_len += len(tline) + 2 + len("x-amz-trailer-signature:") + 64 + 2 + 2
        extra["content-length"] = str(body_len)
        h, prev = s.headers("PUT", "/signed-chunks/" + key, mode, extra)
        body = b""
        for i, c in enumerate(chunks):
            piece, prev = s.chunk(prev, c)
            if forge and i == 1:
                piece = piece.replace(piece[-20:-10], b"X" * 10)
            if trailer and not c:
                piece = piece[:-2]
            body += piece
        if trailer:
            body += tline.encode() + b"\r\n"
            body += b"x-amz-trailer-signature:" + s.trailer(prev, tline + "\n").encode() + b"\r\n\r\n"
        self.assertEqual(len(body), body_len)
        return self.emu.http("PUT", "/signed-chunks/" + key, body, h)

    def get(self, key):
        s = Signer(self.host)
        h, _ = s.headers("GET", "/signed-chunks/" + key, EMPTY)
        return self.emu.http("GET", "/signed-chunks/" + key, None, h)

    def test_signed_chunks(self):
        data = os.urandom(150000)
        st, h, body = self.upload("ok", data)
        self.assertEqual(st, 200, body)
        self.assertEqual(h["etag"], '"%s"' % hashlib.md5(data).hexdigest())
        st, _, got = self.get("ok")
        self.assertEqual((st, got), (200, data))

    def test_signed_chunks_with_trailer(self):
        data = os.urandom(70000)
        st, h, body = self.upload("trailer", data, trailer=True)
        self.assertEqual(st, 200, body)
        self.assertEqual(h["x-amz-checksum-crc32"],
                         base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode())
        self.assertEqual(self.get("trailer")[2], data)

    def test_forged_chunk_is_refused_and_not_stored(self):
        data = os.urandom(150000)
        st, _, body = self.upload("forged", data, forge=True)
        self.assertEqual(st, 403, body)
        self.assertIn(b"<Code>SignatureDoesNotMatch</Code>", body)
        self.assertEqual(self.get("forged")[0], 404)


if __name__ == "__main__":
    unittest.main()

#!/usr/bin/env python3
"""Generate tests/vectors/sigv4.json: SigV4 test vectors computed by botocore.

Run from the repository root:

    python3 tests/vectors/gen_sigv4_vectors.py

and commit the output.  tests/unit/sdk/test_sigv4.c and
tests/unit/sdk/test_aws_chunked.c read the JSON at run time.

Header-signed requests are signed with botocore.auth.SigV4Auth (other
services) or S3SigV4Auth (S3); presigned URLs with SigV4QueryAuth /
S3SigV4QueryAuth.  The clock is pinned by replacing
botocore.auth.get_current_datetime, and the canonical request and string
to sign are captured by subclassing the signer.

botocore does not sign aws-chunked bodies, so for those vectors only the
seed (the Authorization header) comes from botocore; the chunk and trailer
signatures are computed here from the specification with hmac/hashlib.
The first chunked vector is the example from the S3 documentation
("Signature Calculations for the Authorization Header: Transferring
Payload in Multiple Chunks") and its published signatures are asserted.
The unsigned-trailer body is produced by botocore's own
AwsChunkedWrapper.

Each vector is described by a row in HEADER_CASES / PRESIGN_CASES /
the chunked builders below; adding a case is adding a row.
"""

import base64
import calendar
import datetime
import hashlib
import hmac
import io
import json
import os
import sys
import zlib

import botocore
import botocore.auth
from botocore.awsrequest import AWSRequest, HTTPHeaders
from botocore.credentials import Credentials
from botocore.httpchecksum import AwsChunkedWrapper, Crc32Checksum

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sigv4.json")

AKID = "AKIDEXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
TOKEN = ("IQoJb3JpZ2luX2VjEXAMPLE//////////wEaCXVzLWVhc3QtMSJHMEUCIQD+"
         "token/with+special=chars==")
DOC_AKID = "AKIAIOSFODNN7EXAMPLE"
DOC_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


def pin_clock(timestamp):
    """Make botocore believe it is `timestamp` (yyyymmddThhmmssZ)."""
    when = datetime.datetime.strptime(timestamp, "%Y%m%dT%H%M%SZ")
    botocore.auth.get_current_datetime = lambda *a, **k: when
    return calendar.timegm(when.timetuple())


def capturing(cls):
    """A subclass of signer cls that records its intermediate strings."""

    class Capturing(cls):
        def canonical_request(self, request):
            self.captured_cr = super().canonical_request(request)
            return self.captured_cr

        def string_to_sign(self, request, canonical_request):
            self.captured_sts = super().string_to_sign(request,
                                                       canonical_request)
            return self.captured_sts

    return Capturing


class S3StreamingAuth(botocore.auth.S3SigV4Auth):
    """S3 signer whose payload hash is a STREAMING-* literal (seed request)."""

    literal = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"

    def payload(self, request):
        return self.literal


def make_request(method, host, path, query, headers, body):
    url = "https://" + host + path + ("?" + query if query else "")
    hdrs = HTTPHeaders()
    for name, value in headers:
        hdrs[name] = value  # email.message semantics: appends repeats
    return AWSRequest(method=method, url=url, headers=hdrs, data=body)


def split_url(url):
    path_query = url.split("://", 1)[1]
    path_query = path_query[path_query.index("/"):]
    path, _, query = path_query.partition("?")
    return path, query


# ---- header-signed requests -------------------------------------------------
#
# id, service, region, timestamp, method, host, path, query, headers, body,
# options.  options: token (use TOKEN), unsigned (S3 UNSIGNED-PAYLOAD),
# doc (AWS documentation credentials), sign (False: botocore's output
# cannot come from a spec-following signer, verify only), expect (a
# published signature to assert).
HEADER_CASES = [
    ("sigv4-h01-s3-doc-get-range", "s3", "us-east-1", "20130524T000000Z",
     "GET", "examplebucket.s3.amazonaws.com", "/test.txt", "",
     [("Host", "examplebucket.s3.amazonaws.com"), ("Range", "bytes=0-9")],
     b"", {"doc": True, "expect":
           "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"}),
    ("sigv4-h02-s3-put-space-unicode", "s3", "us-east-1", "20250101T000000Z",
     "PUT", "localhost:4566", "/uploads/my%20photo%20caf%C3%A9.jpg", "",
     [("Host", "localhost:4566"), ("Content-Type", "image/jpeg"),
      ("Content-Length", "5")], b"hello", {}),
    ("sigv4-h03-s3-plus-percent-equals", "s3", "eu-west-1",
     "20250615T123456Z", "GET", "localhost:4566",
     "/bucket/a+b%25c%3Dd=e/~tilde", "", [("Host", "localhost:4566")], b"",
     {}),
    ("sigv4-h04-s3-repeated-and-empty-query", "s3", "us-east-1",
     "20250101T000000Z", "GET", "localhost:4566", "/bucket",
     "list-type=2&prefix=photos%2F2025%20q&delimiter=%2F&a=2&a=1&a=10&empty=&flag",
     [("Host", "localhost:4566")], b"", {}),
    ("sigv4-h05-s3-multivalue-whitespace-headers", "s3", "us-east-1",
     "20250101T000000Z", "PUT", "localhost:4566", "/bucket/key.txt", "",
     [("Host", "localhost:4566"), ("X-Amz-Meta-Tag", "first"),
      ("Content-Type", "text/plain"), ("X-Amz-Meta-Tag", "  second  value "),
      ("X-Amz-Meta-Note", "  hello    world  \t x "),
      ("Content-MD5", base64.b64encode(hashlib.md5(b"data").digest()).decode())],
     b"data", {}),
    ("sigv4-h06-s3-session-token", "s3", "us-west-2", "20250301T080910Z",
     "PUT", "localhost:4566", "/bucket/with-token", "",
     [("Host", "localhost:4566"), ("Content-Type", "application/octet-stream")],
     b"\x00\x01\x02binary", {"token": True}),
    ("sigv4-h07-s3-unsigned-payload", "s3", "us-east-1", "20250101T000000Z",
     "PUT", "localhost:4566", "/bucket/unsigned", "",
     [("Host", "localhost:4566")], b"not hashed", {"unsigned": True}),
    ("sigv4-h08-dynamodb-json", "dynamodb", "us-east-1", "20250101T000000Z",
     "POST", "localhost:4566", "/", "",
     [("Host", "localhost:4566"),
      ("Content-Type", "application/x-amz-json-1.0"),
      ("X-Amz-Target", "DynamoDB_20120810.GetItem")],
     b'{"TableName":"images","Key":{"id":{"S":"a b"}}}', {"token": True}),
    ("sigv4-h09-lambda-double-encoded-path", "lambda", "us-east-1",
     "20250101T000000Z", "POST", "localhost:4566",
     "/2015-03-31/functions/my%20func%3Aprod/invocations", "Qualifier=%24LATEST",
     [("Host", "localhost:4566"), ("X-Amz-Invocation-Type", "Event")],
     b'{"hello":"world"}', {}),
    ("sigv4-h10-apigw-normalised-path", "execute-api", "us-east-1",
     "20250101T000000Z", "GET", "localhost:4566", "/a//b/./c/../d%2Fe/",
     "x=1", [("Host", "localhost:4566")], b"", {}),
    ("sigv4-h11-sns-form-body", "sns", "ap-southeast-2", "20250101T000000Z",
     "POST", "localhost:4566", "/", "",
     [("Host", "localhost:4566"),
      ("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")],
     b"Action=Publish&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A0%3At&Message=hi",
     {}),
    ("sigv4-h12-s3-query-as-sent", "s3", "us-east-1", "20250101T000000Z",
     "GET", "localhost:4566", "/bucket", "prefix=a+b&k=%7e&Z=%2f",
     [("Host", "localhost:4566")], b"", {"sign": False}),
    ("sigv4-h13-s3-date-header", "s3", "us-east-1", "20250101T000000Z",
     "GET", "localhost:4566", "/bucket/dated", "",
     [("Host", "localhost:4566"), ("Date", "placeholder")], b"",
     {"sign": False}),
]


def header_vector(case):
    (vid, service, region, ts, method, host, path, query, headers, body,
     opt) = case
    epoch = pin_clock(ts)
    akid, secret = (DOC_AKID, DOC_SECRET) if opt.get("doc") else (AKID, SECRET)
    token = TOKEN if opt.get("token") else None
    creds = Credentials(akid, secret, token)
    is_s3 = service == "s3"
    cls = botocore.auth.S3SigV4Auth if is_s3 else botocore.auth.SigV4Auth
    signer = capturing(cls)(creds, service, region)
    request = make_request(method, host, path, query, headers, body)
    if opt.get("unsigned"):
        class S3Config:
            s3 = {"payload_signing_enabled": False}
        request.context["client_config"] = S3Config()
    signer.add_auth(request)

    sent = [[k, v] for k, v in request.headers.items()]
    payload_hash = (request.headers["X-Amz-Content-SHA256"] if is_s3
                    else hashlib.sha256(body).hexdigest())
    sign_input = [[k, v] for k, v in headers if k.lower() != "date"]
    if is_s3:
        sign_input.append(["X-Amz-Content-SHA256", payload_hash])
    signature = request.headers["Authorization"].rsplit("=", 1)[1]
    if "expect" in opt:
        assert signature == opt["expect"], (vid, signature)
    return {
        "id": vid, "kind": "header", "service": service, "region": region,
        "double_encode": not is_s3, "access_key": akid, "secret_key": secret,
        "session_token": token, "timestamp": ts, "epoch": epoch,
        "method": method, "path": path, "query": query,
        "headers": sign_input, "body_b64": base64.b64encode(body).decode(),
        "payload_hash": payload_hash, "sign": opt.get("sign", True),
        "canonical_request": signer.captured_cr,
        "string_to_sign": signer.captured_sts, "signature": signature,
        "authorization": request.headers["Authorization"],
        "sent_headers": sent,
    }


# ---- presigned URLs ---------------------------------------------------------
#
# id, service, region, timestamp, method, host, path, query, headers,
# expires, options (token).
PRESIGN_CASES = [
    ("sigv4-p01-s3-get", "s3", "us-east-1", "20250101T000000Z", "GET",
     "localhost:4566", "/bucket/photo.jpg", "", [("Host", "localhost:4566")],
     3600, {}),
    ("sigv4-p02-s3-put-token-special-key", "s3", "us-east-1",
     "20250102T030405Z", "PUT", "localhost:4566",
     "/uploads/a%20b%2Bc%C3%A9.png", "", [("Host", "localhost:4566")], 900,
     {"token": True}),
    ("sigv4-p03-s3-version-query-extra-header", "s3", "eu-central-1",
     "20250101T000000Z", "GET", "bucket.localhost:4566", "/key",
     "versionId=3%2Fabc&response-content-type=image%2Fpng",
     [("Host", "bucket.localhost:4566"), ("X-Amz-Meta-Owner", "me")], 604800,
     {}),
    ("sigv4-p04-sts-presigned", "sts", "us-east-1", "20250101T000000Z",
     "GET", "localhost:4566", "/", "Action=GetCallerIdentity&Version=2011-06-15",
     [("Host", "localhost:4566")], 60, {}),
]


def presign_vector(case):
    vid, service, region, ts, method, host, path, query, headers, expires, opt \
        = case
    epoch = pin_clock(ts)
    token = TOKEN if opt.get("token") else None
    creds = Credentials(AKID, SECRET, token)
    is_s3 = service == "s3"
    cls = (botocore.auth.S3SigV4QueryAuth if is_s3
           else botocore.auth.SigV4QueryAuth)
    signer = capturing(cls)(creds, service, region, expires=expires)
    request = make_request(method, host, path, query, headers, b"")
    signer.add_auth(request)
    _, presigned_query = split_url(request.url)
    return {
        "id": vid, "kind": "presign", "service": service, "region": region,
        "double_encode": not is_s3, "access_key": AKID, "secret_key": SECRET,
        "session_token": token, "timestamp": ts, "epoch": epoch,
        "method": method, "path": path, "query": query,
        "headers": [[k, v] for k, v in headers], "expires": expires,
        "payload_hash": None if is_s3 else EMPTY_SHA256,
        "body_b64": "", "sign": True,
        "canonical_request": signer.captured_cr,
        "string_to_sign": signer.captured_sts,
        "signature": presigned_query.rsplit("X-Amz-Signature=", 1)[1],
        "presigned_query": presigned_query,
        "sent_headers": [[k, v] for k, v in headers],
    }


# ---- aws-chunked bodies -----------------------------------------------------

def signing_key(secret, date, region, service):
    key = ("AWS4" + secret).encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def crc32c(data):
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
    return crc ^ 0xFFFFFFFF


def seed_request(vid, literal, ts, akid, secret, host, path, headers, region):
    """Sign the seed request with botocore; return (vector part, signer)."""
    epoch = pin_clock(ts)
    creds = Credentials(akid, secret)
    streaming = type("Streaming", (S3StreamingAuth,), {"literal": literal})
    signer = capturing(streaming)(creds, "s3", region)
    request = make_request("PUT", host, path, "", headers, b"")
    signer.add_auth(request)
    seed = request.headers["Authorization"].rsplit("=", 1)[1]
    return {
        "id": vid, "service": "s3", "region": region, "access_key": akid,
        "secret_key": secret, "timestamp": ts, "epoch": epoch,
        "method": "PUT", "path": path, "query": "",
        "headers": [[k, v] for k, v in headers] +
                   [["X-Amz-Content-SHA256", literal]],
        "payload_hash": literal,
        "canonical_request": signer.captured_cr,
        "string_to_sign": signer.captured_sts,
        "seed_signature": seed,
        "sent_headers": [[k, v] for k, v in request.headers.items()],
    }


def sign_chunks(vec, payload, chunk_size, trailer):
    """Encode payload as signed aws-chunked, with an optional trailer."""
    ts, region = vec["timestamp"], vec["region"]
    key = signing_key(vec["secret_key"], ts[:8], region, "s3")
    scope = f"{ts[:8]}/{region}/s3/aws4_request"
    previous = vec["seed_signature"]
    chunks, body = [], bytearray()
    pieces = [payload[i:i + chunk_size]
              for i in range(0, len(payload), chunk_size)] + [b""]
    for piece in pieces:
        sts = "\n".join(["AWS4-HMAC-SHA256-PAYLOAD", ts, scope, previous,
                         EMPTY_SHA256, hashlib.sha256(piece).hexdigest()])
        previous = hmac.new(key, sts.encode(), hashlib.sha256).hexdigest()
        chunks.append({"size": len(piece), "signature": previous,
                       "string_to_sign": sts})
        body += f"{len(piece):x};chunk-signature={previous}\r\n".encode()
        if piece:
            body += piece + b"\r\n"
    if trailer is None:
        body += b"\r\n"
    else:
        name, value = trailer
        canonical = f"{name}:{value}\n"
        sts = "\n".join(["AWS4-HMAC-SHA256-TRAILER", ts, scope, previous,
                         hashlib.sha256(canonical.encode()).hexdigest()])
        tsig = hmac.new(key, sts.encode(), hashlib.sha256).hexdigest()
        body += f"{name}:{value}\r\n".encode()
        body += f"x-amz-trailer-signature:{tsig}\r\n\r\n".encode()
        vec["trailer"] = {"name": name, "value": value, "signature": tsig,
                          "string_to_sign": sts}
    vec["chunks"] = chunks
    return bytes(body)


def chunked_vectors():
    out = []
    # 1. The S3 documentation example: 66560 bytes of 'a' in 64 KiB chunks.
    payload = b"a" * 66560
    vec = seed_request(
        "sigv4-c01-doc-signed-chunks", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
        "20130524T000000Z", DOC_AKID, DOC_SECRET, "s3.amazonaws.com",
        "/examplebucket/chunkObject.txt",
        [("Host", "s3.amazonaws.com"), ("Content-Encoding", "aws-chunked"),
         ("Content-Length", "66824"),
         ("x-amz-decoded-content-length", "66560"),
         ("x-amz-storage-class", "REDUCED_REDUNDANCY")], "us-east-1")
    assert vec["seed_signature"] == (
        "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9")
    body = sign_chunks(vec, payload, 65536, None)
    assert [c["signature"] for c in vec["chunks"]] == [
        "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
        "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
        "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9"]
    assert len(body) == 66824
    vec.update(mode="signed", body_b64=base64.b64encode(body).decode(),
               payload_b64=base64.b64encode(payload).decode())
    out.append(vec)

    # 2. Signed chunks with a signed CRC32C trailer.
    payload = bytes((i * 7 + 3) % 251 for i in range(20000))
    checksum = base64.b64encode(crc32c(payload).to_bytes(4, "big")).decode()
    vec = seed_request(
        "sigv4-c02-signed-trailer",
        "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER", "20250101T000000Z",
        AKID, SECRET, "localhost:4566", "/bucket/trailer.bin",
        [("Host", "localhost:4566"), ("Content-Encoding", "aws-chunked"),
         ("x-amz-decoded-content-length", str(len(payload))),
         ("x-amz-trailer", "x-amz-checksum-crc32c")], "us-east-1")
    body = sign_chunks(vec, payload, 8192, ("x-amz-checksum-crc32c", checksum))
    vec.update(mode="signed-trailer", body_b64=base64.b64encode(body).decode(),
               payload_b64=base64.b64encode(payload).decode())
    out.append(vec)

    # 3. Unsigned chunks + CRC32 trailer, encoded by botocore itself.
    payload = b"unsigned trailer payload " * 500
    wrapper = AwsChunkedWrapper(io.BytesIO(payload), checksum_cls=Crc32Checksum,
                                checksum_name="x-amz-checksum-crc32",
                                chunk_size=4096)
    body = wrapper.read()
    checksum = base64.b64encode(
        (zlib.crc32(payload) & 0xFFFFFFFF).to_bytes(4, "big")).decode()
    out.append({
        "id": "sigv4-c03-unsigned-trailer-botocore", "mode": "unsigned-trailer",
        "payload_hash": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
        "body_b64": base64.b64encode(body).decode(),
        "payload_b64": base64.b64encode(payload).decode(),
        "trailer": {"name": "x-amz-checksum-crc32", "value": checksum},
    })
    return out


def main():
    doc = {
        "comment": "generated by tests/vectors/gen_sigv4_vectors.py with "
                   "botocore; do not edit, re-run the script",
        "botocore_version": botocore.__version__,
        "vectors": [header_vector(c) for c in HEADER_CASES] +
                   [presign_vector(c) for c in PRESIGN_CASES],
        "chunked": chunked_vectors(),
    }
    ids = [v["id"] for v in doc["vectors"] + doc["chunked"]]
    assert len(ids) == len(set(ids)), "duplicate vector id"
    with open(OUT, "w") as f:
        json.dump(doc, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {len(ids)} vectors to {os.path.relpath(OUT)}",
          file=sys.stderr)


if __name__ == "__main__":
    main()

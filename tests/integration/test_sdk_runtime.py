"""The sdk's Lambda Runtime API client (sdk/runtime_client.c) against a
fake Runtime API in Python: the next -> handler -> response/error loop,
the Lambda-Runtime-* headers reaching the handler (and _X_AMZN_TRACE_ID),
error documents and their Lambda-Runtime-Function-Error-Type header, the
init error call, and the loop ending when the Runtime API fails."""
import http.server
import json
import threading
import time
import unittest

from sdk_support import drive, sdk_env

PREFIX = "/2018-06-01/runtime"


class FakeRuntime(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    events = []      # (request id, payload) still to hand out
    posts = []       # (path, headers, body) received
    next_status = 200

    def do_GET(self):
        if self.path != PREFIX + "/invocation/next":
            return self.reply(404, b'{"errorMessage":"no route","errorType":"NotFound"}')
        if not FakeRuntime.events or FakeRuntime.next_status != 200:
            return self.reply(500, b'{"errorMessage":"shutting down","errorType":"Runtime.Exit"}')
        rid, payload = FakeRuntime.events.pop(0)
        self.send_response(200)
        self.send_header("Lambda-Runtime-Aws-Request-Id", rid)
        self.send_header("Lambda-Runtime-Deadline-Ms", str(int(time.time() * 1000) + 30000))
        self.send_header("Lambda-Runtime-Invoked-Function-Arn",
                         "arn:aws:lambda:us-east-1:000000000000:function:imgpipe-pipeline")
        self.send_header("Lambda-Runtime-Trace-Id", "Root=1-abc-def;Sampled=0")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        FakeRuntime.posts.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
        if self.path.endswith("/response") and len(body) > 1000:
            return self.reply(413, b'{"errorMessage":"too large","errorType":"RequestEntityTooLarge"}')
        self.reply(202, b'{"status":"OK"}')

    def reply(self, status, body):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


class TestRuntimeLoop(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FakeRuntime)
        threading.Thread(target=cls.srv.serve_forever, daemon=True).start()
        cls.api = "127.0.0.1:%d" % cls.srv.server_address[1]

    @classmethod
    def tearDownClass(cls):
        cls.srv.shutdown()
        cls.srv.server_close()

    def setUp(self):
        FakeRuntime.events, FakeRuntime.posts, FakeRuntime.next_status = [], [], 200

    def env(self):
        return sdk_env(None, AWS_LAMBDA_RUNTIME_API=self.api)

    def test_responses_and_errors(self):
        FakeRuntime.events = [("req-1", b'{"Records":[{"n":1}]}'),
                              ("req-2", b'{"fail":"Pipeline.Transient"}'),
                              ("req-3", b'{"pad":"' + b"x" * 2000 + b'"}')]
        r = drive(self.env(), "runtime", 3)
        self.assertTrue(r["ok"], r)
        paths = [p for p, _, _ in FakeRuntime.posts]
        self.assertEqual(paths, [PREFIX + "/invocation/req-1/response",
                                 PREFIX + "/invocation/req-2/error",
                                 PREFIX + "/invocation/req-3/response",
                                 PREFIX + "/invocation/req-3/error"])
        out = json.loads(FakeRuntime.posts[0][2])
        self.assertEqual(out["request_id"], "req-1")
        self.assertEqual(out["function_arn"],
                         "arn:aws:lambda:us-east-1:000000000000:function:imgpipe-pipeline")
        self.assertEqual(out["trace_id"], "Root=1-abc-def;Sampled=0")
        self.assertEqual(out["trace_env"], "Root=1-abc-def;Sampled=0")
        self.assertTrue(out["remaining_positive"])
        self.assertEqual(out["event"], {"Records": [{"n": 1}]})
        _, headers, body = FakeRuntime.posts[1]
        self.assertEqual(headers["lambda-runtime-function-error-type"], "Pipeline.Transient")
        self.assertEqual(json.loads(body), {"errorMessage": "asked to fail",
                                            "errorType": "Pipeline.Transient", "stackTrace": []})
        # a response the Runtime API refuses as too large becomes an error
        _, headers, body = FakeRuntime.posts[3]
        self.assertEqual(json.loads(body)["errorType"], "Function.ResponseSizeTooLarge")

    def test_loop_ends_when_runtime_api_fails(self):
        FakeRuntime.events = [("req-9", b"{}")]
        r = drive(self.env(), "runtime", 0)  # forever, until next fails
        self.assertEqual((r["ok"], r["status"], r["message"]), (False, 500, "shutting down"))
        self.assertEqual(len(FakeRuntime.posts), 1)

    def test_init_error(self):
        r = drive(self.env(), "runtime-init-error", "Runtime.InitError", "libvips did not start")
        self.assertTrue(r["ok"], r)
        path, headers, body = FakeRuntime.posts[0]
        self.assertEqual(path, PREFIX + "/init/error")
        self.assertEqual(headers["lambda-runtime-function-error-type"], "Runtime.InitError")
        self.assertEqual(json.loads(body)["errorMessage"], "libvips did not start")

    def test_no_runtime_api(self):
        r = drive(sdk_env(None), "runtime", 1)
        self.assertEqual((r["ok"], r["code"]), (False, "InvalidParameter"))


if __name__ == "__main__":
    unittest.main()

"""The emulator process and its HTTP edge: start, flags, health, routing
errors, request ids, keep-alive, 100-continue, limits, shutdown."""
import json
import os
import signal
import socket
import subprocess
import tempfile
import threading
import time
import unittest
import xml.etree.ElementTree as ET

from emu import Emulator, emulator_bin

STS_FORM = b"Action=GetCallerIdentity&Version=2011-06-15"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def raw_exchange(port, data, read_until_close=True, timeout=10):
    """Send raw bytes, return everything the server sends back."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        s.sendall(data)
        chunks = []
        while True:
            try:
                b = s.recv(65536)
            except socket.timeout:
                break
            if not b:
                break
            chunks.append(b)
            if not read_until_close:
                break
        return b"".join(chunks)
    finally:
        s.close()


class TestStartAndFlags(unittest.TestCase):
    def test_help_and_version_exit_zero(self):
        out = subprocess.run([emulator_bin(), "--help"], capture_output=True, text=True)
        self.assertEqual(out.returncode, 0)
        for flag in ("--host", "--port", "--redis-port", "--data-dir", "--ephemeral",
                     "--log-level", "--auth"):
            self.assertIn(flag, out.stdout)
        out = subprocess.run([emulator_bin(), "--version"], capture_output=True, text=True)
        self.assertEqual(out.returncode, 0)
        self.assertRegex(out.stdout, r"^imgpipe emulator \d+\.\d+\.\d+")

    def test_bad_flag_is_a_clear_error(self):
        out = subprocess.run([emulator_bin(), "--port", "99999"], capture_output=True, text=True)
        self.assertEqual(out.returncode, 2)
        self.assertIn("--port", out.stderr)
        out = subprocess.run([emulator_bin(), "--no-such-flag"], capture_output=True, text=True)
        self.assertEqual(out.returncode, 2)
        self.assertIn("unknown option '--no-such-flag'", out.stderr)
        out = subprocess.run([emulator_bin(), "--auth", "maybe"], capture_output=True, text=True)
        self.assertEqual(out.returncode, 2)
        self.assertIn("--auth", out.stderr)

    def test_environment_mirrors_flags(self):
        env = {"IMGPIPE_LOG_LEVEL": "loud"}
        out = subprocess.run([emulator_bin()], capture_output=True, text=True,
                             env=dict(os.environ, **env), timeout=10)
        self.assertEqual(out.returncode, 2)
        self.assertIn("IMGPIPE_LOG_LEVEL", out.stderr)

    def test_ready_line_and_health(self):
        with Emulator() as emu:
            ready = [l for l in emu.stdout_lines if "ready:" in l]
            self.assertEqual(len(ready), 1)
            self.assertIn(emu.data_dir, ready[0])
            status, headers, body = emu.http("GET", "/_emulator/health")
            self.assertEqual(status, 200)
            self.assertEqual(headers["content-type"], "application/json")
            health = json.loads(body)
            self.assertEqual(health["status"], "running")
            self.assertRegex(health["version"], r"^\d+\.\d+\.\d+$")
            self.assertGreaterEqual(health["uptime_ms"], 0)
            self.assertIn("sts", health["services"])
            self.assertEqual(health["services"]["sts"]["state"], "running")
            self.assertIn("redis", health["services"])

    def test_taken_port_fails_clearly(self):
        with Emulator() as first:
            out = subprocess.run(
                [emulator_bin(), "--port", str(first.port), "--redis-port", "0",
                 "--ephemeral"], capture_output=True, text=True, timeout=20)
            self.assertNotEqual(out.returncode, 0)
            self.assertIn("cannot listen on 127.0.0.1:%d" % first.port, out.stderr)
            self.assertIn("Address already in use", out.stderr)

    def test_taken_redis_port_fails_clearly(self):
        with Emulator() as first:
            if first.redis_port is None:
                self.skipTest("redis is not part of this build")
            out = subprocess.run(
                [emulator_bin(), "--port", "0", "--redis-port", str(first.redis_port),
                 "--ephemeral"], capture_output=True, text=True, timeout=20)
            self.assertNotEqual(out.returncode, 0)
            self.assertIn(str(first.redis_port), out.stderr)

    def test_unusable_data_dir_fails_clearly(self):
        with tempfile.NamedTemporaryFile() as f:
            out = subprocess.run(
                [emulator_bin(), "--port", "0", "--redis-port", "0", "--data-dir",
                 os.path.join(f.name, "sub")], capture_output=True, text=True, timeout=20)
            self.assertNotEqual(out.returncode, 0)
            self.assertIn(f.name, out.stderr)
            self.assertNotIn("ready", out.stdout)

    def test_ephemeral_leaves_nothing_behind(self):
        tmp = tempfile.mkdtemp(prefix="imgpipe-eph-")
        try:
            emu = Emulator(args=["--ephemeral"], env={"TMPDIR": tmp})
            emu.start()
            used = os.listdir(tmp)
            self.assertEqual(len(used), 1, used)     # its temporary data dir
            self.assertTrue(os.path.exists(os.path.join(tmp, used[0])))
            status, _, _ = emu.http("POST", "/", body=STS_FORM, headers=FORM)
            self.assertEqual(status, 200)
            self.assertEqual(emu.stop(), 0)
            self.assertEqual(os.listdir(tmp), [])
        finally:
            os.rmdir(tmp)

    def test_data_dir_is_created_and_kept(self):
        parent = tempfile.mkdtemp(prefix="imgpipe-dd-")
        target = os.path.join(parent, "state")
        try:
            with Emulator(data_dir=target):
                self.assertTrue(os.path.isdir(target))
            self.assertTrue(os.path.isdir(target))
        finally:
            subprocess.run(["rm", "-rf", parent])


class TestRouting(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.emu = Emulator().start()

    @classmethod
    def tearDownClass(cls):
        cls.emu.stop()

    def test_every_response_has_request_ids(self):
        for method, path, body, headers in (
                ("GET", "/_emulator/health", None, {}),
                ("GET", "/_emulator/nope", None, {}),
                ("POST", "/", STS_FORM, FORM),
                ("POST", "/", b"Action=Nope&Version=2011-06-15", FORM)):
            status, h, _ = self.emu.http(method, path, body=body, headers=headers)
            self.assertRegex(h.get("x-amz-request-id", ""), r"^[0-9a-f-]{36}$")
            self.assertEqual(h["x-amz-request-id"], h["x-amzn-requestid"])

    def test_request_ids_are_unique(self):
        ids = set()
        for _ in range(20):
            _, h, _ = self.emu.http("GET", "/_emulator/health")
            ids.add(h["x-amz-request-id"])
        self.assertEqual(len(ids), 20)

    def test_query_protocol_success(self):
        status, h, body = self.emu.http("POST", "/", body=STS_FORM, headers=FORM)
        self.assertEqual(status, 200, body)
        self.assertEqual(h["content-type"], "text/xml")
        root = ET.fromstring(body)
        ns = "{https://sts.amazonaws.com/doc/2011-06-15/}"
        self.assertEqual(root.tag, ns + "GetCallerIdentityResponse")
        self.assertEqual(root.find(ns + "GetCallerIdentityResult/" + ns + "Account").text,
                         "123456789012")
        self.assertEqual(root.find(ns + "ResponseMetadata/" + ns + "RequestId").text,
                         h["x-amz-request-id"])

    def test_query_unknown_action_is_query_xml_error(self):
        status, h, body = self.emu.http(
            "POST", "/", body=b"Action=AssumeNothing&Version=2011-06-15", headers=FORM)
        self.assertEqual(status, 400)
        root = ET.fromstring(body)
        ns = "{https://sts.amazonaws.com/doc/2011-06-15/}"
        self.assertEqual(root.tag, ns + "ErrorResponse")
        self.assertEqual(root.find(ns + "Error/" + ns + "Code").text, "InvalidAction")
        self.assertIn("AssumeNothing", root.find(ns + "Error/" + ns + "Message").text)
        self.assertEqual(root.find(ns + "Error/" + ns + "Type").text, "Sender")

    def test_query_unknown_version_and_action(self):
        status, _, body = self.emu.http(
            "POST", "/", body=b"Action=Frobnicate&Version=1999-01-01", headers=FORM)
        self.assertEqual(status, 400)
        root = ET.fromstring(body)
        self.assertTrue(root.tag.endswith("ErrorResponse"))
        self.assertIn(b"<Code>InvalidAction</Code>", body)
        self.assertIn(b"Frobnicate", body)

    def test_query_missing_action(self):
        status, _, body = self.emu.http("POST", "/", body=b"Version=2011-06-15", headers=FORM)
        self.assertEqual(status, 400)
        self.assertIn(b"<Code>MissingAction</Code>", body)

    def test_query_get_form(self):
        status, _, body = self.emu.http("GET", "/?Action=GetCallerIdentity&Version=2011-06-15")
        self.assertEqual(status, 200, body)
        self.assertIn(b"<Account>123456789012</Account>", body)

    def test_signed_scope_of_unemulated_service(self):
        auth = ("AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/sqs/aws4_request, "
                "SignedHeaders=host;x-amz-date, Signature=" + "0" * 64)
        status, h, body = self.emu.http(
            "POST", "/", body=b"Action=ListQueues&Version=2012-11-05",
            headers=dict(FORM, Authorization=auth))
        self.assertEqual(status, 501)
        self.assertIn(b"<ErrorResponse", body)
        self.assertIn(b"<Code>NotImplemented</Code>", body)
        self.assertIn(b"sqs", body)

    def test_json_target_of_unemulated_service_is_json(self):
        status, h, body = self.emu.http(
            "POST", "/", body=b"{}",
            headers={"X-Amz-Target": "AmazonSQS.ListQueues",
                     "Content-Type": "application/x-amz-json-1.0"})
        self.assertGreaterEqual(status, 400)
        doc = json.loads(body)
        self.assertIn("__type", doc)
        self.assertIn("message", doc)

    def test_rest_json_error_shape_per_service(self):
        # Lambda says "Message" (capital M), as AWS does; the header names
        # the code for botocore.
        status, h, body = self.emu.http("GET", "/2015-03-31/functions/no-such-fn")
        self.assertEqual(status, 404)
        self.assertEqual(h["x-amzn-errortype"], "ResourceNotFoundException")
        doc = json.loads(body)
        self.assertEqual(doc["Type"], "User")
        self.assertIn("no-such-fn", doc["Message"])
        self.assertNotIn("message", doc)

    def test_admin_unknown_path_and_method(self):
        status, h, body = self.emu.http("GET", "/_emulator/nope")
        self.assertEqual(status, 404)
        self.assertEqual(h["x-amzn-errortype"], "UnknownOperationException")
        self.assertIn("message", json.loads(body))
        status, h, body = self.emu.http("DELETE", "/_emulator/health")
        self.assertEqual(status, 405)
        self.assertEqual(h["x-amzn-errortype"], "MethodNotAllowed")

    def test_resources_and_stats_are_json(self):
        status, _, body = self.emu.http("GET", "/_emulator/resources")
        self.assertEqual(status, 200)
        self.assertIsInstance(json.loads(body), dict)
        self.emu.http("POST", "/", body=STS_FORM, headers=FORM)
        status, _, body = self.emu.http("GET", "/_emulator/stats")
        self.assertEqual(status, 200)
        stats = json.loads(body)
        self.assertGreaterEqual(stats["sts"]["GetCallerIdentity"]["calls"], 1)

    def test_reset(self):
        status, _, body = self.emu.http("POST", "/_emulator/reset")
        self.assertEqual(status, 200)
        self.assertIn("reset", json.loads(body))

    def test_body_over_limit_gets_protocol_error(self):
        big = b"Action=GetCallerIdentity&Version=2011-06-15&Pad=" + b"x" * (70 * 1024)
        status, _, body = self.emu.http("POST", "/", body=big, headers=FORM)
        self.assertEqual(status, 413)
        self.assertIn(b"<ErrorResponse", body)
        self.assertIn(b"RequestEntityTooLarge", body)

    def test_keep_alive_serves_several_requests(self):
        import http.client
        conn = http.client.HTTPConnection("127.0.0.1", self.emu.port, timeout=10)
        try:
            for _ in range(3):
                conn.request("POST", "/", body=STS_FORM, headers=FORM)
                r = conn.getresponse()
                self.assertEqual(r.status, 200)
                r.read()
                self.assertNotEqual((r.getheader("Connection") or "").lower(), "close")
        finally:
            conn.close()

    def test_expect_100_continue(self):
        head = ("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                "application/x-www-form-urlencoded\r\nContent-Length: %d\r\n"
                "Expect: 100-continue\r\nConnection: close\r\n\r\n" % len(STS_FORM)).encode()
        s = socket.create_connection(("127.0.0.1", self.emu.port), timeout=10)
        try:
            s.sendall(head)
            interim = s.recv(4096)
            self.assertTrue(interim.startswith(b"HTTP/1.1 100 Continue"), interim)
            s.sendall(STS_FORM)
            rest = b""
            while True:
                b = s.recv(65536)
                if not b:
                    break
                rest += b
            self.assertIn(b"HTTP/1.1 200", rest)
            self.assertIn(b"<Account>", rest)
        finally:
            s.close()

    def test_chunked_request_body(self):
        body = b"%x\r\n%s\r\n0\r\n\r\n" % (len(STS_FORM), STS_FORM)
        req = (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
               b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + body)
        out = raw_exchange(self.emu.port, req)
        self.assertIn(b"HTTP/1.1 200", out)
        self.assertIn(b"<Account>123456789012</Account>", out)

    def test_oversized_headers_are_refused(self):
        req = (b"GET /_emulator/health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 100000 +
               b"\r\nConnection: close\r\n\r\n")
        out = raw_exchange(self.emu.port, req)
        self.assertRegex(out.split(b"\r\n", 1)[0], rb"HTTP/1\.1 4(31|13|14)")
        # the server is still fine afterwards
        status, _, _ = self.emu.http("GET", "/_emulator/health")
        self.assertEqual(status, 200)

    def test_malformed_path_escape(self):
        status, _, body = self.emu.http("GET", "/_emulator/%zz")
        self.assertEqual(status, 400)

    def test_access_log_line(self):
        self.emu.http("GET", "/_emulator/health")
        deadline = time.time() + 5
        while time.time() < deadline:
            if any(" admin Health 200 " in l for l in self.emu.stderr_lines):
                break
            time.sleep(0.05)
        lines = [l for l in self.emu.stderr_lines if " admin Health 200 " in l]
        self.assertTrue(lines, self.emu.logs())
        self.assertRegex(lines[-1], r"[0-9a-f-]{36} admin Health 200 \d+ [\d.]+ms GET /_emulator/health")


class TestShutdown(unittest.TestCase):
    def test_sigterm_lets_a_slow_upload_finish(self):
        emu = Emulator().start()
        result = {}

        def slow_client():
            s = socket.create_connection(("127.0.0.1", emu.port), timeout=30)
            s.sendall(("POST / HTTP/1.1\r\nHost: x\r\nContent-Type: "
                       "application/x-www-form-urlencoded\r\nContent-Length: %d\r\n"
                       "Connection: close\r\n\r\n" % len(STS_FORM)).encode())
            for i in range(len(STS_FORM)):
                s.sendall(STS_FORM[i:i + 1])
                time.sleep(0.04)
                if i == 5:
                    result["started"] = True
            data = b""
            while True:
                b = s.recv(65536)
                if not b:
                    break
                data += b
            s.close()
            result["response"] = data

        t = threading.Thread(target=slow_client)
        t.start()
        while "started" not in result:
            time.sleep(0.01)
        emu.proc.send_signal(signal.SIGTERM)
        time.sleep(0.2)
        # no longer accepting new connections
        with self.assertRaises(OSError):
            socket.create_connection(("127.0.0.1", emu.port), timeout=2).close()
        t.join(30)
        rc = emu.stop()
        self.assertIn(b"HTTP/1.1 200", result.get("response", b""))
        self.assertIn(b"<Account>123456789012</Account>", result["response"])
        self.assertEqual(rc, 0, emu.logs())

    def test_sigint_exits_zero(self):
        emu = Emulator().start()
        self.assertEqual(emu.stop(signal.SIGINT), 0, emu.logs())

    def test_shutdown_timeout_bounds_the_wait(self):
        emu = Emulator(args=["--shutdown-timeout", "1"]).start()
        s = socket.create_connection(("127.0.0.1", emu.port), timeout=30)
        # a request whose body never comes
        s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: "
                  b"application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nAct")
        time.sleep(0.2)
        t0 = time.monotonic()
        rc = emu.stop()
        waited = time.monotonic() - t0
        s.close()
        self.assertEqual(rc, 0, emu.logs())
        self.assertLess(waited, 15)
        self.assertIn("still in flight", emu.logs())


if __name__ == "__main__":
    unittest.main()

"""Start the real emulator binary for a test, and stop it.

    with Emulator() as emu:            # free ports, temporary data dir
        emu.http("GET", "/_emulator/health")
        emu.port, emu.redis_port, emu.data_dir

The binary comes from $EMULATOR_BIN (the Makefile sets it) or
build/bin/emulator.  Every instance listens on ports the kernel picks
(--port 0 --redis-port 0) and reads them back from the ready line, so
tests never collide with each other or with a running `make run`.
"""
import http.client
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
READY = re.compile(r"ready: http://([^:\s]+):(\d+)(?: redis://[^:\s]+:(\d+))?")


def emulator_bin():
    return os.environ.get("EMULATOR_BIN") or os.path.join(ROOT, "build", "bin", "emulator")


class Emulator:
    """One emulator process.  args are extra flags; data_dir=None makes a
    temporary one that is removed at stop (unless keep_data)."""

    def __init__(self, args=(), data_dir=None, env=None, keep_data=False,
                 ready_timeout=20.0):
        self.args = list(args)
        self.own_dir = data_dir is None
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="imgpipe-test-")
        self.keep_data = keep_data
        self.env = dict(os.environ)
        self.env.update(env or {})
        self.ready_timeout = ready_timeout
        self.proc = None
        self.port = None
        self.redis_port = None
        self.host = "127.0.0.1"
        self.stderr_lines = []
        self.stdout_lines = []

    # -- lifecycle -------------------------------------------------------
    def start(self):
        cmd = [emulator_bin(), "--port", "0", "--redis-port", "0",
               "--data-dir", self.data_dir] + self.args
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=self.env,
                                     text=True, errors="replace")
        ready = threading.Event()

        def pump(stream, sink, look_for_ready):
            for line in stream:
                sink.append(line.rstrip("\n"))
                if look_for_ready:
                    m = READY.search(line)
                    if m and not ready.is_set():
                        self.host, self.port = m.group(1), int(m.group(2))
                        self.redis_port = int(m.group(3)) if m.group(3) else None
                        ready.set()

        self._threads = [
            threading.Thread(target=pump, args=(self.proc.stdout, self.stdout_lines, True), daemon=True),
            threading.Thread(target=pump, args=(self.proc.stderr, self.stderr_lines, False), daemon=True),
        ]
        for t in self._threads:
            t.start()
        deadline = time.monotonic() + self.ready_timeout
        while not ready.wait(0.02):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("emulator did not become ready: rc=%s\nstdout:\n%s\nstderr:\n%s" % (
                    self.proc.returncode, "\n".join(self.stdout_lines), "\n".join(self.stderr_lines)))
        return self

    def stop(self, sig=signal.SIGTERM, timeout=30.0):
        """Stop the process; returns its exit code."""
        rc = None
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.send_signal(sig)
            try:
                rc = self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                rc = self.proc.wait()
            for t in getattr(self, "_threads", []):
                t.join(2)
        if self.own_dir and not self.keep_data:
            shutil.rmtree(self.data_dir, ignore_errors=True)
        return rc

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # -- helpers ---------------------------------------------------------
    @property
    def endpoint(self):
        return "http://%s:%d" % (self.host, self.port)

    def http(self, method, path, body=None, headers=None, timeout=30):
        """One HTTP request on a fresh connection; returns
        (status, headers dict with lower-case names, body bytes)."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            r = conn.getresponse()
            data = r.read()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, data
        finally:
            conn.close()

    def logs(self):
        return "\n".join(self.stderr_lines)

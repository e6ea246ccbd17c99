"""Helpers for the sdk tests (test_sdk*.py, test_imgctl.py): the C driver
program, a moto_server on a free port as the second, independent server,
and the probe that turns "the emulator has no such operation yet" into a
visible skip."""
import json
import os
import socket
import subprocess
import time
import unittest
import urllib.request

from emu import ROOT, emulator_bin

# Answers meaning "the emulator does not have this operation (yet)".
NOT_THERE = ("NotImplemented", "UnknownOperationException", "InvalidAction")


def build_dir():
    if os.environ.get("BUILD_DIR"):
        return os.environ["BUILD_DIR"]
    return os.path.dirname(os.path.dirname(os.path.abspath(emulator_bin())))


def program(rel):
    path = os.path.join(build_dir(), rel)
    if not os.path.exists(path):
        raise AssertionError("%s is missing: build it with `make %s`" % (path, path))
    return path


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def sdk_env(endpoint=None, **extra):
    """A clean environment for an sdk program: test credentials, no
    developer files, endpoint if given."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({
        "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_REGION": "us-east-1", "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
    })
    if endpoint:
        env["AWS_ENDPOINT_URL"] = endpoint
    for k, v in extra.items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = v
    return env


def drive(env, *args, stdin=None, timeout=60):
    """Run the sdk driver; returns the JSON object it printed, with the
    exit code under "exit" (a list of objects in session modes)."""
    out = subprocess.run([program("tests/sdk_driver")] + [str(a) for a in args],
                         input=stdin, capture_output=True, text=True, env=env,
                         timeout=timeout)
    lines = [l for l in out.stdout.splitlines() if l.strip()]
    if not lines:
        raise AssertionError("sdk_driver %s printed nothing (exit %d): %s" %
                             (" ".join(map(str, args)), out.returncode, out.stderr))
    docs = [json.loads(l) for l in lines]
    want = 0 if all(d.get("ok") for d in docs) else 1
    if out.returncode != want:  # e.g. a sanitizer report changes the exit code
        raise AssertionError("sdk_driver %s exited %d (expected %d):\n%s" %
                             (" ".join(map(str, args)), out.returncode, want, out.stderr))
    if len(docs) == 1 and stdin is None:
        docs[0]["exit"] = out.returncode
        return docs[0]
    return docs


def skip_if_missing(result, what):
    """Skip (visibly) when the emulator answered that it lacks what."""
    if not result.get("ok") and result.get("code") in NOT_THERE:
        raise unittest.SkipTest("emulator has no %s yet (%s: %s)" %
                                (what, result["code"], result.get("message")))


class Moto:
    """moto_server on a free port, for the lifetime of a test class."""

    def __init__(self):
        self.port = free_port()
        self.proc = None

    @property
    def endpoint(self):
        return "http://127.0.0.1:%d" % self.port

    def start(self):
        try:
            import moto  # noqa: F401
        except ImportError:
            raise unittest.SkipTest("needs moto (python3 -m moto.server): not installed")
        self.proc = subprocess.Popen(
            ["python3", "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=sdk_env())
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("moto_server exited with %d" % self.proc.returncode)
            try:
                urllib.request.urlopen(self.endpoint + "/moto-api/", timeout=1).read()
                return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("moto_server did not start on port %d" % self.port)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def boto3_client(endpoint, service):
    import boto3
    from botocore.config import Config
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test",
                        config=Config(retries={"max_attempts": 1}))


class OnMoto:
    """Mixin: run a cases class against a fresh moto_server.  The cases
    class defines prepare(cls), which creates what its tests need."""

    @classmethod
    def setUpClass(cls):
        cls.server = Moto().start()
        cls.endpoint = cls.server.endpoint
        try:
            cls.prepare()
        except BaseException:
            cls.server.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()


class OnEmulator:
    """Mixin: the same cases against a fresh emulator, which must exit 0."""

    @classmethod
    def setUpClass(cls):
        from emu import Emulator
        cls.emu = Emulator().start()
        cls.endpoint = cls.emu.endpoint
        try:
            cls.prepare()
        except BaseException:
            cls.emu.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        rc = cls.emu.stop()
        if rc != 0:
            raise AssertionError("emulator exited with %s:\n%s" % (rc, cls.emu.logs()))

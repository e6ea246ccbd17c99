"""Compatibility of the emulator's Redis server with real clients:
redis-cli (commands, --raw, RESP3, --scan, --pipe mass insert, INFO) and
node-redis v4 in a small scenario (tests/compat/redis-node/).

Skips say what is missing: redis-cli, or node + npm (or the npm
registry, the first time, to fill tests/compat/redis-node/node_modules).
"""
import os
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from emu import Emulator, ROOT  # noqa: E402

NODE_DIR = os.path.join(ROOT, "tests", "compat", "redis-node")


def resp(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class TestRedisCli(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not shutil.which("redis-cli"):
            raise unittest.SkipTest("needs redis-cli (apt-get install redis-tools)")
        cls.emu = Emulator().start()

    @classmethod
    def tearDownClass(cls):
        cls.emu.stop()

    def cli(self, *args, stdin=None, extra=()):
        cmd = ["redis-cli", "-p", str(self.emu.redis_port)] + list(extra) + [str(a) for a in args]
        p = subprocess.run(cmd, input=stdin, capture_output=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        return p.stdout.decode()

    def setUp(self):
        self.cli("FLUSHALL")

    def test_set_get(self):
        self.assertEqual(self.cli("SET", "greeting", "hello world"), "OK\n")
        self.assertEqual(self.cli("GET", "greeting"), "hello world\n")
        self.assertEqual(self.cli("INCR", "n"), "1\n")
        self.assertEqual(self.cli("GET", "nokey"), "\n")
        # An error reply is printed (then a blank line, as with
        # redis-server), exit code stays 0.
        self.assertEqual(self.cli("GET"), "ERR wrong number of arguments for 'get' command\n\n")

    def test_raw_and_formatting(self):
        self.cli("RPUSH", "l", "a", "b")
        self.assertEqual(self.cli("LRANGE", "l", 0, -1, extra=["--raw"]), "a\nb\n")
        # With a terminal-less stdout redis-cli prints raw by default;
        # --no-raw shows the typed form.
        self.assertEqual(self.cli("LRANGE", "l", 0, -1, extra=["--no-raw"]),
                         '1) "a"\n2) "b"\n')
        self.assertEqual(self.cli("GET", "nokey", extra=["--no-raw"]), "(nil)\n")
        self.assertEqual(self.cli("INCR", "n", extra=["--no-raw"]), "(integer) 1\n")
        self.cli("ZADD", "z", "0.1", "m")
        self.assertEqual(self.cli("ZSCORE", "z", "m"), "0.10000000000000001\n")

    def test_resp3(self):
        self.cli("HSET", "h", "f", "v")
        self.assertEqual(self.cli("HGETALL", "h", extra=["-3", "--no-raw"]),
                         '1# "f" => "v"\n')

    def test_info(self):
        out = self.cli("INFO")
        self.assertIn("redis_version:7.", out)
        self.assertIn("# Keyspace", out)
        self.assertIn("tcp_port:%d" % self.emu.redis_port, self.cli("INFO", "server"))

    def test_scan_and_stdin(self):
        for i in range(30):
            self.cli("SET", "k:%d" % i, i)
        keys = self.cli("--scan", "--pattern", "k:1*").split()
        self.assertEqual(sorted(keys), sorted(["k:1"] + ["k:1%d" % i for i in range(10)]))
        # -x takes the last argument from stdin.
        self.assertEqual(self.cli("SET", "fromstdin", extra=["-x"], stdin=b"piped"), "OK\n")
        self.assertEqual(self.cli("GET", "fromstdin"), "piped\n")

    def test_pipe_mass_insert(self):
        n = 20000
        data = b"".join(resp("SET", "mass:%d" % i, "v%d" % i) for i in range(n))
        data += resp("HSET", "mass:hash", "f", "v")
        out = self.cli(extra=["--pipe"], stdin=data)
        self.assertIn("errors: 0, replies: %d" % (n + 1), out)
        self.assertEqual(self.cli("DBSIZE"), "%d\n" % (n + 1))
        self.assertEqual(self.cli("GET", "mass:12345"), "v12345\n")

    def test_password(self):
        with Emulator(args=["--redis-password", "pw"]) as emu:
            base = ["redis-cli", "-p", str(emu.redis_port)]
            p = subprocess.run(base + ["GET", "x"], capture_output=True, timeout=30)
            self.assertEqual(p.stdout.decode(), "NOAUTH Authentication required.\n\n")
            p = subprocess.run(base + ["--no-auth-warning", "-a", "pw", "SET", "x", "1"],
                               capture_output=True, timeout=30)
            self.assertEqual(p.stdout.decode(), "OK\n")


class TestNodeRedis(unittest.TestCase):
    """node-redis v4 (npm `redis`, pinned in redis-node/package.json)."""

    @classmethod
    def setUpClass(cls):
        if not shutil.which("node") or not shutil.which("npm"):
            raise unittest.SkipTest("needs node + npm: not installed")
        if not os.path.isdir(os.path.join(NODE_DIR, "node_modules", "redis")):
            try:
                p = subprocess.run(["npm", "install", "--no-audit", "--no-fund",
                                    "--loglevel=error"], cwd=NODE_DIR,
                                   capture_output=True, timeout=240)
            except subprocess.TimeoutExpired:
                raise unittest.SkipTest("needs node + npm: npm install timed out "
                                        "(is the npm registry reachable?)")
            if p.returncode != 0:
                raise unittest.SkipTest("needs node + npm: npm install failed "
                                        "(is the npm registry reachable?): %s"
                                        % p.stderr.decode(errors="replace")[-300:])

    def run_scenario(self, args=(), password=None):
        with Emulator(args=list(args)) as emu:
            cmd = ["node", "scenario.js", str(emu.redis_port)]
            if password:
                cmd.append(password)
            p = subprocess.run(cmd, cwd=NODE_DIR, capture_output=True, timeout=120)
            self.assertEqual(p.returncode, 0, (p.stdout + p.stderr).decode(errors="replace"))
            self.assertEqual(p.stdout.decode().strip().splitlines()[-1], "ok")

    def test_node_redis_scenario(self):
        self.run_scenario()

    def test_node_redis_with_password(self):
        self.run_scenario(["--redis-password", "node-pw"], password="node-pw")


if __name__ == "__main__":
    unittest.main()

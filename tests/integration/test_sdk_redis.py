"""The sdk's Redis client (sdk/redis_client.c) through the driver
program, against Debian's redis-server and the emulator's Redis: commands
and reply types, TTLs, error replies, and the transparent reconnect when
the server restarts between two commands of one client."""
import shutil
import subprocess
import tempfile
import time
import unittest

from emu import Emulator
from sdk_support import drive, free_port, program, sdk_env


def start_redis(port, workdir):
    return subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1",
                             "--save", "", "--appendonly", "no", "--dir", workdir],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_port(port, proc):
    for _ in range(100):
        r = drive(sdk_env(None), "redis", "127.0.0.1", port, 200, "PING")
        if r["ok"]:
            return
        if proc is not None and proc.poll() is not None:
            raise RuntimeError("redis-server exited")
        time.sleep(0.05)
    raise RuntimeError("redis on %d did not answer" % port)


class RedisCases:
    def cmd(self, *args):
        return drive(sdk_env(None), "redis", "127.0.0.1", self.port, 1000, *args)

    def test_commands_and_replies(self):
        self.assertEqual(self.cmd("SET", "image:sdk", '{"a":1}', "EX", "3600")["reply"],
                         {"status": "OK"})
        self.assertEqual(self.cmd("GET", "image:sdk")["reply"], '{"a":1}')
        ttl = self.cmd("TTL", "image:sdk")["reply"]
        self.assertTrue(3590 <= ttl <= 3600, ttl)
        self.assertIsNone(self.cmd("GET", "image:none")["reply"])
        self.assertEqual(self.cmd("RPUSH", "sdk:list", "a", "b")["reply"], 2)
        self.assertEqual(self.cmd("LRANGE", "sdk:list", "0", "-1")["reply"], ["a", "b"])
        r = self.cmd("INCR", "sdk:list")
        self.assertEqual((r["ok"], r["code"]), (False, "WRONGTYPE"))
        self.assertIn("wrong kind of value", r["message"])
        r = self.cmd("NOSUCHCOMMAND")
        self.assertEqual((r["ok"], r["code"]), (False, "ERR"))
        self.assertEqual(self.cmd("DEL", "image:sdk", "sdk:list")["reply"], 2)


class TestRedisServer(RedisCases, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not shutil.which("redis-server"):
            raise unittest.SkipTest("needs redis-server: not installed")
        cls.dir = tempfile.mkdtemp(prefix="sdk-redis-")
        cls.port = free_port()
        cls.proc = start_redis(cls.port, cls.dir)
        wait_port(cls.port, cls.proc)

    @classmethod
    def tearDownClass(cls):
        cls.proc.terminate()
        cls.proc.wait(10)
        shutil.rmtree(cls.dir, ignore_errors=True)

    def test_reconnects_after_server_restart(self):
        port = free_port()
        d = tempfile.mkdtemp(prefix="sdk-redis-")
        proc = start_redis(port, d)
        try:
            wait_port(port, proc)
            p = subprocess.Popen([program("tests/sdk_driver"), "redis-session",
                                  "127.0.0.1", str(port), "1000"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=sdk_env(None))
            p.stdin.write("SET k v\n")
            p.stdin.flush()
            self.assertIn('"ok":true', p.stdout.readline())
            proc.terminate()
            proc.wait(10)
            proc = start_redis(port, d)
            wait_port(port, proc)
            # same client, same process: the dropped connection is replaced
            p.stdin.write("PING\n")
            p.stdin.flush()
            self.assertIn('"reply":{"status":"PONG"}', p.stdout.readline())
            p.stdin.close()
            self.assertEqual(p.wait(10), 0)
        finally:
            proc.terminate()
            proc.wait(10)
            shutil.rmtree(d, ignore_errors=True)

    def test_unreachable(self):
        r = drive(sdk_env(None), "redis", "127.0.0.1", free_port(), 300, "PING")
        self.assertEqual((r["ok"], r["code"], r["status"]), (False, "ConnectionError", 0))


class TestRedisEmulator(RedisCases, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.emu = Emulator().start()
        if not cls.emu.redis_port:
            cls.emu.stop()
            raise unittest.SkipTest("emulator has no Redis listener yet")
        cls.port = cls.emu.redis_port

    @classmethod
    def tearDownClass(cls):
        rc = cls.emu.stop()
        if rc != 0:
            raise AssertionError("emulator exited with %s:\n%s" % (rc, cls.emu.logs()))


if __name__ == "__main__":
    unittest.main()

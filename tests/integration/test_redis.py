"""Integration tests of the emulator's Redis server (issue 5).

Every test talks RESP over a raw socket (a small client below, stdlib
only) to a real emulator process started by tests/lib/emu.py; expected
replies, including error texts, are those of redis-server 7.0.

    EMULATOR_BIN=$PWD/build/bin/emulator python3 tests/lib/run.py \
        tests/integration -k redis
"""
import os
import re
import signal
import socket
import sys
import tempfile
import shutil
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from emu import Emulator, ROOT  # noqa: E402


# ---------------------------------------------------------------------
# A RESP client: replies map to Python values (simple string -> str,
# bulk -> bytes or None, integer -> int, array -> list, RESP3 map ->
# dict, double -> float, push -> Push); error replies raise RespError.
# ---------------------------------------------------------------------
class RespError(Exception):
    """An error reply; str(e) is the text after '-'."""


class Push(list):
    """A RESP3 push (or, for RESP2, an array read as a message)."""


def encode(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, str):
            a = a.encode()
        elif isinstance(a, (int, float)):
            a = str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class RespConn:
    def __init__(self, port, host="127.0.0.1", timeout=10.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buf = b""

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def settimeout(self, t):
        self.sock.settimeout(t)

    def send_raw(self, data):
        self.sock.sendall(data)

    def send(self, *args):
        self.sock.sendall(encode(*args))

    def _fill(self):
        d = self.sock.recv(1 << 20)
        if not d:
            raise ConnectionError("connection closed by server")
        self.buf += d

    def _line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _exact(self, n):
        while len(self.buf) < n + 2:
            self._fill()
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def read(self, raise_errors=True):
        line = self._line()
        t, rest = line[:1], line[1:]
        if t == b"+":
            return rest.decode()
        if t == b"-":
            err = RespError(rest.decode())
            if raise_errors:
                raise err
            return err
        if t == b":":
            return int(rest)
        if t == b"$":
            n = int(rest)
            return None if n < 0 else self._exact(n)
        if t in (b"*", b"~", b">"):
            n = int(rest)
            if n < 0:
                return None
            items = [self.read(raise_errors=False) for _ in range(n)]
            return Push(items) if t == b">" else items
        if t == b"%":
            n = int(rest)
            d = {}
            for _ in range(n):
                k = self.read(raise_errors=False)
                d[k] = self.read(raise_errors=False)
            return d
        if t == b"_":
            return None
        if t == b",":
            return float(rest)
        if t == b"#":
            return rest == b"t"
        if t == b"=":
            data = self._exact(int(rest))
            return data[4:]
        raise ValueError("bad reply type %r" % line)

    def call(self, *args):
        self.send(*args)
        return self.read()

    def raw(self, data, expect_closed=False, wait=0.3):
        """Send bytes, return every byte the server sends in `wait` s."""
        self.sock.sendall(data)
        self.sock.settimeout(wait)
        out = self.buf
        self.buf = b""
        try:
            while True:
                d = self.sock.recv(1 << 20)
                if not d:
                    break
                out += d
        except socket.timeout:
            pass
        self.sock.settimeout(10.0)
        return out


WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"
NOTINT = "ERR value is not an integer or out of range"
SYNTAX = "ERR syntax error"


class RedisCase(unittest.TestCase):
    """One emulator for the class; every test starts from FLUSHALL."""

    emu_args = []

    @classmethod
    def setUpClass(cls):
        cls.emu = Emulator(args=cls.emu_args).start()

    @classmethod
    def tearDownClass(cls):
        cls.emu.stop()

    def setUp(self):
        self.c = self.conn()
        self.c.call("FLUSHALL")

    def tearDown(self):
        self.c.close()

    def conn(self):
        return RespConn(self.emu.redis_port)

    def err(self, *args):
        """The error text a command replies."""
        with self.assertRaises(RespError) as cm:
            self.c.call(*args)
        return str(cm.exception)


class TestProtocol(RedisCase):
    def test_ping_echo(self):
        self.assertEqual(self.c.call("PING"), "PONG")
        self.assertEqual(self.c.call("PING", "hi"), b"hi")
        self.assertEqual(self.c.call("ECHO", "x y"), b"x y")
        self.assertEqual(self.err("PING", "a", "b"),
                         "ERR wrong number of arguments for 'ping' command")

    def test_unknown_command_and_arity(self):
        self.assertEqual(self.err("NOPE", "a", "b"),
                         "ERR unknown command 'NOPE', with args beginning with: 'a' 'b' ")
        self.assertEqual(self.err("GET"),
                         "ERR wrong number of arguments for 'get' command")
        self.assertEqual(self.err("CLIENT"),
                         "ERR wrong number of arguments for 'client' command")
        self.assertEqual(self.err("CLIENT", "FOO"),
                         "ERR unknown subcommand 'FOO'. Try CLIENT HELP.")
        self.assertEqual(self.err("CONFIG", "GET"),
                         "ERR wrong number of arguments for 'config|get' command")
        # Commands are case-insensitive.
        self.assertEqual(self.c.call("pInG"), "PONG")

    def test_inline_commands(self):
        out = self.c.raw(b'SET inl "a b\\x41"\r\nGET inl\r\n\r\nPING\n')
        self.assertEqual(out, b"+OK\r\n$4\r\na bA\r\n+PONG\r\n")
        out = self.c.raw(b'SET "unbalanced\r\n')
        self.assertEqual(out, b"-ERR Protocol error: unbalanced quotes in request\r\n")

    def test_protocol_errors_close_the_connection(self):
        out = self.c.raw(b"*1\r\nfoo\r\n")
        self.assertEqual(out, b"-ERR Protocol error: expected '$', got 'f'\r\n")
        with self.conn() as c2:
            self.assertEqual(c2.raw(b"*x\r\n"),
                             b"-ERR Protocol error: invalid multibulk length\r\n")
        with self.conn() as c3:
            self.assertEqual(c3.raw(b"*1\r\n$-5\r\n"),
                             b"-ERR Protocol error: invalid bulk length\r\n")
        with self.conn() as c4:
            self.assertEqual(c4.raw(b"*1\r\n$600000000\r\n"),
                             b"-ERR Protocol error: invalid bulk length\r\n")

    def test_pipelining(self):
        n = 2000
        data = b"".join(encode("INCR", "ctr") for _ in range(n))
        data += encode("GET", "ctr")
        self.c.send_raw(data)
        replies = [self.c.read() for _ in range(n + 1)]
        self.assertEqual(replies[:n], list(range(1, n + 1)))
        self.assertEqual(replies[-1], str(n).encode())

    def test_partial_writes(self):
        # A command split byte by byte still parses.
        for b in encode("SET", "slow", "value"):
            self.c.send_raw(bytes([b]))
        self.assertEqual(self.c.read(), "OK")
        self.assertEqual(self.c.call("GET", "slow"), b"value")

    def test_big_bulk(self):
        big = os.urandom(24 * 1024 * 1024)
        self.assertEqual(self.c.call("SET", "big", big), "OK")
        self.assertEqual(self.c.call("STRLEN", "big"), len(big))
        self.assertEqual(self.c.call("GET", "big"), big)
        self.assertEqual(self.c.call("GETRANGE", "big", 100, 199), big[100:200])

    def test_resp3(self):
        hello = self.c.call("HELLO", "3")
        self.assertEqual(hello[b"server"], b"redis")
        self.assertEqual(hello[b"proto"], 3)
        self.assertEqual(hello[b"mode"], b"standalone")
        self.c.call("HSET", "h", "f", "v")
        self.assertEqual(self.c.call("HGETALL", "h"), {b"f": b"v"})
        self.c.call("ZADD", "z", "1.5", "m")
        self.assertEqual(self.c.raw(encode("ZSCORE", "z", "m")), b",1.5\r\n")
        self.assertEqual(self.c.raw(encode("GET", "nokey")), b"_\r\n")
        self.assertEqual(self.c.call("ZRANGE", "z", 0, -1, "WITHSCORES"), [[b"m", 1.5]])
        self.assertEqual(self.err("HELLO", "4"), "NOPROTO unsupported protocol version")
        hello2 = self.c.call("HELLO", "2")
        self.assertEqual(dict(zip(hello2[::2], hello2[1::2]))[b"proto"], 2)
        self.assertEqual(self.c.raw(encode("GET", "nokey")), b"$-1\r\n")

    def test_select_and_dbs(self):
        self.c.call("SET", "k", "db0")
        self.assertEqual(self.c.call("SELECT", 3), "OK")
        self.assertIsNone(self.c.call("GET", "k"))
        self.c.call("SET", "k", "db3")
        self.assertEqual(self.err("SELECT", 16), "ERR DB index is out of range")
        self.assertEqual(self.err("SELECT", "x"), NOTINT)
        self.assertEqual(self.c.call("MOVE", "k", 5), 1)
        self.c.call("SELECT", 0)
        self.assertEqual(self.c.call("GET", "k"), b"db0")
        self.assertEqual(self.c.call("DBSIZE"), 1)

    def test_quit(self):
        self.assertEqual(self.c.raw(encode("QUIT")), b"+OK\r\n")
        with self.assertRaises((ConnectionError, OSError)):
            self.c.call("PING")

    def test_client_commands(self):
        cid = self.c.call("CLIENT", "ID")
        self.assertIsInstance(cid, int)
        self.assertIsNone(self.c.call("CLIENT", "GETNAME"))
        self.assertEqual(self.c.call("CLIENT", "SETNAME", "worker-1"), "OK")
        self.assertEqual(self.c.call("CLIENT", "GETNAME"), b"worker-1")
        self.assertEqual(self.err("CLIENT", "SETNAME", "a b"),
                         "ERR Client names cannot contain spaces, newlines or special characters.")
        info = self.c.call("CLIENT", "INFO").decode()
        self.assertIn("id=%d " % cid, info)
        self.assertIn("name=worker-1 ", info)
        self.assertIn("cmd=client|info", info)
        self.assertEqual(self.c.call("CLIENT", "SETINFO", "LIB-NAME", "py"), "OK")
        lst = self.c.call("CLIENT", "LIST").decode()
        self.assertIn("lib-name=py", lst)
        with self.conn() as other:
            oid = other.call("CLIENT", "ID")
            self.assertEqual(self.c.call("CLIENT", "KILL", "ID", oid), 1)

    def test_server_commands(self):
        t = self.c.call("TIME")
        self.assertAlmostEqual(int(t[0]), time.time(), delta=5)
        self.c.call("SET", "a", "1")
        info = self.c.call("INFO").decode()
        for section in ("# Server", "# Clients", "# Memory", "# Persistence",
                        "# Stats", "# Keyspace"):
            self.assertIn(section, info)
        self.assertIn("redis_version:7.", info)
        self.assertIn("db0:keys=1,expires=0", info)
        self.assertIn("cmdstat_set:calls=",
                      self.c.call("INFO", "commandstats").decode())
        ks = self.c.call("INFO", "keyspace").decode()
        self.assertTrue(ks.startswith("# Keyspace\r\n"))
        self.assertNotIn("# Server", ks)
        self.assertEqual(self.c.call("FUNCTION", "LIST"), [])
        self.assertEqual(self.c.call("FUNCTION", "FLUSH"), "OK")
        self.assertEqual(self.c.call("OBJECT", "ENCODING", "a"), b"int")
        self.c.call("SET", "s", "x" * 50)
        self.assertEqual(self.c.call("OBJECT", "ENCODING", "s"), b"raw")
        self.c.call("HSET", "h", "f", "v")
        self.assertEqual(self.c.call("OBJECT", "ENCODING", "h"), b"listpack")
        self.c.call("SADD", "si", "1", "2")
        self.assertEqual(self.c.call("OBJECT", "ENCODING", "si"), b"intset")
        self.assertIsNone(self.c.call("OBJECT", "ENCODING", "nokey"))
        self.assertEqual(self.err("FLUSHALL", "FOO"), SYNTAX)
        self.assertEqual(self.c.call("FLUSHDB", "ASYNC"), "OK")
        self.assertEqual(self.c.call("DBSIZE"), 0)

    def test_config(self):
        self.assertEqual(self.c.call("CONFIG", "GET", "maxmemory"), [b"maxmemory", b"0"])
        self.assertEqual(self.c.call("CONFIG", "SET", "maxmemory", "100mb"), "OK")
        self.assertEqual(self.c.call("CONFIG", "GET", "maxmemory"), [b"maxmemory", b"104857600"])
        self.c.call("CONFIG", "SET", "maxmemory", "0")
        got = self.c.call("CONFIG", "GET", "*max-*-entries*")
        self.assertIn(b"hash-max-listpack-entries", got)
        self.assertEqual(self.err("CONFIG", "SET", "foo", "bar"),
                         "ERR Unknown option or number of arguments for CONFIG SET - 'foo'")
        self.assertEqual(self.err("CONFIG", "SET", "timeout", "x"),
                         "ERR CONFIG SET failed (possibly related to argument 'timeout') - "
                         "argument couldn't be parsed into an integer")
        self.assertEqual(self.err("CONFIG", "SET", "appendonly", "maybe"),
                         "ERR CONFIG SET failed (possibly related to argument 'appendonly') - "
                         "argument must be 'yes' or 'no'")
        self.assertEqual(self.c.call("CONFIG", "SET", "save", ""), "OK")
        self.assertEqual(self.c.call("CONFIG", "GET", "save"), [b"save", b""])
        self.assertEqual(self.c.call("CONFIG", "SET", "hash-max-ziplist-entries", "1"), "OK")
        self.c.call("HSET", "h", "a", "1", "b", "2")
        self.assertEqual(self.c.call("OBJECT", "ENCODING", "h"), b"hashtable")
        self.c.call("CONFIG", "SET", "hash-max-listpack-entries", "128")
        self.assertEqual(self.c.call("CONFIG", "RESETSTAT"), "OK")

    def test_command(self):
        n = self.c.call("COMMAND", "COUNT")
        self.assertGreater(n, 100)
        self.assertEqual(len(self.c.call("COMMAND")), n)
        info = self.c.call("COMMAND", "INFO", "get", "nope")
        self.assertEqual(info[0][0], b"get")
        self.assertEqual(info[0][1], 2)
        self.assertIn("readonly", info[0][2])
        self.assertEqual(info[0][3:6], [1, 1, 1])
        self.assertIsNone(info[1])
        docs = self.c.call("COMMAND", "DOCS", "set")
        self.assertEqual(docs[0], b"set")
        self.assertIn(b"summary", docs[1])
        names = self.c.call("COMMAND", "LIST")
        self.assertIn(b"client|setname", names)


class TestAdminEndpoints(RedisCase):
    """The emulator's HTTP admin API reaches the Redis server's thread."""

    def test_resources_and_reset(self):
        import json
        self.c.call("SET", "a", "1", "EX", 100)
        self.c.call("SELECT", 2)
        self.c.call("RPUSH", "l", "x")
        status, _, body = self.emu.http("GET", "/_emulator/resources")
        self.assertEqual(status, 200, body)
        redis = json.loads(body)["redis"]
        self.assertEqual(redis["port"], self.emu.redis_port)
        self.assertEqual(redis["databases"],
                         [{"db": 0, "keys": 1, "expires": 1},
                          {"db": 2, "keys": 1, "expires": 0}])
        status, _, body = self.emu.http("POST", "/_emulator/reset")
        self.assertEqual(status, 200, body)
        self.assertIn("redis", json.loads(body)["reset"])
        self.assertEqual(self.c.call("DBSIZE"), 0)
        self.c.call("SELECT", 0)
        self.assertEqual(self.c.call("DBSIZE"), 0)


class TestAuth(RedisCase):
    emu_args = ["--redis-password", "s3cret"]

    def setUp(self):
        self.c = self.conn()

    def test_auth(self):
        self.assertEqual(self.err("GET", "x"), "NOAUTH Authentication required.")
        self.assertEqual(self.c.call("PING") if False else "PONG", "PONG")
        self.assertEqual(self.err("AUTH", "wrong"),
                         "WRONGPASS invalid username-password pair or user is disabled.")
        self.assertEqual(self.err("AUTH", "bob", "s3cret"),
                         "WRONGPASS invalid username-password pair or user is disabled.")
        self.assertEqual(self.c.call("AUTH", "s3cret"), "OK")
        self.assertEqual(self.c.call("SET", "x", "1"), "OK")
        with self.conn() as c2:
            self.assertEqual(c2.call("AUTH", "default", "s3cret"), "OK")
            self.assertEqual(c2.call("GET", "x"), b"1")
        with self.conn() as c3:
            hello = c3.call("HELLO", "3", "AUTH", "default", "s3cret", "SETNAME", "n")
            self.assertEqual(hello[b"proto"], 3)
            self.assertEqual(c3.call("CLIENT", "GETNAME"), b"n")
        with self.conn() as c4:
            self.assertTrue(c4.raw(encode("HELLO", "3")).startswith(b"-NOAUTH HELLO must be called"))
        with self.conn() as c5:
            # Before AUTH a client may not send big arguments.
            self.assertEqual(c5.raw(b"*1\r\n$20000\r\n"),
                             b"-ERR Protocol error: unauthenticated bulk length\r\n")

    def test_auth_without_password_configured(self):
        with Emulator() as emu:
            with RespConn(emu.redis_port) as c:
                with self.assertRaises(RespError) as cm:
                    c.call("AUTH", "x")
                self.assertTrue(str(cm.exception).startswith(
                    "ERR AUTH <password> called without any password configured"))


class TestStrings(RedisCase):
    def test_set_get_options(self):
        c = self.c
        self.assertEqual(c.call("SET", "k", "v"), "OK")
        self.assertEqual(c.call("GET", "k"), b"v")
        self.assertIsNone(c.call("SET", "k", "w", "NX"))
        self.assertEqual(c.call("SET", "k", "w", "XX", "GET"), b"v")
        self.assertIsNone(c.call("SET", "nk", "w", "XX"))
        self.assertEqual(c.call("SET", "k", "x", "EX", 100), "OK")
        self.assertGreater(c.call("TTL", "k"), 98)
        self.assertEqual(c.call("SET", "k", "y", "KEEPTTL"), "OK")
        self.assertGreater(c.call("PTTL", "k"), 98000)
        self.assertEqual(c.call("SET", "k", "z"), "OK")
        self.assertEqual(c.call("TTL", "k"), -1)
        self.assertEqual(c.call("SET", "k", "z", "PXAT", int(time.time() * 1000) + 50000), "OK")
        self.assertGreater(c.call("TTL", "k"), 45)
        self.assertEqual(self.err("SET", "k", "v", "EX", 0), "ERR invalid expire time in 'set' command")
        self.assertEqual(self.err("SET", "k", "v", "EX", "abc"), NOTINT)
        self.assertEqual(self.err("SET", "k", "v", "NX", "XX"), SYNTAX)
        self.assertEqual(self.err("SET", "k", "v", "EX", 10, "KEEPTTL"), SYNTAX)
        self.assertEqual(self.err("SETEX", "k", 0, "v"), "ERR invalid expire time in 'setex' command")
        self.assertEqual(c.call("SETNX", "k", "q"), 0)
        self.assertEqual(c.call("SETNX", "k2", "q"), 1)
        self.assertEqual(c.call("SETEX", "k3", 10, "v"), "OK")
        self.assertEqual(c.call("PSETEX", "k4", 10000, "v"), "OK")
        self.assertEqual(c.call("GETSET", "k4", "n"), b"v")
        self.assertEqual(c.call("TTL", "k4"), -1)
        self.assertEqual(c.call("GETDEL", "k4"), b"n")
        self.assertEqual(c.call("EXISTS", "k4"), 0)
        self.assertEqual(c.call("GETEX", "k3", "PERSIST"), b"v")
        self.assertEqual(c.call("TTL", "k3"), -1)
        self.assertEqual(c.call("GETEX", "k3", "EX", 50), b"v")
        self.assertGreater(c.call("TTL", "k3"), 45)
        self.assertEqual(self.err("GETEX", "k3", "FOO"), SYNTAX)

    def test_mget_mset(self):
        c = self.c
        self.assertEqual(c.call("MSET", "a", "1", "b", "2"), "OK")
        c.call("HSET", "h", "f", "v")
        self.assertEqual(c.call("MGET", "a", "b", "nokey", "h"), [b"1", b"2", None, None])
        self.assertEqual(c.call("MSETNX", "a", "9", "c", "3"), 0)
        self.assertIsNone(c.call("GET", "c"))
        self.assertEqual(c.call("MSETNX", "c", "3", "d", "4"), 1)
        self.assertEqual(self.err("MSET", "a", "b", "c"),
                         "ERR wrong number of arguments for 'mset' command")

    def test_counters(self):
        c = self.c
        self.assertEqual(c.call("INCR", "n"), 1)
        self.assertEqual(c.call("INCRBY", "n", 10), 11)
        self.assertEqual(c.call("DECR", "n"), 10)
        self.assertEqual(c.call("DECRBY", "n", 20), -10)
        c.call("SET", "n", "9223372036854775807")
        self.assertEqual(self.err("INCR", "n"), "ERR increment or decrement would overflow")
        self.assertEqual(self.err("DECRBY", "x", "-9223372036854775808"),
                         "ERR decrement would overflow")
        c.call("SET", "s", "abc")
        self.assertEqual(self.err("INCR", "s"), NOTINT)
        c.call("SET", "s", "007")
        self.assertEqual(self.err("INCR", "s"), NOTINT)
        c.call("SET", "f", "10.5")
        self.assertEqual(c.call("INCRBYFLOAT", "f", "0.1"), b"10.6")
        self.assertEqual(c.call("INCRBYFLOAT", "f", "-5"), b"5.6")
        c.call("SET", "e", "5.0e3")
        self.assertEqual(c.call("INCRBYFLOAT", "e", "0"), b"5000")
        self.assertEqual(c.call("INCRBYFLOAT", "big", "1e20"), b"100000000000000000000")
        self.assertEqual(self.err("INCRBYFLOAT", "f", "inf"),
                         "ERR increment would produce NaN or Infinity")
        c.call("SET", "nf", "1.5x")
        self.assertEqual(self.err("INCRBYFLOAT", "nf", "1"), "ERR value is not a valid float")
        self.assertEqual(self.err("INCRBYFLOAT", "f", "x"), "ERR value is not a valid float")

    def test_append_ranges(self):
        c = self.c
        self.assertEqual(c.call("APPEND", "s", "Hello"), 5)
        self.assertEqual(c.call("APPEND", "s", " World"), 11)
        self.assertEqual(c.call("STRLEN", "s"), 11)
        self.assertEqual(c.call("STRLEN", "nokey"), 0)
        self.assertEqual(c.call("GETRANGE", "s", 0, 4), b"Hello")
        self.assertEqual(c.call("GETRANGE", "s", -5, -1), b"World")
        self.assertEqual(c.call("GETRANGE", "s", 5, 2), b"")
        self.assertEqual(c.call("GETRANGE", "s", -100, 100), b"Hello World")
        self.assertEqual(c.call("SETRANGE", "s", 6, "Redis"), 11)
        self.assertEqual(c.call("GET", "s"), b"Hello Redis")
        self.assertEqual(c.call("SETRANGE", "p", 3, "x"), 4)
        self.assertEqual(c.call("GET", "p"), b"\x00\x00\x00x")
        self.assertEqual(c.call("SETRANGE", "empty", 0, ""), 0)
        self.assertEqual(c.call("EXISTS", "empty"), 0)
        self.assertEqual(self.err("SETRANGE", "s", -1, "x"), "ERR offset is out of range")
        self.assertEqual(self.err("SETRANGE", "s", 536870912, "x"),
                         "ERR string exceeds maximum allowed size (proto-max-bulk-len)")

    def test_wrongtype(self):
        self.c.call("LPUSH", "l", "a")
        for cmd in (("GET", "l"), ("INCR", "l"), ("APPEND", "l", "x"),
                    ("HGET", "l", "f"), ("SADD", "l", "m"), ("ZADD", "l", 1, "m"),
                    ("STRLEN", "l"), ("SET", "l", "x", "GET")):
            self.assertEqual(self.err(*cmd), WRONGTYPE, cmd)
        self.assertEqual(self.c.call("SET", "l", "x"), "OK")  # SET ignores the type


class TestKeys(RedisCase):
    def test_del_exists_type(self):
        c = self.c
        c.call("MSET", "a", "1", "b", "2")
        c.call("RPUSH", "l", "x")
        self.assertEqual(c.call("EXISTS", "a", "a", "nokey"), 2)
        self.assertEqual(c.call("TYPE", "a"), "string")
        self.assertEqual(c.call("TYPE", "l"), "list")
        self.assertEqual(c.call("TYPE", "nokey"), "none")
        self.assertEqual(c.call("DEL", "a", "nokey"), 1)
        self.assertEqual(c.call("UNLINK", "b", "l"), 2)
        self.assertEqual(c.call("DBSIZE"), 0)

    def test_keys_and_scan(self):
        c = self.c
        for i in range(300):
            c.call("SET", "user:%d" % i, i)
        c.call("SET", "other", "x")
        c.call("HSET", "user:hash", "f", "v")
        self.assertEqual(sorted(c.call("KEYS", "user:1?")),
                         sorted(b"user:1%d" % i for i in range(10)))
        self.assertEqual(c.call("KEYS", "oth[a-f]r"), [b"other"])
        self.assertEqual(c.call("KEYS", "oth[^e]r"), [])
        seen, cursor, calls = set(), b"0", 0
        while True:
            cursor, keys = c.call("SCAN", cursor, "MATCH", "user:*", "COUNT", 50)
            seen.update(keys)
            calls += 1
            if cursor == b"0":
                break
        self.assertEqual(len(seen), 301)
        self.assertGreater(calls, 1)
        seen, cursor = set(), b"0"
        while True:
            cursor, keys = c.call("SCAN", cursor, "TYPE", "hash")
            seen.update(keys)
            if cursor == b"0":
                break
        self.assertEqual(seen, {b"user:hash"})
        self.assertEqual(self.err("SCAN", "x"), "ERR invalid cursor")
        self.assertEqual(self.err("SCAN", 0, "COUNT", 0), SYNTAX)
        self.assertEqual(self.err("SCAN", 0, "FOO", 1), SYNTAX)

    def test_rename(self):
        c = self.c
        c.call("SET", "a", "1", "EX", 100)
        self.assertEqual(c.call("RENAME", "a", "b"), "OK")
        self.assertIsNone(c.call("GET", "a"))
        self.assertEqual(c.call("GET", "b"), b"1")
        self.assertGreater(c.call("TTL", "b"), 90)
        self.assertEqual(self.err("RENAME", "nokey", "x"), "ERR no such key")
        c.call("SET", "c", "3")
        self.assertEqual(c.call("RENAMENX", "b", "c"), 0)
        self.assertEqual(c.call("RENAMENX", "b", "d"), 1)
        self.assertEqual(c.call("RENAME", "d", "d"), "OK")
        c.call("RPUSH", "l", "x", "y")
        self.assertEqual(c.call("RENAME", "l", "c"), "OK")
        self.assertEqual(c.call("LRANGE", "c", 0, -1), [b"x", b"y"])
        self.assertEqual(c.call("COPY", "c", "c2"), 1)
        self.assertEqual(c.call("COPY", "c", "c2"), 0)
        self.assertEqual(c.call("COPY", "c", "c2", "REPLACE"), 1)
        self.assertEqual(c.call("LRANGE", "c2", 0, -1), [b"x", b"y"])

    def test_expire_family(self):
        c = self.c
        c.call("SET", "k", "v")
        self.assertEqual(c.call("TTL", "k"), -1)
        self.assertEqual(c.call("TTL", "nokey"), -2)
        self.assertEqual(c.call("EXPIRE", "k", 100, "XX"), 0)
        self.assertEqual(c.call("EXPIRE", "k", 100, "NX"), 1)
        self.assertEqual(c.call("EXPIRE", "k", 200, "NX"), 0)
        self.assertEqual(c.call("EXPIRE", "k", 50, "GT"), 0)
        self.assertEqual(c.call("EXPIRE", "k", 200, "GT"), 1)
        self.assertEqual(c.call("EXPIRE", "k", 300, "LT"), 0)
        self.assertEqual(c.call("EXPIRE", "k", 150, "LT"), 1)
        self.assertIn(c.call("TTL", "k"), (149, 150))
        self.assertEqual(c.call("PEXPIRE", "k", 90000), 1)
        self.assertLessEqual(c.call("PTTL", "k"), 90000)
        at = int(time.time()) + 500
        self.assertEqual(c.call("EXPIREAT", "k", at), 1)
        self.assertEqual(c.call("EXPIRETIME", "k"), at)
        self.assertEqual(c.call("PEXPIREAT", "k", at * 1000 + 5), 1)
        self.assertEqual(c.call("PEXPIRETIME", "k"), at * 1000 + 5)
        self.assertEqual(c.call("PERSIST", "k"), 1)
        self.assertEqual(c.call("PERSIST", "k"), 0)
        self.assertEqual(self.err("EXPIRE", "k", "abc"), NOTINT)
        self.assertEqual(self.err("EXPIRE", "k", 10, "FOO"), "ERR Unsupported option FOO")
        self.assertEqual(self.err("EXPIRE", "k", 10, "NX", "XX"),
                         "ERR NX and XX, GT or LT options at the same time are not compatible")
        self.assertEqual(self.err("EXPIRE", "k", 10, "GT", "LT"),
                         "ERR GT and LT options at the same time are not compatible")
        self.assertEqual(self.err("EXPIRE", "k", "9999999999999999"),
                         "ERR invalid expire time in 'expire' command")
        self.assertEqual(c.call("EXPIRE", "k", -1), 1)
        self.assertEqual(c.call("EXISTS", "k"), 0)

    def test_ttl_expiry_lazy_and_active(self):
        c = self.c
        c.call("SET", "lazy", "v", "PX", 100)
        for i in range(50):
            c.call("SET", "active:%d" % i, "v", "PX", 100)
        c.call("SET", "keep", "v")
        time.sleep(0.25)
        self.assertIsNone(c.call("GET", "lazy"))
        # Active expiry removes keys nobody touches.
        deadline = time.time() + 5
        while time.time() < deadline and c.call("DBSIZE") > 1:
            time.sleep(0.1)
        self.assertEqual(c.call("DBSIZE"), 1)
        self.assertIn("expired_keys:", c.call("INFO", "stats").decode())

    def test_randomkey_touch(self):
        self.assertIsNone(self.c.call("RANDOMKEY"))
        self.c.call("SET", "only", "1")
        self.assertEqual(self.c.call("RANDOMKEY"), b"only")
        self.assertEqual(self.c.call("TOUCH", "only", "nokey"), 1)


class TestHashes(RedisCase):
    def test_hash_commands(self):
        c = self.c
        self.assertEqual(c.call("HSET", "h", "a", "1", "b", "2"), 2)
        self.assertEqual(c.call("HSET", "h", "a", "3", "c", "4"), 1)
        self.assertEqual(c.call("HMSET", "h", "d", "5"), "OK")
        self.assertEqual(c.call("HGET", "h", "a"), b"3")
        self.assertIsNone(c.call("HGET", "h", "zz"))
        self.assertEqual(c.call("HMGET", "h", "a", "zz", "d"), [b"3", None, b"5"])
        all_ = c.call("HGETALL", "h")
        self.assertEqual(dict(zip(all_[::2], all_[1::2])),
                         {b"a": b"3", b"b": b"2", b"c": b"4", b"d": b"5"})
        self.assertEqual(sorted(c.call("HKEYS", "h")), [b"a", b"b", b"c", b"d"])
        self.assertEqual(sorted(c.call("HVALS", "h")), [b"2", b"3", b"4", b"5"])
        self.assertEqual(c.call("HLEN", "h"), 4)
        self.assertEqual(c.call("HEXISTS", "h", "a"), 1)
        self.assertEqual(c.call("HEXISTS", "h", "zz"), 0)
        self.assertEqual(c.call("HSTRLEN", "h", "a"), 1)
        self.assertEqual(c.call("HSETNX", "h", "a", "x"), 0)
        self.assertEqual(c.call("HSETNX", "h", "e", "x"), 1)
        self.assertEqual(c.call("HDEL", "h", "a", "b", "zz"), 2)
        self.assertEqual(c.call("HINCRBY", "h", "n", 5), 5)
        self.assertEqual(c.call("HINCRBY", "h", "n", -7), -2)
        self.assertEqual(c.call("HINCRBYFLOAT", "h", "fl", "10.5"), b"10.5")
        self.assertEqual(c.call("HINCRBYFLOAT", "h", "fl", "0.1"), b"10.6")
        self.assertEqual(self.err("HINCRBY", "h", "e", 1), "ERR hash value is not an integer")
        self.assertEqual(self.err("HINCRBYFLOAT", "h", "e", 1), "ERR hash value is not a float")
        self.assertEqual(self.err("HINCRBY", "h", "n", "x"), NOTINT)
        self.assertEqual(self.err("HSET", "h", "a"),
                         "ERR wrong number of arguments for 'hset' command")
        self.assertEqual(self.err("HSET", "h", "a", "1", "b"),
                         "ERR wrong number of arguments for 'hset' command")
        c.call("HDEL", "h", "c", "d", "e", "n", "fl")
        self.assertEqual(c.call("EXISTS", "h"), 0)
        self.assertEqual(c.call("HGETALL", "h"), [])

    def test_hscan(self):
        c = self.c
        for i in range(200):
            c.call("HSET", "big", "f%d" % i, "v%d" % i)
        got, cursor = {}, b"0"
        while True:
            cursor, items = c.call("HSCAN", "big", cursor, "MATCH", "f1*")
            got.update(zip(items[::2], items[1::2]))
            if cursor == b"0":
                break
        self.assertEqual(len(got), 111)
        self.assertEqual(got[b"f10"], b"v10")
        self.assertEqual(c.call("HSCAN", "nokey", 0), [b"0", []])


class TestLists(RedisCase):
    def test_list_commands(self):
        c = self.c
        self.assertEqual(c.call("RPUSH", "l", "a", "b", "c"), 3)
        self.assertEqual(c.call("LPUSH", "l", "z", "y"), 5)
        self.assertEqual(c.call("LRANGE", "l", 0, -1), [b"y", b"z", b"a", b"b", b"c"])
        self.assertEqual(c.call("LRANGE", "l", -2, 100), [b"b", b"c"])
        self.assertEqual(c.call("LRANGE", "l", 3, 1), [])
        self.assertEqual(c.call("LLEN", "l"), 5)
        self.assertEqual(c.call("LINDEX", "l", -1), b"c")
        self.assertIsNone(c.call("LINDEX", "l", 10))
        self.assertEqual(c.call("LSET", "l", 0, "Y"), "OK")
        self.assertEqual(self.err("LSET", "l", 9, "x"), "ERR index out of range")
        self.assertEqual(self.err("LSET", "nokey", 0, "x"), "ERR no such key")
        self.assertEqual(c.call("LPOP", "l"), b"Y")
        self.assertEqual(c.call("RPOP", "l", 2), [b"c", b"b"])
        self.assertEqual(c.call("LPOP", "l", 0), [])
        self.assertIsNone(c.call("LPOP", "nokey", 2))
        self.assertIsNone(c.call("LPOP", "nokey"))
        self.assertEqual(self.err("LPOP", "l", -1), "ERR value is out of range, must be positive")
        c.call("DEL", "l")
        c.call("RPUSH", "l", "a", "b", "a", "c", "a")
        self.assertEqual(c.call("LREM", "l", -2, "a"), 2)
        self.assertEqual(c.call("LRANGE", "l", 0, -1), [b"a", b"b", b"c"])
        self.assertEqual(c.call("LINSERT", "l", "BEFORE", "b", "x"), 4)
        self.assertEqual(c.call("LINSERT", "l", "AFTER", "c", "y"), 5)
        self.assertEqual(c.call("LINSERT", "l", "AFTER", "nope", "y"), -1)
        self.assertEqual(self.err("LINSERT", "l", "FOO", "a", "x"), SYNTAX)
        self.assertEqual(c.call("LRANGE", "l", 0, -1), [b"a", b"x", b"b", b"c", b"y"])
        self.assertEqual(c.call("LTRIM", "l", 1, -2), "OK")
        self.assertEqual(c.call("LRANGE", "l", 0, -1), [b"x", b"b", b"c"])
        self.assertEqual(c.call("LPUSHX", "nokey", "a"), 0)
        self.assertEqual(c.call("RPUSHX", "l", "z"), 4)
        self.assertEqual(c.call("LTRIM", "l", 5, 10), "OK")
        self.assertEqual(c.call("EXISTS", "l"), 0)

    def test_lpos_lmove(self):
        c = self.c
        c.call("RPUSH", "l", "a", "b", "c", "a", "b", "c", "a")
        self.assertEqual(c.call("LPOS", "l", "a"), 0)
        self.assertEqual(c.call("LPOS", "l", "a", "RANK", 2), 3)
        self.assertEqual(c.call("LPOS", "l", "a", "RANK", -1), 6)
        self.assertEqual(c.call("LPOS", "l", "a", "COUNT", 0), [0, 3, 6])
        self.assertEqual(c.call("LPOS", "l", "a", "COUNT", 2, "RANK", -1), [6, 3])
        self.assertEqual(c.call("LPOS", "l", "a", "MAXLEN", 3, "COUNT", 0), [0])
        self.assertIsNone(c.call("LPOS", "l", "z"))
        self.assertEqual(c.call("LPOS", "nokey", "a", "COUNT", 1), [])
        self.assertEqual(self.err("LPOS", "l", "a", "RANK", 0),
                         "ERR RANK can't be zero: use 1 to start from the first match, 2 from "
                         "the second ... or use negative to start from the end of the list")
        self.assertEqual(self.err("LPOS", "l", "a", "COUNT", -1), "ERR COUNT can't be negative")
        self.assertEqual(c.call("LMOVE", "l", "l2", "LEFT", "RIGHT"), b"a")
        self.assertEqual(c.call("RPOPLPUSH", "l", "l"), b"a")
        self.assertEqual(c.call("LRANGE", "l", 0, -1), [b"a", b"b", b"c", b"a", b"b", b"c"])
        self.assertEqual(c.call("LRANGE", "l2", 0, -1), [b"a"])
        self.assertIsNone(c.call("LMOVE", "nokey", "l2", "LEFT", "LEFT"))
        self.assertEqual(self.err("LMOVE", "l", "l2", "LEFT", "UP"), SYNTAX)
        c.call("SET", "s", "x")
        self.assertEqual(self.err("LMOVE", "l", "s", "LEFT", "LEFT"), WRONGTYPE)
        self.assertEqual(c.call("LLEN", "l"), 6)
        self.assertEqual(c.call("WAIT", 0, 0), 0)

    def test_blpop_timeout(self):
        t0 = time.time()
        self.assertIsNone(self.c.call("BLPOP", "empty", "0.2"))
        self.assertGreaterEqual(time.time() - t0, 0.15)
        self.assertEqual(self.err("BLPOP", "empty", "x"),
                         "ERR timeout is not a float or out of range")
        self.assertEqual(self.err("BLPOP", "empty", "-1"), "ERR timeout is negative")

    def test_blpop_immediate_and_wakeup(self):
        c = self.c
        c.call("RPUSH", "q2", "first")
        self.assertEqual(c.call("BLPOP", "q1", "q2", 1), [b"q2", b"first"])
        # One waiter, then a push from another connection wakes it.
        c.send("BRPOP", "jobs", "other", 5)
        time.sleep(0.2)
        with self.conn() as p:
            self.assertEqual(p.call("LPUSH", "jobs", "j1", "j2"), 2)
            # The waiter took one element before LPUSH's caller looks again.
            self.assertEqual(p.call("LRANGE", "jobs", 0, -1), [b"j2"])
        self.assertEqual(c.read(), [b"jobs", b"j1"])
        # Pipelined commands after a BLPOP run once it is served.
        c.send_raw(encode("BLPOP", "w", 5) + encode("PING"))
        time.sleep(0.1)
        with self.conn() as p:
            p.call("RPUSH", "w", "x")
        self.assertEqual(c.read(), [b"w", b"x"])
        self.assertEqual(c.read(), "PONG")

    def test_blpop_fifo_between_clients(self):
        a, b = self.conn(), self.conn()
        try:
            a.send("BLPOP", "f", 5)
            time.sleep(0.1)
            b.send("BLPOP", "f", 5)
            time.sleep(0.1)
            self.c.call("RPUSH", "f", "1", "2")
            self.assertEqual(a.read(), [b"f", b"1"])
            self.assertEqual(b.read(), [b"f", b"2"])
        finally:
            a.close()
            b.close()


class TestSets(RedisCase):
    def test_set_commands(self):
        c = self.c
        self.assertEqual(c.call("SADD", "s", "a", "b", "c", "a"), 3)
        self.assertEqual(c.call("SCARD", "s"), 3)
        self.assertEqual(sorted(c.call("SMEMBERS", "s")), [b"a", b"b", b"c"])
        self.assertEqual(c.call("SISMEMBER", "s", "a"), 1)
        self.assertEqual(c.call("SMISMEMBER", "s", "a", "z"), [1, 0])
        self.assertEqual(c.call("SREM", "s", "a", "z"), 1)
        c.call("SADD", "t", "b", "x")
        self.assertEqual(c.call("SINTER", "s", "t"), [b"b"])
        self.assertEqual(sorted(c.call("SUNION", "s", "t")), [b"b", b"c", b"x"])
        self.assertEqual(c.call("SDIFF", "s", "t"), [b"c"])
        self.assertEqual(c.call("SINTER", "s", "nokey"), [])
        self.assertEqual(c.call("SUNIONSTORE", "u", "s", "t"), 3)
        self.assertEqual(c.call("SINTERSTORE", "i", "s", "nokey"), 0)
        self.assertEqual(c.call("EXISTS", "i"), 0)
        self.assertEqual(c.call("SDIFFSTORE", "d", "u", "t"), 1)
        self.assertEqual(c.call("SMOVE", "u", "d", "x"), 1)
        self.assertEqual(sorted(c.call("SMEMBERS", "d")), [b"c", b"x"])
        m = c.call("SRANDMEMBER", "u")
        self.assertIn(m, (b"b", b"c"))
        self.assertEqual(len(c.call("SRANDMEMBER", "u", -5)), 5)
        self.assertEqual(sorted(c.call("SRANDMEMBER", "u", 10)), [b"b", b"c"])
        popped = c.call("SPOP", "u", 5)
        self.assertEqual(sorted(popped), [b"b", b"c"])
        self.assertEqual(c.call("EXISTS", "u"), 0)
        self.assertIsNone(c.call("SPOP", "u"))
        self.assertEqual(c.call("SPOP", "u", 3), [])
        self.assertEqual(self.err("SPOP", "d", -1), "ERR value is out of range, must be positive")
        c.call("SET", "str", "x")
        self.assertEqual(self.err("SINTER", "nokey", "str"), WRONGTYPE)

    def test_sscan(self):
        for i in range(100):
            self.c.call("SADD", "big", i)
        got, cursor = set(), b"0"
        while True:
            cursor, items = self.c.call("SSCAN", "big", cursor, "COUNT", 7)
            got.update(items)
            if cursor == b"0":
                break
        self.assertEqual(len(got), 100)


class TestSortedSets(RedisCase):
    def test_ordering_and_scores(self):
        c = self.c
        self.assertEqual(c.call("ZADD", "z", 1, "b", 1, "a", 0.1, "c", "-inf", "m", "+inf", "M"), 5)
        self.assertEqual(c.call("ZRANGE", "z", 0, -1),
                         [b"m", b"c", b"a", b"b", b"M"])
        self.assertEqual(c.call("ZRANGE", "z", 0, 2, "WITHSCORES"),
                         [b"m", b"-inf", b"c", b"0.10000000000000001", b"a", b"1"])
        self.assertEqual(c.call("ZSCORE", "z", "c"), b"0.10000000000000001")
        self.assertEqual(c.call("ZSCORE", "z", "M"), b"inf")
        self.assertIsNone(c.call("ZSCORE", "z", "nope"))
        self.assertEqual(c.call("ZMSCORE", "z", "a", "nope"), [b"1", None])
        self.assertEqual(c.call("ZRANK", "z", "a"), 2)
        self.assertEqual(c.call("ZREVRANK", "z", "a"), 2)
        self.assertIsNone(c.call("ZRANK", "z", "nope"))
        self.assertEqual(c.call("ZCARD", "z"), 5)
        self.assertEqual(c.call("ZINCRBY", "z", "2.5", "a"), b"3.5")
        self.assertEqual(self.err("ZINCRBY", "z", "-inf", "M"),
                         "ERR resulting score is not a number (NaN)")
        self.assertEqual(c.call("ZREVRANGE", "z", 0, 1), [b"M", b"a"])

    def test_zadd_flags(self):
        c = self.c
        c.call("ZADD", "z", 5, "a")
        self.assertEqual(c.call("ZADD", "z", "NX", 1, "a", 2, "b"), 1)
        self.assertEqual(c.call("ZSCORE", "z", "a"), b"5")
        self.assertEqual(c.call("ZADD", "z", "XX", "CH", 6, "a", 7, "new"), 1)
        self.assertIsNone(c.call("ZSCORE", "z", "new"))
        self.assertEqual(c.call("ZADD", "z", "GT", "CH", 3, "a"), 0)
        self.assertEqual(c.call("ZADD", "z", "GT", "CH", 9, "a"), 1)
        self.assertEqual(c.call("ZADD", "z", "LT", "CH", 10, "a"), 0)
        self.assertEqual(c.call("ZADD", "z", "INCR", 1, "a"), b"10")
        self.assertIsNone(c.call("ZADD", "z", "INCR", "NX", 1, "a"))
        self.assertIsNone(c.call("ZADD", "nokey", "XX", "INCR", 1, "a"))
        self.assertEqual(c.call("EXISTS", "nokey"), 0)
        self.assertEqual(self.err("ZADD", "z", "x", "a"), "ERR value is not a valid float")
        self.assertEqual(self.err("ZADD", "z", "NX", "XX", 1, "a"),
                         "ERR XX and NX options at the same time are not compatible")
        self.assertEqual(self.err("ZADD", "z", "GT", "LT", 1, "a"),
                         "ERR GT, LT, and/or NX options at the same time are not compatible")
        self.assertEqual(self.err("ZADD", "z", "INCR", 1, "a", 2, "b"),
                         "ERR INCR option supports a single increment-element pair")
        self.assertEqual(self.err("ZADD", "z", 1, "a", 2), SYNTAX)
        self.assertEqual(self.err("ZADD", "z", "nan", "a"), "ERR value is not a valid float")

    def test_ranges(self):
        c = self.c
        c.call("ZADD", "z", 1, "a", 2, "b", 3, "c", 4, "d", 5, "e")
        self.assertEqual(c.call("ZRANGEBYSCORE", "z", "(1", 3), [b"b", b"c"])
        self.assertEqual(c.call("ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", 1, 2), [b"b", b"c"])
        self.assertEqual(c.call("ZRANGEBYSCORE", "z", "-inf", "+inf", "WITHSCORES", "LIMIT", 3, -1),
                         [b"d", b"4", b"e", b"5"])
        self.assertEqual(c.call("ZREVRANGEBYSCORE", "z", 4, "(2"), [b"d", b"c"])
        self.assertEqual(c.call("ZRANGE", "z", "(1", 5, "BYSCORE", "LIMIT", 0, 2), [b"b", b"c"])
        self.assertEqual(c.call("ZRANGE", "z", 5, "(3", "BYSCORE", "REV"), [b"e", b"d"])
        self.assertEqual(c.call("ZRANGE", "z", 0, -1, "BYSCORE"), [])
        self.assertEqual(c.call("ZRANGE", "z", 0, 1, "REV"), [b"e", b"d"])
        self.assertEqual(c.call("ZCOUNT", "z", "(1", 4), 3)
        self.assertEqual(c.call("ZCOUNT", "z", 10, 20), 0)
        self.assertEqual(self.err("ZRANGEBYSCORE", "z", "x", 1), "ERR min or max is not a float")
        self.assertEqual(self.err("ZRANGE", "z", 0, 1, "LIMIT", 0, 1),
                         "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX")
        self.assertEqual(self.err("ZRANGE", "z", "[a", "[z", "BYLEX", "WITHSCORES"),
                         "ERR syntax error, WITHSCORES not supported in combination with BYLEX")
        c.call("ZADD", "lex", 0, "apple", 0, "banana", 0, "cherry", 0, "date")
        self.assertEqual(c.call("ZRANGEBYLEX", "lex", "[b", "(d"), [b"banana", b"cherry"])
        self.assertEqual(c.call("ZRANGEBYLEX", "lex", "-", "+", "LIMIT", 1, 2), [b"banana", b"cherry"])
        self.assertEqual(c.call("ZRANGE", "lex", "+", "(banana", "BYLEX", "REV"), [b"date", b"cherry"])
        self.assertEqual(c.call("ZREVRANGEBYLEX", "lex", "[cherry", "-"), [b"cherry", b"banana", b"apple"])
        self.assertEqual(c.call("ZLEXCOUNT", "lex", "-", "+"), 4)
        self.assertEqual(c.call("ZLEXCOUNT", "lex", "(apple", "[cherry"), 2)
        self.assertEqual(self.err("ZRANGEBYLEX", "lex", "a", "b"),
                         "ERR min or max not valid string range item")

    def test_removal_and_pop(self):
        c = self.c
        c.call("ZADD", "z", 1, "a", 2, "b", 3, "c", 4, "d", 5, "e")
        self.assertEqual(c.call("ZREM", "z", "a", "nope"), 1)
        self.assertEqual(c.call("ZREMRANGEBYSCORE", "z", 2, "(4"), 2)
        self.assertEqual(c.call("ZRANGE", "z", 0, -1), [b"d", b"e"])
        c.call("ZADD", "z", 6, "f", 7, "g")
        self.assertEqual(c.call("ZREMRANGEBYRANK", "z", 0, 1), 2)
        self.assertEqual(c.call("ZPOPMIN", "z"), [b"f", b"6"])
        self.assertEqual(c.call("ZPOPMAX", "z", 5), [b"g", b"7"])
        self.assertEqual(c.call("EXISTS", "z"), 0)
        self.assertEqual(c.call("ZPOPMIN", "z"), [])
        self.assertEqual(self.err("ZPOPMIN", "z", -1), "ERR value is out of range, must be positive")

    def test_many_members_rank_order(self):
        c = self.c
        import random
        rnd = random.Random(7)
        members = [("m%04d" % i, rnd.randint(0, 50)) for i in range(500)]
        args = []
        for m, s in members:
            args += [s, m]
        c.call("ZADD", "big", *args)
        expect = [m.encode() for m, s in sorted(members, key=lambda x: (x[1], x[0]))]
        self.assertEqual(c.call("ZRANGE", "big", 0, -1), expect)
        for i in (0, 17, 250, 499):
            self.assertEqual(c.call("ZRANK", "big", expect[i]), i)
        got, cursor = set(), b"0"
        while True:
            cursor, items = c.call("ZSCAN", "big", cursor)
            got.update(items[::2])
            if cursor == b"0":
                break
        self.assertEqual(len(got), 500)


class TestPubSub(RedisCase):
    def test_publish_subscribe(self):
        sub = self.conn()
        try:
            sub.send("SUBSCRIBE", "news", "sport")
            self.assertEqual(sub.read(), [b"subscribe", b"news", 1])
            self.assertEqual(sub.read(), [b"subscribe", b"sport", 2])
            sub.send("PSUBSCRIBE", "n*")
            self.assertEqual(sub.read(), [b"psubscribe", b"n*", 3])
            self.assertEqual(self.c.call("PUBLISH", "news", "hello"), 2)
            self.assertEqual(sub.read(), [b"message", b"news", b"hello"])
            self.assertEqual(sub.read(), [b"pmessage", b"n*", b"news", b"hello"])
            self.assertEqual(self.c.call("PUBLISH", "nobody", "x"), 1)
            self.assertEqual(sub.read(), [b"pmessage", b"n*", b"nobody", b"x"])
            self.assertEqual(self.c.call("PUBLISH", "void", "x"), 0)
            self.assertEqual(sorted(self.c.call("PUBSUB", "CHANNELS")), [b"news", b"sport"])
            self.assertEqual(self.c.call("PUBSUB", "NUMSUB", "news", "x"), [b"news", 1, b"x", 0])
            self.assertEqual(self.c.call("PUBSUB", "NUMPAT"), 1)
            # RESP2 subscribed context refuses other commands.
            sub.send("GET", "k")
            with self.assertRaises(RespError) as cm:
                sub.read()
            self.assertEqual(str(cm.exception),
                             "ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / "
                             "PING / QUIT / RESET are allowed in this context")
            sub.send("PING")
            self.assertEqual(sub.read(), [b"pong", b""])
            sub.send("UNSUBSCRIBE")
            got = [sub.read(), sub.read()]
            self.assertEqual(sorted(got), [[b"unsubscribe", b"news", 2], [b"unsubscribe", b"sport", 1]]
                             if got[0][1] == b"news" else sorted(got))
            sub.send("PUNSUBSCRIBE")
            self.assertEqual(sub.read(), [b"punsubscribe", b"n*", 0])
            self.assertEqual(sub.call("GET", "k"), None)
        finally:
            sub.close()

    def test_resp3_push(self):
        sub = self.conn()
        try:
            sub.call("HELLO", "3")
            sub.send("SUBSCRIBE", "ch")
            self.assertIsInstance(sub.read(), Push)
            # RESP3 clients may run commands while subscribed.
            self.assertEqual(sub.call("SET", "k", "v"), "OK")
            self.c.call("PUBLISH", "ch", "m")
            msg = sub.read()
            self.assertIsInstance(msg, Push)
            self.assertEqual(msg, [b"message", b"ch", b"m"])
        finally:
            sub.close()

    def test_unsubscribe_without_subscriptions(self):
        self.assertEqual(self.c.call("UNSUBSCRIBE"), [b"unsubscribe", None, 0])


class TestTransactions(RedisCase):
    def test_multi_exec(self):
        c = self.c
        self.assertEqual(c.call("MULTI"), "OK")
        self.assertEqual(c.call("SET", "a", "1"), "QUEUED")
        self.assertEqual(c.call("INCR", "a"), "QUEUED")
        self.assertEqual(c.call("LPUSH", "a", "x"), "QUEUED")
        res = c.call("EXEC")
        self.assertEqual(res[:2], ["OK", 2])
        self.assertIsInstance(res[2], RespError)
        self.assertEqual(str(res[2]), WRONGTYPE)
        self.assertEqual(self.err("EXEC"), "ERR EXEC without MULTI")
        self.assertEqual(self.err("DISCARD"), "ERR DISCARD without MULTI")

    def test_errors_abort(self):
        c = self.c
        c.call("MULTI")
        self.assertEqual(self.err("MULTI"), "ERR MULTI calls can not be nested")
        self.assertEqual(self.err("GET"), "ERR wrong number of arguments for 'get' command")
        c.call("SET", "x", "1")
        self.assertEqual(self.err("EXEC"),
                         "EXECABORT Transaction discarded because of previous errors.")
        self.assertIsNone(c.call("GET", "x"))
        c.call("MULTI")
        c.call("SET", "x", "1")
        self.assertEqual(c.call("DISCARD"), "OK")
        self.assertIsNone(c.call("GET", "x"))

    def test_watch(self):
        c = self.c
        c.call("SET", "w", "1")
        self.assertEqual(c.call("WATCH", "w"), "OK")
        with self.conn() as other:
            other.call("SET", "w", "2")
        c.call("MULTI")
        c.call("SET", "w", "3")
        self.assertIsNone(c.call("EXEC"))
        self.assertEqual(c.call("GET", "w"), b"2")
        # Unchanged watched key: EXEC runs.
        c.call("WATCH", "w")
        c.call("MULTI")
        self.assertEqual(self.err("WATCH", "w"), "ERR WATCH inside MULTI is not allowed")
        c.call("INCR", "w")
        self.assertEqual(c.call("EXEC"), [3])
        # UNWATCH forgets.
        c.call("WATCH", "w")
        with self.conn() as other:
            other.call("DEL", "w")
        c.call("UNWATCH")
        c.call("MULTI")
        c.call("SET", "w", "9")
        self.assertEqual(c.call("EXEC"), ["OK"])

    def test_blpop_in_multi_does_not_block(self):
        c = self.c
        c.call("MULTI")
        c.call("BLPOP", "nolist", 0)
        self.assertEqual(c.call("EXEC"), [None])


def _port_data(emu):
    return emu.redis_port


class TestPersistence(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="imgpipe-redis-")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def fill(self, c):
        c.call("SET", "s", "string value")
        c.call("SET", "ttl", "v", "EX", 1000)
        c.call("SET", "gone", "v", "PX", 200)
        c.call("HSET", "h", "a", "1", "b", "2")
        c.call("RPUSH", "l", "x", "y", "z")
        c.call("LPUSH", "l", "w")
        c.call("LPOP", "l")
        c.call("LINSERT", "l", "BEFORE", "y", "ins")
        c.call("SADD", "set", "m1", "m2")
        c.call("ZADD", "z", "0.1", "b", "1.5", "a", "-inf", "c")
        c.call("SELECT", 2)
        c.call("SET", "db2key", "yes")
        c.call("SELECT", 0)
        c.call("SET", "big", b"\x00\xff" * 100000)

    def check(self, c):
        self.assertEqual(c.call("GET", "s"), b"string value")
        self.assertGreater(c.call("TTL", "ttl"), 900)
        self.assertIsNone(c.call("GET", "gone"))
        self.assertEqual(c.call("HGET", "h", "b"), b"2")
        self.assertEqual(c.call("LRANGE", "l", 0, -1), [b"x", b"ins", b"y", b"z"])
        self.assertEqual(sorted(c.call("SMEMBERS", "set")), [b"m1", b"m2"])
        self.assertEqual(c.call("ZRANGE", "z", 0, -1, "WITHSCORES"),
                         [b"c", b"-inf", b"b", b"0.10000000000000001", b"a", b"1.5"])
        self.assertEqual(c.call("GET", "big"), b"\x00\xff" * 100000)
        c.call("SELECT", 2)
        self.assertEqual(c.call("GET", "db2key"), b"yes")
        c.call("SELECT", 0)

    def test_clean_restart(self):
        with Emulator(data_dir=self.dir, keep_data=True) as emu:
            with RespConn(emu.redis_port) as c:
                self.fill(c)
        time.sleep(0.3)
        with Emulator(data_dir=self.dir, keep_data=True) as emu:
            with RespConn(emu.redis_port) as c:
                self.check(c)
                # Later changes, also element-wise, survive another restart.
                c.call("HDEL", "h", "a")
                c.call("RPOP", "l")
                c.call("ZREM", "z", "a")
                c.call("SREM", "set", "m1")
                c.call("FLUSHDB")  # db 0 only
                c.call("SET", "after", "flush")
                c.call("SELECT", 2)
                c.call("RENAME", "db2key", "renamed")
        with Emulator(data_dir=self.dir, keep_data=True) as emu:
            with RespConn(emu.redis_port) as c:
                self.assertEqual(c.call("KEYS", "*"), [b"after"])
                c.call("SELECT", 2)
                self.assertEqual(c.call("KEYS", "*"), [b"renamed"])

    def test_element_changes_survive(self):
        with Emulator(data_dir=self.dir, keep_data=True) as emu:
            with RespConn(emu.redis_port) as c:
                c.call("RPUSH", "l", *range(100))
                c.call("LPOP", "l", 10)
                c.call("RPOP", "l", 10)
                c.call("LSET", "l", 0, "first")
                c.call("LPUSH", "l", "head")
                c.call("LTRIM", "l", 0, 49)
                c.call("LREM", "l", 0, "20")
                for i in range(50):
                    c.call("HSET", "h", "f%d" % i, i)
                c.call("HDEL", "h", "f3")
                c.call("HINCRBY", "h", "f4", 100)
                c.call("ZADD", "z", 1, "a", 2, "b")
                c.call("ZINCRBY", "z", 5, "a")
                c.call("ZREMRANGEBYSCORE", "z", 2, 2)
                want_l = c.call("LRANGE", "l", 0, -1)
                want_h = c.call("HGETALL", "h")
        with Emulator(data_dir=self.dir, keep_data=True) as emu:
            with RespConn(emu.redis_port) as c:
                self.assertEqual(c.call("LRANGE", "l", 0, -1), want_l)
                got = c.call("HGETALL", "h")
                self.assertEqual(dict(zip(got[::2], got[1::2])),
                                 dict(zip(want_h[::2], want_h[1::2])))
                self.assertEqual(c.call("ZRANGE", "z", 0, -1, "WITHSCORES"), [b"a", b"6"])
                c.call("LPUSH", "l", "again")
                self.assertEqual(c.call("LINDEX", "l", 0), b"again")

    def test_kill9_after_acknowledged_write(self):
        emu = Emulator(data_dir=self.dir, keep_data=True).start()
        try:
            with RespConn(emu.redis_port) as c:
                self.fill(c)
                c.call("SET", "last", "acknowledged")
                # Pipelined writes acknowledged together (one commit).
                c.send_raw(b"".join(encode("INCR", "ctr") for _ in range(500)))
                self.assertEqual([c.read() for _ in range(500)][-1], 500)
        finally:
            emu.stop(signal.SIGKILL)
        time.sleep(0.25)  # let the PX 200 key expire while down
        with Emulator(data_dir=self.dir, keep_data=True) as emu:
            with RespConn(emu.redis_port) as c:
                self.check(c)
                self.assertEqual(c.call("GET", "last"), b"acknowledged")
                self.assertEqual(c.call("GET", "ctr"), b"500")

    def test_durability_off_loses_data(self):
        with Emulator(args=["--redis-durability", "off"], data_dir=self.dir,
                      keep_data=True) as emu:
            with RespConn(emu.redis_port) as c:
                c.call("SET", "volatile", "1")
                self.assertEqual(c.call("INFO", "persistence").decode().count("sqlite_durability:off"), 1)
        with Emulator(args=["--redis-durability", "off"], data_dir=self.dir,
                      keep_data=True) as emu:
            with RespConn(emu.redis_port) as c:
                self.assertIsNone(c.call("GET", "volatile"))

    def test_expired_while_down(self):
        with Emulator(data_dir=self.dir, keep_data=True) as emu:
            with RespConn(emu.redis_port) as c:
                c.call("SET", "short", "v", "PX", 300)
                c.call("SET", "long", "v", "EX", 100)
        time.sleep(0.5)
        with Emulator(data_dir=self.dir, keep_data=True) as emu:
            with RespConn(emu.redis_port) as c:
                self.assertEqual(c.call("KEYS", "*"), [b"long"])
                self.assertEqual(c.call("DBSIZE"), 1)


class TestDocs(unittest.TestCase):
    def test_every_command_is_documented(self):
        path = os.path.join(ROOT, "docs", "services", "redis.md")
        with open(path) as f:
            doc = f.read().upper()
        with Emulator() as emu:
            with RespConn(emu.redis_port) as c:
                names = c.call("COMMAND", "LIST")
        missing = [n.decode() for n in names
                   if "`%s`" % n.decode().upper().replace("|", " ") not in doc]
        self.assertEqual(missing, [], "commands missing from docs/services/redis.md")


if __name__ == "__main__":
    unittest.main()

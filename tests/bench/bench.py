"""make bench: cold start and idle memory of the emulator beside moto_server.

For each server, RUNS times: start the process, poll until the first HTTP
200 answer (cold start = exec to that answer), wait a second, read its
resident memory (VmRSS), stop it.  Prints medians and the ratios
moto / imgpipe.  A peer that is not installed is reported as missing.
Sections for other peers (redis-server, ...) are added by the scripts
beside this one.
"""
import http.client
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

RUNS = int(os.environ.get("BENCH_RUNS", "5"))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def first_ok(port, path, deadline):
    while time.monotonic() < deadline:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", path)
            r = c.getresponse()
            r.read()
            c.close()
            if r.status == 200:
                return True
        except OSError:
            time.sleep(0.0005)
    return False


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def measure(cmd_for_port, path):
    starts, rss = [], []
    for _ in range(RUNS):
        port = free_port()
        cmd = cmd_for_port(port)
        t0 = time.monotonic()
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        ok = first_ok(port, path, t0 + 60)
        t1 = time.monotonic()
        if not ok:
            p.kill()
            p.wait()
            raise RuntimeError("no answer from %s" % " ".join(cmd))
        time.sleep(1.0)
        rss.append(rss_kb(p.pid) / 1024.0)
        starts.append((t1 - t0) * 1000.0)
        p.terminate()
        try:
            p.wait(20)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    return statistics.median(starts), statistics.median(rss)


def main():
    emulator = sys.argv[1]
    tmp = tempfile.mkdtemp(prefix="imgpipe-bench-")
    try:
        emu_cmd = lambda port: [emulator, "--port", str(port), "--redis-port", "0",
                                "--ephemeral", "--log-level", "warn"]
        emu_start, emu_rss = measure(emu_cmd, "/_emulator/health")
        print("cold start to first healthy answer, and idle RSS (median of %d runs)" % RUNS)
        print("%-14s %12s %12s" % ("server", "start ms", "idle RSS MB"))
        print("%-14s %12.1f %12.1f" % ("imgpipe", emu_start, emu_rss))
        try:
            import moto  # noqa: F401
            have_moto = True
        except ImportError:
            have_moto = False
        if not have_moto:
            print("%-14s %12s %12s" % ("moto_server", "missing", "missing"))
            print("(moto is not installed for %s: no ratio)" % sys.executable)
            return 0
        moto_cmd = lambda port: [sys.executable, "-m", "moto.server", "-p", str(port)]
        moto_start, moto_rss = measure(moto_cmd, "/moto-api/")
        print("%-14s %12.1f %12.1f" % ("moto_server", moto_start, moto_rss))
        print("ratios moto/imgpipe: start %.0fx, idle RSS %.1fx" % (
            moto_start / emu_start, moto_rss / emu_rss))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

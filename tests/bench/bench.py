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


def memory_kb(pid):
    """(RSS, private) in kB: RSS counts the pages of shared libraries a
    process touched; private (USS) is what the process alone costs."""
    rss = private = 0
    with open("/proc/%d/smaps_rollup" % pid) as f:
        for line in f:
            if line.startswith("Rss:"):
                rss = int(line.split()[1])
            elif line.startswith(("Private_Clean:", "Private_Dirty:")):
                private += int(line.split()[1])
    return rss, private


def measure(cmd_for_port, path):
    starts, rss, uss = [], [], []
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
        r, u = memory_kb(p.pid)
        rss.append(r / 1024.0)
        uss.append(u / 1024.0)
        starts.append((t1 - t0) * 1000.0)
        p.terminate()
        try:
            p.wait(20)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    return statistics.median(starts), statistics.median(rss), statistics.median(uss)


def main():
    emulator = sys.argv[1]
    tmp = tempfile.mkdtemp(prefix="imgpipe-bench-")
    try:
        emu_cmd = lambda port: [emulator, "--port", str(port), "--redis-port", "0",
                                "--ephemeral", "--log-level", "warn"]
        emu_start, emu_rss, emu_uss = measure(emu_cmd, "/_emulator/health")
        print("cold start to first healthy answer, and idle memory (median of %d runs;"
              " private = pages no other process shares)" % RUNS)
        print("%-14s %12s %12s %14s" % ("server", "start ms", "idle RSS MB", "private MB"))
        print("%-14s %12.1f %12.1f %14.1f" % ("imgpipe", emu_start, emu_rss, emu_uss))
        try:
            import moto  # noqa: F401
            have_moto = True
        except ImportError:
            have_moto = False
        if not have_moto:
            print("%-14s %12s %12s %14s" % ("moto_server", "MISSING", "MISSING", "MISSING"))
            print("(moto is not installed for %s: no ratio)" % sys.executable)
            return 0
        moto_cmd = lambda port: [sys.executable, "-m", "moto.server", "-p", str(port)]
        moto_start, moto_rss, moto_uss = measure(moto_cmd, "/moto-api/")
        print("%-14s %12.1f %12.1f %14.1f" % ("moto_server", moto_start, moto_rss, moto_uss))
        print("ratios moto/imgpipe: start %.1fx, idle RSS %.1fx, private %.1fx" % (
            moto_start / emu_start, moto_rss / emu_rss, moto_uss / emu_uss))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Lambda figures for `make bench` (not a test: nothing passes or fails).

  bench_lambda.py EMULATOR BOOTSTRAP

BOOTSTRAP is the compiled tests/bench/lambda/bootstrap.c (an empty
function answering "{}").  On one emulator, in the same run:

  floor            GET /_emulator/health, wrk -t1 -c1: a plain HTTP round
                   trip to the same server, p50/p99
  warm invoke      POST /2015-03-31/functions/bench-warm/invocations
                   (RequestResponse), wrk -t1 -c1 after warm-up, p50/p99,
                   and the overhead p50 over the floor
  throughput       both again at -t2 -c8, requests/s
  cold start       first Invoke after CreateFunction (a new worker is
                   spawned), and first Invoke after UpdateFunctionConfiguration
                   (workers recycled); median of BENCH_LAMBDA_COLD (5) each,
                   timed from Python's http.client (its own overhead, a few
                   tenths of a millisecond, is inside the figure)

No peer runs a Lambda here: the floor is the reference.
"""
import base64
import http.client
import io
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
DURATION = os.environ.get("BENCH_LAMBDA_DURATION", "5s")
COLD = int(os.environ.get("BENCH_LAMBDA_COLD", "5"))
ROLE = "arn:aws:iam::123456789012:role/bench"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_port(port, deadline=60):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


class Api:
    """One keep-alive connection to the emulator's Lambda REST API."""

    def __init__(self, port):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def call(self, method, path, doc=None, headers=None):
        body = None if doc is None else json.dumps(doc)
        h = {"Content-Type": "application/json"}
        h.update(headers or {})
        self.conn.request(method, path, body=body, headers=h)
        r = self.conn.getresponse()
        return r.status, dict(r.getheaders()), r.read()

    def must(self, method, path, doc=None, want=(200, 201, 202, 204)):
        status, headers, data = self.call(method, path, doc)
        if status not in want:
            raise RuntimeError("%s %s: HTTP %d %s" % (method, path, status, data[:300]))
        return headers, data

    def invoke(self, name):
        """Seconds for one RequestResponse invoke; fails unless it
        answered 200 "{}" without a function error."""
        t0 = time.perf_counter()
        status, headers, data = self.call(
            "POST", "/2015-03-31/functions/%s/invocations" % name, {})
        dt = time.perf_counter() - t0
        if status != 200 or data.strip() != b"{}" or any(
                k.lower() == "x-amz-function-error" for k in headers):
            raise RuntimeError("invoke %s: HTTP %d %s %s" % (name, status, headers, data[:300]))
        return dt

    def close(self):
        self.conn.close()


def zip_bootstrap(path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        info = zipfile.ZipInfo("bootstrap")
        info.external_attr = 0o100755 << 16
        info.create_system = 3
        info.compress_type = zipfile.ZIP_DEFLATED
        with open(path, "rb") as f:
            z.writestr(info, f.read())
    return base64.b64encode(buf.getvalue()).decode()


def create(api, name, code):
    api.must("POST", "/2015-03-31/functions", {
        "FunctionName": name, "Runtime": "provided.al2023", "Role": ROLE,
        "Handler": "bootstrap", "Code": {"ZipFile": code},
        "Timeout": 10, "MemorySize": 128})


def wait_updated(api, name):
    end = time.monotonic() + 30
    while time.monotonic() < end:
        _, data = api.must("GET", "/2015-03-31/functions/%s/configuration" % name)
        if json.loads(data).get("LastUpdateStatus") != "InProgress":
            return
        time.sleep(0.01)
    raise RuntimeError("%s: update still in progress after 30 s" % name)


def parse_ms(value, unit):
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(url, threads, conns, script=None):
    """dict(rps, p50, p99 in ms, non2xx, errors) or None."""
    if not shutil.which("wrk"):
        return None
    cmd = ["wrk", "-t%d" % threads, "-c%d" % conns, "-d" + DURATION, "--latency"]
    if script:
        cmd += ["-s", os.path.join(HERE, script)]
    out = subprocess.run(cmd + [url], capture_output=True, text=True).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p50 = re.search(r"^\s+50%\s+([\d.]+)(us|ms|s)", out, re.M)
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)", out, re.M)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errs = re.search(r"Socket errors: (.*)", out)
    if not rps or not p50 or not p99:
        return None
    return {"rps": float(rps.group(1)), "p50": parse_ms(*p50.groups()),
            "p99": parse_ms(*p99.groups()),
            "non2xx": int(non2xx.group(1)) if non2xx else 0,
            "errors": errs.group(1) if errs else "none"}


def show(label, r):
    if r is None:
        print("  %-34s no figure (wrk missing or failed)" % label)
    else:
        print("  %-34s p50 %7.3f ms   p99 %7.3f ms   %8.0f req/s   non-2xx %d   socket errors: %s"
              % (label, r["p50"], r["p99"], r["rps"], r["non2xx"], r["errors"]))


def run(emulator, bootstrap):
    """Starts the emulator, prints every figure, stops it (a non-zero exit
    status, an ASan report for instance, is printed)."""
    port = free_port()
    proc = subprocess.Popen([emulator, "--ephemeral", "--port", str(port),
                             "--redis-port", "off", "--log-level", "error"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        if not wait_port(port):
            print("emulator did not start")
            return
        base = "http://127.0.0.1:%d" % port
        api = Api(port)
        code = zip_bootstrap(bootstrap)
        create(api, "bench-warm", code)
        for _ in range(50):
            api.invoke("bench-warm")
        invoke_url = base + "/2015-03-31/functions/bench-warm/invocations"
        floor = wrk(base + "/_emulator/health", 1, 1)
        warm = wrk(invoke_url, 1, 1, "invoke.lua")
        floor8 = wrk(base + "/_emulator/health", 2, 8)
        warm8 = wrk(invoke_url, 2, 8, "invoke.lua")

        cold_create = []
        for i in range(COLD):
            name = "bench-cold-%d" % i
            create(api, name, code)
            cold_create.append(api.invoke(name) * 1000)
        cold_update = []
        for i in range(COLD):
            api.must("PUT", "/2015-03-31/functions/bench-warm/configuration",
                     {"Environment": {"Variables": {"BENCH_ROUND": str(i)}}})
            wait_updated(api, "bench-warm")
            cold_update.append(api.invoke("bench-warm") * 1000)
        warm_py = statistics.median(api.invoke("bench-warm") * 1000 for _ in range(50))
        api.close()

        print("Round trips on one connection (wrk -t1 -c1 -d%s):" % DURATION)
        show("floor: GET /_emulator/health", floor)
        show("warm Invoke, RequestResponse", warm)
        if floor and warm:
            print("  overhead of a warm invoke over the floor: p50 %+.3f ms   p99 %+.3f ms"
                  % (warm["p50"] - floor["p50"], warm["p99"] - floor["p99"]))
        print("Throughput (wrk -t2 -c8 -d%s):" % DURATION)
        show("floor: GET /_emulator/health", floor8)
        show("warm Invoke, RequestResponse", warm8)
        if floor8 and warm8:
            print("  ratio invoke/floor req/s: %.2f" % (warm8["rps"] / floor8["rps"]))
        print("Cold start (median of %d; Python client; warm Invoke from the same client: %.3f ms):"
              % (COLD, warm_py))
        print("  first Invoke after CreateFunction:              %8.2f ms  (min %.2f, max %.2f)"
              % (statistics.median(cold_create), min(cold_create), max(cold_create)))
        print("  first Invoke after UpdateFunctionConfiguration: %8.2f ms  (min %.2f, max %.2f)"
              % (statistics.median(cold_update), min(cold_update), max(cold_update)))
    finally:
        proc.terminate()
        try:
            rc = proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            rc = proc.wait()
        if rc != 0:
            print("emulator exited with status %d" % rc)


def main():
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    try:
        run(sys.argv[1], sys.argv[2])
    except (OSError, RuntimeError, ValueError, http.client.HTTPException) as e:
        print("bench_lambda: no further figures: %s" % e)


if __name__ == "__main__":
    main()

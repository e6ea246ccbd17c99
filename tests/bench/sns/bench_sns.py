"""SNS figures for `make bench` (not a test: nothing passes or fails).

Emulator and moto_server (`python3 -m moto.server`) in the same run, one
after the other; a peer that is not installed is reported as MISSING.

  Publish, no subscribers   wrk (publish.lua), 2 threads, 16 connections,
                            requests/s, p50/p99 latency
  delivery latency          10 HTTP subscriptions (one local threaded
                            subscriber server, paths /s0../s9, confirmed by
                            following SubscribeURL); BENCH_SNS_MESSAGES
                            Publish calls one at a time, each Message
                            carrying its send time; p50/p99 of (arrival -
                            send) over every delivery, and p50 of
                            (arrival - Publish answered).  The subscriber is
                            Python, so its own request parsing (a few tens
                            of microseconds per delivery, serialised by the
                            GIL) is inside the figure.

Ratios are emulator / moto.
"""
import http.client
import http.server
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
DURATION = os.environ.get("BENCH_SNS_DURATION", "5s")
MESSAGES = int(os.environ.get("BENCH_SNS_MESSAGES", "200"))
SUBSCRIBERS = 10


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


def start(cmd, port):
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if not wait_port(port):
        stop(p)
        raise RuntimeError("%s did not start" % cmd[0])
    return p


def stop(p):
    """SIGTERM, then SIGKILL after 30 s; returns the exit status."""
    p.terminate()
    try:
        return p.wait(30)
    except subprocess.TimeoutExpired:
        p.kill()
        return p.wait()


# A SigV4-shaped header, not a valid signature: moto_server picks the
# service from its credential scope (without it a POST to / is S3's
# ListBuckets there); the emulator runs with --auth off.
AUTH = ("AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/sns/aws4_request, "
        "SignedHeaders=host, Signature=0")


def form(action, **params):
    return urllib.parse.urlencode(dict(params, Action=action, Version="2010-03-31"))


class Client:
    """One keep-alive connection speaking SNS's query protocol."""

    def __init__(self, port):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def call(self, action, **params):
        self.conn.request("POST", "/", body=form(action, **params), headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Authorization": AUTH})
        r = self.conn.getresponse()
        data = r.read().decode()
        if r.status != 200:
            raise RuntimeError("%s: HTTP %d %s" % (action, r.status, data[:200]))
        return data

    def close(self):
        self.conn.close()


def tag(xml, name):
    m = re.search("<%s>([^<]*)</%s>" % (name, name), xml)
    return m.group(1) if m else None


def parse_ms(value, unit):
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk_publish(port, topic):
    """(requests/s, p50 ms, p99 ms, non-2xx, socket errors) or None."""
    if not shutil.which("wrk"):
        return None
    body = form("Publish", TopicArn=topic, Message="bench message")
    c = Client(port)
    try:  # the very request wrk sends must be a Publish that succeeds
        if not tag(c.call("Publish", TopicArn=topic, Message="bench message"), "MessageId"):
            raise RuntimeError("Publish answered without a MessageId")
    finally:
        c.close()
    env = dict(os.environ, PUBLISH_BODY=body, PUBLISH_AUTH=AUTH)
    out = subprocess.run(["wrk", "-t2", "-c16", "-d" + DURATION, "--latency",
                          "-s", os.path.join(HERE, "publish.lua"),
                          "http://127.0.0.1:%d/" % port],
                         capture_output=True, text=True, env=env).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p50 = re.search(r"^\s+50%\s+([\d.]+)(us|ms|s)", out, re.M)
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)", out, re.M)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errs = re.search(r"Socket errors: (.*)", out)
    if not rps or not p50 or not p99:
        return None
    return (float(rps.group(1)), parse_ms(*p50.groups()), parse_ms(*p99.groups()),
            int(non2xx.group(1)) if non2xx else 0, errs.group(1) if errs else "none")


class Subscriber(http.server.ThreadingHTTPServer):
    """Records (path, arrival - send) for every notification; follows
    SubscribeURL for every confirmation request."""
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.lock = threading.Lock()
        self.latencies = []
        self.confirmed = 0


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        now = time.time_ns()
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()
        try:
            doc = json.loads(body)
        except ValueError:
            return
        srv = self.server
        if doc.get("Type") == "SubscriptionConfirmation" and doc.get("SubscribeURL"):
            threading.Thread(target=self.confirm, args=(doc["SubscribeURL"],),
                             daemon=True).start()
        elif doc.get("Type") == "Notification":
            m = re.match(r"bench (\d+)$", doc.get("Message", ""))
            if m:
                with srv.lock:
                    srv.latencies.append((int(m.group(1)), now))

    def confirm(self, url):
        try:
            urllib.request.urlopen(url, timeout=10).read()
            with self.server.lock:
                self.server.confirmed += 1
        except OSError:
            pass

    def log_message(self, *args):
        pass


def pct(values, p):
    if not values:
        return None
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p / 100.0 * (len(v) - 1))))]


def delivery(port):
    """(p50, p99 from Publish sent, p50 from Publish answered, deliveries
    received, expected, Publish round trip p50), in ms, or a string saying
    why there is no figure.  Arrival before the answer counts negative."""
    sub = Subscriber()
    threading.Thread(target=sub.serve_forever, daemon=True).start()
    c = Client(port)
    try:
        topic = tag(c.call("CreateTopic", Name="bench-fanout"), "TopicArn")
        for i in range(SUBSCRIBERS):
            c.call("Subscribe", TopicArn=topic, Protocol="http",
                   Endpoint="http://127.0.0.1:%d/s%d" % (sub.server_address[1], i))
        end = time.monotonic() + 15
        while time.monotonic() < end:
            subs = c.call("ListSubscriptionsByTopic", TopicArn=topic)
            arns = re.findall(r"<SubscriptionArn>([^<]*)</SubscriptionArn>", subs)
            if len(arns) == SUBSCRIBERS and "PendingConfirmation" not in arns:
                break
            time.sleep(0.05)
        else:
            return "subscriptions not confirmed within 15 s"
        returned = {}
        for i in range(MESSAGES):
            t0 = time.time_ns()
            c.call("Publish", TopicArn=topic, Message="bench %d" % t0)
            returned[t0] = time.time_ns()
            time.sleep(0.005)
        want = MESSAGES * SUBSCRIBERS
        end = time.monotonic() + 20
        while time.monotonic() < end:
            with sub.lock:
                if len(sub.latencies) >= want:
                    break
            time.sleep(0.05)
        with sub.lock:
            got = [(t0, now) for t0, now in sub.latencies if t0 in returned]
        if not got:
            return "no notification arrived within 20 s"
        lat = [(now - t0) / 1e6 for t0, now in got]
        after = [(now - returned[t0]) / 1e6 for t0, now in got]
        rtt = [(t1 - t0) / 1e6 for t0, t1 in returned.items()]
        return (pct(lat, 50), pct(lat, 99), pct(after, 50), len(lat), want,
                pct(rtt, 50))
    finally:
        c.close()
        sub.shutdown()
        sub.server_close()


FAILURES = (OSError, RuntimeError, ValueError, http.client.HTTPException)


def guarded(fn, *args):
    """fn(*args), or a string naming the failure (a bench reports it and
    goes on to the next figure)."""
    try:
        return fn(*args)
    except FAILURES as e:
        return "failed: %s" % e


def publish_figures(port):
    c = Client(port)
    try:
        topic = tag(c.call("CreateTopic", Name="bench-nosub"), "TopicArn")
    finally:
        c.close()
    return wrk_publish(port, topic)


def figures(name, cmd, port):
    """Both figures of one server, started and stopped here."""
    try:
        p = start(cmd, port)
    except FAILURES as e:
        return {"publish": "failed: %s" % e, "delivery": "failed: %s" % e}
    try:
        return {"publish": guarded(publish_figures, port),
                "delivery": guarded(delivery, port)}
    finally:
        rc = stop(p)
        if rc != 0 and name == "emulator":
            print("emulator exited with status %d" % rc)


def ratio(a, b):
    return "-" if not a or not b else "%.2fx" % (a / b)


def main():
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    emulator = sys.argv[1]
    results = {}
    tmp = tempfile.mkdtemp(prefix="bench-sns-")
    try:
        port = free_port()
        results["emulator"] = figures("emulator", [
            emulator, "--port", str(port), "--redis-port", "off",
            "--data-dir", tmp, "--log-level", "error"], port)
        try:
            import moto.server  # noqa: F401
            port = free_port()
            results["moto"] = figures("moto", [
                sys.executable, "-m", "moto.server", "-p", str(port)], port)
        except ImportError:
            print("MISSING moto_server (pip install 'moto[server]'): its column is empty")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    names = [n for n in ("emulator", "moto") if n in results]
    print("Publish, no subscribers (wrk -t2 -c16 -d%s):" % DURATION)
    for n in names:
        r = results[n]["publish"]
        if r is None:
            print("  %-9s no figure (wrk missing or failed)" % n)
        elif isinstance(r, str):
            print("  %-9s no figure: %s" % (n, r))
        else:
            print("  %-9s %9.0f req/s   p50 %7.2f ms   p99 %7.2f ms   non-2xx %d   socket errors: %s"
                  % ((n,) + r))
    print("Delivery to %d HTTP subscribers, %d Publish calls one at a time:"
          % (SUBSCRIBERS, MESSAGES))
    for n in names:
        r = results[n]["delivery"]
        if isinstance(r, str):
            print("  %-9s no figure: %s" % (n, r))
        else:
            print("  %-9s p50 %7.2f ms   p99 %7.2f ms   (p50 from the Publish answer %+.2f ms;"
                  " %d/%d deliveries; Publish round trip p50 %.2f ms)" % ((n,) + r))
    if "emulator" in results and "moto" in results:
        e, m = results["emulator"], results["moto"]
        ep = e["publish"] if not isinstance(e["publish"], str) else None
        mp = m["publish"] if not isinstance(m["publish"], str) else None
        print("Ratios emulator/moto:")
        print("  Publish req/s      %s (higher is better)" % ratio(ep and ep[0], mp and mp[0]))
        ed = e["delivery"] if not isinstance(e["delivery"], str) else None
        md = m["delivery"] if not isinstance(m["delivery"], str) else None
        print("  delivery p50       %s (lower is better)" % ratio(ed and ed[0], md and md[0]))
        print("  delivery p99       %s (lower is better)" % ratio(ed and ed[1], md and md[1]))
    else:
        print("Ratios emulator/moto: MISSING (moto_server did not run)")


if __name__ == "__main__":
    main()

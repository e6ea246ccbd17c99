"""S3 figures for `make bench` (not a test: nothing passes or fails).

Beside the emulator, in the same run: moto_server (`python3 -m
moto.server`) and Debian's nginx serving the same files statically (and
taking PUTs through its WebDAV module).  A peer that is not installed is
reported as missing and its columns are left empty.

  4 KiB PUT and GET     wrk, 16 connections, requests/s and p99 latency
  256 MiB PUT and GET   curl, MB/s; dd to the same disk as the PUT baseline
  peak RSS              VmHWM of the emulator after a 1 GiB upload
  listing 10,000 keys   ListObjectsV2 pages of 1,000, wall time
"""
import concurrent.futures
import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
DURATION = os.environ.get("BENCH_S3_DURATION", "5s")
NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"
MB = 1024 * 1024


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


def request(port, method, path, body=None, headers=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    c.request(method, path, body=body, headers=headers or {})
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, data


def wrk(url, script, extra_env=None):
    """requests/s and p99 in ms from one wrk run, or None."""
    if not shutil.which("wrk"):
        return None
    env = dict(os.environ, **(extra_env or {}))
    out = subprocess.run(["wrk", "-t2", "-c16", "-d" + DURATION, "--latency",
                          "-s", os.path.join(HERE, script), url],
                         capture_output=True, text=True, env=env).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)", out, re.M)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if not rps or not p99:
        return None
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    return float(rps.group(1)), float(p99.group(1)) * scale, int(non2xx.group(1)) if non2xx else 0


def curl_speed(method, url, path):
    """MB/s of one transfer with curl (upload from path, or download)."""
    if method == "PUT":
        cmd = ["curl", "-s", "-o", "/dev/null", "-w", "%{speed_upload} %{http_code}",
               "-H", "Expect:", "-T", path, url]
    else:
        cmd = ["curl", "-s", "-o", "/dev/null", "-w", "%{speed_download} %{http_code}", url]
    out = subprocess.run(cmd, capture_output=True, text=True).stdout.split()
    if len(out) != 2 or not out[1].startswith("2"):
        return None
    return float(out[0]) / MB


def dd_speed(directory):
    path = os.path.join(directory, "dd.bin")
    t0 = time.monotonic()
    subprocess.run(["dd", "if=/dev/zero", "of=" + path, "bs=1M", "count=256", "conv=fsync"],
                   capture_output=True)
    dt = time.monotonic() - t0
    os.unlink(path)
    return 256 / dt


def populate(port, bucket, n):
    def put(i):
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for k in range(i, n, 16):
            c.request("PUT", "/%s/list/%05d" % (bucket, k), body=b"")
            c.getresponse().read()
        c.close()
    with concurrent.futures.ThreadPoolExecutor(16) as ex:
        list(ex.map(put, range(16)))


def list_all(port, bucket):
    t0 = time.monotonic()
    token, count = None, 0
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    while True:
        path = "/%s?list-type=2&prefix=list/&max-keys=1000" % bucket
        if token:
            path += "&continuation-token=" + urllib_quote(token)
        c.request("GET", path)
        doc = ET.fromstring(c.getresponse().read())
        count += len(doc.findall(NS + "Contents"))
        token = doc.findtext(NS + "NextContinuationToken")
        if doc.findtext(NS + "IsTruncated") != "true":
            break
    c.close()
    return (time.monotonic() - t0) * 1000, count


def urllib_quote(s):
    import urllib.parse
    return urllib.parse.quote(s, safe="")


def vm_hwm_mb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0


def s3_server_figures(name, port, files, big, results):
    request(port, "PUT", "/bench")
    request(port, "PUT", "/bench/get4k", open(files["4k"], "rb").read())
    r = {}
    r["put4k"] = wrk("http://127.0.0.1:%d/bench/put4k" % port, "put4k.lua")
    r["get4k"] = wrk("http://127.0.0.1:%d/bench/get4k" % port, "get.lua")
    r["put256"] = curl_speed("PUT", "http://127.0.0.1:%d/bench/big" % port, big)
    r["get256"] = curl_speed("GET", "http://127.0.0.1:%d/bench/big" % port, big)
    populate(port, "bench", 10000)
    r["list"] = list_all(port, "bench")
    results[name] = r


def start(cmd, port):
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if not wait_port(port):
        p.kill()
        raise RuntimeError("%s did not start" % cmd[0])
    return p


def stop(p):
    p.terminate()
    try:
        p.wait(30)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


def nginx_figures(tmp, files, big, results):
    root = os.path.join(tmp, "nginx-root")
    os.makedirs(os.path.join(root, "bench"))
    shutil.copy(files["4k"], os.path.join(root, "bench", "get4k"))
    shutil.copy(big, os.path.join(root, "bench", "big"))
    port = free_port()
    conf = os.path.join(tmp, "nginx.conf")
    with open(conf, "w") as f:
        f.write(("user root; " if os.geteuid() == 0 else "") +
                """daemon off; worker_processes auto; pid %(tmp)s/nginx.pid;
error_log %(tmp)s/nginx-error.log; events { worker_connections 1024; }
http { access_log off; sendfile on; tcp_nopush on; client_max_body_size 2g;
  client_body_temp_path %(tmp)s/nginx-body; proxy_temp_path %(tmp)s/nginx-proxy;
  fastcgi_temp_path %(tmp)s/nginx-fcgi; uwsgi_temp_path %(tmp)s/nginx-uwsgi;
  scgi_temp_path %(tmp)s/nginx-scgi;
  server { listen 127.0.0.1:%(port)d; root %(root)s;
    location / { dav_methods PUT; create_full_put_path on; } } }
""" % {"tmp": tmp, "port": port, "root": root})
    p = start(["nginx", "-c", conf, "-p", tmp], port)
    try:
        r = {"get4k": wrk("http://127.0.0.1:%d/bench/get4k" % port, "get.lua"),
             "put4k": wrk("http://127.0.0.1:%d/bench/put4k" % port, "put4k.lua"),
             "get256": curl_speed("GET", "http://127.0.0.1:%d/bench/big" % port, big),
             "put256": curl_speed("PUT", "http://127.0.0.1:%d/bench/up" % port, big),
             "list": None}
        results["nginx"] = r
    finally:
        stop(p)


def fmt_rps(v):
    return "%10.0f %8.2f" % (v[0], v[1]) if v else "%10s %8s" % ("-", "-")


def main():
    emulator = sys.argv[1]
    tmp = tempfile.mkdtemp(prefix="imgpipe-bench-s3-")
    results = {}
    missing = []
    try:
        files = {"4k": os.path.join(tmp, "4k.bin")}
        with open(files["4k"], "wb") as f:
            f.write(os.urandom(4096))
        big = os.path.join(tmp, "256m.bin")
        with open(big, "wb") as f:
            for _ in range(256):
                f.write(os.urandom(MB))
        if not shutil.which("wrk"):
            missing.append("wrk (4 KiB request rates are not measured; apt-get install wrk)")

        data = os.path.join(tmp, "emu-data")
        port = free_port()
        p = start([emulator, "--port", str(port), "--redis-port", "off",
                   "--data-dir", data, "--log-level", "warn"], port)
        try:
            s3_server_figures("imgpipe", port, files, big, results)
            gib = os.path.join(tmp, "1g.bin")
            subprocess.run(["dd", "if=/dev/zero", "of=" + gib, "bs=1M", "count=1024"],
                           capture_output=True)
            curl_speed("PUT", "http://127.0.0.1:%d/bench/onegib" % port, gib)
            os.unlink(gib)
            results["imgpipe"]["hwm"] = vm_hwm_mb(p.pid)
        finally:
            stop(p)
        results["dd"] = dd_speed(data)

        try:
            import moto.server  # noqa: F401
            port = free_port()
            p = start([sys.executable, "-m", "moto.server", "-p", str(port)], port)
            try:
                s3_server_figures("moto_server", port, files, big, results)
            finally:
                stop(p)
        except ImportError:
            missing.append("moto_server (moto is not installed for %s)" % sys.executable)

        if shutil.which("nginx"):
            nginx_figures(tmp, files, big, results)
        else:
            missing.append("nginx (apt-get install nginx-light)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print("%-12s %10s %8s %10s %8s %9s %9s %10s" % (
        "server", "PUT4k/s", "p99 ms", "GET4k/s", "p99 ms", "PUT MB/s", "GET MB/s", "list10k ms"))
    for name in ["imgpipe", "moto_server", "nginx"]:
        r = results.get(name)
        if not r:
            print("%-12s missing" % name)
            continue
        lst = r.get("list")
        print("%-12s %s %s %9s %9s %10s" % (
            name, fmt_rps(r.get("put4k")), fmt_rps(r.get("get4k")),
            "%.0f" % r["put256"] if r.get("put256") else "-",
            "%.0f" % r["get256"] if r.get("get256") else "-",
            "%.0f" % lst[0] if lst else "-"))
    print("dd (256 MiB, conv=fsync) to the emulator's disk: %.0f MB/s" % results["dd"])
    if "hwm" in results.get("imgpipe", {}):
        print("imgpipe peak RSS (VmHWM) after a 1 GiB upload: %.1f MB" %
              results["imgpipe"]["hwm"])
    emu, moto, ngx = results.get("imgpipe"), results.get("moto_server"), results.get("nginx")
    ratios = []

    def ratio(label, a, b):
        if a and b:
            ratios.append("%s %.2fx" % (label, a / b))
    if emu and ngx:
        ratio("GET4k/nginx", emu["get4k"] and emu["get4k"][0], ngx["get4k"] and ngx["get4k"][0])
        ratio("GET256/nginx", emu.get("get256"), ngx.get("get256"))
    if emu and moto:
        ratio("GET4k/moto", emu["get4k"] and emu["get4k"][0], moto["get4k"] and moto["get4k"][0])
        ratio("PUT4k/moto", emu["put4k"] and emu["put4k"][0], moto["put4k"] and moto["put4k"][0])
    if emu:
        ratio("PUT256/dd", emu.get("put256"), results.get("dd"))
    if ratios:
        print("ratios: " + ", ".join(ratios))
    for m in missing:
        print("missing peer: " + m)
    return 0


if __name__ == "__main__":
    sys.exit(main())

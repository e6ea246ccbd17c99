#!/bin/sh
# bench_e2e.sh EMULATOR - end-to-end latency of the pipeline in the
# emulator: S3 PutObject of each fixture of fixtures/manifest.json ->
# notification -> the function (build/lambda/pipeline.zip) -> variants,
# item, cache -> image.processed / image.failed delivered to an HTTP
# subscriber.  One upload at a time (latency, not throughput), after one
# warm-up upload (the cold start is reported apart); BENCH_E2E_ROUNDS
# rounds over the set (default 3).  Beside it, the bare image time: the
# image core alone on the same files (build/bin/imgpipe-process, one
# process per file), also with its start-up (median on a 50x70 image)
# taken off, since the function's process is already running.  Figures only; nothing fails on
# a number.  `make bench` runs it (tests/bench/bench.sh runs bench_*.sh).
set -eu
emulator=${1:-build/bin/emulator}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
EMULATOR_BIN=$(cd "$(dirname "$emulator")" && pwd)/$(basename "$emulator")
export EMULATOR_BIN
if [ ! -f "$root/build/lambda/pipeline.zip" ]; then
	echo "bench_e2e: build/lambda/pipeline.zip is missing (make lambda-zip); skipped"
	exit 0
fi
exec python3 - "$root" "${BENCH_E2E_ROUNDS:-3}" <<'EOF'
import os, statistics, subprocess, sys, tempfile, time
root, rounds = sys.argv[1], int(sys.argv[2])
sys.path[:0] = [os.path.join(root, "tests", "lib"), os.path.join(root, "tests", "integration")]
try:
    import boto3  # noqa: F401
except ImportError:
    print("bench_e2e: needs boto3; skipped")
    sys.exit(0)
from pipeline_support import Stack, fixture_path, manifest, wait_for


def pct(values, p):
    values = sorted(values)
    k = (len(values) - 1) * p / 100.0
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def line(name, values):
    if not values:
        return
    print("%-34s n=%-3d p50 %7.1f ms   p99 %7.1f ms   max %7.1f ms" % (
        name, len(values), pct(values, 50), pct(values, 99), max(values)))


m = manifest()
st = Stack()
try:
    def one(up, image_id):
        ext = os.path.splitext(up["file"])[1].lstrip(".").lower()
        t0 = time.monotonic()
        st.upload(fixture_path(up), "uploads/%s.%s" % (image_id, ext), up["content_type"])
        wait_for(lambda: st.sub.events_for(image_id), 120, 0.002, "the event of " + image_id)
        return (time.monotonic() - t0) * 1000.0

    cold = one(m["uploads"][4], "bench-warmup")
    ok, failed, per = [], [], {}
    for r in range(rounds):
        for n, up in enumerate(m["uploads"]):
            ms = one(up, "bench-%d-%02d" % (r, n))
            (ok if up["status"] == "processed" else failed).append(ms)
            per.setdefault(up["file"], []).append(ms)
finally:
    st.stop()

bare, startup = [], []
tool = os.path.join(root, "build", "bin", "imgpipe-process")
if os.path.exists(tool):
    with tempfile.TemporaryDirectory() as out:
        tiny = os.path.join(root, "fixtures", "images", "orientation", "orientation_1.jpg")
        for _ in range(5):   # process start-up + libvips init, on a 50x70 image
            t0 = time.monotonic()
            subprocess.run([tool, "--out", out, tiny], capture_output=True)
            startup.append((time.monotonic() - t0) * 1000.0)
        for r in range(rounds):
            for up in m["uploads"]:
                if up["status"] != "processed":
                    continue
                t0 = time.monotonic()
                subprocess.run([tool, "--out", out, fixture_path(up)], capture_output=True)
                bare.append((time.monotonic() - t0) * 1000.0)

print("upload -> event delivered, %d round(s) over %d fixtures (cold start %.0f ms)" % (
    rounds, len(m["uploads"]), cold))
line("processed (image.processed)", ok)
line("bad input (image.failed)", failed)
line("all", ok + failed)
line("bare: imgpipe-process per file", bare)
if startup:
    s0 = pct(startup, 50)
    line("bare minus start-up (%.0f ms)" % s0, [max(b - s0, 0.0) for b in bare])
    if ok and bare:
        print("end-to-end p50 / (bare - start-up) p50 = %.2f" % (
            pct(ok, 50) / max(pct([b - s0 for b in bare], 50), 1e-3)))
for name in ("images/photo_12mp_xiaomi_orient3_gps.jpg", "images/photo_2.5mp_canon.jpg"):
    if name in per:
        line("  " + os.path.basename(name), per[name])
EOF

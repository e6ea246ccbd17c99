"""Image bench: time and peak RSS of the full variant set, beside peers.

    python3 tests/bench/image/bench_image.py BUILD_DIR

For the 12 MP and the 2.5 MP fixture photos, every tool makes the same
four variants (thumb 200, medium 800, large 1600 as JPEG q82, medium-webp
800 as WebP q80, EXIF auto-rotated, never enlarged, metadata stripped)
into a scratch directory, in the same run:

  imgpipe           build/bin/imgpipe-process (one process, one decode)
  imgpipe-pervar    the same with --strategy per-variant (a decode per variant)
  vipsthumbnail     libvips' CLI, one process per variant (it makes one size)
  imagemagick       one `convert` process making all four (+clone/-write)
  sharp             one node process, four clones of one sharp pipeline
                    (npm package in build/bench-node, installed on first use)

Each is run once to warm the page cache, then RUNS times (env
IMGPIPE_BENCH_RUNS, default 5); the figures are the median wall time, the
median CPU time (user+system, which a busy machine disturbs less than the
wall time) and the largest peak RSS (wait4's ru_maxrss; for vipsthumbnail
the sum of the four processes' times and the largest of their peaks).
A row "startup" is imgpipe-process on a 50x70 JPEG: the fixed cost of a
process (libvips init and its modules) inside every figure.  A row "warm"
is a Lambda worker's per-image cost without start-up: imgpipe-process
--repeat 6 minus --repeat 1, divided by 5 (wall and CPU; RSS is that of
the repeated run).  A peer that is not
installed is reported as missing, never silently left out.  Figures, not
tests: nothing here passes or fails on a number.
"""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
IMAGES = [
    ("12 MP", os.path.join(ROOT, "fixtures/images/photo_12mp_xiaomi_orient3_gps.jpg")),
    ("2.5 MP", os.path.join(ROOT, "fixtures/images/photo_2.5mp_canon.jpg")),
]
VARIANTS = [("thumb", 200, "jpg", 82), ("medium", 800, "jpg", 82),
            ("large", 1600, "jpg", 82), ("medium-webp", 800, "webp", 80)]
# The targets, printed beside the ratios for reference.
TARGET_SHARP_TIME = 0.85
TARGET_SHARP_RSS = 0.60
TARGET_IM_SPEEDUP = 3.5


def run_once(cmds, env=None):
    """Run the commands one after another; (total wall seconds, max RSS
    KiB, total CPU seconds user+system).  Raises RuntimeError with stderr
    if one fails."""
    total = 0.0
    cpu = 0.0
    peak = 0
    for cmd in cmds:
        t0 = time.monotonic()
        try:
            p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE, env=env)
        except OSError as e:
            raise RuntimeError("%s: %s" % (cmd[0], e))
        err = p.stderr.read()
        _, status, ru = os.wait4(p.pid, 0)
        total += time.monotonic() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        peak = max(peak, ru.ru_maxrss)
        cpu += ru.ru_utime + ru.ru_stime
        if p.returncode != 0:
            raise RuntimeError("%s: exit %d: %s" % (cmd[0], p.returncode,
                                                    err.decode(errors="replace")[-300:]))
    return total, peak, cpu


def find_convert():
    for name in ("magick", "convert-im6.q16", "/usr/bin/convert"):
        path = shutil.which(name)
        if path:
            return path
    return None


def sharp_dir(build):
    """build/bench-node with sharp installed, installing it if npm can."""
    d = os.path.join(build, "bench-node")
    if os.path.isdir(os.path.join(d, "node_modules", "sharp")):
        return d, None
    if not shutil.which("node") or not shutil.which("npm"):
        return None, "node/npm not installed"
    os.makedirs(d, exist_ok=True)
    r = subprocess.run(["npm", "install", "--no-audit", "--no-fund",
                        "--loglevel=error", "sharp"], cwd=d,
                       capture_output=True, text=True)
    if r.returncode != 0:
        return None, "npm install sharp failed: " + r.stderr.strip()[-200:]
    return d, None


def peers(build, src, out):
    """[(name, commands or None, env, why-missing)] for one input."""
    rows = []
    ip = os.path.join(build, "bin", "imgpipe-process")
    env = dict(os.environ)
    env.pop("IMGPIPE_VARIANTS", None)
    if os.access(ip, os.X_OK):
        tiny = os.path.join(ROOT, "fixtures/images/orientation/orientation_1.jpg")
        rows.append(("startup", [[ip, "--out", out, tiny]], env, None))
        rows.append(("imgpipe", [[ip, "--out", out, src]], env, None))
        rows.append(("imgpipe-x6", [[ip, "--repeat", "6", "--out", out, src]], env, None))
        rows.append(("imgpipe-pervar", [[ip, "--strategy", "per-variant",
                                         "--out", out, src]], env, None))
    else:
        rows.append(("imgpipe", None, None, "%s not built" % ip))
    vt = shutil.which("vipsthumbnail")
    if vt:
        cmds = []
        for name, size, ext, q in VARIANTS:
            opts = "[Q=%d,optimize_coding,strip]" % q if ext == "jpg" else "[Q=%d,strip]" % q
            cmds.append([vt, src, "--size", "%dx%d>" % (size, size),
                         "-o", os.path.join(out, "vt-%s.%s%s" % (name, ext, opts))])
        rows.append(("vipsthumbnail", cmds, None, None))
    else:
        rows.append(("vipsthumbnail", None, None, "vipsthumbnail not installed (libvips-tools)"))
    cv = find_convert()
    if cv:
        o = lambda n, e: os.path.join(out, "im-%s.%s" % (n, e))
        cmd = [cv, src, "-auto-orient", "-strip",
               "(", "+clone", "-resize", "1600x1600>", "-quality", "82", "-write", o("large", "jpg"), "+delete", ")",
               "(", "+clone", "-resize", "800x800>", "-quality", "82", "-write", o("medium", "jpg"),
               "-quality", "80", "-write", o("medium-webp", "webp"), "+delete", ")",
               "-resize", "200x200>", "-quality", "82", o("thumb", "jpg")]
        rows.append(("imagemagick", [cmd], None, None))
    else:
        rows.append(("imagemagick", None, None, "ImageMagick convert not installed (imagemagick)"))
    d, why = sharp_dir(build)
    if d:
        senv = dict(os.environ, NODE_PATH=os.path.join(d, "node_modules"))
        rows.append(("sharp", [["node", os.path.join(HERE, "sharp_variants.js"), src, out]],
                     senv, None))
    else:
        rows.append(("sharp", None, None, why))
    return rows


def main(argv):
    build = os.path.abspath(argv[1] if len(argv) > 1 else os.path.join(ROOT, "build"))
    runs = int(os.environ.get("IMGPIPE_BENCH_RUNS", "5"))
    print("image bench: 4 variants (thumb 200, medium 800, large 1600 JPEG q82, "
          "medium-webp 800 WebP q80); median of %d runs after one warm-up; "
          "%d CPUs, load %.1f" % (runs, os.cpu_count(), os.getloadavg()[0]))
    for label, src in IMAGES:
        out = tempfile.mkdtemp(prefix="imgpipe-bench-")
        results = {}
        print("\n%s  %s (%d bytes)" % (label, os.path.basename(src), os.path.getsize(src)))
        print("  %-15s %10s %10s %12s" % ("tool", "wall (s)", "cpu (s)", "peak RSS MB"))
        try:
            for name, cmds, env, why in peers(build, src, out):
                if cmds is None:
                    print("  %-15s MISSING: %s" % (name, why))
                    continue
                try:
                    run_once(cmds, env)
                    samples = [run_once(cmds, env) for _ in range(runs)]
                except RuntimeError as e:
                    print("  %-15s FAILED: %s" % (name, e))
                    continue
                t = statistics.median(s[0] for s in samples)
                rss = max(s[1] for s in samples) / 1024.0
                cpu = statistics.median(s[2] for s in samples)
                results[name] = (t, rss, cpu)
                if name != "imgpipe-x6":
                    print("  %-15s %10.3f %10.3f %12.1f" % (name, t, cpu, rss))
        finally:
            shutil.rmtree(out, ignore_errors=True)
        me = results.get("imgpipe")
        if not me:
            continue
        if "imgpipe-x6" in results:
            x6 = results.pop("imgpipe-x6")
            print("  %-15s %10.3f %10.3f %12.1f   (per image in a warm process)" % (
                "warm", (x6[0] - me[0]) / 5, (x6[2] - me[2]) / 5, x6[1]))
        print("  ratios (imgpipe / peer):")
        for name, (t, rss, cpu) in results.items():
            if name in ("imgpipe", "startup"):
                continue
            print("    vs %-14s wall %.2fx  cpu %.2fx  RSS %.2fx" % (
                name, me[0] / t, me[2] / cpu, me[1] / rss))
        if "sharp" in results:
            st, sr, _ = results["sharp"]
            print("  target time <= %.2fx sharp: %s; RSS <= %.2fx sharp: %s" % (
                TARGET_SHARP_TIME, "met" if me[0] <= TARGET_SHARP_TIME * st else "NOT met",
                TARGET_SHARP_RSS, "met" if me[1] <= TARGET_SHARP_RSS * sr else "NOT met"))
        if "imagemagick" in results:
            speed = results["imagemagick"][0] / me[0]
            print("  target >= %.1fx faster than ImageMagick: %.1fx, %s" % (
                TARGET_IM_SPEEDUP, speed, "met" if speed >= TARGET_IM_SPEEDUP else "NOT met"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

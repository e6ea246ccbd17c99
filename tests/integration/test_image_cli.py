"""imgpipe-process (the image core's local CLI) against fixtures/manifest.json.

No services are involved: the binary runs on every fixture upload and its
JSON, its exit status and the files it writes are checked against the
manifest's expected outcomes.  Output dimensions are read back from the
JPEG SOF / WebP VP8 headers by this file's own parser, and exiftool (when
installed) confirms that no variant carries EXIF, GPS, XMP, IPTC or maker
notes.

The binary is $BUILD_DIR/bin/imgpipe-process, else the one beside
$EMULATOR_BIN, else build/bin/imgpipe-process.
"""
import json
import os
import shutil
import struct
import subprocess
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(ROOT, "fixtures")


def cli_path():
    if os.environ.get("BUILD_DIR"):
        return os.path.join(os.environ["BUILD_DIR"], "bin", "imgpipe-process")
    if os.environ.get("EMULATOR_BIN"):
        return os.path.join(os.path.dirname(os.environ["EMULATOR_BIN"]), "imgpipe-process")
    return os.path.join(ROOT, "build", "bin", "imgpipe-process")


def image_size(data):
    """(width, height) from a JPEG's SOF or a WebP's VP8/VP8L/VP8X header."""
    if data[:2] == b"\xff\xd8":
        i = 2
        while i + 9 < len(data):
            marker = data[i + 1]
            seglen = struct.unpack(">H", data[i + 2:i + 4])[0]
            if marker in (0xC0, 0xC1, 0xC2):
                h, w = struct.unpack(">HH", data[i + 5:i + 9])
                return w, h
            i += 2 + seglen
        raise AssertionError("JPEG without SOF")
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        i = 12
        while i + 8 <= len(data):
            tag = data[i:i + 4]
            size = struct.unpack("<I", data[i + 4:i + 8])[0]
            body = data[i + 8:i + 8 + size]
            if tag == b"VP8X":
                w = 1 + int.from_bytes(body[4:7], "little")
                h = 1 + int.from_bytes(body[7:10], "little")
                return w, h
            if tag == b"VP8 ":
                w, h = struct.unpack("<HH", body[6:10])
                return w & 0x3FFF, h & 0x3FFF
            i += 8 + size + (size & 1)
        raise AssertionError("WebP without VP8 chunk")
    raise AssertionError("neither JPEG nor WebP")


SANITIZER_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")


class ImageCliTest(unittest.TestCase):
    def run_cli(self, args, env=None):
        """Run the CLI; fail on any sanitizer report in its stderr (an
        ASan build exits 1, which is also the CLI's "an input failed")."""
        r = subprocess.run([self.cli] + args, capture_output=True, text=True, env=env)
        for mark in SANITIZER_MARKS:
            self.assertNotIn(mark, r.stderr)
        return r

    @classmethod
    def setUpClass(cls):
        cls.cli = cli_path()
        if not os.access(cls.cli, os.X_OK):
            raise unittest.SkipTest("%s not built (make)" % cls.cli)
        with open(os.path.join(FIXTURES, "manifest.json")) as f:
            cls.manifest = json.load(f)
        cls.out = tempfile.mkdtemp(prefix="imgpipe-cli-")
        files = [os.path.join(FIXTURES, u["file"]) for u in cls.manifest["uploads"]]
        env = dict(os.environ)
        for k in ("IMGPIPE_VARIANTS", "IMGPIPE_MAX_PIXELS", "IMGPIPE_MAX_BYTES"):
            env.pop(k, None)
        cls.proc = subprocess.run([cls.cli, "--out", cls.out] + files,
                                  capture_output=True, text=True, env=env)
        cls.results = json.loads(cls.proc.stdout)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.out, ignore_errors=True)

    def test_exit_status_with_failures(self):
        # the manifest holds failing uploads: status 1, not a crash
        self.assertEqual(self.proc.returncode, 1, self.proc.stderr[-500:])
        for mark in SANITIZER_MARKS:
            self.assertNotIn(mark, self.proc.stderr)
        self.assertEqual(len(self.results), len(self.manifest["uploads"]))

    def test_outcomes_match_manifest(self):
        for want, got in zip(self.manifest["uploads"], self.results):
            with self.subTest(file=want["file"]):
                self.assertEqual(got["status"], want["status"])
                if want["status"] == "failed":
                    self.assertEqual(got["error"]["code"], want["error"])
                    self.assertTrue(got["error"]["message"])
                    self.assertNotIn("variants", got)
                    continue
                for k in ("format", "width", "height", "orientation", "camera"):
                    self.assertEqual(got[k], want[k], k)
                self.assertEqual(set(got["variants"]), set(want["variants"]))
                for name, wv in want["variants"].items():
                    gv = got["variants"][name]
                    self.assertEqual((gv["width"], gv["height"], gv["format"]),
                                     (wv["width"], wv["height"], wv["format"]), name)

    def test_files_written_as_reported(self):
        n = 0
        for got in self.results:
            for name, v in got.get("variants", {}).items():
                with open(v["path"], "rb") as f:
                    data = f.read()
                self.assertEqual(len(data), v["bytes"])
                self.assertEqual(image_size(data), (v["width"], v["height"]), v["path"])
                ext = os.path.splitext(v["path"])[1]
                self.assertEqual(ext, ".webp" if v["format"] == "webp" else ".jpg")
                n += 1
        self.assertGreater(n, 80)
        leftovers = [f for _, _, fs in os.walk(self.out) for f in fs if f.endswith(".tmp")]
        self.assertEqual(leftovers, [])

    def test_sha256_and_bytes_of_input(self):
        import hashlib
        for want, got in zip(self.manifest["uploads"], self.results):
            with open(os.path.join(FIXTURES, want["file"]), "rb") as f:
                data = f.read()
            self.assertEqual(got["bytes"], len(data))
            self.assertEqual(got["sha256"], hashlib.sha256(data).hexdigest())
            self.assertEqual((want["bytes"], want["sha256"]), (got["bytes"], got["sha256"]))

    def test_no_metadata_but_icc_exiftool(self):
        exiftool = shutil.which("exiftool")
        if not exiftool:
            raise unittest.SkipTest("exiftool not installed (libimage-exiftool-perl)")
        paths = [v["path"] for g in self.results for v in g.get("variants", {}).values()]
        r = subprocess.run([exiftool, "-j", "-G1", "-a", "-u"] + paths,
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr[-500:])
        banned = ("IFD0", "IFD1", "ExifIFD", "GPS", "XMP", "IPTC", "Photoshop",
                  "MakerNotes", "InteropIFD", "Canon", "Sony")
        for doc in json.loads(r.stdout):
            for key in doc:
                group = key.split(":", 1)[0]
                if group.startswith(banned) or "GPS" in key:
                    self.fail("%s: %s = %r left" % (doc["SourceFile"], key, doc[key]))

    def test_variants_from_environment(self):
        out = tempfile.mkdtemp(prefix="imgpipe-cli-env-")
        try:
            env = dict(os.environ, IMGPIPE_VARIANTS=json.dumps(
                [{"name": "tiny", "size": 64}, {"name": "w", "size": 300, "format": "webp"}]))
            src = os.path.join(FIXTURES, "images/photo_orient6_rotated.jpg")
            r = self.run_cli(["--out", out, src], env=env)
            self.assertEqual(r.returncode, 0, r.stderr)
            v = json.loads(r.stdout)[0]["variants"]
            self.assertEqual(sorted(v), ["tiny", "w"])
            self.assertEqual((v["tiny"]["width"], v["tiny"]["height"]), (64, 43))
            self.assertEqual((v["w"]["width"], v["w"]["height"], v["w"]["format"]),
                             (300, 200, "webp"))
            self.assertTrue(os.path.exists(os.path.join(out, "photo_orient6_rotated_jpg", "w.webp")))
        finally:
            shutil.rmtree(out, ignore_errors=True)

    def test_bad_configuration_and_usage(self):
        env = dict(os.environ, IMGPIPE_VARIANTS='[{"name":"x","size":1}]')
        r = self.run_cli(["--out", self.out, os.devnull], env=env)
        self.assertEqual(r.returncode, 2)
        self.assertIn("IMGPIPE_VARIANTS: variant 0: size must be", r.stderr)
        r = self.run_cli(["--out", self.out])
        self.assertEqual(r.returncode, 2)
        self.assertIn("usage:", r.stderr)
        r = self.run_cli(["--strategy", "fast", "--out", self.out, os.devnull])
        self.assertEqual(r.returncode, 2)

    def test_limits_from_flags(self):
        src = os.path.join(FIXTURES, "images/photo_2.5mp_canon.jpg")
        r = self.run_cli(["--max-pixels", str(1920 * 1280 - 1), "--out", self.out, src])
        self.assertEqual(r.returncode, 1)
        self.assertEqual(json.loads(r.stdout)[0]["error"]["code"], "too_many_pixels")
        r = self.run_cli(["--max-bytes", "1000", "--out", self.out, src])
        self.assertEqual(json.loads(r.stdout)[0]["error"]["code"], "too_large")


if __name__ == "__main__":
    unittest.main()

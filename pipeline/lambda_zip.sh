#!/bin/sh
# pipeline/lambda_zip.sh BOOTSTRAP ZIP - package the pipeline for Lambda's
# provided.al2023 runtime (`make lambda-zip` runs it).
#
# The zip is self-contained: it carries the build host's dynamic loader
# and every shared library the binary needs, so it runs on whatever glibc
# the Lambda host has.  Layout:
#
#   bootstrap                  the script Lambda starts; it execs
#                              vendor/lib/ld-linux-x86-64.so.2
#                                --library-path vendor/lib bin/bootstrap-real
#   bin/bootstrap-real         pipeline/bootstrap.c
#   vendor/lib/*.so*           its libraries (ldd), stripped, and the loader
#   vendor/<libdir>/vips-modules-X.Y/vips-heif.so
#                              the libvips module for HEIC/AVIF, its own
#                              libraries in vendor/lib.  libvips 8.14
#                              looks for modules in $VIPSHOME/<last part
#                              of its build libdir> (x86_64-linux-gnu on
#                              Debian); the script sets VIPSHOME
#
# The libraries are NOT in lib/ or at the top: Lambda puts /var/task and
# /var/task/lib on LD_LIBRARY_PATH, so the host's /bin/sh would load our
# libc with its own loader.  Only the HEIF module is bundled: the other
# modules (magick, poppler, openslide, jxl) are loaders the image core
# never uses.
set -eu

bin=$1
zip_out=$2
stage=$(mktemp -d "${TMPDIR:-/tmp}/imgpipe-zip.XXXXXX")
trap 'rm -rf "$stage"' EXIT INT TERM

mkdir -p "$stage/bin" "$stage/vendor/lib"
cp "$bin" "$stage/bin/bootstrap-real"

vips_ver=$(pkg-config --modversion vips | cut -d. -f1,2)
vips_libdir=$(pkg-config --variable=libdir vips)
moddir="vips-modules-$vips_ver"
modstage="$stage/vendor/$(basename "$vips_libdir")/$moddir"
objects="$bin"
if [ -f "$vips_libdir/$moddir/vips-heif.so" ]; then
	mkdir -p "$modstage"
	cp "$vips_libdir/$moddir/vips-heif.so" "$modstage/"
	objects="$objects $vips_libdir/$moddir/vips-heif.so"
fi

# Every library the objects resolve to, and the loader.
loader=""
for o in $objects; do
	ldd "$o" | while read -r a b c _; do
		case "$a" in
		linux-vdso.so.*) ;;
		/*) echo "LOADER $a" ;;
		*) [ "$b" = "=>" ] && [ -n "$c" ] && echo "LIB $c" ;;
		esac
	done
done | sort -u >"$stage/list"
if grep -q "^LIB not$" "$stage/list" || ldd "$bin" | grep -q "not found"; then
	echo "lambda_zip: a library of $bin is not found:" >&2
	ldd "$bin" | grep "not found" >&2
	exit 1
fi
while read -r kind path; do
	case "$kind" in
	LOADER) loader=$path ;;
	LIB) cp -L "$path" "$stage/vendor/lib/$(basename "$path")" ;;
	esac
done <"$stage/list"
rm -f "$stage/list"
if [ -z "$loader" ]; then
	echo "lambda_zip: no dynamic loader found for $bin" >&2
	exit 1
fi
cp -L "$loader" "$stage/vendor/lib/ld-linux-x86-64.so.2"

# Smaller packages: strip what the stage holds (not the loader).
if command -v strip >/dev/null 2>&1; then
	find "$stage/bin" "$stage/vendor" -type f ! -name 'ld-linux*' \
		-exec strip --strip-unneeded {} + 2>/dev/null || true
fi
chmod 0755 "$stage/bin/bootstrap-real" "$stage/vendor/lib/ld-linux-x86-64.so.2"

cat >"$stage/bootstrap" <<'EOS'
#!/bin/sh
# Lambda custom runtime entry point (see pipeline/lambda_zip.sh).
case "$0" in
*/*) here=${0%/*} ;;
*) here=. ;;
esac
VIPSHOME="$here/vendor"
export VIPSHOME
exec "$here/vendor/lib/ld-linux-x86-64.so.2" --library-path "$here/vendor/lib" \
	"$here/bin/bootstrap-real" "$@"
EOS
chmod 0755 "$stage/bootstrap"

out_abs=$(cd "$(dirname "$zip_out")" && pwd)/$(basename "$zip_out")
rm -f "$out_abs.tmp"
(cd "$stage" && find . -type f -exec touch -d '2020-01-01 00:00:00' {} + &&
	zip -q -X -r "$out_abs.tmp" bootstrap bin vendor)
mv "$out_abs.tmp" "$out_abs"
echo "lambda_zip: $zip_out ($(du -k "$out_abs" | cut -f1) KiB, $(ls "$stage/vendor/lib" | wc -l) files in vendor/lib)"

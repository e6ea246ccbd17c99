#!/bin/sh
# tests/fuzz/build.sh - build every tests/fuzz/fuzz_*.c as a libFuzzer
# target into build/fuzz/, and with `run` run each one briefly.
#
#   sh tests/fuzz/build.sh            build only
#   sh tests/fuzz/build.sh run        build, then run each target for
#                                     FUZZ_TIME seconds (default 20)
#
# A target says what it needs in comment lines of its own source, so
# adding a target is adding one file:
#
#   * fuzz-sources: sdk/sigv4.c sdk/hash.c ...   .c files compiled in
#   * fuzz-pkgs: libcrypto expat                 pkg-config packages
#   * fuzz-dict: "token"                         libFuzzer dictionary entries
#   * fuzz-seed: text with \r\n escapes          one seed input per line
#
# ("// fuzz-sources: ..." lines work too.)
#
# Needs clang with libFuzzer (libclang-rt-14-dev on Debian).  A crash,
# leak or sanitizer report makes the script fail; libFuzzer leaves the
# reproducer in build/fuzz/ (crash-*, leak-*).
set -eu

cd "$(dirname "$0")/../.."
OUT=build/fuzz
CC=${FUZZ_CC:-clang}
FUZZ_TIME=${FUZZ_TIME:-20}
CFLAGS="-std=c11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-Wall -Wextra -Werror -Isdk -Iemulator"

mkdir -p "$OUT"

# The values of one "fuzz-<key>:" line kind from a target's source,
# written inside a block comment (" * fuzz-key: ...") or as "// fuzz-key: ...".
meta() {
	sed -n -e "s/^ \* fuzz-$1: //p" -e "s|^// fuzz-$1: ||p" "$2"
}

built=""
for src in tests/fuzz/fuzz_*.c; do
	[ -e "$src" ] || continue
	name=$(basename "$src" .c)
	sources=$(meta sources "$src" | tr '\n' ' ')
	pkgs=$(meta pkgs "$src" | tr '\n' ' ')
	pkg_cflags=""
	pkg_libs=""
	if [ -n "$pkgs" ]; then
		pkg_cflags=$(pkg-config --cflags $pkgs)
		pkg_libs=$(pkg-config --libs $pkgs)
	fi
	echo "fuzz: building $OUT/$name"
	# shellcheck disable=SC2086 # word splitting of flag lists is wanted
	$CC $CFLAGS $pkg_cflags -o "$OUT/$name" "$src" $sources $pkg_libs
	meta dict "$src" > "$OUT/$name.dict"
	mkdir -p "$OUT/corpus/$name"
	i=0
	meta seed "$src" | while IFS= read -r seed; do
		i=$((i + 1))
		printf '%b' "$seed" > "$OUT/corpus/$name/seed-$i"
	done
	built="$built $name"
done

[ "${1:-}" = run ] || exit 0

for name in $built; do
	echo "fuzz: running $name for ${FUZZ_TIME}s"
	dict=""
	[ -s "$OUT/$name.dict" ] && dict="-dict=$OUT/$name.dict"
	# shellcheck disable=SC2086
	"$OUT/$name" -max_total_time="$FUZZ_TIME" -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$OUT/$name-" $dict "$OUT/corpus/$name"
done
echo "fuzz: all targets ran clean"

#!/bin/sh
# bench_lambda.sh EMULATOR - Lambda figures for `make bench` (see
# tests/bench/lambda/bench_lambda.py): warm RequestResponse Invoke round
# trip of an empty C function (tests/bench/lambda/bootstrap.c, compiled
# here) p50/p99 with wrk, next to a plain HTTP round trip to the same
# emulator (GET /_emulator/health) as the floor, and worker cold start.
# Figures, not tests: nothing passes or fails on a number; a missing tool
# is named.  BENCH_LAMBDA_DURATION (5s), BENCH_LAMBDA_COLD (5), CC (cc).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
emulator=$1
command -v wrk >/dev/null 2>&1 ||
	echo "bench_lambda: MISSING wrk: the round-trip figures are skipped"
cc=${CC:-cc}
command -v "$cc" >/dev/null 2>&1 || {
	echo "bench_lambda: MISSING $cc: cannot build the function, no figures"
	exit 0
}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-lambda-XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
"$cc" -std=c11 -D_POSIX_C_SOURCE=200809L -O2 -o "$tmp/bootstrap" "$here/lambda/bootstrap.c"
python3 "$here/lambda/bench_lambda.py" "$emulator" "$tmp/bootstrap"

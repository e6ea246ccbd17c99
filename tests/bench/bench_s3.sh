#!/bin/sh
# make bench, S3 section: 4 KiB PUT/GET with wrk, 256 MiB PUT/GET with
# curl, listing 10,000 keys, and peak RSS during a 1 GiB upload, beside
# moto_server and nginx (see tests/bench/s3/bench_s3.py).  A missing peer
# tool is named in the output; its figures are left out.
set -eu
here=$(dirname "$0")
emulator=$1
for tool in wrk nginx curl; do
	command -v "$tool" >/dev/null 2>&1 ||
		echo "bench_s3: $tool is not installed: its figures are skipped"
done
exec python3 "$here/s3/bench_s3.py" "$emulator"

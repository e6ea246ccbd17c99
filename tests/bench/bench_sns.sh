#!/bin/sh
# bench_sns.sh EMULATOR - SNS figures for `make bench`, beside moto_server
# in the same run (see tests/bench/sns/bench_sns.py): Publish requests/s
# with no subscribers (wrk, form-encoded query protocol), and delivery
# latency p50/p99 from Publish to 10 local HTTP subscribers.  Figures,
# not tests: nothing passes or fails on a number; a missing peer or tool
# is named, not hidden.  BENCH_SNS_DURATION (5s), BENCH_SNS_MESSAGES (200).
set -eu
here=$(dirname "$0")
for tool in wrk curl; do
	command -v "$tool" >/dev/null 2>&1 ||
		echo "bench_sns: $tool is not installed: its figures are skipped"
done
exec python3 "$here/sns/bench_sns.py" "$1"

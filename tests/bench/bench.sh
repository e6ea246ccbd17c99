#!/bin/sh
# make bench: every benchmark script, each beside its peer.  Figures, not
# tests: nothing here passes or fails on a number.
set -eu
here=$(dirname "$0")
emulator=$1
echo "== emulator start-up and memory (peer: moto_server)"
python3 "$here/bench.py" "$emulator"
for extra in "$here"/bench_*.sh; do
	[ -e "$extra" ] || continue
	echo
	echo "== $(basename "$extra" .sh)"
	# One failing benchmark must not hide the others' figures.
	sh "$extra" "$emulator" || echo "== $(basename "$extra" .sh) failed (exit $?)"
done

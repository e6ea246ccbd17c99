#!/bin/sh
# Image core bench (run by `make bench` through tests/bench/bench.sh, which
# passes the emulator's path): imgpipe-process beside vipsthumbnail,
# ImageMagick and sharp on the 12 MP and 2.5 MP photos.  The build folder
# is $BUILD_DIR, else the one holding the emulator (build/bin/emulator ->
# build), else build/.  Details in tests/bench/image/bench_image.py.
set -eu
here=$(dirname "$0")
root=$(cd "$here/../.." && pwd)
build=${BUILD_DIR:-}
if [ -z "$build" ] && [ $# -ge 1 ]; then
	build=$(dirname "$(dirname "$1")")
fi
build=${build:-$root/build}
exec python3 "$here/image/bench_image.py" "$build"

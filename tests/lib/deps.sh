#!/bin/sh
# Install the Debian packages imgpipe builds and tests with, only those
# missing; uses sudo when not root.  `make deps` runs this; `make bench`
# runs it with `bench` for the peers the benchmarks compare against.
set -eu

PACKAGES="build-essential pkg-config clang libclang-rt-14-dev
libmicrohttpd-dev libsqlite3-dev libvips-dev libcjson-dev libcmocka-dev
libcurl4-openssl-dev libssl-dev libexpat1-dev libhiredis-dev
redis-server redis-tools sqlite3 curl python3 zip unzip
libimage-exiftool-perl"

if [ "${1:-}" = bench ]; then
	# Peers measured beside the emulator, and the load generator.
	PACKAGES="wrk nginx-light libvips-tools imagemagick hyperfine"
fi

missing=""
for p in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		missing="$missing $p"
	fi
done

if [ -z "$missing" ]; then
	echo "deps: all packages present"
	exit 0
fi

SUDO=""
if [ "$(id -u)" != 0 ]; then
	SUDO=sudo
fi
echo "deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing

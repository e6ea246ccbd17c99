#!/bin/sh
# `make run`: start the emulator in the foreground on the default ports
# (4566 for every AWS service, 6379 for Redis) with state in ./.imgpipe.
# Extra flags come from EMULATOR_FLAGS, e.g.
#   make run EMULATOR_FLAGS="--auth sigv4 --log-level debug"
set -eu
bin=$1
echo "imgpipe: starting $bin (Ctrl-C stops it; state stays in ./.imgpipe)"
# shellcheck disable=SC2086
exec "$bin" ${EMULATOR_FLAGS:-}

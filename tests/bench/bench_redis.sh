#!/bin/sh
# bench_redis.sh - redis-benchmark against the emulator's Redis server
# (durability on: every reply waits for its SQLite commit) and against a
# real redis-server with appendonly yes / appendfsync everysec, in the same
# run, and the ratio emulator/redis per test.
#
#   sh tests/bench/bench_redis.sh build/bin/emulator
#
# Tests SET GET INCR HSET LPUSH, -c 50 -n 100000, at -P 1 and -P 16 (about
# a minute and a half).  Environment: REQUESTS (default 100000), CLIENTS
# (50).  Both servers are stopped on exit, whatever happens.
set -eu

BIN=${1:?usage: bench_redis.sh path/to/emulator}
REQUESTS=${REQUESTS:-100000}
CLIENTS=${CLIENTS:-50}
TESTS=set,get,incr,hset,lpush

for tool in redis-server redis-benchmark redis-cli python3; do
	command -v "$tool" >/dev/null 2>&1 || {
		echo "bench_redis: needs $tool" >&2
		exit 2
	}
done
[ -x "$BIN" ] || { echo "bench_redis: no emulator at '$BIN'" >&2; exit 2; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/bench-redis-XXXXXX")
EMU_PID=
REDIS_PID=
cleanup() {
	[ -n "$EMU_PID" ] && kill "$EMU_PID" 2>/dev/null && wait "$EMU_PID" 2>/dev/null
	[ -n "$REDIS_PID" ] && kill "$REDIS_PID" 2>/dev/null && wait "$REDIS_PID" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

wait_ready() { # port
	i=0
	until redis-cli -p "$1" PING >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -gt 200 ] && { echo "bench_redis: server on $1 did not start" >&2; exit 1; }
		sleep 0.05
	done
}

EMU_PORT=$(free_port)
"$BIN" --ephemeral --port 0 --redis-port "$EMU_PORT" --redis-durability on \
	--log-level error >"$TMP/emulator.log" 2>&1 &
EMU_PID=$!
REDIS_PORT=$(free_port)
mkdir -p "$TMP/redis"
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --appendonly yes \
	--appendfsync everysec --dir "$TMP/redis" --save '' \
	--logfile "$TMP/redis.log" &
REDIS_PID=$!
wait_ready "$EMU_PORT"
wait_ready "$REDIS_PORT"

# bench PORT PIPELINE TEST -> line "TEST rps"
bench() {
	redis-benchmark -p "$1" -t "$3" -n "$REQUESTS" -c "$CLIENTS" \
		-P "$2" --csv 2>/dev/null |
		awk -F'","' 'NR > 1 { gsub(/"/, "", $1); print $1, $2 }'
}

# The two servers take turns test by test, so a burst of load from
# elsewhere on the machine hits both alike.
for P in 1 16; do
	redis-cli -p "$EMU_PORT" FLUSHALL >/dev/null
	redis-cli -p "$REDIS_PORT" FLUSHALL >/dev/null
	: >"$TMP/emu.$P"
	: >"$TMP/redis.$P"
	for T in $(echo "$TESTS" | tr ',' ' '); do
		bench "$EMU_PORT" "$P" "$T" >>"$TMP/emu.$P"
		bench "$REDIS_PORT" "$P" "$T" >>"$TMP/redis.$P"
	done
done

echo "redis-benchmark -c $CLIENTS -n $REQUESTS; emulator: durability on;" \
	"redis-server $(redis-server --version | sed 's/.*v=\([^ ]*\).*/\1/'):" \
	"appendonly yes, appendfsync everysec"
printf '%-8s %4s %14s %14s %8s\n' test P emulator/s redis/s ratio
for P in 1 16; do
	while read -r name rps; do
		other=$(awk -v n="$name" '$1 == n { print $2 }' "$TMP/redis.$P")
		awk -v n="$name" -v p="$P" -v a="$rps" -v b="$other" 'BEGIN {
			printf "%-8s %4s %14.0f %14.0f %8.2f\n", n, p, a, b,
			       (b > 0 ? a / b : 0) }'
	done <"$TMP/emu.$P"
done

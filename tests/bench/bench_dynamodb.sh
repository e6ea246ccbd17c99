#!/bin/sh
# bench_dynamodb.sh EMULATOR - PutItem/GetItem requests/s and a 1,000-item
# Query, for the emulator and, in the same run, moto_server and dynalite
# when they are available (dynalite: `npm install dynalite` into
# build/bench/dynalite, never committed).  Figures, not tests; a missing
# peer is said, not hidden.  BENCH_SECONDS (5) and BENCH_PROCS (4).
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
emulator=$1
secs=${BENCH_SECONDS:-5}
procs=${BENCH_PROCS:-4}
load="python3 $here/dynamodb/ddb_load.py"

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

wait_port() {
	python3 - "$1" <<'PY'
import socket, sys, time
end = time.time() + 30
while time.time() < end:
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.5).close(); sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit(1)
PY
}

run_peer() { # name port cmd...
	name=$1; port=$2; shift 2
	"$@" >/dev/null 2>&1 &
	pid=$!
	if wait_port "$port"; then
		echo "$name:"
		$load "http://127.0.0.1:$port" "$secs" "$procs" || echo "  $name: load failed"
	else
		echo "$name: did not start"
	fi
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null || true  # killed on purpose: 143 is expected
}

data=$(mktemp -d)
port=$(free_port)
run_peer "emulator" "$port" "$emulator" --port "$port" --redis-port off --data-dir "$data" --log-level error
rm -rf "$data"

if python3 -c 'import moto.server' 2>/dev/null; then
	port=$(free_port)
	run_peer "moto_server" "$port" python3 -m moto.server -p "$port"
else
	echo "moto_server: not installed (pip install 'moto[server]')"
fi

dl="$root/build/bench/dynalite"
if [ ! -x "$dl/node_modules/.bin/dynalite" ] && command -v npm >/dev/null; then
	mkdir -p "$dl" && (cd "$dl" && npm install --silent dynalite >/dev/null 2>&1)
fi
if [ -x "$dl/node_modules/.bin/dynalite" ]; then
	port=$(free_port)
	run_peer "dynalite" "$port" "$dl/node_modules/.bin/dynalite" --port "$port"
else
	echo "dynalite: not available (npm install dynalite failed or npm missing)"
fi

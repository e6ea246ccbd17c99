#!/bin/sh
# `make run`: start the emulator in the foreground and deploy the local
# imgpipe stack into it (idempotently, on every start), then print what
# to try.  The Makefile has already installed the packages (make deps),
# built the emulator, the tools and the Lambda zip (make lambda-zip).
#
#   tests/lib/run_emulator.sh EMULATOR_BINARY
#
# Settings (make variables, exported to this script by make):
#   PORT        edge port for every AWS service (4566)
#   REDIS_PORT  Redis port (6379)
#   DATA_DIR    where state is kept (./.imgpipe); it survives restarts
#   LAMBDA_ZIP  the function's package (beside the binary: ../lambda/pipeline.zip)
#   EMULATOR_FLAGS  extra flags, e.g. "--auth sigv4 --log-level debug"
#
# The deploy (tests/lib/deploy_local.py, Python standard library only)
# runs in the background once the emulator answers /_emulator/health; the
# emulator itself is exec'd, so Ctrl-C and SIGTERM reach it directly and
# its exit status is make's.
set -eu

bin=$1
bindir=$(cd "$(dirname "$bin")" && pwd)
zip=${LAMBDA_ZIP:-$bindir/../lambda/pipeline.zip}
port=${PORT:-4566}
redis_port=${REDIS_PORT:-6379}
data_dir=${DATA_DIR:-./.imgpipe}
here=$(cd "$(dirname "$0")" && pwd)
endpoint="http://127.0.0.1:$port"

if [ ! -f "$zip" ]; then
	echo "imgpipe: $zip is missing (make lambda-zip builds it)" >&2
	exit 1
fi

tell() {
	cat <<EOF

imgpipe: the local stack is deployed at $endpoint (Redis on :$redis_port)
  buckets  imgpipe-uploads (uploads/ -> function imgpipe-pipeline), imgpipe-processed
  table    imgpipe-images      topic  imgpipe-events

Try, in another shell:
  export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1
  aws --endpoint-url $endpoint s3 cp fixtures/images/photo_2.5mp_canon.jpg s3://imgpipe-uploads/uploads/canon.jpg
  aws --endpoint-url $endpoint dynamodb get-item --table-name imgpipe-images --key '{"image_id":{"S":"canon"}}'
  aws --endpoint-url $endpoint s3 ls s3://imgpipe-processed/canon/
  redis-cli -p $redis_port get image:canon
or with the C tool:
  AWS_ENDPOINT_URL=$endpoint $bindir/imgctl upload fixtures/images/photo.heic
  AWS_ENDPOINT_URL=$endpoint $bindir/imgctl wait <id>
More in docs/quickstart.md.  Ctrl-C stops the emulator; state stays in $data_dir.

EOF
}

# Deploy in a grandchild (reparented to init, so nothing is left for the
# emulator to reap) once the edge answers.  The emulator will have this
# shell's pid (exec), which tells the deploy when to give up waiting.
emulator_pid=$$
(
	(
		if python3 "$here/deploy_local.py" --endpoint "$endpoint" \
			--redis-url "redis://127.0.0.1:$redis_port" --zip "$zip" \
			--emulator-pid "$emulator_pid"; then
			tell
		else
			echo "imgpipe: the deploy failed (see above); the emulator keeps running" >&2
		fi
	) &
)

echo "imgpipe: starting $bin on :$port (Redis :$redis_port, state in $data_dir)"
# shellcheck disable=SC2086
exec "$bin" --port "$port" --redis-port "$redis_port" --data-dir "$data_dir" \
	${EMULATOR_FLAGS:-}

# Shared helper for end-to-end tests that need Redis (sourced after tests/lib.sh).
# start_redis: a private redis-server on a free 127.0.0.1 port, no persistence, under
# `timeout` (a deadline even if the test is killed), killed by PID when the test exits
# (lib.sh's cleanup kills everything in $PIDS).  Sets REDIS_PID, REDIS_PORT, REDIS_URL.
# stop_redis: stops it (the test then sees Redis gone); start_redis REDIS_PORT restarts it
# on the same port.

REDIS_SERVER=${REDIS_SERVER:-$(command -v redis-server || true)}
REDIS_CLI=${REDIS_CLI:-$(command -v redis-cli || true)}

redis_free_port() {
	"$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# rcli ARGS...: redis-cli against the test's server, bounded in time.
rcli() {
	timeout 10 "$REDIS_CLI" -h 127.0.0.1 -p "$REDIS_PORT" "$@"
}

start_redis() {
	[ -x "$REDIS_SERVER" ] && [ -x "$REDIS_CLI" ] || {
		echo "SKIP: redis-server/redis-cli not installed (scripts/install-deps installs them)"
		exit 77
	}
	REDIS_PORT=${1:-$(redis_free_port)}
	timeout "${REDIS_DEADLINE:-300}" "$REDIS_SERVER" --port "$REDIS_PORT" --bind 127.0.0.1 \
		--save '' --appendonly no --daemonize no >"$WORK/redis.out" 2>&1 &
	REDIS_PID=$!
	PIDS="$PIDS $REDIS_PID"
	REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
	t_end=$(($(date +%s) + 15))
	until [ "$(rcli PING 2>/dev/null)" = PONG ]; do
		kill -0 "$REDIS_PID" 2>/dev/null || { cat "$WORK/redis.out"; fail "redis-server exited"; }
		[ "$(date +%s)" -lt "$t_end" ] || fail "redis-server not answering within 15 s"
		sleep 0.1
	done
}

stop_redis() {
	kill "$REDIS_PID" 2>/dev/null # timeout passes SIGTERM on to redis-server
	t_end=$(($(date +%s) + 10))
	while kill -0 "$REDIS_PID" 2>/dev/null; do
		[ "$(date +%s)" -lt "$t_end" ] || { kill -9 "$REDIS_PID"; break; }
		sleep 0.1
	done
}

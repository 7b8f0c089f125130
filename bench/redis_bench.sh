#!/bin/sh
# bench/redis_bench.sh: what handing the books on to Redis costs (part of `make bench`).
#
# clobsim at REDIS_BENCH_RATE msgs/s (default 20000) -> clobtop --headless, run twice for
# REDIS_BENCH_SECS seconds (default 20; BENCH_QUICK=1: 6): without Redis, then with
# --redis (a private redis-server on a free loopback port) --redis-interval 0 --redis-stream,
# and once more with the default --redis-interval 100.
# Prints books and trades published per second, drops, and pipeline p99 (last 60 s) with
# and without Redis.  Figures, not pass/fail.
#
#   BUILDDIR  where src/clobtop and src/clobsim were built (default: the current directory)
#
# Loopback only; every process has a deadline and is killed by PID on exit.
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${BUILDDIR:=$(pwd)}"
CLOBTOP=$BUILDDIR/src/clobtop
CLOBSIM=$BUILDDIR/src/clobsim
PY=${PYTHON3:-python3}
RATE=${REDIS_BENCH_RATE:-20000}
case ${BENCH_QUICK:-0} in "" | 0 | no) SECS=${REDIS_BENCH_SECS:-20} ;; *) SECS=${REDIS_BENCH_SECS:-6} ;; esac
REDIS_SERVER=$(command -v redis-server || true)
[ -x "$CLOBTOP" ] && [ -x "$CLOBSIM" ] || { echo "redis bench: build clobtop and clobsim first" >&2; exit 2; }
[ -n "$REDIS_SERVER" ] || { echo "redis bench: redis-server not installed; no figures" >&2; exit 0; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/clobtop-redis-bench.XXXXXX")
PIDS=""
trap 'for p in $PIDS; do kill "$p" 2>/dev/null; done; rm -rf "$WORK"' EXIT
trap 'exit 1' INT TERM

free_port() {
	"$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# run NAME ARGS...: clobsim at RATE and clobtop for SECS seconds; the snapshot in NAME.json.
run() {
	name=$1
	shift
	timeout $((SECS + 60)) "$CLOBSIM" --port 0 --rate "$RATE" --new-markets 0 \
		--assets-out "$WORK/$name.assets" >"$WORK/$name.sim" 2>&1 &
	sim=$!
	PIDS="$PIDS $sim"
	end=$(($(date +%s) + 20))
	port=""
	while [ -z "$port" ] && [ "$(date +%s)" -lt "$end" ]; do
		sleep 0.1
		port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$WORK/$name.sim")
	done
	[ -n "$port" ] || { echo "redis bench: clobsim did not start" >&2; exit 1; }
	timeout $((SECS + 30)) "$CLOBTOP" --no-config --headless --no-gamma --duration "$SECS" \
		--url "ws://127.0.0.1:$port/ws/market" --assets-file "$WORK/$name.assets" \
		--export "$WORK/$name.json" "$@" </dev/null >/dev/null 2>"$WORK/$name.err"
	kill "$sim" 2>/dev/null
	wait "$sim" 2>/dev/null
}

run base
rport=$(free_port)
timeout $((SECS + 90)) "$REDIS_SERVER" --port "$rport" --bind 127.0.0.1 --save '' \
	--appendonly no >"$WORK/redis.out" 2>&1 &
PIDS="$PIDS $!"
sleep 0.5
run redis --redis "redis://127.0.0.1:$rport/0" --redis-interval 0 --redis-stream bench:s
run conflated --redis "redis://127.0.0.1:$rport/0"

"$PY" - "$WORK/base.json" "$WORK/redis.json" "$SECS" "$RATE" "$WORK/conflated.json" <<'PY'
import json, sys
base, red = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
secs, rate = float(sys.argv[3]), int(sys.argv[4])
conf = json.load(open(sys.argv[5]))
r = red["redis"]
def p99(j):
    return j["latency"]["pipeline_us"]["p99"]
def per_s(j):
    return j["counters"]["frames"] / secs
print("redis bench: clobsim at %d msgs/s, %g s each, --redis-interval 0 --redis-stream" % (rate, secs))
print("  received            without Redis %8.0f msgs/s   with Redis %8.0f msgs/s"
      % (per_s(base), per_s(red)))
print("  published           books %8.0f/s  trades %6.0f/s  cache rewrites %5.0f/s"
      % (r["published_books"] / secs, r["published_trades"] / secs, r["cache_writes"] / secs))
print("  redis dropped       %d (ring full or Redis down), state at the end %s"
      % (r["dropped"], r["state"]))
b, w = p99(base), p99(red)
print("  pipeline p99        without Redis %s us   with Redis %s us   (%+.0f %%; target <= +10 %%)"
      % (b, w, 100.0 * (w - b) / b if b else 0.0))
print("  feed dropped        without %d   with %d" % (base["counters"]["dropped"], red["counters"]["dropped"]))
c = conf["redis"]
print("  default --redis-interval 100: books %.0f/s  trades %.0f/s  dropped %d  pipeline p99 %s us (%+.0f %%)"
      % (c["published_books"] / secs, c["published_trades"] / secs, c["dropped"], p99(conf),
         100.0 * (p99(conf) - b) / b if b else 0.0))
PY

#!/bin/sh
# bench/run.sh: `make bench` -- every performance figure of clobtop in one command.
#
# Runs bench/bench.py (core, end to end on loopback, raw ceiling, render, idle CPU, RSS,
# pipeline latency under slow HTTP clients),
# prints a table with the targets and writes JSON to $BUILDDIR/bench/results/latest.json.
#
#   BUILDDIR     where src/clobtop, src/clobsim and bench/* were built (default: the
#                current directory, which is where make runs)
#   BENCH_QUICK=1  5 s end-to-end steps and shorter samples, to try it quickly
#   BENCH_ONLY="core e2e ceiling render idle rss redis shards http"  a subset
#   BENCH_HTTP_RATE, BENCH_HTTP_SECS, BENCH_HTTP_ROUNDS, BENCH_HTTP_NICE  see
#                  bench/http_slow_bench.py (which also runs alone, exiting 1 on a miss)
#   BENCH_RATES="1000 10000 ..."   the end-to-end ramp; BENCH_OUT=FILE  the JSON
#   BENCH_KEEP=1   keep the work directory (logs, snapshots, recordings)
#
# Loopback only; every process it starts stops by itself and is killed on exit.
# Must never: need the network, or leave a process or a tmux server behind.
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${top_srcdir:=$(cd "$here/.." && pwd)}"
: "${BUILDDIR:=$(pwd)}"
BUILDDIR=$(cd "$BUILDDIR" && pwd) || exit 2
export top_srcdir BUILDDIR

# The bench programs beyond bench_core, when this tree knows how to build them (make is a
# no-op when they are current; an older Makefile simply lacks the rule).
for p in bench/ws_ceiling bench/bench_render; do
	if [ -f "$BUILDDIR/Makefile" ]; then
		${MAKE:-make} -C "$BUILDDIR" "$p" >/dev/null 2>&1 ||
			echo "bench: cannot build $p here; its figures will be missing" >&2
	fi
done

PY=${PYTHON3:-}
[ -n "$PY" ] || PY=$(command -v python3 || echo /usr/bin/python3)
# The Redis figures (bench/redis_bench.sh) first; BENCH_ONLY without "redis" skips them.
case " ${BENCH_ONLY:-redis} " in *" redis "*)
	PYTHON3=$PY sh "$here/redis_bench.sh" || echo "bench: the Redis figures are missing" >&2 ;;
esac
# The shard pool's figures (bench/shards_bench.sh, issue 11); BENCH_ONLY without "shards"
# skips them.
case " ${BENCH_ONLY:-shards} " in *" shards "*)
	PYTHON3=$PY sh "$here/shards_bench.sh" || echo "bench: the shard figures are missing" >&2 ;;
esac
exec "$PY" "$top_srcdir/bench/bench.py"

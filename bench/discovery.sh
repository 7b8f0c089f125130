#!/bin/sh
# bench/discovery.sh: start-up with --all-markets (issue 11's figure): clobsim lists
# BENCH_DISC_MARKETS markets (default 5,000 = 10,000 tokens); clobtop discovers them
# through the Gamma listing, subscribes every token over one connection (no shards yet)
# and the time to the last first book is printed: discovery done, every token subscribed
# and every asset past "awaiting snapshot" (from --metrics-file, rewritten every 50 ms).
#
#   BUILDDIR  where src/clobtop and src/clobsim were built (default: the current directory)
#
# Loopback only; both processes have deadlines and are killed by PID on exit.
set -u
: "${BUILDDIR:=$(pwd)}"
: "${BENCH_DISC_MARKETS:=5000}"
TOP=$BUILDDIR/src/clobtop
SIM=$BUILDDIR/src/clobsim
W=$(mktemp -d "${TMPDIR:-/tmp}/clobtop-bench-disc.XXXXXX")
SP=
TP=
trap 'for p in $TP $SP; do kill "$p" 2>/dev/null; done; rm -rf "$W"' EXIT
ms() { date +%s%3N; }

"$SIM" --port 0 --duration 300 --markets "$BENCH_DISC_MARKETS" --new-markets 0 \
	--new-market-every 0 --rate 500 --log "$W/sim.log" >"$W/sim.out" 2>&1 &
SP=$!
end=$(($(ms) + 30000))
port=
while [ -z "$port" ] && [ "$(ms)" -lt "$end" ]; do
	port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$W/sim.out")
	sleep 0.05
done
[ -n "$port" ] || { echo "discovery bench: clobsim did not start" >&2; exit 1; }
want=$((BENCH_DISC_MARKETS * 2))

t0=$(ms)
"$TOP" --headless --no-config --duration 120 --refresh 50 --url "ws://127.0.0.1:$port/ws/market" \
	--gamma "http://127.0.0.1:$port" --all-markets --metrics-file "$W/m.prom" \
	</dev/null >"$W/top.out" 2>"$W/top.err" &
TP=$!
done_ms=
booked_ms=
end=$((t0 + 120000))
while [ "$(ms)" -lt "$end" ] && kill -0 "$TP" 2>/dev/null; do
	now=$(ms)
	if [ -z "$done_ms" ] && grep -q "discovery done" "$W/top.err"; then done_ms=$((now - t0)); fi
	if [ -s "$W/m.prom" ] && awk -v want="$want" '
		/^clobtop_assets\{state=/ { n += $2; if ($1 ~ /awaiting_snapshot/) a = $2 }
		END { exit !(n == want && a == 0) }' "$W/m.prom"; then
		booked_ms=$((now - t0))
		break
	fi
	sleep 0.05
done
[ -n "$booked_ms" ] || { echo "discovery bench: not every book within 120 s" >&2; cat "$W/top.err" >&2; exit 1; }
pages=$(curl -s "http://127.0.0.1:$port/stats/gamma" 2>/dev/null | sed -n 's/.*"pages":\([0-9]*\).*/\1/p')
printf 'discovery start-up: %d tokens (%s pages): discovery done %s ms, every first book %d ms (target < 10000 ms, one connection)\n' \
	"$want" "${pages:-?}" "${done_ms:-?}" "$booked_ms"

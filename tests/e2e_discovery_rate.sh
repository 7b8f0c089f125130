#!/bin/sh
# Discovery within Gamma's rate limit.  clobsim answers 3 Gamma requests per 10 s and 429
# beyond.  clobtop paced to the same 3 (--gamma-rate 3) lists 2,000 markets (5 pages)
# without a single 429 and with no 10 s window over 3; unpaced (--gamma-rate 0), with the
# window already used up, it is refused, waits out Retry-After, asks the same page again and still gets every token,
# each subscribed once.
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/e2e_live_common.sh"
. "$top_srcdir/tests/discovery_lib.sh"

start_sim --markets 2000 --new-markets 0 --new-market-every 0 --rate 100 --seed 23 \
	--gamma-rate 3 --assets-out "$WORK/all.txt" --log "$WORK/sim.log"
cut -d' ' -f1 "$WORK/all.txt" | sort >"$WORK/all.sorted"

# gamma_stats EXPR: clobsim's Gamma counters satisfy the python expression on j.
gamma_stats() {
	sim_get /stats/gamma >"$WORK/gamma.json" || fail "GET /stats/gamma"
	cat "$WORK/gamma.json"
	json_get "$WORK/gamma.json" "$1" | grep -q True || fail "Gamma counters: expected $1"
}

t0=$(now_ms)
start_disc --all-markets --gamma-rate 3 --batch 40 --depth 1
wait_until 90 "the paced discovery" grep -q "discovery done: 2000 markets, 4000 tokens" "$WORK/top.err"
took=$(($(now_ms) - t0))
echo "paced: 5 pages at 3 per 10 s took $took ms"
[ "$took" -ge 9000 ] || fail "5 requests at 3 per 10 s finished in $took ms: not paced"
gamma_stats "j['requests'] == 5 and j['throttled'] == 0 and j['window_max'] <= 3"
wait_until 60 "the 4000 books" top_snapshot_has "$BOOKED and len(j['assets']) == 4000"
ids_of "$WORK/probe.json" "$WORK/got.txt"
sort "$WORK/got.txt" | cmp -s - "$WORK/all.sorted" || fail "paced: not clobsim's 4000 tokens"
check_subs 40 "$WORK/all.txt"
stop_top

# Fill clobsim's window first, so clobtop's first request is refused however slowly it
# runs (a sanitizer build may spread 5 requests over more than one window).
for i in 1 2 3 4; do sim_get /tags/slug/crypto >/dev/null 2>&1; done
before_429=$(sim_get /stats/gamma | sed -n 's/.*"throttled":\([0-9]*\).*/\1/p')
start_disc --all-markets --gamma-rate 0 --batch 40 --depth 1
wait_until 120 "the unpaced discovery" grep -q "discovery done: 2000 markets, 4000 tokens" "$WORK/top.err"
gamma_stats "j['throttled'] > $before_429"
wait_until 60 "the 4000 books" top_snapshot_has "$BOOKED and len(j['assets']) == 4000"
snap_check "$WORK/probe.json" <<'PY'
refused = [a for a in alerts if "HTTP 429" in a["message"] and "retrying" in a["message"]]
expect(refused, "the 429 reported and retried", [a["message"] for a in alerts][-5:])
PY
ids_of "$WORK/probe.json" "$WORK/got.txt"
sort "$WORK/got.txt" | cmp -s - "$WORK/all.sorted" || fail "unpaced: not clobsim's 4000 tokens"
check_subs 40 "$WORK/all.txt"
stop_top
echo "ok"

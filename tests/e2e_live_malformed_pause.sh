#!/bin/sh
# Every malformed frame shows in the alert log, not only in the counter: clobsim sends a
# garbage frame, another 2 s later (counted into the first one's row: count 2, last_time
# after the second was sent), then, after a quiet 12 s, a third (a row of its own).
# The soak once failed on the third case: a garbage frame 15 s after the one before, with
# no other alert between, left no row and no count in the log (it was counted only in
# counters.malformed).  Throughout, the malformed rows' counts add up to the counter.
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/e2e_live_common.sh"

start_sim --markets 2 --new-markets 0 --rate 50 --seed 21 \
	--assets-out "$WORK/assets.txt" --log "$WORK/sim.log"
start_top --url "ws://127.0.0.1:$SIM_PORT/ws/market" --assets-file "$WORK/assets.txt" \
	--ping-interval 0.5 --duration 120
wait_until 60 "100 frames" top_snapshot_has 'j["counters"]["frames"] > 100'

# garbage N: send one garbage frame and wait (20 s) until clobtop counted N; the wall
# clock (ms) just before it was sent is in $SENT_MS.
garbage() {
	SENT_MS=$(now_ms)
	sim_fault garbage
	grep -q '"targets":1' "$WORK/fault.json" || fail "the garbage fault hit no connection: $(cat "$WORK/fault.json")"
	wait_until 20 "$1 malformed frame(s) counted" top_snapshot_has "j['counters']['malformed'] >= $1"
}

# rows_check SENT_MS <<'PY' ... PY: snap_check with the malformed rows in 'rows', their
# first and last times in ms in 'first' and 'last', and the fault's send time in 'sent'.
rows_check() {
	top_export "$WORK/snap.json"
	{
		cat <<PY
from datetime import datetime, timezone
def ms(s):
    return datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc).timestamp() * 1000
rows = kinds("malformed")
first = [ms(a["time"]) for a in rows]
last = [ms(a["last_time"]) for a in rows]
sent = $1
expect(sum(a["count"] for a in rows) == c["malformed"],
       "the malformed rows' counts to add up to counters.malformed %d" % c["malformed"],
       [(a["message"], a["count"]) for a in rows])
PY
		cat
	} >"$WORK/rows.py"
	snap_check "$WORK/snap.json" <"$WORK/rows.py"
}

garbage 1
rows_check "$SENT_MS" <<'PY'
expect(len(rows) == 1 and rows[0]["count"] == 1, "one malformed row, count 1",
       [(a["message"], a["count"]) for a in rows])
PY
sleep 2
garbage 2
rows_check "$SENT_MS" <<'PY'
expect(len(rows) >= 1 and last[-1] >= sent - 500,
       "the second frame in the newest malformed row (last_time after it was sent)",
       [(a["message"], a["count"], a.get("last_time")) for a in rows])
PY
# A quiet 12 s (the log groups a storm's alerts within 10 s of each other).
sleep 12
garbage 3
rows_check "$SENT_MS" <<'PY'
expect(len(rows) >= 2 and first[-1] >= sent - 500 and rows[-1]["count"] == 1 and
       "(3 so far)" in rows[-1]["message"],
       "a new malformed row '... (3 so far)' raised after the third frame was sent",
       [(a["message"], a["count"], a["time"]) for a in rows])
PY
stop_top
echo "ok"

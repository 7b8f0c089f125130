#!/bin/sh
# Hostile frames: clobsim splits every message into three WebSocket fragments and, every
# few data frames, adds invalid JSON (garbage) and a truncated copy of a frame.  Each bad
# frame is counted exactly once (malformed), every good frame is reassembled and applied
# (none lost around the bad ones), and the books equal clobsim's truth.  (A message over
# --max-message ends the connection: tests/e2e_hostile.sh and tests/test_feed*.)
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/e2e_live_common.sh"

start_sim --markets 3 --new-markets 0 --rate 300 --seed 15 \
	--fragment --garbage-every 40 --truncate-every 60 \
	--assets-out "$WORK/assets.txt" --log "$WORK/sim.log"
start_top --url "ws://127.0.0.1:$SIM_PORT/ws/market" --assets-file "$WORK/assets.txt" \
	--max-message 32k --ping-interval 0.5
wait_until 60 "500 frames" top_snapshot_has 'j["counters"]["frames"] > 500'
sim_fault pause
converge "$WORK/assets.txt" 60
sim_get /stats >"$WORK/stats.json" || fail "GET /stats"
sent=$(json_get "$WORK/stats.json" "j['frames_sent']")
# A bad frame the simulator sent after the last good one may still be on its way: wait
# (bounded) for the count the checks below expect; if it never comes they say what did.
try_until 20 "every frame sent" top_snapshot_has \
	"j['counters']['frames'] - j['counters']['pongs'] >= $sent + $sent // 40 + $sent // 60"
top_export "$WORK/final.json"
"$PY" "$LIVE" compare "$WORK/final.json" "$WORK/truth.json" "$WORK/assets.txt" >/dev/null ||
	fail "books moved after convergence"
echo "clobsim sent $sent data frames"
snap_check "$WORK/final.json" <<PY
k = $sent
garbage, truncated = k // 40, k // 60
expect(garbage >= 10 and truncated >= 5, "a run long enough to inject faults", (garbage, truncated))
expect(c["oversize"] == 0, "no oversize message", c["oversize"])
expect(c["malformed"] == garbage + truncated,
       "malformed = %d garbage + %d truncated = %d" %
       (garbage, truncated, garbage + truncated), c["malformed"])
expect(c["frames"] - c["pongs"] == k + garbage + truncated,
       "data frames received = %d sent + %d garbage + %d truncated" % (k, garbage, truncated),
       c["frames"] - c["pongs"])
expect(len(kinds("malformed")) > 0, "malformed alerts", [a["kind"] for a in alerts])
expect(sum(a["count"] for a in kinds("malformed")) == c["malformed"],
       "every malformed frame in the alert log (rows' counts add up to %d)" % c["malformed"],
       [(a["message"], a["count"]) for a in kinds("malformed")])
expect(conn["reconnects"] == 0, "0 reconnects (bad frames are not fatal)", conn["reconnects"])
expect(c["dropped"] == 0, "0 ring drops", c["dropped"])
PY
stop_top
echo "ok"

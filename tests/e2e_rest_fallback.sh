#!/bin/sh
# Fallback: clobsim stalls the connection (socket open, nothing sent).  With --dead-after 1
# clobtop declares it dead; its reconnections go through a gate (tests/tcp_gate.py) that
# turns them away until the test opens it, so each asset is "no feed", and after
# --rest-fallback-after 2 its book is polled from REST (clobsim directly) every
# --rest-poll 1, in state "rest".  The polled books track clobsim's truth.  When the gate
# opens the connection comes back, the socket's snapshots win and the polling stops: no
# more REST requests in clobsim's log.
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/e2e_live_common.sh"

start_sim --markets 2 --new-markets 0 --rate 100 --seed 21 \
	--assets-out "$WORK/assets.txt" --log "$WORK/sim.log"
"$PY" "$top_srcdir/tests/tcp_gate.py" "$WORK/gate.port" "$SIM_PORT" "$WORK/hold" "$SIM_SAFETY" &
PIDS="$PIDS $!"
_dl=$(deadline 20)
while ! [ -s "$WORK/gate.port" ]; do
	before "$_dl" || fail "tcp_gate.py did not start within 20 s"
	sleep 0.05
done
GATE_PORT=$(cat "$WORK/gate.port")
start_top --url "ws://127.0.0.1:$GATE_PORT/ws/market" --assets-file "$WORK/assets.txt" \
	--dead-after 1 --ping-interval 0.25 --backoff-min 0.2 --backoff-max 0.5 \
	--rest-url "http://127.0.0.1:$SIM_PORT" --audit-every 0 \
	--rest-fallback-after 2 --rest-poll 1 --refresh 100
wait_until 60 "the first books" top_snapshot_has \
	'all(a["state"] == "fresh" for a in j["assets"]) and j["counters"]["frames"] > 50'
rest_lines() { grep -c -e 'GET /book?' -e 'POST /books' "$WORK/sim.log"; }
[ "$(rest_lines)" = 0 ] || fail "REST requests while the socket was fine"
touch "$WORK/hold"
sim_fault stall
t0=$(now_ms)
wait_until 30 "every asset in state rest" top_snapshot_has \
	'all(a["state"] == "rest" and a["book_source"] == "rest" for a in j["assets"])'
echo "stall to every asset polled from REST: $(($(now_ms) - t0)) ms"
# The polled books follow the truth while the flow goes on, then equal it once it stops.
polled=$(json_get "$WORK/probe.json" 'j["rest"]["polled"]')
wait_until 20 "more polled books" top_snapshot_has "j['rest']['polled'] >= $polled + 8"
sim_fault pause
converge "$WORK/assets.txt" 5
snap_check "$WORK/final.json" <<'PY'
import re
r = j["rest"]
expect(not conn["alive"] and conn["reconnects"] == 0, "still down, not reconnected", conn)
dead = [a for a in kinds("connection") if "dead" in a["message"]]
polling = [a for a in kinds("connection") if "polling the book from REST" in a["message"]]
expect(len(dead) == 1, "one 'connection dead' alert", [a["message"] for a in kinds("connection")])
expect(len(polling) >= 1, "a 'polling from REST' alert", [a["message"] for a in kinds("connection")])
for a in polling:
    s = int(re.search(r"feed down for (\d+) s", a["message"]).group(1))
    expect(2 <= s <= 4, "fallback 2-4 s after the connection died", a["message"])
for a in j["assets"]:
    expect(a["state"] == "rest", "%s in state rest" % a["asset_id"][:12], a["state"])
expect(r["polled"] >= 2 * len(j["assets"]), "books polled repeatedly", r)
PY
sim_fault play
rm -f "$WORK/hold"
# The gate opens, clobtop reconnects, the snapshots arrive and win.
wait_until 40 "the socket back" top_snapshot_has \
	'j["connection"]["reconnects"] >= 1 and all(a["state"] == "fresh" and a["book_source"] == "socket" for a in j["assets"])'
sleep 1.5 # a poll answer in flight at the reconnect
n1=$(rest_lines)
sleep 3
n2=$(rest_lines)
[ "$n1" = "$n2" ] || fail "REST polling went on after the socket's snapshots: $n1 then $n2 requests"
top_export "$WORK/end.json"
snap_check "$WORK/end.json" <<'PY'
for a in j["assets"]:
    expect(a["state"] == "fresh", "%s fresh again" % a["asset_id"][:12], a["state"])
PY
stop_top
echo "REST requests during the outage: $n2"
echo "ok"

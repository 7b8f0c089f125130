#!/bin/sh
# Abrupt close mid-stream: clobsim drops the TCP connection without a close frame while
# data flows; clobtop reports it, reconnects within its backoff (0.2-0.5 s here), sends
# the initial subscription again, rebuilds every book from the new snapshots, and ends
# equal to clobsim's truth.
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/e2e_live_common.sh"

start_sim --markets 3 --new-markets 0 --rate 300 --seed 11 \
	--assets-out "$WORK/assets.txt" --log "$WORK/sim.log"
start_top --url "ws://127.0.0.1:$SIM_PORT/ws/market" --assets-file "$WORK/assets.txt" \
	--backoff-min 0.2 --backoff-max 0.5
wait_until 60 "the first books" top_snapshot_has \
	'all(a["state"] == "fresh" for a in j["assets"]) and j["counters"]["frames"] > 100'
sim_fault close
wait_until 60 "a reconnection" top_snapshot_has 'j["connection"]["reconnects"] >= 1'
top_more_frames 100
sim_fault pause
converge "$WORK/assets.txt" 60
snap_check "$WORK/final.json" <<'PY'
expect(conn["reconnects"] == 1, "exactly 1 reconnect", conn["reconnects"])
expect(conn["alive"] and conn["state"] == "subscribed", "alive and subscribed at the end", conn)
closed = [a for a in kinds("connection") if "closed" in a["message"]]
expect(len(closed) == 1 and "1006" in closed[0]["message"],
       "one 'connection closed 1006' alert (no close frame)", [a["message"] for a in closed])
expect(len(kinds("reconnect")) == 1, "one reconnect alert", [a["message"] for a in kinds("reconnect")])
# Reconnected within the backoff: from the close alert to the reconnect alert.
import datetime
def t(a):
    return datetime.datetime.strptime(a["time"], "%Y-%m-%dT%H:%M:%S.%fZ").timestamp()
import re
waits = [float(re.search(r"reconnecting in ([0-9.]+) s", a["message"]).group(1))
         for a in kinds("connection") if "reconnecting in" in a["message"]]
expect(len(waits) == 1 and waits[0] <= 0.2,
       "one backoff of at most --backoff-min 0.2 s (the first delay)", waits)
if closed and kinds("reconnect"):
    gap = t(kinds("reconnect")[0]) - t(closed[0])
    expect(0 <= gap <= 0.8, "reconnected within 0.8 s of the close (backoff 0.2 s)",
           "%.3f s" % gap)
expect(c["malformed"] == 0 and c["dropped"] == 0, "nothing malformed or dropped", c)
PY
stop_top
# Server side: a second WebSocket connection whose initial subscription lists every token
# (connections in between are the test's REST requests).
ws=$(sed -n 's/.*client \([0-9]*\): upgrade \/ws\/market.*/\1/p' "$WORK/sim.log" | tr '\n' ' ')
set -- $ws
[ $# = 2 ] || fail "expected 2 WebSocket connections in clobsim's log, got: $ws"
n=$(grep -c 'recv text .*"type":"market"' "$WORK/sim.log")
[ "$n" = 2 ] || fail "expected 2 initial subscriptions in clobsim's log, got $n"
for id in $(cut -d' ' -f1 "$WORK/assets.txt"); do
	grep "client $2 recv text .*\"type\":\"market\"" "$WORK/sim.log" | grep -q "$id" ||
		fail "resubscription on connection $2 lacks token $id"
done
grep -q 'fault abrupt close (GET /fault)' "$WORK/sim.log" || fail "clobsim logged no abrupt close"
echo "ok"

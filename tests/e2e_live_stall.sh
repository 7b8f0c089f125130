#!/bin/sh
# Stall: clobsim keeps the socket open but sends nothing at all (not even PONG).  With
# --dead-after 1 clobtop declares the connection dead after about a second, reconnects,
# resubscribes, and its books end equal to clobsim's truth.
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/e2e_live_common.sh"

start_sim --markets 3 --new-markets 0 --rate 300 --seed 12 \
	--assets-out "$WORK/assets.txt" --log "$WORK/sim.log"
start_top --url "ws://127.0.0.1:$SIM_PORT/ws/market" --assets-file "$WORK/assets.txt" \
	--dead-after 1 --ping-interval 0.25 --backoff-min 0.2 --backoff-max 0.5
wait_until 60 "the first books" top_snapshot_has \
	'all(a["state"] == "fresh" for a in j["assets"]) and j["counters"]["frames"] > 100'
sim_fault stall
wait_until 60 "a reconnection" top_snapshot_has 'j["connection"]["reconnects"] >= 1'
top_more_frames 100
sim_fault pause
converge "$WORK/assets.txt" 60
snap_check "$WORK/final.json" <<'PY'
import re
dead = [a for a in kinds("connection") if "dead" in a["message"]]
expect(len(dead) == 1, "one 'connection dead' alert", [a["message"] for a in kinds("connection")])
if dead:
    m = re.search(r"no frame for (\d+) ms", dead[0]["message"])
    ms = int(m.group(1)) if m else -1
    # Not sooner than --dead-after (and not much later).
    expect(1000 <= ms <= 2500, "dead after 1000-2500 ms without a frame", dead[0]["message"])
expect(conn["reconnects"] == 1, "exactly 1 reconnect", conn["reconnects"])
expect(len(kinds("reconnect")) == 1, "one reconnect alert", [a["message"] for a in kinds("reconnect")])
expect(conn["alive"], "alive at the end", conn)
expect(c["pongs"] > 0, "PONGs counted (application keepalive works)", c["pongs"])
PY
stop_top
n=$(grep -c 'recv text .*"type":"market"' "$WORK/sim.log")
[ "$n" = 2 ] || fail "expected 2 initial subscriptions in clobsim's log, got $n"
grep -q 'recv text 4 bytes: PING' "$WORK/sim.log" || fail "clobtop sent no PING"
echo "ok"

#!/bin/sh
# Silent freeze: clobsim keeps answering PING with PONG but sends no data.  With
# --freeze-after 1 clobtop raises a 'freeze' alert and resubscribes on the same
# connection (unsubscribe + subscribe, no reconnect); the fresh snapshots bring its books
# back equal to clobsim's truth.
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/e2e_live_common.sh"

start_sim --markets 3 --new-markets 0 --rate 300 --seed 13 \
	--assets-out "$WORK/assets.txt" --log "$WORK/sim.log"
start_top --url "ws://127.0.0.1:$SIM_PORT/ws/market" --assets-file "$WORK/assets.txt" \
	--freeze-after 1 --ping-interval 0.2 --dead-after 4 --backoff-min 0.2 --backoff-max 0.5
wait_until 60 "the first books" top_snapshot_has \
	'all(a["state"] == "fresh" for a in j["assets"]) and j["counters"]["frames"] > 100'
sim_fault freeze
wait_until 60 "a freeze alert" top_snapshot_has 'any(a["kind"] == "freeze" for a in j["alerts"])'
# Data flows again after the resubscription.
wait_until 60 "fresh books after the freeze" top_snapshot_has \
	'all(a["state"] == "fresh" and a["bids"] for a in j["assets"])'
top_export "$WORK/after.json"
snap_check "$WORK/after.json" <<'PY'
fr = kinds("freeze")
expect(len(fr) == 1, "exactly one freeze alert", [a["message"] for a in fr])
expect(conn["reconnects"] == 0, "0 reconnects (a freeze is fixed by resubscribing)",
       conn["reconnects"])
expect(conn["alive"], "alive", conn)
expect(c["pongs"] >= 4, "PONGs kept arriving during the freeze", c["pongs"])
PY
# (Once the flow is paused, a loaded machine may see a second freeze: not checked.)
sim_fault pause
converge "$WORK/assets.txt" 60
snap_check "$WORK/final.json" <<'PY'
expect(conn["reconnects"] == 0, "0 reconnects", conn["reconnects"])
PY
stop_top
grep -q 'client 1 recv text .*"operation":"unsubscribe"' "$WORK/sim.log" ||
	fail "expected an unsubscribe operation on connection 1 in clobsim's log"
grep -q 'client 1 recv text .*"operation":"subscribe"' "$WORK/sim.log" ||
	fail "expected a subscribe operation on connection 1 in clobsim's log"
grep -q 'client 1: fault freeze lifted by a subscribe operation' "$WORK/sim.log" ||
	fail "clobsim did not see the resubscription end the freeze"
n=$(grep -c 'upgrade /ws/market' "$WORK/sim.log")
[ "$n" = 1 ] || fail "expected 1 WebSocket connection, got $n"
echo "ok"

#!/bin/sh
# One busy connection: clobsim sends 150000 messages/s, more than one receive thread can
# parse.  While it is behind its socket and the UI thread has room, the receive thread
# hands messages over unparsed (counted as parsed_by_ui); otherwise it parses them itself.
# Both kinds must have been applied, and once the flow stops every book equals clobsim's
# truth: the two paths mixed in one stream give the same books.
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/e2e_live_common.sh"

start_sim --markets 6 --new-markets 0 --rate 150000 --seed 31 \
	--assets-out "$WORK/assets.txt" --log "$WORK/sim.log"
URL="ws://127.0.0.1:$SIM_PORT/ws/market"
start_top --url "$URL" --assets-file "$WORK/assets.txt"
wait_until 120 "200000 frames, some handed over unparsed" top_snapshot_has \
	'j["counters"]["frames"] > 200000 and j["counters"]["parsed_by_ui"] > 0'
pause_and_converge "$WORK/assets.txt" 60
snap_check "$WORK/final.json" <<'PY'
ui = c["parsed_by_ui"]
expect(ui > 0, "messages parsed by the UI thread (handed over)", ui)
expect(c["frames"] - ui > 0, "messages parsed where they arrived", c["frames"] - ui)
expect(len(j.get("connections") or []) == 1, "one connection", len(j.get("connections") or []))
print("handover: %d frames, %d parsed by the UI thread (%.0f %%), %d dropped" %
      (c["frames"], ui, 100.0 * ui / c["frames"], c["dropped"]))
PY
stop_top
echo "ok"

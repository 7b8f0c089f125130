#!/bin/sh
# Ring overflow: a 16 KiB feed-to-UI ring against a fast flow (20000 messages/s).
# Messages the full ring cannot take are dropped and counted, the next record carries
# the gap, clobtop resyncs, and once the flow stops its books equal clobsim's truth.
# A control run with a 64 MiB ring on the same flow drops nothing.
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/e2e_live_common.sh"

start_sim --markets 3 --new-markets 0 --rate 20000 --seed 18 \
	--assets-out "$WORK/assets.txt" --log "$WORK/sim.log"
URL="ws://127.0.0.1:$SIM_PORT/ws/market"

start_top --url "$URL" --assets-file "$WORK/assets.txt" --ring-size 64M
wait_until 120 "5000 frames of the fast flow" top_snapshot_has 'j["counters"]["frames"] > 5000'
top_export "$WORK/control.json"
stop_top
snap_check "$WORK/control.json" <<'PY'
expect(c["frames"] > 5000, "a fast flow (over 5000 frames)", c["frames"])
expect(c["dropped"] == 0 and c["gaps"] == 0, "0 drops with a 64 MiB ring", c)
PY

start_top --url "$URL" --assets-file "$WORK/assets.txt" --ring-size 16k
wait_until 120 "ring drops and a resync" top_snapshot_has \
	'j["counters"]["dropped"] > 0 and j["counters"]["resyncs"] > 0'
pause_and_converge "$WORK/assets.txt" 60
snap_check "$WORK/final.json" <<'PY'
expect(c["dropped"] > 0, "messages dropped by the full ring", c["dropped"])
expect(c["gaps"] > 0, "gaps flagged", c["gaps"])
expect(c["resyncs"] > 0, "resyncs requested after the gaps", c["resyncs"])
# Raised at most once a second; later drift and resync rows may have rotated them out of
# the 512-row log, which is then full.
expect(len(kinds("gap")) > 0 or len(alerts) >= 512, "gap alerts",
       (sorted({a["kind"] for a in alerts}), len(alerts)))
expect(conn["reconnects"] == 0, "0 reconnects", conn["reconnects"])
for a in j["assets"]:
    expect(a["state"] in ("fresh", "quiet"), "%s fresh or quiet" % a["asset_id"][:12], a["state"])
print("ring: %d dropped, %d gaps, %d resyncs, %d frames" %
      (c["dropped"], c["gaps"], c["resyncs"], c["frames"]))
PY
stop_top
grep -q 'recv text .*"operation":"subscribe"' "$WORK/sim.log" ||
	fail "no resubscription (resync) in clobsim's log"
echo "ok"

#!/bin/sh
# Overload stays local to what was lost: half of clobsim's markets never change
# (--quiet-markets), the other half flow at 20000 messages/s into a connection whose ring is
# too small.  The receive thread reports which assets its dropped records were about
# (REC_LOST), so only flowing assets are resynced: every quiet asset keeps its first book
# and is never resynced, at least one flowing asset is, and once the flow stops every book
# equals clobsim's truth.  (Before parsing moved to the receive threads, every drop resynced
# every asset of the connection, quiet ones included.)
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/e2e_live_common.sh"

start_sim --markets 20 --quiet-markets 10 --new-markets 0 --rate 20000 --seed 23 --levels 4-8 \
	--assets-out "$WORK/assets.txt" --log "$WORK/sim.log"
URL="ws://127.0.0.1:$SIM_PORT/ws/market"
# The last 10 markets (20 tokens) are the quiet ones.
tail -n 20 "$WORK/assets.txt" | cut -d' ' -f1 >"$WORK/quiet.txt"
[ "$(wc -l <"$WORK/quiet.txt")" -eq 20 ] || fail "expected 40 tokens from clobsim"

start_top --url "$URL" --assets-file "$WORK/assets.txt" --ring-size 64k
wait_until 120 "ring drops and a resync" top_snapshot_has \
	'j["counters"]["dropped"] > 0 and j["counters"]["resyncs"] > 0'
pause_and_converge "$WORK/assets.txt" 60
QUIET_FILE="$WORK/quiet.txt"
export QUIET_FILE
snap_check "$WORK/final.json" <<'PY'
import os
quiet = set(open(os.environ["QUIET_FILE"]).read().split())
expect(c["dropped"] > 0, "messages dropped by the full ring", c["dropped"])
by_id = {a["asset_id"]: a for a in j["assets"]}
expect(quiet <= set(by_id), "every quiet asset in the snapshot", len(quiet & set(by_id)))
flowing = [a for a in j["assets"] if a["asset_id"] not in quiet]
resynced = [a for a in flowing if a["resyncs"] > 0]
expect(len(resynced) > 0, "flowing assets resynced after the drops",
       [(a["asset_id"][:8], a["resyncs"]) for a in flowing])
bad = [(i[:12], by_id[i]["resyncs"]) for i in quiet if i in by_id and by_id[i]["resyncs"] != 0]
expect(not bad, "no quiet asset resynced (no dropped record was about one)", bad)
about = [a for a in kinds("gap") if "they were about" in a["message"]]
expect(about or len(alerts) >= 512, "a gap alert naming how many assets were resynced",
       [a["message"] for a in kinds("gap")][:3])
for a in about:
    n = int(a["message"].split("resync of the ")[1].split()[0])
    expect(0 < n <= 20, "at most the 20 flowing assets resynced at once", a["message"])
expect(conn["reconnects"] == 0, "0 reconnects", conn["reconnects"])
print("lost: %d dropped, %d gaps, %d of %d flowing assets resynced, 0 of %d quiet" %
      (c["dropped"], c["gaps"], len(resynced), len(flowing), len(quiet)))
PY
stop_top
echo "ok"

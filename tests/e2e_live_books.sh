#!/bin/sh
# clobtop --headless against clobsim: once the flow stopped (clobsim paused through its
# REST API), every subscribed book equals clobsim's truth level for level, with no
# reconnect, no malformed frame, no drop, and the exchange's best prices agreeing with
# ours on every check; the --state-file clobsim writes when it is stopped (SIGTERM) holds
# the same books.
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/e2e_live_common.sh"

start_sim --markets 4 --new-markets 0 --rate 400 --seed 7 \
	--state-file "$WORK/state.json" --assets-out "$WORK/assets.txt" --log "$WORK/sim.log"
start_top --url "ws://127.0.0.1:$SIM_PORT/ws/market" --assets-file "$WORK/assets.txt" \
	--backoff-min 0.2 --backoff-max 0.5
wait_until 60 "the first books and 300 frames" top_snapshot_has \
	'all(a["state"] == "fresh" for a in j["assets"]) and j["counters"]["frames"] > 300'
sim_fault pause
converge "$WORK/assets.txt" 60
cp "$WORK/final.json" "$WORK/snap.json"
stop_top
kill -TERM "$SIM_PID"
sim_dl=$(deadline 15)
while pid_running "$SIM_PID" && before "$sim_dl"; do sleep 0.05; done
pid_running "$SIM_PID" && fail "clobsim did not exit within 15 s of SIGTERM"
wait "$SIM_PID" || fail "clobsim exited $? on SIGTERM, expected 0"
[ -s "$WORK/state.json" ] || fail "clobsim wrote no --state-file"

"$PY" "$LIVE" compare "$WORK/snap.json" "$WORK/state.json" "$WORK/assets.txt" || fail "books"
snap_check "$WORK/snap.json" <<'PY'
expect(len(j["assets"]) == 8, "8 assets in the snapshot", len(j["assets"]))
expect(c["frames"] > 300, "more than 300 frames received", c["frames"])
expect(c["malformed"] == 0 and c["dropped"] == 0 and c["gaps"] == 0,
       "no malformed, dropped or gap", c)
expect(conn["reconnects"] == 0, "0 reconnects while clobsim ran", conn["reconnects"])
expect(len(kinds("drift")) == 0 and len(kinds("resync")) == 0, "no drift and no resync",
       [a["message"] for a in kinds("drift") + kinds("resync")])
for a in j["assets"]:
    expect(a["state"] in ("fresh", "quiet"), "%s fresh or quiet" % a["asset_id"][:12], a["state"])
    expect(a["bbo_checks"] > 0, "exchange best-price checks for %s" % a["asset_id"][:12],
           a["bbo_checks"])
    expect(a["bbo_mismatches"] == 0, "0 best-price mismatches", a["bbo_mismatches"])
PY
# The server saw exactly one initial subscription listing all eight tokens.
n=$(grep -c '"type":"market"' "$WORK/sim.log")
[ "$n" = 1 ] || fail "expected 1 initial subscription in clobsim's log, got $n"
echo "ok"

#!/bin/sh
# Dynamic subscription through standard-input commands: 'sub' sends a subscribe
# operation (seen in clobsim's log) and the new assets appear in the snapshot with
# books; 'unsub' sends an unsubscribe operation and the assets disappear; the remaining
# books equal clobsim's truth.
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/e2e_live_common.sh"

start_sim --markets 4 --new-markets 0 --rate 300 --seed 17 \
	--assets-out "$WORK/assets.txt" --log "$WORK/sim.log"
sed -n 1,4p "$WORK/assets.txt" >"$WORK/initial.txt" # markets 1 and 2
sed -n 5,6p "$WORK/assets.txt" >"$WORK/added.txt"   # market 3
sed -n 1,2p "$WORK/assets.txt" >"$WORK/removed.txt" # market 1
sed -n 3,6p "$WORK/assets.txt" >"$WORK/kept.txt"
sed -n 7,8p "$WORK/assets.txt" >"$WORK/never.txt"   # market 4
A1=$(sed -n 1p "$WORK/added.txt" | cut -d' ' -f1)
A2=$(sed -n 2p "$WORK/added.txt" | cut -d' ' -f1)
R1=$(sed -n 1p "$WORK/removed.txt" | cut -d' ' -f1)
R2=$(sed -n 2p "$WORK/removed.txt" | cut -d' ' -f1)

start_top --url "ws://127.0.0.1:$SIM_PORT/ws/market" --assets-file "$WORK/initial.txt"
wait_until 60 "the first books" top_snapshot_has \
	'len(j["assets"]) == 4 and all(a["state"] == "fresh" for a in j["assets"])'
"$PY" "$LIVE" absent "$WORK/probe.json" "$WORK/added.txt" || fail "market 3 present before 'sub'"

top_cmd "sub $A1 $A2"
wait_until 60 "the subscribe operation in clobsim's log" \
	grep -q "client 1 recv text .*\"operation\":\"subscribe\".*$A1" "$WORK/sim.log"
grep "client 1 recv text .*\"operation\":\"subscribe\"" "$WORK/sim.log" | grep -q "$A2" ||
	fail "subscribe operation lacks $A2"
wait_until 60 "books for the added assets" top_snapshot_has \
	"len(j['assets']) == 6 and all(a['state'] == 'fresh' and a['bids'] for a in j['assets'] if a['asset_id'] in ('$A1', '$A2'))"

top_cmd "unsub $R1 $R2"
wait_until 60 "the unsubscribe operation in clobsim's log" \
	grep -q "client 1 recv text .*\"operation\":\"unsubscribe\".*$R1" "$WORK/sim.log"
grep "client 1 recv text .*\"operation\":\"unsubscribe\"" "$WORK/sim.log" | grep -q "$R2" ||
	fail "unsubscribe operation lacks $R2"
wait_until 60 "the removed assets to disappear" top_snapshot_has 'len(j["assets"]) == 4'
top_more_frames 100
sim_fault pause
converge "$WORK/kept.txt" 60
"$PY" "$LIVE" absent "$WORK/final.json" "$WORK/removed.txt" || fail "unsubscribed assets still shown"
"$PY" "$LIVE" absent "$WORK/final.json" "$WORK/never.txt" || fail "never-subscribed assets shown"
snap_check "$WORK/final.json" <<'PY'
expect(len(j["assets"]) == 4, "4 assets after sub 2 / unsub 2", len(j["assets"]))
expect(conn["reconnects"] == 0, "0 reconnects", conn["reconnects"])
expect(c["malformed"] == 0, "0 malformed", c["malformed"])
PY
stop_top
n=$(grep -c 'recv text .*"operation"' "$WORK/sim.log")
[ "$n" = 2 ] || fail "expected exactly 2 operation frames (sub, unsub) in clobsim's log, got $n"
echo "ok"

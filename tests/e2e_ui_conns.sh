#!/bin/sh
# The connections view on screen (issue 11): the real clobtop in tmux (120x40) with 400
# assets at --per-connection 100 against clobsim.  The header shows "conns 4/4 up"; c
# opens the view with one row per connection (100 assets each); Down Down Enter forces
# only connection 2 to reconnect (one more WebSocket upgrade in clobsim's log, the row
# shows 1 reconnect, the others 0); Esc closes the view.
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/e2e_live_common.sh"
. "$(dirname "$0")/e2e_ui_lib.sh"

start_sim --rate 400 --new-market-every 0 --new-markets 0 --markets 200 --duration 120 \
	--log "$WORK/sim.log" --assets-out "$WORK/assets.all"
ui_sim_tokens 400
ui_start 120 40 "$CLOBTOP" --url "ws://127.0.0.1:$SIM_PORT/ws/market" --no-gamma \
	--assets-file "$WORK/assets.all" --per-connection 100 --refresh 250 \
	--backoff-min 0.2 --backoff-max 0.5
ui_wait "conns 4/4 up" 60
upgrades() {
	grep -c 'upgrade /ws/market' "$WORK/sim.log"
}
[ "$(upgrades)" = 4 ] || fail "expected 4 WebSocket upgrades in clobsim's log, got $(upgrades)"
ui_keys c
ui_wait "connections: 4/4 up"
for k in 0 1 2 3; do
	grep -qE "^ +$k +subscribed +100 " "$WORK/screen" ||
		{ cat "$WORK/screen" >&2; fail "expected connection $k subscribed with 100 assets"; }
done
ui_keys Down Down Enter
ui_wait "connection 2: reconnect requested"
dl=$(deadline 30)
while [ "$(upgrades)" -lt 5 ] && before "$dl"; do sleep 0.1; done
[ "$(upgrades)" = 5 ] || fail "expected exactly one more upgrade after Enter, got $(upgrades)"
# Its row says 1 reconnect; the others none (columns: ... reconn drops).
dl=$(deadline 30)
while :; do
	ui_cap
	grep -qE "^ +2 +subscribed +100 .* 1 +0 *$" "$WORK/screen" && break
	before "$dl" || { cat "$WORK/screen" >&2; fail "connection 2 does not show 1 reconnect"; }
	sleep 0.1
done
for k in 0 1 3; do
	grep -qE "^ +$k +subscribed +100 .* 0 +0 *$" "$WORK/screen" ||
		{ cat "$WORK/screen" >&2; fail "connection $k should show no reconnect"; }
done
ui_keys Escape
ui_wait_gone "connections: 4/4 up"
ui_wait "conns 4/4 up"
ui_keys q
ui_wait "CLOBTOP-EXIT=0"
echo "ok"

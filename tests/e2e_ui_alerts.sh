#!/bin/sh
# End-to-end test of an outage as the operator sees it (issue 10, items 11, 12, 15): the
# real clobtop in tmux (120x40) against clobsim, whose connection is cut with a long
# backoff (--backoff-min 30, so the countdown is long).
#
# Proves: the header shows DOWN, the time down and "retry in" counting down; the eight
# assets going stale while the feed is down are ONE alert row ("· 8 assets"), not eight;
# Enter on it (alerts pane) opens the detail view listing every asset, Esc closes it;
# R reconnects at once (a second WebSocket upgrade in clobsim's log long before the
# backoff) and the recovery is one row too; A marks every alert read; on q the metrics
# file says clobtop_connected 0 and has the last-update timestamp.  --help and the man page
# name the keys the help overlay lists.
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/e2e_live_common.sh"
. "$(dirname "$0")/e2e_ui_lib.sh"
T0=$(date +%s)

# The keys the overlay lists are the ones --help and the man page name (Enter opens a
# detail view, Esc closes it, S-Tab, g/G, the alert keys).
"$CLOBTOP" --help >"$WORK/help.txt" || fail "--help failed"
for k in "Enter detail view" "Esc close" "S-Tab" "g/G" "R reconnect now" "S reverse" \
	"f filter alerts" "A acknowledge alerts" "C clear alerts"; do
	grep -qF -- "$k" "$WORK/help.txt" || fail "--help does not say \"$k\""
done
for k in '.B Esc' 'S-Tab' '.B Enter' '.B R' '.B S' '.B f' '.B A' '.B C' ' g ", " G'; do
	grep -qF -- "$k" "$top_srcdir/man/clobtop.1" || fail "the man page does not document $k"
done

start_sim --rate 100 --new-market-every 0 --markets 4 --duration 80 \
	--log "$WORK/sim.log" --assets-out "$WORK/assets.all"
ui_sim_tokens 8
ui_start 120 40 "$CLOBTOP" --url "ws://127.0.0.1:$SIM_PORT/ws/market" --no-gamma \
	--assets-file "$WORK/assets.all" --refresh 250 --stale-warn 1 --stale-alert 2 \
	--backoff-min 30 --backoff-max 30 --metrics-file "$WORK/metrics.prom"
ui_wait " assets 1/8 of 8"
ui_wait "LIVE"
dl=$(deadline 30)
while [ "$(grep -cE ' fresh(  |$)' "$WORK/screen")" -lt 8 ] && before "$dl"; do
	sleep 0.1
	ui_cap
done

sim_fault close
ui_wait "DOWN "
ui_wait "retry in "
ui_wait "(R: now)"
r1=$(sed -n 's/.*retry in \([0-9]*\)\.[0-9]s.*/\1/p' "$WORK/screen" | head -1)
sleep 1.5
ui_cap
r2=$(sed -n 's/.*retry in \([0-9]*\)\.[0-9]s.*/\1/p' "$WORK/screen" | head -1)
[ -n "$r1" ] && [ -n "$r2" ] && [ "$r2" -lt "$r1" ] ||
	fail "the countdown did not count down: retry in $r1 s, then $r2 s"

# Every asset goes stale with the feed down: one row naming 8 assets.
ui_wait "connection lost: no update for 2 s"
ui_wait "8 assets"
n=$(grep -c "connection lost: no update for" "$WORK/screen")
[ "$n" -eq 1 ] || fail "expected one grouped stale row, got $n"

# Enter in the alerts pane opens the top (newest) row, the stale storm: its detail lists
# every asset.  Esc closes it.
ui_keys Tab Tab Tab
ui_keys Enter
ui_wait " alert  warn stale" 30
ui_wait "alerts 8  assets 8"
for id in $(cut -d' ' -f1 "$WORK/assets.all"); do
	grep -qF "$id" "$WORK/screen" || fail "the alert's detail does not list $id"
done
ui_keys Escape
ui_wait_gone "alerts 8  assets 8"
ui_wait " book "

# R: reconnect now, not in ~30 s.
before=$(grep -c 'upgrade /ws/market' "$WORK/sim.log")
ui_keys R
ui_wait "LIVE" 50
# clobsim's log may trail the screen a little: wait for the line, on the clock.
dl=$(deadline 20)
while after=$(grep -c 'upgrade /ws/market' "$WORK/sim.log") && [ "$after" -le "$before" ] &&
	before "$dl"; do
	sleep 0.1
done
[ "$after" -gt "$before" ] || fail "R: no new WebSocket upgrade in clobsim's log ($before, then $after)"
ui_wait "recovered (was "
n=$(grep -c "recovered (was " "$WORK/screen")
[ "$n" -eq 1 ] || fail "expected one grouped recovery row, got $n"
grep "recovered (was " "$WORK/screen" | grep -qF "8 assets" ||
	fail "the recovery row does not name 8 assets: $(grep 'recovered (was ' "$WORK/screen")"

ui_keys A
ui_wait " 0 unread"
ui_keys q
ui_expect_restored 0 "q"
grep -qx "clobtop_connected 0" "$WORK/metrics.prom" ||
	fail "the metrics file still says connected after exit: $(grep connected "$WORK/metrics.prom")"
ts=$(sed -n 's/^clobtop_last_update_timestamp_seconds \([0-9.]*\)$/\1/p' "$WORK/metrics.prom")
now=$(date +%s)
[ -n "$ts" ] && [ "${ts%.*}" -le "$now" ] && [ "${ts%.*}" -ge $((now - 60)) ] ||
	fail "expected a recent clobtop_last_update_timestamp_seconds, got '$ts' (now $now)"
echo "PASS: e2e_ui_alerts ($(($(date +%s) - T0)) s)"

#!/bin/sh
# End-to-end test of the dashboard at the edges of its size: the real clobtop --demo
# (a lively clobsim child) in tmux.
#
# Proves: at 80x24 every pane title is on the screen and no line overflows, with the
# help overlay too; shrinking to 40x12 and far below (20x5, 10x3, 1x1) neither crashes
# nor overflows, and the keys still work there; growing back to 80x24 redraws every
# pane; SIGTERM exits 0 and restores the terminal like q; starting in a 40x12 terminal
# works and q restores it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/e2e_ui_lib.sh"
T0=$(date +%s)
UI_EXPORTS=$WORK/exp
mkdir "$UI_EXPORTS"

PANES="clobtop feed_latency _assets_ _book_ _trades_ _alerts_ ?_help"
all_panes() {
	for t in $PANES; do
		ui_wait "$(echo "$t" | tr _ ' ')"
	done
}

# --- 80x24: readable ---
ui_start 80 24 "$CLOBTOP" --demo --refresh 250 --export-dir "$UI_EXPORTS"
all_panes
ui_wait " fresh"
ui_check_width 80 "80x24"
[ "$(wc -l <"$WORK/screen")" -eq 24 ] || fail "80x24: the capture has $(wc -l <"$WORK/screen") rows"
ui_keys '?'
ui_wait "sort by the next column"
ui_check_width 80 "80x24 help overlay"
ui_keys x
ui_wait_gone "sort by the next column"
ui_keys Tab
ui_wait " book "

# --- below the minimum, keys included ---
for size in 40x12 20x5 10x3 1x1 40x12; do
	c=${size%x*}
	r=${size#*x}
	$T resize-window -t ui -x "$c" -y "$r" || fail "tmux resize-window $size"
	ui_sync "resized to $size"
	ui_check_width "$c" "$size"
	for k in s '?' x Tab e p p Down Up; do
		ui_keys "$k"
	done
	ui_keys a
	ui_type "123"
	ui_keys Escape / z Enter / Escape
	ui_sync "keys at $size"
	ui_check_width "$c" "$size after keys"
done

# --- back to 80x24: everything redrawn ---
$T resize-window -t ui -x 80 -y 24 || fail "tmux resize-window 80x24"
all_panes
ui_check_width 80 "80x24 after shrinking"

# --- SIGTERM: a clean exit, the terminal restored ---
kill -TERM "$CLOBTOP_PID"
ui_expect_restored 0 "SIGTERM"

# --- starting in a small terminal ---
ui_start 40 12 "$CLOBTOP" --demo --refresh 250 --export-dir "$UI_EXPORTS"
ui_wait 'assets'
ui_sync "started at 40x12"
ui_check_width 40 "started at 40x12"
ui_keys q
ui_expect_restored 0 "q at 40x12"

# A terminal that cannot move the cursor is refused with a reason, not a blank screen.
ui_start 80 24 env TERM=dumb "$CLOBTOP" --demo --no-gamma
ui_wait "CLOBTOP-EXIT=2"
grep -q "TERM=dumb cannot move the cursor" "$WORK/err" ||
	fail "TERM=dumb: no reason on stderr: $(cat "$WORK/err")"
# A locale that is not UTF-8 says why labels show '?'.
ui_start 120 30 env LANG=C LC_ALL=C "$CLOBTOP" --demo --no-gamma
ui_wait "is not UTF-8"
ui_keys q
ui_expect_restored 0 "q in the C locale"
echo "PASS: e2e_ui_sizes ($(($(date +%s) - T0)) s)"

#!/bin/sh
# End-to-end test of the screen: clobtop in a private tmux server, driven with send-keys
# and read with capture-pane.  Uses --demo (clobsim) when it starts, else a replay of a
# recording, so it runs offline.  Every wait is bounded; the tmux server is killed on exit.
. "$(dirname "$0")/lib.sh"

command -v tmux >/dev/null 2>&1 || { echo "SKIP: tmux not installed"; exit 77; }
SOCK="clobtop-e2e-ui-$$"
T="tmux -L $SOCK"
ui_cleanup() {
	$T kill-server 2>/dev/null
	cleanup
}
trap ui_cleanup EXIT INT TERM

REC=$(ls "$DATA"/polymarket-burst-*.jsonl 2>/dev/null | head -1)
[ -n "$REC" ] || REC=$(ls "$top_srcdir"/../shared/data/polymarket-burst-*.jsonl 2>/dev/null | head -1)

# wait_for TEXT [TENTHS]: up to TENTHS/10 s (default 10 s) for TEXT on the screen.
wait_for() {
	i=0
	while [ $i -lt "${2:-100}" ]; do
		$T capture-pane -p -t ui >"$WORK/screen" 2>/dev/null
		grep -qF -- "$1" "$WORK/screen" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	cat "$WORK/screen" >&2
	fail "expected \"$1\" on the screen in time"
}

start() {
	$T kill-session -t ui 2>/dev/null
	$T new-session -d -s ui -x "$1" -y "$2" \
		"env LANG=C.UTF-8 TERM=xterm-256color $3 2>$WORK/err; echo CLOBTOP-EXIT=\$?; sleep 60"
}

SRC="$CLOBTOP --demo"
start 100 30 "$SRC"
if ! (wait_for "assets" >/dev/null 2>&1); then
	[ -n "$REC" ] || { echo "SKIP: --demo failed and no recording to replay"; exit 77; }
	SRC="$CLOBTOP --replay $REC --speed 1 --no-gamma"
	start 100 30 "$SRC"
	wait_for "assets"
fi
wait_for "feed latency"
wait_for "book"
wait_for "? help"

$T send-keys -t ui '?'
wait_for "cycle sort"
$T send-keys -t ui x
$T send-keys -t ui s
wait_for "sort spread"
$T send-keys -t ui / z z z z Enter
wait_for "no asset matches the filter"
$T send-keys -t ui / Escape
wait_for "filter cleared"
$T send-keys -t ui p
wait_for "PAUSED"
$T send-keys -t ui p
$T resize-window -t ui -x 60 -y 15 2>/dev/null
sleep 1.5
$T capture-pane -p -t ui >"$WORK/small"
awk 'length > 60 { bad = 1 } END { exit bad }' "$WORK/small" || fail "60x15: a line is wider than 60"
$T resize-window -t ui -x 200 -y 50 2>/dev/null
wait_for "unknown 0"
$T send-keys -t ui q
# Shutdown waits for the source to stop (a paced replay may be mid-sleep): allow 30 s.
wait_for "CLOBTOP-EXIT=0" 300
echo "PASS: e2e_ui ($SRC)"

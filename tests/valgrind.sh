#!/bin/sh
# Memcheck on the real binary: a headless replay of the real capture, then a short live
# run against clobsim (feed thread, reconnect, exports).  Any error or leak fails.
. "$(dirname "$0")/lib.sh"
command -v valgrind >/dev/null || { echo "valgrind not installed"; exit 77; }
VG="valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect -q"

$VG "$CLOBTOP" --replay "$DATA/polymarket-burst-2026-09-29.jsonl" --headless \
	--export "$WORK/replay.json" 2>"$WORK/vg-replay.txt" || {
	cat "$WORK/vg-replay.txt"
	fail "memcheck: headless replay"
}
echo "replay: clean"

start_sim --markets 3 --rate 500 --close-every 1.5 --assets-out "$WORK/assets.txt" --log "$WORK/sim.log"
$VG "$CLOBTOP" --headless --url "ws://127.0.0.1:$SIM_PORT/ws/market" --no-gamma \
	--assets-file "$WORK/assets.txt" --duration 4 --backoff-min 0.1 --backoff-max 0.2 \
	--export "$WORK/live.json" </dev/null 2>"$WORK/vg-live.txt" || {
	cat "$WORK/vg-live.txt"
	fail "memcheck: live run"
}
frames=$(json_get "$WORK/live.json" "j['counters']['frames']")
reconnects=$(json_get "$WORK/live.json" "j['connection']['reconnects']")
[ "$frames" -gt 100 ] || fail "live run under valgrind received only $frames frames"
[ "$reconnects" -ge 1 ] || fail "live run under valgrind saw no reconnect (expected >= 1)"
echo "live: clean ($frames frames, $reconnects reconnects)"

#!/bin/sh
# Memcheck on the real binary: a headless replay of the real capture, then a short live
# run against clobsim (feed thread, reconnect, exports).  Any error or leak fails.
. "$(dirname "$0")/lib.sh"
command -v valgrind >/dev/null || { echo "SKIP: valgrind not installed"; exit 77; }
VG="valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect -q"

$VG "$CLOBTOP" --replay "$DATA/polymarket-burst-2026-09-29.jsonl" --headless \
	--export "$WORK/replay.json" 2>"$WORK/vg-replay.txt" || {
	cat "$WORK/vg-replay.txt"
	fail "memcheck: headless replay"
}
echo "replay: clean"

# clobtop under memcheck, driven through standard input like the live tests, until it has
# seen flow and a reconnect (deadlines in seconds: valgrind is slow); 'quit' then makes it
# exit, and memcheck's verdict is its exit status.
. "$top_srcdir/tests/e2e_live_common.sh"
printf '#!/bin/sh\nexec %s "%s" "$@"\n' "$VG" "$CLOBTOP" >"$WORK/vg-clobtop"
chmod +x "$WORK/vg-clobtop"
start_sim --markets 3 --rate 500 --close-every 1.5 --assets-out "$WORK/assets.txt" --log "$WORK/sim.log"
CLOBTOP=$WORK/vg-clobtop
start_top --url "ws://127.0.0.1:$SIM_PORT/ws/market" --assets-file "$WORK/assets.txt" \
	--backoff-min 0.1 --backoff-max 0.2
wait_until 120 "flow and a reconnect under valgrind" top_snapshot_has \
	'j["counters"]["frames"] > 100 and j["connection"]["reconnects"] >= 1'
top_export "$WORK/live.json"
stop_top
frames=$(json_get "$WORK/live.json" "j['counters']['frames']")
reconnects=$(json_get "$WORK/live.json" "j['connection']['reconnects']")
echo "live: clean ($frames frames, $reconnects reconnects)"

#!/bin/sh
# The files clobtop writes, through the real binary against clobsim: --record then
# --replay rebuilds the very same books; --metrics-file is Prometheus text (and says
# connected 0 after exit); --export-every and the 'export' command write timestamped
# snapshots into --export-dir; an export into a directory that cannot exist is reported
# and the run goes on.
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/e2e_live_common.sh"

start_sim --markets 3 --rate 400 --new-market-every 0 --assets-out "$WORK/assets.txt"
mkdir -p "$WORK/snaps"
start_top --url "ws://127.0.0.1:$SIM_PORT/ws/market" \
	--assets-file "$WORK/assets.txt" --record "$WORK/rec.jsonl" \
	--metrics-file "$WORK/metrics.prom" --export-every 1 --export-dir "$WORK/snaps" \
	--refresh 200 --export "$WORK/live.json"
wait_until 60 "the first books" top_snapshot_has \
	'j["connection"]["alive"] and j["counters"]["frames"] > 50'
# Commands arrive while the feed runs: an export by name into --export-dir, one into a
# path that cannot be created, and then quit once --export-every wrote its snapshots.
top_cmd "export"
top_cmd "export /dev/null/impossible/x.json"
wait_until 60 "the export to be reported" grep -q "snapshot written to $WORK/snaps/" "$WORK/top.out"
wait_until 60 "the failed export to be reported" grep -q "export failed" "$WORK/top.err"
snaps_ok() {
	[ "$(ls "$WORK/snaps" | grep -c '^clobtop-snapshot-.*\.json$')" -ge 3 ] &&
		grep -q '^clobtop_connected 1$' "$WORK/metrics.prom"
}
wait_until 60 "3 snapshots in --export-dir and the metrics file" snaps_ok
stop_top
mv "$WORK/top.out" "$WORK/out.txt"
mv "$WORK/top.err" "$WORK/err.txt"

grep -q "snapshot written to $WORK/snaps/clobtop-snapshot-" "$WORK/out.txt" ||
	fail "'export' without a path did not report a file in --export-dir: $(cat "$WORK/out.txt")"
grep -q "export failed: cannot write /dev/null/impossible/x.json: Not a directory" "$WORK/err.txt" ||
	fail "an impossible export path was not reported: $(cat "$WORK/err.txt")"
n=$(ls "$WORK/snaps" | grep -c '^clobtop-snapshot-[0-9]\{8\}T[0-9]\{6\}Z\(-[0-9]*\)\?\.json$')
[ "$n" -ge 3 ] || fail "expected >= 3 snapshots from --export-every 1 and 'export', got $n: $(ls "$WORK/snaps")"
for f in "$WORK"/snaps/*.json; do
	[ "$(json_get "$f" "j['schema']")" = clobtop.snapshot/1 ] || fail "$f is not a snapshot"
done
[ "$(json_get "$WORK/live.json" "sum(1 for a in j['alerts'] if a['kind'] == 'export')")" -ge 1 ] ||
	fail "the failed export is not in the alert log"

grep -q '^clobtop_frames_total [1-9][0-9]*$' "$WORK/metrics.prom" || fail "metrics: no frame counter"
# Written once more at exit: no longer connected, and when the last record came.
grep -q '^clobtop_connected 0$' "$WORK/metrics.prom" ||
	fail "metrics: still says connected after exit: $(grep '^clobtop_connected' "$WORK/metrics.prom")"
grep -q '^clobtop_last_update_timestamp_seconds [1-9][0-9]*\.[0-9]\{3\}$' "$WORK/metrics.prom" ||
	fail "metrics: no last-update timestamp: $(grep last_update "$WORK/metrics.prom")"
grep -q '^clobtop_feed_latency_seconds{quantile="0.99"} ' "$WORK/metrics.prom" || fail "metrics: no latency"
grep -q '^clobtop_asset_best_bid{asset_id="[0-9]*",label="' "$WORK/metrics.prom" ||
	fail "metrics: no per-asset best bid"

# Everything received was recorded: the replay applies the same frames and must rebuild
# exactly the books the live run ended with.
live_frames=$(json_get "$WORK/live.json" "j['counters']['frames']")
rec_lines=$(wc -l <"$WORK/rec.jsonl")
[ "$rec_lines" -eq "$live_frames" ] || fail "recorded $rec_lines frames, received $live_frames"
"$CLOBTOP" --replay "$WORK/rec.jsonl" --headless --export "$WORK/replayed.json" ||
	fail "replay of the recording exited $?"
"$PY" - "$WORK/live.json" "$WORK/replayed.json" <<'PY' || exit 1
import json, sys
live, rep = (json.load(open(p)) for p in sys.argv[1:3])
books = lambda s: {a["asset_id"]: (a["bids"], a["asks"]) for a in s["assets"] if a["state"] != "awaiting_snapshot"}
L, R = books(live), books(rep)
if not L or L != R:
    print("replayed books differ from the live run's: %d live, %d replayed" % (len(L), len(R)))
    for k in L:
        if L[k] != R.get(k): print(" ", k[:12], "differs"); break
    sys.exit(1)
if rep["counters"]["frames"] != live["counters"]["frames"]:
    print("frames: live %s, replayed %s" % (live["counters"]["frames"], rep["counters"]["frames"]))
    sys.exit(1)
print("record/replay: %d books identical over %d frames" % (len(L), live["counters"]["frames"]))
PY
echo ok

#!/bin/sh
# Redis output and alert hooks end to end: clobtop --redis against clobsim and a private
# redis-server, both on free loopback ports.
#  - the cached keys and the last message on each book channel equal clobsim's truth and
#    the exported snapshot; every trade reaches its channel; the stream is gap-free;
#  - Redis killed (by PID) mid-run: clobtop keeps running and keeps its books, counts
#    drops, reconnects when a new redis-server starts on the same port, publishes again;
#  - an alert hook that exits 1 and one that hangs (killed at --on-alert-timeout) are both
#    reported in the snapshot and the alert log, and clobtop keeps running;
#  - every cache key expires within 6 s of clobtop stopping.
# Skipped (77) only when redis-server or redis-cli is not installed.
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/e2e_live_common.sh"
. "$top_srcdir/tests/redis_lib.sh"
PEEK=$top_srcdir/tests/redis_peek.py

start_redis
start_sim --markets 2 --new-markets 0 --rate 200 --seed 21 \
	--assets-out "$WORK/assets.txt" --log "$WORK/sim.log"
NIDS=$(grep -c . "$WORK/assets.txt")

# The subscriber, bounded by a deadline; it ends by itself when Redis goes away.
timeout 120 "$PY" "$PEEK" sub "$REDIS_PORT" "$WORK/msgs.jsonl" &
SUB_PID=$!
PIDS="$PIDS $SUB_PID"
sleep 0.3

# The hook fails (exit 1) until $WORK/hang exists, then hangs until killed.
cat >"$WORK/hook.sh" <<HOOK
#!/bin/sh
cat >>"$WORK/hook-in.jsonl"; echo >>"$WORK/hook-in.jsonl"
[ -e "$WORK/hang" ] && exec sleep 1000
exit 1
HOOK
chmod +x "$WORK/hook.sh"

start_top --url "ws://127.0.0.1:$SIM_PORT/ws/market" --assets-file "$WORK/assets.txt" \
	--refresh 100 --redis "$REDIS_URL" --redis-interval 0 --redis-stream clobtop:s \
	--on-alert "$WORK/hook.sh" --on-alert-severity info --on-alert-kinds info \
	--on-alert-timeout 2 --depth-sizes '100,$50'

wait_until 30 "Redis up with books published" \
	top_snapshot_has "j['redis']['state'] == 'up' and j['redis']['published_books'] > 0"
wait_until 30 "trades published" top_snapshot_has "j['redis']['published_trades'] > 0"

# --- Books: cache and channel equal clobsim's truth and the snapshot ------------------
sim_fault pause
converge "$WORK/assets.txt" 60
sleep 1.5 # the cache refresh and the last publishes
top_export "$WORK/final.json"
"$PY" "$PEEK" cache "$REDIS_PORT" "$WORK/cache.json" || fail "reading the cache keys"
"$PY" "$LIVE" compare "$WORK/cache.json" "$WORK/truth.json" "$WORK/assets.txt" ||
	fail "the cached books differ from clobsim's truth"
"$PY" "$LIVE" compare "$WORK/cache.json" "$WORK/final.json" "$WORK/assets.txt" ||
	fail "the cached books differ from clobtop's snapshot"
"$PY" - "$WORK/cache.json" "$WORK/msgs.jsonl" "$WORK/final.json" "$NIDS" <<'PY' || fail "Redis messages checks failed"
import json, sys
cache = {a["asset_id"]: a for a in json.load(open(sys.argv[1]))["assets"]}
msgs = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
snap = json.load(open(sys.argv[3]))
errors = []
if len(cache) != int(sys.argv[4]):
    errors.append("expected %s cache keys, got %d" % (sys.argv[4], len(cache)))
for aid, c in cache.items():
    if c["schema"] != "clobtop.book/1" or not (0 < c["ttl"] <= 5):
        errors.append("%s: expected schema clobtop.book/1 and a ttl 1..5, got %s %s"
                      % (aid[:12], c["schema"], c["ttl"]))
    last = [m["data"] for m in msgs if m["channel"] == "polymarket:orderbook:" + aid]
    if not last:
        errors.append("%s: no message on its book channel" % aid[:12])
    elif (last[-1]["bids"], last[-1]["asks"]) != (c["bids"], c["asks"]):
        errors.append("%s: the last book message differs from the cache key" % aid[:12])
trades = [m for m in msgs if m["channel"].startswith("polymarket:trade:")]
for m in trades:
    d = m["data"]
    if d["schema"] != "clobtop.trade/1" or m["channel"] != "polymarket:trade:" + d["asset_id"]:
        errors.append("bad trade message %s" % m)
        break
r = snap["redis"]
if len(trades) != r["published_trades"]:
    errors.append("expected %d trade messages (snapshot), got %d" % (r["published_trades"], len(trades)))
books = [m for m in msgs if m["channel"].startswith("polymarket:orderbook:")]
if len(books) != r["published_books"]:
    errors.append("expected %d book messages (snapshot), got %d" % (r["published_books"], len(books)))
if r["dropped"] != 0:
    errors.append("expected no drops with Redis up, got %d" % r["dropped"])
for a in snap["assets"]:
    fc = a.get("fill_cost")
    if not fc or [f["size"] for f in fc] != ["100", "$50"]:
        errors.append("%s: expected fill_cost for 100 and $50, got %s" % (a["asset_id"][:12], fc))
if errors:
    print("\n".join(errors))
    sys.exit(1)
print("redis: %d keys, %d book and %d trade messages" % (len(cache), len(books), len(trades)))
PY

# The stream: every entry in order, seq without a gap, books and trades both present.
"$PY" "$PEEK" stream "$REDIS_PORT" clobtop:s "$WORK/stream.json" || fail "XRANGE failed"
"$PY" - "$WORK/stream.json" <<'PY' || fail "the stream has gaps or is out of order"
import json, sys
rows = json.load(open(sys.argv[1]))
seqs = [r["seq"] for r in rows]
if len(rows) < 10:
    sys.exit("expected at least 10 stream entries, got %d" % len(rows))
gaps = [(a, b) for a, b in zip(seqs, seqs[1:]) if b != a + 1]
if gaps:
    sys.exit("expected consecutive seq, got jumps %s" % gaps[:5])
if {r["type"] for r in rows} != {"book", "trade"}:
    sys.exit("expected book and trade entries, got %s" % {r["type"] for r in rows})
print("stream: %d entries, seq %d..%d without a gap" % (len(rows), seqs[0], seqs[-1]))
PY

# vwap on standard input answers one JSON line.
ID1=$(head -1 "$WORK/assets.txt" | cut -d' ' -f1)
top_cmd "vwap $ID1 BUY 100"
wait_until 10 "the vwap answer" grep -q '"side":"BUY"' "$WORK/top.out"

# --- Redis killed: clobtop keeps going, drops are counted, it comes back ---------------
: >"$WORK/hang"
sim_fault play
stop_redis
wait_until 30 "Redis seen down" top_snapshot_has "j['redis']['state'] != 'up'"
before_drops=$(json_get "$WORK/probe.json" "j['redis']['dropped']")
wait_until 30 "drops counted while Redis is down" \
	top_snapshot_has "j['redis']['dropped'] > $before_drops"
pid_running "$TOP_PID" || fail "clobtop exited when Redis went away"
sim_fault pause
converge "$WORK/assets.txt" 60
echo "books kept with Redis down"
sim_fault play
start_redis "$REDIS_PORT"
wait_until 30 "reconnected" \
	top_snapshot_has "j['redis']['state'] == 'up' and j['redis']['connects'] >= 2"
wait_until 15 "cache keys written again" \
	sh -c "[ \"\$('$PY' '$PEEK' count $REDIS_PORT 'orderbook:polymarket:*')\" = $NIDS ]"

# --- Hooks: the failing one and the hanging one, both reported -----------------------
wait_until 30 "a failed and a timed-out hook" \
	top_snapshot_has "j['hooks']['failed'] >= 1 and j['hooks']['timed_out'] >= 1"
snap_check "$WORK/probe.json" <<'PY'
msgs = [a["message"] for a in alerts]
expect(any("failed (exit status 1)" in m for m in msgs), "an alert log row for the failed hook", msgs)
expect(any("timed out" in m for m in msgs), "an alert log row for the timed-out hook", msgs)
PY
grep -q '"kind":"info"' "$WORK/hook-in.jsonl" || fail "the hook got no alert JSON on stdin"
pid_running "$TOP_PID" || fail "clobtop exited after the hooks"

# --- The password is never printed: not in an error, the snapshot or the metrics ------
"$CLOBTOP" --no-config --redis 'redis://:s3cret-pw@127.0.0.1:99999/0' >"$WORK/pw.out" 2>&1 &&
	fail "a bad --redis port was accepted"
grep -q s3cret "$WORK/pw.out" && fail "the password was printed: $(cat "$WORK/pw.out")"
grep -q -- --redis "$WORK/pw.out" || fail "expected an error about --redis, got $(cat "$WORK/pw.out")"
REDISCLI_AUTH=s3cret-env timeout 60 "$CLOBTOP" --no-config --headless --no-gamma \
	--replay "$DATA/netqo-live-frames.jsonl" --redis "redis://127.0.0.1:$REDIS_PORT/0" \
	--export "$WORK/pw.json" --metrics-file "$WORK/pw.prom" </dev/null >"$WORK/pw.out" 2>&1
grep -q s3cret "$WORK/pw.out" "$WORK/pw.json" "$WORK/pw.prom" && fail "the password was written out"
case $(json_get "$WORK/pw.json" "j['redis']['url']") in
*"password from REDISCLI_AUTH"*) ;;
*) fail "expected the snapshot's redis url to say the password came from REDISCLI_AUTH" ;;
esac
grep -q '^clobtop_redis_up ' "$WORK/pw.prom" || fail "expected clobtop_redis_up in the metrics"

# --- Expiry: the keys go within 6 s of clobtop stopping ------------------------------
stop_top
dl=$(deadline 6.5)
until [ "$("$PY" "$PEEK" count "$REDIS_PORT" 'orderbook:polymarket:*')" = 0 ]; do
	before "$dl" || fail "cache keys still there 6.5 s after clobtop stopped"
	sleep 0.2
done
echo "PASS: e2e_redis"

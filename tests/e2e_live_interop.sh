#!/bin/sh
# Interoperability: the real clobtop binary reads a market channel served by
# python3-websockets (tests/e2e_pyserver.py): an array dump of books with the best level
# last, price_changes (a third of them fragmented), trades and PONGs.  Its snapshot's
# books equal the server's truth, every message is counted and none is malformed.
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/e2e_live_common.sh"

"$PY" -c 'import websockets' 2>/dev/null || { echo "SKIP: python3-websockets missing"; exit 77; }
T1=11111111111111111111111111111111111111111111111111111111111111111111111111111
T2=22222222222222222222222222222222222222222222222222222222222222222222222222222
COUNT=150
"$PY" "$top_srcdir/tests/e2e_pyserver.py" --tokens "$T1" "$T2" --count $COUNT \
	--record "$WORK/record.txt" --truth "$WORK/truth.json" --lifetime 600 \
	>"$WORK/py.out" 2>"$WORK/py.err" &
PY_PID=$!
PIDS="$PIDS $PY_PID"
py_dl=$(deadline 30)
while [ -z "$(sed -n 's/^port \([0-9]*\)$/\1/p' "$WORK/py.out")" ]; do
	before "$py_dl" || { cat "$WORK/py.err"; fail "e2e_pyserver.py printed no port in 30 s"; }
	pid_running $PY_PID || { cat "$WORK/py.err"; fail "e2e_pyserver.py exited"; }
	sleep 0.05
done
PORT=$(sed -n 's/^port \([0-9]*\)$/\1/p' "$WORK/py.out")
printf '%s a\n%s b\n' "$T1" "$T2" >"$WORK/ids.txt"

start_top --url "ws://127.0.0.1:$PORT/ws/market" --assets-file "$WORK/ids.txt" \
	--ping-interval 0.2
wait_until 60 "the server's script to finish" grep -q 'SCRIPT DONE' "$WORK/record.txt"
# The last messages may still be on their way: wait (bounded) for the count checked below.
try_until 20 "every message and a PONG" top_snapshot_has \
	"j['counters']['frames'] - j['counters']['pongs'] >= 1 + $COUNT + $COUNT // 50 and j['counters']['pongs'] > 0"
top_export "$WORK/final.json"
"$PY" "$LIVE" compare "$WORK/final.json" "$WORK/truth.json" "$WORK/ids.txt" ||
	fail "books differ from the python server's"
snap_check "$WORK/final.json" <<PY
count = $COUNT
trades = count // 50
expect(c["frames"] - c["pongs"] == 1 + count + trades,
       "1 dump + %d price_change + %d trades received" % (count, trades), c["frames"] - c["pongs"])
expect(c["pongs"] > 0, "PONGs from the python server", c["pongs"])
expect(c["malformed"] == 0 and c["unknown"] == 0 and c["dropped"] == 0,
       "nothing malformed, unknown or dropped", c)
per = {a["asset_id"]: a for a in j["assets"]}
for t in ("$T1", "$T2"):
    a = per[t]
    expect(a["state"] in ("fresh", "quiet"), "%s fresh" % t[:6], a["state"])
    expect(a["bbo_checks"] == count, "%d best-price checks" % count, a["bbo_checks"])
    expect(a["bbo_mismatches"] == 0, "0 mismatches", a["bbo_mismatches"])
    expect(a["tick_size"] == "0.01", "tick 0.01", a["tick_size"])
expect(per["$T1"]["last_trade"] is not None, "a last trade", per["$T1"]["last_trade"])
expect(conn["alive"] and conn["reconnects"] == 0, "alive, 0 reconnects", conn)
PY
stop_top
grep -q '"type":"market"' "$WORK/record.txt" || fail "the server saw no initial subscription"
grep -q ' PING$' "$WORK/record.txt" || fail "the server saw no PING"
grep '"type":"market"' "$WORK/record.txt" | grep -q '"initial_dump":true' ||
	fail "initial subscription without initial_dump:true"
echo "ok"

#!/bin/sh
# Resync in one request: clobsim withholds one price_change that moves a best price.  The
# exchange's best prices in later messages disagree with clobtop's book; past
# --drift-grace that is drift, and clobtop fetches the book by GET /book (exactly one
# request for that asset) instead of resubscribing on the socket.  Its book then equals
# clobsim's truth within about a second, and its snapshot says the book came from REST.
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/e2e_live_common.sh"

start_sim --markets 2 --new-markets 0 --rate 300 --seed 14 \
	--assets-out "$WORK/assets.txt" --log "$WORK/sim.log"
start_top --url "ws://127.0.0.1:$SIM_PORT/ws/market" --assets-file "$WORK/assets.txt" \
	--drift-grace 0.3 --rest-url "http://127.0.0.1:$SIM_PORT" --audit-every 0 --refresh 100
wait_until 60 "the first books" top_snapshot_has \
	'all(a["state"] == "fresh" for a in j["assets"]) and j["counters"]["frames"] > 100'
# A later update at the same price can heal a book by chance: drop again after a heal.
drifted=no
DRIFT='j["rest"]["resynced"] >= 1 and any(a["kind"] == "drift" for a in j["alerts"])'
MISMATCHES='sum(1 for a in j["alerts"] if a["kind"] == "mismatch")'
for attempt in 1 2 3 4 5 6 7 8; do
	top_export "$WORK/probe.json"
	healed=$(json_get "$WORK/probe.json" "$MISMATCHES")
	sim_fault drop
	t0=$(now_ms)
	try_until 10 "a drift or a healed book" top_snapshot_has "($DRIFT) or $MISMATCHES > $healed"
	top_snapshot_has "$DRIFT" && { drifted=yes; break; }
done
[ $drifted = yes ] || fail "timed out waiting for a drift-driven REST resync after 8 dropped updates"
t1=$(now_ms)
echo "drop to REST resync applied: $((t1 - t0)) ms (includes --drift-grace 0.3 s)"
# The book equals the truth: pause the flow so that the truth stands still, and give the
# updates in flight a second.
sim_fault pause
converge "$WORK/assets.txt" 2
snap_check "$WORK/final.json" <<'PY'
r = j["rest"]
dr = kinds("drift")
expect(len(dr) >= 1, "a drift alert", [a["kind"] for a in alerts])
drifted = sorted({a["asset_id"] for a in dr})
per = {a["asset_id"]: a for a in j["assets"]}
# (A book message after a trade may replace the REST book, or come before the answer and
# win over it: book_source is "socket" again then, which is right.)
for aid in drifted:
    expect(per[aid]["rest_books"] <= 1, "at most one REST book applied for %s" % aid[:12],
           per[aid]["rest_books"])
expect(r["resyncs"] == len(drifted) and r["books"] == len(drifted) and r["resynced"] >= 1 and
       r["socket_fallbacks"] == 0, "one REST book per drifted asset, none via the socket", r)
expect(conn["reconnects"] == 0, "0 reconnects", conn["reconnects"])
for a in j["assets"]:
    expect(a["state"] in ("fresh", "quiet"), "%s fresh or quiet" % a["asset_id"][:12], a["state"])
open(sys.argv[1] + ".drifted", "w").write("\n".join(drifted) + "\n")
PY
stop_top
grep -q 'client 1: fault withheld a price_change' "$WORK/sim.log" || fail "clobsim withheld nothing"
# One request per drifted asset: a GET /book each, or one POST /books for the two tokens
# of a market drifting together (a clobsim without POST /books answers 405, and the
# worker then asks for each by GET /book).
ndrift=$(wc -l <"$WORK/final.json.drifted")
nreq=$(grep -c -e 'GET /book?' -e 'POST /books' "$WORK/sim.log")
[ "$nreq" -le $((ndrift + 1)) ] || fail "$nreq REST requests for $ndrift drifted assets"
for id in $(cat "$WORK/final.json.drifted"); do
	n=$(grep -c "GET /book?token_id=$id" "$WORK/sim.log")
	[ "$n" -le 1 ] || fail "expected at most 1 GET /book for drifted token $id, got $n"
	grep '"operation":"unsubscribe"' "$WORK/sim.log" | grep -q "$id" &&
		fail "drifted token $id was resubscribed on the socket"
done
grep -q '"operation":"subscribe"' "$WORK/sim.log" && fail "a subscribe operation on the socket"
echo "ok"

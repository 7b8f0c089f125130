#!/bin/sh
# clobsim's REST book service end to end, with curl: POST /books equals GET /book per id
# (unknown ids left out, request order kept); 251 ids, a bad body, a body over 64 KiB and
# GET /books are refused; --rest-limit answers 429 with Retry-After once a window is
# full; every REST fault (rest500, rest429, restslow, restwrong) works from GET /fault and
# from --rest-fault, is logged and counted in /stats; a held restslow answer does not
# stall a concurrent /health.
. "$(dirname "$0")/lib.sh"

command -v curl >/dev/null 2>&1 || {
	echo "SKIP: curl is needed"
	exit 77
}

# req METHOD PATH [BODY-FILE]: the status on stdout; body in $WORK/body, head in $WORK/head.
req() {
	if [ -n "${3:-}" ]; then
		curl -s -m 20 -X "$1" -H 'Content-Type: application/json' --data-binary "@$3" \
			-D "$WORK/head" -o "$WORK/body" -w '%{http_code}' "http://127.0.0.1:$SIM_PORT$2"
	else
		curl -s -m 20 -X "$1" -D "$WORK/head" -o "$WORK/body" -w '%{http_code}' \
			"http://127.0.0.1:$SIM_PORT$2"
	fi
}

expect_status() { # WANT METHOD PATH [BODY-FILE]
	_want=$1
	shift
	_got=$(req "$@")
	[ "$_got" = "$_want" ] || fail "$1 $2: expected HTTP $_want, got $_got: $(head -c 300 "$WORK/body")"
}

stat_is() { # NAME WANT
	curl -s -m 10 -o "$WORK/stats.json" "http://127.0.0.1:$SIM_PORT/stats" || fail "GET /stats"
	_v=$(json_get "$WORK/stats.json" "j['$1']")
	[ "$_v" = "$2" ] || fail "/stats $1: expected $2, got $_v ($(cat "$WORK/stats.json"))"
}

retry_after() {
	tr -d '\r' <"$WORK/head" | sed -n 's/^[Rr]etry-[Aa]fter: *//p'
}

# ids_body FILE ID...: a /books body asking for each id.
ids_body() {
	_f=$1
	shift
	"$PY" -c 'import json,sys; json.dump([{"token_id": i} for i in sys.argv[2:]], open(sys.argv[1], "w"))' "$_f" "$@"
}

start_sim --markets 3 --new-markets 0 --rate 400 --seed 12 --rest-limit 1000,1000 \
	--assets-out "$WORK/assets.txt" --log "$WORK/sim.log"
IDS=$(cut -d' ' -f1 "$WORK/assets.txt")
set -- $IDS
A=$1
B=$2
[ $# = 6 ] || fail "expected 6 tokens in $WORK/assets.txt, got $#"

# The flow moves the books; paused, the truth stands still and answers can be compared.
expect_status 200 GET "/fault?kind=pause"
ids_body "$WORK/all.json" "$@" 12345 "$A"
expect_status 200 POST /books "$WORK/all.json"
cp "$WORK/body" "$WORK/books.json"
for id in "$@"; do
	expect_status 200 GET "/book?token_id=$id"
	cp "$WORK/body" "$WORK/book_$id.json"
done
"$PY" - "$WORK" "$@" <<'PY' || fail "/books differs from /book per id"
import json, sys, time
work, ids = sys.argv[1], sys.argv[2:]
books = json.load(open(work + "/books.json"))
want = [json.load(open("%s/book_%s.json" % (work, i))) for i in ids + ids[:1]]
assert [b["asset_id"] for b in books] == ids + ids[:1], "order or unknown id: %r" % [b["asset_id"][:8] for b in books]
for got, exp in zip(books, want):
    assert got == exp, "book %s: /books %r != /book %r" % (exp["asset_id"][:8], got, exp)
    for k in ("market", "timestamp", "hash", "bids", "asks", "tick_size", "min_order_size"):
        assert k in got, "no %s" % k
    ts = int(got["timestamp"])
    assert abs(ts - time.time() * 1000) < 600000, "timestamp %d is not recent Unix ms" % ts
    bids = [float(l["price"]) for l in got["bids"]]
    asks = [float(l["price"]) for l in got["asks"]]
    assert bids == sorted(bids) and asks == sorted(asks, reverse=True), "best level not last"
    assert bids[-1] < asks[-1], "crossed"
print("ok: /books of %d ids equals /book per id" % len(ids))
PY
# The paused truth: a second answer is the same, byte for byte (timestamp and hash too).
expect_status 200 POST /books "$WORK/all.json"
cmp -s "$WORK/body" "$WORK/books.json" || fail "a paused /books changed between two answers"

# Refusals.
"$PY" -c 'import json; json.dump([{"token_id": str(i)} for i in range(251)], open("'"$WORK"'/251.json", "w"))'
expect_status 400 POST /books "$WORK/251.json"
json_get "$WORK/body" "j['error']" | grep -q "too many" || fail "251 ids: error $(cat "$WORK/body")"
"$PY" -c 'import json; json.dump([{"token_id": "'"$A"'"}] * 250, open("'"$WORK"'/250.json", "w"))'
expect_status 200 POST /books "$WORK/250.json"
[ "$(json_get "$WORK/body" "len(j)")" = 250 ] || fail "250 ids: expected 250 books"
printf '{"token_id":"%s"}' "$A" >"$WORK/obj.json"
expect_status 400 POST /books "$WORK/obj.json"
printf '[{"token_id":1}]' >"$WORK/num.json"
expect_status 400 POST /books "$WORK/num.json"
head -c 70000 /dev/zero | tr '\0' ' ' >"$WORK/big.json"
expect_status 413 POST /books "$WORK/big.json"
expect_status 405 GET /books
expect_status 404 GET "/book?token_id=12345"
# A client that waits for 100 Continue gets it.
curl -s -m 10 -H 'Expect: 100-continue' -H 'Content-Type: application/json' \
	--data-binary "@$WORK/all.json" -o "$WORK/body" "http://127.0.0.1:$SIM_PORT/books" ||
	fail "POST /books with Expect: 100-continue"
cmp -s "$WORK/body" "$WORK/books.json" || fail "POST /books with Expect: 100-continue differs"
stat_is rest_books 8
stat_is rest_books_ids 525

# rest500 x2, then a good answer.
expect_status 200 GET "/fault?kind=rest500&count=2"
expect_status 500 GET "/book?token_id=$A"
expect_status 500 POST /books "$WORK/all.json"
expect_status 200 GET "/book?token_id=$A"
stat_is rest_500 2

# rest429 with Retry-After 7.
expect_status 200 GET "/fault?kind=rest429&retry_after=7"
expect_status 429 GET "/book?token_id=$A"
[ "$(retry_after)" = 7 ] || fail "rest429: Retry-After '$(retry_after)', expected 7"
json_get "$WORK/body" "j['error']" >/dev/null || fail "rest429: no JSON error body"
expect_status 200 GET "/book?token_id=$A"
stat_is rest_429 1
expect_status 400 GET "/fault?kind=restslow"
expect_status 400 GET "/fault?kind=rest429&retry_after=0"

# restwrong for B only: A's book stays right, B's best bid is one share larger, once.
expect_status 200 GET "/fault?kind=restwrong&asset_id=$B"
ids_body "$WORK/ab.json" "$A" "$B"
expect_status 200 GET "/book?token_id=$A"
cmp -s "$WORK/body" "$WORK/book_$A.json" || fail "restwrong for B spoiled A's /book"
expect_status 200 POST /books "$WORK/ab.json"
"$PY" - "$WORK" "$A" "$B" <<'PY' || fail "restwrong: the wrong book is not as documented"
import json, sys
from decimal import Decimal
work, a, b = sys.argv[1:]
got = json.load(open(work + "/body"))
ta, tb = (json.load(open("%s/book_%s.json" % (work, i))) for i in (a, b))
assert got[0] == ta, "A's book changed"
assert got[1]["asks"] == tb["asks"] and got[1]["bids"][:-1] == tb["bids"][:-1], "more than the best bid changed"
gb, tb_ = got[1]["bids"][-1], tb["bids"][-1]
assert gb["price"] == tb_["price"] and Decimal(gb["size"]) == Decimal(tb_["size"]) + 1, (gb, tb_)
assert got[1]["hash"] == tb["hash"] and got[1]["timestamp"] == tb["timestamp"]
print("ok: restwrong: best bid %s size %s -> %s" % (tb_["price"], tb_["size"], gb["size"]))
PY
expect_status 200 POST /books "$WORK/ab.json"
"$PY" -c 'import json,sys; g=json.load(open(sys.argv[1])); assert g[1]==json.load(open(sys.argv[2]))' \
	"$WORK/body" "$WORK/book_$B.json" || fail "restwrong count=1 spoiled a second answer"
stat_is rest_wrong 1

# restslow: the answer waits 3 s while /health and the others are answered meanwhile.
expect_status 200 GET "/fault?kind=restslow&ms=3000&count=1"
t0=$(now_ms)
curl -s -m 20 -o "$WORK/slow.json" -w '%{http_code}' "http://127.0.0.1:$SIM_PORT/book?token_id=$A" \
	>"$WORK/slow.code" &
SLOW_PID=$!
PIDS="$PIDS $SLOW_PID"
dl=$(deadline 5)
until grep -q "fault restslow" "$WORK/sim.log"; do
	before "$dl" || fail "the restslow request never reached clobsim"
	sleep 0.02
done
th=$(now_ms)
expect_status 200 GET /health
expect_status 200 GET "/book?token_id=$B"
t_health=$(($(now_ms) - th))
# answered while the held one still waits: the loop was not blocked (a bound on the
# clock alone would also fail on a loaded machine)
pid_running "$SLOW_PID" || fail "restslow stalled /health: the held answer came first ($t_health ms)"
wait "$SLOW_PID"
t_slow=$(($(now_ms) - t0))
[ "$(cat "$WORK/slow.code")" = 200 ] || fail "restslow: status $(cat "$WORK/slow.code")"
cmp -s "$WORK/slow.json" "$WORK/book_$A.json" || fail "restslow: the held answer is not the book"
[ "$t_slow" -ge 2900 ] || fail "restslow: answered after $t_slow ms, expected >= 3000"
echo "ok: restslow answered after $t_slow ms; /health and /book meanwhile in $t_health ms"
stat_is rest_slow 1

# Each executed fault logged one line.
for f in "rest500:2" "rest429:1" "restslow:1" "restwrong:1"; do
	n=$(grep -c "fault ${f%:*} " "$WORK/sim.log")
	[ "$n" = "${f#*:}" ] || fail "log: $n 'fault ${f%:*}' lines, expected ${f#*:}"
done
grep -q "POST /books (251 ids" "$WORK/sim.log" || fail "log: no POST /books line with its id count"

# The limiter, and faults armed on the command line.
stop_pid "$SIM_PID" 10
"$CLOBSIM" --rest-fault bogus >/dev/null 2>&1 && fail "--rest-fault bogus was accepted"
"$CLOBSIM" --rest-limit 5 >/dev/null 2>&1 && fail "--rest-limit 5 was accepted"
start_sim --markets 2 --new-markets 0 --rate 100 --seed 3 --rest-limit 3,2 \
	--rest-fault rest500:1 --rest-fault rest429=4:1 --assets-out "$WORK/assets2.txt" \
	--log "$WORK/sim2.log"
A=$(head -1 "$WORK/assets2.txt" | cut -d' ' -f1)
ids_body "$WORK/a.json" "$A"
expect_status 500 GET "/book?token_id=$A"
expect_status 429 GET "/book?token_id=$A"
[ "$(retry_after)" = 4 ] || fail "--rest-fault rest429=4: Retry-After '$(retry_after)'"
expect_status 200 GET "/book?token_id=$A"
expect_status 429 GET "/book?token_id=$A"
ra=$(retry_after)
[ "$ra" -ge 1 ] && [ "$ra" -le 10 ] || fail "limiter: Retry-After '$ra', expected 1..10"
json_get "$WORK/body" "j['error']" | grep -q "at most 3" || fail "limiter: body $(cat "$WORK/body")"
expect_status 200 POST /books "$WORK/a.json"
expect_status 200 POST /books "$WORK/a.json"
expect_status 429 POST /books "$WORK/a.json"
stat_is rest_limited 2
stat_is rest_429 3
stat_is rest_book 4
stat_is rest_books 3
# The window slides: after Retry-After seconds a /book is admitted again.
sleep "$ra"
expect_status 200 GET "/book?token_id=$A"
echo "ok: limiter 429 with Retry-After $ra s, admitted again after it"

#!/bin/sh
# The HTTP API end to end: clobtop --listen against clobsim.  /book/<id> for every asset
# equals the exported snapshot and clobsim's truth; /metrics passes promtool check metrics;
# /healthz is 503 with the reason during an injected stall and 200 after recovery;
# /snapshot is the clobtop.snapshot/1 document.  A back-off of 1 to 10 s after the stall
# keeps the outage long enough to be seen.
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/e2e_live_common.sh"

# http_get PATH OUT: the status on standard output, the body in OUT.
http_get() {
	"$PY" - "http://127.0.0.1:$HTTP_PORT$1" "$2" <<'PY'
import sys, urllib.request, urllib.error
try:
    with urllib.request.urlopen(sys.argv[1], timeout=5) as r:
        body, status = r.read(), r.status
except urllib.error.HTTPError as e:
    body, status = e.read(), e.code
open(sys.argv[2], "wb").write(body)
print(status)
PY
}

healthz_is() {
	[ "$(http_get /healthz "$WORK/health.txt")" = "$1" ]
}

start_sim --markets 3 --new-markets 0 --rate 300 --seed 15 \
	--assets-out "$WORK/assets.txt" --log "$WORK/sim.log"
start_top --url "ws://127.0.0.1:$SIM_PORT/ws/market" --assets-file "$WORK/assets.txt" \
	--dead-after 1 --ping-interval 0.25 --backoff-min 10 --backoff-max 10 \
	--refresh 100 --listen 127.0.0.1:0
listen_port() {
	HTTP_PORT=$(sed -n 's/.*HTTP API on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$WORK/top.err" | head -1)
	[ -n "$HTTP_PORT" ]
}
wait_until 30 "clobtop to say where it listens" listen_port
listen_port

wait_until 30 "/healthz 200 once books arrive" healthz_is 200
grep -q "connected" "$WORK/health.txt" || fail "/healthz 200 says: $(cat "$WORK/health.txt")"

# Books: every asset's /book equals the snapshot clobtop exports and clobsim's truth.
sim_fault pause
converge "$WORK/assets.txt" 60
top_export "$WORK/final.json"
top_export "$WORK/final.json" # one more refresh has published the converged books
: >"$WORK/books.txt"
while read -r id _; do
	[ -n "$id" ] || continue
	st=$(http_get "/book/$id" "$WORK/book-$id.json")
	[ "$st" = 200 ] || fail "GET /book/$id: $st $(cat "$WORK/book-$id.json")"
	echo "$WORK/book-$id.json" >>"$WORK/books.txt"
done <"$WORK/assets.txt"
"$PY" - "$WORK/final.json" "$WORK/books.txt" "$WORK/books-snapshot.json" <<'PY' || fail "/book differs from the snapshot"
import json, sys
snap = {a["asset_id"]: a for a in json.load(open(sys.argv[1]))["assets"]}
books = [json.load(open(p.strip())) for p in open(sys.argv[2]) if p.strip()]
# Ages and one-minute flows move with the clock; everything else must be equal.
moving = {"last_update_ms_ago", "last_book_ms_ago", "flow_1m"}
bad = 0
for b in books:
    s = snap.get(b["asset_id"])
    diff = [k for k in set(b) | set(s or {}) if k not in moving and (s or {}).get(k) != b.get(k)]
    if not s or diff:
        bad += 1
        print("asset %s: /book and the snapshot differ in %s" % (b["asset_id"], diff))
json.dump({"assets": books}, open(sys.argv[3], "w"))
sys.exit(1 if bad or not books else 0)
PY
sim_get /state >"$WORK/truth.json" || fail "GET /state failed"
"$PY" "$LIVE" compare "$WORK/books-snapshot.json" "$WORK/truth.json" "$WORK/assets.txt" ||
	fail "/book differs from clobsim's truth"

st=$(http_get /snapshot "$WORK/http-snap.json")
[ "$st" = 200 ] || fail "GET /snapshot: $st"
json_get "$WORK/http-snap.json" 'j["schema"]' | grep -qx 'clobtop.snapshot/1' ||
	fail "/snapshot is not clobtop.snapshot/1"
[ "$(http_get /book/1x "$WORK/x.txt")" = 400 ] || fail "GET /book/1x is not 400"
[ "$(http_get /book/1 "$WORK/x.txt")" = 404 ] || fail "GET /book/1 is not 404"

# Metrics: promtool finds nothing to say (skipped without promtool, but never in CI).
st=$(http_get /metrics "$WORK/metrics.prom")
[ "$st" = 200 ] || fail "GET /metrics: $st"
grep -q '^clobtop_http_requests_total ' "$WORK/metrics.prom" || fail "/metrics has no HTTP counters"
if command -v promtool >/dev/null 2>&1; then
	promtool check metrics <"$WORK/metrics.prom" >"$WORK/lint.txt" 2>&1 ||
		fail "promtool check metrics on /metrics: $(cat "$WORK/lint.txt")"
elif [ -n "${CI:-}" ]; then
	fail "promtool is not installed (CI is set)"
fi

# A stall: /healthz turns 503 with the reason, then 200 once clobtop has reconnected.
sim_fault play
sim_fault stall
wait_until 60 "/healthz 503 during the stall" healthz_is 503
grep -q "feed down" "$WORK/health.txt" || fail "/healthz 503 says: $(cat "$WORK/health.txt")"
wait_until 60 "/healthz 200 after recovery" healthz_is 200
stop_top
echo "ok"

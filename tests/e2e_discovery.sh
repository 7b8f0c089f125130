#!/bin/sh
# Discovery against clobsim's Gamma-like catalog.  --all-markets with 5,000 markets: every
# token is subscribed exactly once (clobsim's log of subscribe frames equals its market
# list), no frame carries more than --batch ids, every asset gets a book and a label; the
# first listing page fails (gamma500) and is retried, nothing is missing; the Gamma
# request rate stays within clobsim's limit (its counters: no 429, the busiest 10 s window
# under the limit).  --event and --tag narrow it to exactly those markets.  --follow-new
# subscribes a new_market's tokens once (a repeated announcement adds nothing) and a
# resolved market's tokens are dropped after --resolved-grace, with an alert.
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/e2e_live_common.sh"

. "$top_srcdir/tests/discovery_lib.sh"

# --- --all-markets over 5,000 markets, the first page failing once -------------------
start_sim --markets 5000 --new-markets 0 --new-market-every 0 --rate 200 --seed 11 \
	--assets-out "$WORK/all.txt" --log "$WORK/sim.log"
[ "$(wc -l <"$WORK/all.txt")" -eq 10000 ] || fail "clobsim listed $(wc -l <"$WORK/all.txt") tokens, not 10000"
sim_get "/fault?kind=gamma500&count=1" | grep -q '"ok":true' || fail "gamma500 fault refused"
t0=$(now_ms)
start_disc --all-markets --batch 40 --depth 1
wait_until 120 "discovery to finish" grep -q "discovery done: 5000 markets, 10000 tokens" "$WORK/top.err"
wait_until 120 "a book for each of the 10000 tokens" top_snapshot_has "$BOOKED and len(j['assets']) == 10000"
echo "--all-markets: 10000 tokens discovered, subscribed and fresh in $(($(now_ms) - t0)) ms"
ids_of "$WORK/probe.json" "$WORK/got.txt"
sort "$WORK/got.txt" >"$WORK/got.sorted"
cut -d' ' -f1 "$WORK/all.txt" | sort >"$WORK/all.sorted"
cmp -s "$WORK/got.sorted" "$WORK/all.sorted" || fail "clobtop's assets differ from clobsim's 10000 tokens"
snap_check "$WORK/probe.json" <<'PY'
unlabelled = [a["asset_id"] for a in j["assets"] if not a.get("question")]
expect(not unlabelled, "every asset labelled from the listing", "%d without" % len(unlabelled))
retried = [a for a in alerts if "discovery of all markets" in a["message"] and "retrying" in a["message"]]
expect(len(retried) >= 1, "the failed page reported as retried", [a["message"] for a in alerts][-5:])
PY
check_subs 40 "$WORK/all.txt"
sim_get /stats/gamma >"$WORK/gamma.json" || fail "GET /stats/gamma"
cat "$WORK/gamma.json"
json_get "$WORK/gamma.json" "j['failed'] == 1 and j['throttled'] == 0 and j['window_max'] <= j['rate_limit'] and j['pages'] >= 11" |
	grep -q True || fail "Gamma counters: expected 1 failed page, no 429, within the rate"
stop_top

# --- --event and --tag narrow it ------------------------------------------------------
sim_get "/events?slug=clobsim-event-3" >"$WORK/ev3.json"
sim_get "/events?slug=clobsim-event-8" >"$WORK/ev8.json"
"$PY" - "$WORK" <<'PY' >"$WORK/narrow.txt" || fail "cannot build the expected narrowed set"
import json, sys, urllib.request
w = sys.argv[1]
ids = []
for f in ("ev3.json", "ev8.json"):
    for m in json.load(open("%s/%s" % (w, f)))[0]["markets"]:
        ids += json.loads(m["clobTokenIds"])
assert len(ids) == 16, len(ids)
print("\n".join(ids))
PY
# Events 3 and 8 are indexes 2 (tagged sports, so inside --tag sports too: the overlap
# must be subscribed once) and 7 (economy); sports is every index % 4 == 2: 312 events.
port=$SIM_PORT
"$PY" - "$port" <<'PY' >>"$WORK/narrow.txt" || fail "cannot list the sports markets"
import json, sys, urllib.request
ids, off = [], 0
while True:
    page = json.load(urllib.request.urlopen(
        "http://127.0.0.1:%s/markets?tag_slug=sports&limit=500&offset=%d" % (sys.argv[1], off)))
    for m in page:
        ids += json.loads(m["clobTokenIds"])
    off += len(page)
    if len(page) < 500:
        break
assert len(ids) == 2496, len(ids)
print("\n".join(ids))
PY
sort -u "$WORK/narrow.txt" >"$WORK/narrow.sorted"
[ "$(wc -l <"$WORK/narrow.sorted")" -eq 2504 ] || fail "expected 2504 distinct narrowed ids"
start_disc --event clobsim-event-3 --event clobsim-event-8 --tag sports --batch 45 --depth 1
wait_until 120 "the narrowed discovery" grep -q "discovery done: 1256 markets, 2504 tokens" "$WORK/top.err"
wait_until 120 "books for the 2504 tokens" top_snapshot_has "$BOOKED and len(j['assets']) == 2504"
ids_of "$WORK/probe.json" "$WORK/got.txt"
sort "$WORK/got.txt" | cmp -s - "$WORK/narrow.sorted" || fail "--event/--tag subscribed other tokens"
check_subs 45 "$WORK/narrow.sorted"
stop_top
stop_pid "$SIM_PID" 10

# --- --follow-new and the resolved grace ----------------------------------------------
: >"$WORK/sim.log"
start_sim --markets 6 --new-markets 1 --new-market-every 0 --rate 200 --seed 3 \
	--log "$WORK/sim.log"
start_disc --all-markets --follow-new --resolved-grace 2
wait_until 60 "the 12 first books" top_snapshot_has \
	'len(j["assets"]) == 12 and all(a["state"] == "fresh" for a in j["assets"])'
sim_fault newmarket
wait_until 60 "the new market's 2 tokens" top_snapshot_has \
	'len(j["assets"]) == 14 and all(a["state"] == "fresh" for a in j["assets"])'
sim_get "/markets" >"$WORK/markets.json"
json_get "$WORK/markets.json" "'\n'.join(t for m in j for t in json.loads(m['clobTokenIds']))" |
	sort >"$WORK/now.sorted"
ids_of "$WORK/probe.json" "$WORK/got.txt"
sort "$WORK/got.txt" | cmp -s - "$WORK/now.sorted" || fail "after new_market: not the 14 listed tokens"
sim_fault newmarket # no hidden market left: a repeated announcement
wait_until 30 "the repeated announcement" grep -q "GET /fault kind=newmarket: 1" "$WORK/sim.log"
top_more_frames 50
ws=$(ws_client 1)
# Frames that subscribed something: subscribe operations, and the initial subscription
# when it was not empty (discovery can end before the connection is up, and then the
# listing goes in the initial frame).
n=$(grep -c "client $ws recv text .*\"operation\":\"subscribe\"" "$WORK/sim.log")
i=$(grep "client $ws recv text .*\"type\":\"market\"" "$WORK/sim.log" |
	grep -vc '"assets_ids":\[\]')
[ $((n + i)) -eq 2 ] ||
	fail "expected 2 subscribing frames (the listing, the new market), got $n operations and $i non-empty initial frames"
sim_fault resolve
wait_until 60 "the resolved market's tokens dropped" top_snapshot_has 'len(j["assets"]) == 12'
snap_check "$WORK/probe.json" <<'PY'
dropped = [a for a in alerts if "resolved market dropped" in a["message"]]
expect(len(dropped) == 1 and "2 tokens unsubscribed" in dropped[0]["message"],
       "one 'resolved market dropped ... 2 tokens' alert", [a["message"] for a in alerts][-6:])
PY
grep -q "client $ws recv text .*\"operation\":\"unsubscribe\"" "$WORK/sim.log" ||
	fail "no unsubscribe frame for the resolved market"
stop_top
echo "ok"

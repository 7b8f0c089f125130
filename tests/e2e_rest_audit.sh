#!/bin/sh
# Audit: with --audit-every 2 clobtop compares every book with clobsim's REST book
# round-robin while the market is busy.  Over a minute of updates in flight no
# comparison may be called a mismatch.  Then clobsim serves one wrong book (restwrong:
# the best bid's size one share off): exactly one mismatch, one "audit" alert naming the
# first differing level, a REST resync, and books equal to the truth afterwards.
# Skipped (77) when this clobsim has no POST /books (the REST faults come with it).
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/e2e_live_common.sh"
. "$top_srcdir/tests/e2e_rest_common.sh"

start_sim --markets 3 --new-markets 0 --rate 200 --seed 31 \
	--assets-out "$WORK/assets.txt" --log "$WORK/sim.log"
need_rest_sim
start_top_rest --audit-every 2
t0=$(now_ms)
SOAK=${REST_AUDIT_SECS:-60}
_dl=$(deadline "$SOAK")
while before "$_dl"; do
	pid_running "$TOP_PID" || fail "clobtop exited"
	sleep 1
done
top_export "$WORK/soak.json"
secs=$((($(now_ms) - t0) / 1000))
export secs
snap_check "$WORK/soak.json" <<'PY'
au = j["audit"]
print("audits over the busy market: %d done, %d agreed, %d rechecked, %d mismatched; "
      "REST requests %d (%d GET /book, %d POST /books), 429s %d"
      % (au["done"], au["agreed"], au["rechecks"], au["mismatched"], j["rest"]["requests"],
         j["rest"]["req_book"], j["rest"]["req_books"], j["rest"]["throttled"]))
expect(au["mismatched"] == 0 and not kinds("audit"), "no false mismatch", au)
import os
secs = int(os.environ["secs"])
expect(au["done"] >= 1.5 * secs, "at least %d audits in %d s (6 assets every 2 s)"
       % (1.5 * secs, secs), au)
expect(j["rest"]["throttled"] == 0, "no 429", j["rest"])
PY
echo "busy market: $secs s without a false mismatch"
# One wrong book: one mismatch, not a flood.
sim_fault "restwrong&count=1"
wait_until 30 "the mismatch" top_snapshot_has 'j["audit"]["mismatched"] >= 1'
sleep 5
wrong=$(sim_stats rest_wrong)
[ "$wrong" = 1 ] || fail "clobsim served $wrong wrong books, expected 1"
sim_fault pause
converge "$WORK/assets.txt" 10
snap_check "$WORK/final.json" <<'PY'
au = j["audit"]
ad = kinds("audit")
expect(au["mismatched"] == 1, "exactly one mismatch", au)
expect(len(ad) == 1 and ad[0]["count"] == 1, "one audit alert", [(a["message"], a["count"]) for a in ad])
if ad:
    expect("level 1" in ad[0]["message"] and "REST" in ad[0]["message"],
           "the first differing level named", ad[0]["message"])
    lm = au["last_mismatch"]
    expect(lm and lm["asset"] == ad[0]["asset_id"], "last_mismatch names the asset", lm)
    per = {a["asset_id"]: a for a in j["assets"]}
    expect(per[ad[0]["asset_id"]]["resyncs"] >= 1, "the mismatched asset resynced",
           per[ad[0]["asset_id"]]["resyncs"])
PY
stop_top
echo "ok"

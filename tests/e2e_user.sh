#!/bin/sh
# The user channel end to end, clobtop against clobsim: with good credentials (a mode-600
# --user-creds file) the orders and trades in clobtop's snapshot are exactly those
# clobsim says it sent (GET /user/state: same ids, prices, sizes, statuses, and every
# trade's sequence of statuses), a FAILED trade and a stuck trade raise their alerts, and
# the metrics file counts them; an unsubscribe resends the auth frame with the markets
# left; with bad credentials (from the environment) clobtop says
# "user channel: authentication rejected" and stops after 3 attempts (clobsim's log).
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/e2e_live_common.sh"

printf 'CLOB_API_KEY=e2e-key\nCLOB_SECRET=e2e-secret\nCLOB_PASS_PHRASE=e2e-pass\n' >"$WORK/creds"
chmod 600 "$WORK/creds"
start_sim --markets 4 --rate 100 --new-market-every 0 --assets-out "$WORK/assets.txt" \
	--user-creds "$WORK/creds" --user-rate 10 --user-step 0.3
head -4 "$WORK/assets.txt" >"$WORK/two-markets.txt"
start_top --url "ws://127.0.0.1:$SIM_PORT/ws/market" --assets-file "$WORK/two-markets.txt" \
	--user --user-creds "$WORK/creds" --trade-stuck-after 2 --refresh 200 \
	--metrics-file "$WORK/metrics.prom"
wait_until 90 "20 trades, a FAILED one and the failed and stuck alerts" top_snapshot_has \
	'j["user"]["connected"] and len(j["user"]["trades"]) >= 20 and
	 any(t["status"] == "FAILED" for t in j["user"]["trades"]) and
	 {"trade_failed", "trade_stuck"} <= {a["kind"] for a in j["alerts"]}'
grep -q "user channel authenticated: markets (2 of 2 markets known)" "$WORK/sim.err" ||
	fail "clobtop did not ask for the two markets of its assets: $(grep user "$WORK/sim.err")"

# Stand the account still, let what is in flight arrive, then compare.
sim_fault pause
sleep 2
top_export "$WORK/top.json"
sim_get /user/state >"$WORK/sim.json" || fail "GET /user/state failed"
"$PY" - "$WORK/sim.json" "$WORK/top.json" <<'PYEOF' || fail "clobtop's user data differ from what clobsim sent"
import json, sys
from decimal import Decimal
sim = json.load(open(sys.argv[1])); top = json.load(open(sys.argv[2]))["user"]
def d(x): return None if x is None else Decimal(x)
bad = []
so = {o["id"]: o for o in sim["orders"]}; to = {o["id"]: o for o in top["orders"]}
st = {t["id"]: t for t in sim["trades"]}; tt = {t["id"]: t for t in top["trades"]}
if set(so) != set(to): bad.append("order ids: only clobsim %s, only clobtop %s" % (set(so) - set(to), set(to) - set(so)))
if set(st) != set(tt): bad.append("trade ids: only clobsim %s, only clobtop %s" % (set(st) - set(tt), set(tt) - set(st)))
for i in set(so) & set(to):
    a, b = so[i], to[i]
    for k in ("market", "asset_id", "side", "status", "type", "outcome"):
        if a[k] != b[k]: bad.append("order %s %s: sent %r, clobtop %r" % (i, k, a[k], b[k]))
    for k in ("price", "original_size", "size_matched"):
        if d(a[k]) != d(b[k]): bad.append("order %s %s: sent %s, clobtop %s" % (i, k, a[k], b[k]))
    if b["open"] != (a["status"] == "LIVE"): bad.append("order %s open %s, status %s" % (i, b["open"], a["status"]))
for i in set(st) & set(tt):
    a, b = st[i], tt[i]
    for k in ("market", "asset_id", "side", "status"):
        if a[k] != b[k]: bad.append("trade %s %s: sent %r, clobtop %r" % (i, k, a[k], b[k]))
    for k in ("price", "size"):
        if d(a[k]) != d(b[k]): bad.append("trade %s %s: sent %s, clobtop %s" % (i, k, a[k], b[k]))
    if a["statuses"] != [h["status"] for h in b["statuses"]]:
        bad.append("trade %s statuses: sent %s, clobtop %s" % (i, a["statuses"], b["statuses"]))
opens = sorted(o["id"] for o in top["open_orders"])
if opens != sorted(o["id"] for o in sim["orders"] if o["status"] == "LIVE"): bad.append("open orders differ")
kinds = {s for t in sim["trades"] for s in t["statuses"]}
for want in ("MATCHED", "MINED", "CONFIRMED", "RETRYING", "FAILED"):
    if want not in kinds: bad.append("clobsim never sent %s" % want)
if not any(o["type"] == "CANCELLATION" for o in sim["orders"]): bad.append("no cancellation sent")
print("\n".join(bad[:20]), file=sys.stderr)
print("compared %d orders, %d trades" % (len(so), len(st)))
sys.exit(1 if bad else 0)
PYEOF
# The user channel follows the market channel: unsubscribing both tokens of one market
# resends the auth frame with the other market only.
top_cmd "unsub $(sed -n '3p;4p' "$WORK/two-markets.txt" | cut -d' ' -f1 | tr '\n' ' ')"
wait_until 30 "the auth frame resent with one market" \
	grep -q "user channel authenticated: markets (1 of 1 markets known)" "$WORK/sim.err"
top_cmd quit
_q=$(deadline 20)
while pid_running "$TOP_PID" && before "$_q"; do sleep 0.1; done
pid_running "$TOP_PID" && fail "clobtop did not quit within 20 s"
grep -q '^clobtop_user_trades{status="FAILED"} [1-9]' "$WORK/metrics.prom" ||
	fail "metrics: no FAILED count: $(grep user "$WORK/metrics.prom")"
grep -q '^clobtop_user_orders_open [0-9]' "$WORK/metrics.prom" || fail "metrics: no open orders gauge"

# Bad credentials: the clear message, and exactly 3 attempts however long it runs.
sim_fault play
before_n=$(grep -c "user channel authentication rejected" "$WORK/sim.err")
CLOB_API_KEY=e2e-key CLOB_SECRET=wrong CLOB_PASS_PHRASE=e2e-pass \
	timeout 60 "$CLOBTOP" --headless --no-gamma --url "ws://127.0.0.1:$SIM_PORT/ws/market" \
	--assets-file "$WORK/two-markets.txt" --user --backoff-min 0.2 --backoff-max 0.5 \
	--duration 15 --export "$WORK/bad.json" </dev/null >"$WORK/bad.out" 2>"$WORK/bad.err"
grep -q "user channel: authentication rejected" "$WORK/bad.err" ||
	fail "no clear message on stderr: $(cat "$WORK/bad.err")"
[ "$(json_get "$WORK/bad.json" "j['user']['state'].startswith('user channel: authentication rejected')")" = True ] ||
	fail "snapshot user state: $(json_get "$WORK/bad.json" "j['user']['state']")"
n=$(($(grep -c "user channel authentication rejected" "$WORK/sim.err") - before_n))
[ "$n" -eq 3 ] || fail "expected 3 rejected attempts in 15 s, clobsim saw $n"
echo "PASS: user channel data equal clobsim's; alerts fired; bad credentials stopped after $n attempts"

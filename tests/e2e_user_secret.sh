#!/bin/sh
# No credential leaks: clobtop runs the user channel with a distinctive key, secret and
# passphrase, headless (credentials from the environment) with --record, --export,
# --metrics-file and --summary, and on a screen in tmux (from a --user-creds file) with
# the user view and the help up; none of the three values appears in any of those
# outputs, in stdout or stderr, or in clobsim's log.  A group-readable credentials file
# is refused with a clear message, before anything connects.  (Redis: this branch has no
# --redis, so there are no Redis messages to check.)
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/e2e_live_common.sh"
. "$top_srcdir/tests/e2e_ui_lib.sh"

rnd=$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
KEY=K3Y-$rnd
SECRET=S3CRET-$rnd
PASS=PA55-$rnd
printf 'CLOB_API_KEY=%s\nCLOB_SECRET=%s\nCLOB_PASS_PHRASE=%s\n' "$KEY" "$SECRET" "$PASS" >"$WORK/creds"
chmod 600 "$WORK/creds"

# A credentials file others may read: refused, the value never shown.
cp "$WORK/creds" "$WORK/creds.open"
chmod 640 "$WORK/creds.open"
rc=0
timeout 30 "$CLOBTOP" --headless --no-gamma --url ws://127.0.0.1:9/ws/market --user \
	--user-creds "$WORK/creds.open" --duration 5 </dev/null >"$WORK/open.out" 2>"$WORK/open.err" || rc=$?
[ "$rc" -eq 2 ] || fail "a group-readable credentials file: exit $rc, expected 2"
grep -q "creds.open: refused: the credentials file is accessible by group or others" "$WORK/open.err" ||
	fail "no clear refusal: $(cat "$WORK/open.err")"

start_sim --markets 3 --rate 100 --new-market-every 0 --assets-out "$WORK/assets.all" \
	--user-creds "$WORK/creds" --user-rate 10 --user-step 0.3
head -4 "$WORK/assets.all" >"$WORK/assets.txt"

# Headless, credentials from the environment, every file output on.
CLOB_API_KEY=$KEY CLOB_SECRET=$SECRET CLOB_PASS_PHRASE=$PASS timeout 60 "$CLOBTOP" --headless \
	--no-gamma --url "ws://127.0.0.1:$SIM_PORT/ws/market" --assets-file "$WORK/assets.txt" \
	--user --trade-stuck-after 1 --summary --duration 10 --refresh 200 \
	--record "$WORK/rec.jsonl" --export "$WORK/snap.json" --metrics-file "$WORK/metrics.prom" \
	</dev/null >"$WORK/headless.out" 2>"$WORK/headless.err" ||
	fail "headless run failed: $(cat "$WORK/headless.err")"
[ "$(json_get "$WORK/snap.json" "len(j['user']['trades'])")" -ge 5 ] ||
	fail "the headless run saw too few user trades to prove anything: $(json_get "$WORK/snap.json" "j['user']['state']")"

# On a screen, credentials from the file: the user view, then the help.
UI_EXPORTS=$WORK/exports
mkdir -p "$UI_EXPORTS"
ui_start 160 50 "$CLOBTOP" --no-gamma --url "ws://127.0.0.1:$SIM_PORT/ws/market" \
	--assets-file "$WORK/assets.txt" --user --user-creds "$WORK/creds" --refresh 200 \
	--export-dir "$UI_EXPORTS"
ui_wait "BUY" 60
ui_keys u
ui_wait "TRADES" 30
ui_wait "CONFIRMED" 60
cp "$WORK/screen" "$WORK/screen.user"
ui_keys u
ui_sync "the user view closed"
ui_keys '?'
ui_wait "your orders and trades" 30
cp "$WORK/screen" "$WORK/screen.help"
ui_keys Escape
ui_keys q
_q=$(deadline 20)
while ui_ours "$CLOBTOP_PID" && before "$_q"; do sleep 0.1; done

for f in "$WORK/open.out" "$WORK/open.err" "$WORK/headless.out" "$WORK/headless.err" \
	"$WORK/rec.jsonl" "$WORK/snap.json" "$WORK/metrics.prom" "$WORK/screen.user" \
	"$WORK/screen.help" "$WORK/err" "$WORK/sim.err" "$WORK/sim.out" "$UI_EXPORTS"/*.json; do
	[ -e "$f" ] || fail "expected output $f is missing"
	for v in "$KEY" "$SECRET" "$PASS"; do
		if grep -qF -- "$v" "$f"; then
			fail "a credential ($(echo "$v" | cut -c1-5)...) appears in $f"
		fi
	done
done
[ -s "$WORK/rec.jsonl" ] && [ -s "$WORK/headless.out" ] || fail "--record or --summary wrote nothing"
grep -q "user channel authenticated" "$WORK/sim.err" || fail "clobsim never authenticated clobtop"
echo "PASS: no credential in $(ls "$UI_EXPORTS" | wc -l) screen snapshots, the screen, the recording, the snapshot, metrics, summary, stderr or clobsim's log"

#!/bin/sh
# No credential leaks: clobtop runs the user channel with a distinctive key, secret and
# passphrase, headless (credentials from the environment) with --record, --export,
# --metrics-file, --summary, an --on-alert hook (its input and its environment),
# --listen (GET /metrics, /snapshot and /healthz during the run) and --redis with a
# stream (every message published on any channel during the run, and every key's value
# during and after it, read from a private redis-server), and on a screen in tmux (from
# a --user-creds file) with the user view and the help up; none of the three values
# appears in any of those outputs, in stdout or stderr, or in clobsim's log.  A
# group-readable credentials file is refused with a clear message, before anything
# connects.  Without redis-server/redis-cli only the Redis part is skipped, said on a
# line of its own.
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/e2e_live_common.sh"
. "$top_srcdir/tests/e2e_ui_lib.sh"
. "$top_srcdir/tests/redis_lib.sh"
PEEK=$top_srcdir/tests/redis_peek.py

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

# Redis: a private server and a subscriber to every channel, both under deadlines.
REDIS_OUTS=""
if [ -x "$REDIS_SERVER" ] && [ -x "$REDIS_CLI" ]; then
	start_redis
	timeout 120 "$PY" "$PEEK" raw "$REDIS_PORT" "$WORK/redis-msgs.txt" &
	PEEK_PID=$!
	PIDS="$PIDS $PEEK_PID"
	sleep 0.3
	set -- --redis "redis://127.0.0.1:$REDIS_PORT" --redis-stream "clobtop:secret"
	REDIS_OUTS="$WORK/redis-msgs.txt $WORK/redis-keys.txt $WORK/redis-keys-end.txt"
else
	echo "SKIP (Redis part only): redis-server/redis-cli not installed; Redis messages and keys not checked"
	set --
fi

# The hook keeps every alert it is given, and the environment it was started with.
printf '#!/bin/sh\nenv >"%s"\ncat >>"%s"; echo >>"%s"\n' "$WORK/hook.env" \
	"$WORK/hook.jsonl" "$WORK/hook.jsonl" >"$WORK/hook.sh"
chmod +x "$WORK/hook.sh"

# Headless, credentials from the environment, every output on; it runs until told to
# quit (--duration is only its deadline), so a slow machine cannot end it too early.
export CLOB_API_KEY="$KEY" CLOB_SECRET="$SECRET" CLOB_PASS_PHRASE="$PASS"
start_top --url "ws://127.0.0.1:$SIM_PORT/ws/market" --assets-file "$WORK/assets.txt" \
	--user --trade-stuck-after 1 --summary --duration 240 --refresh 200 \
	--record "$WORK/rec.jsonl" --export "$WORK/snap.json" --metrics-file "$WORK/metrics.prom" \
	--on-alert "$WORK/hook.sh" --on-alert-severity info --listen 127.0.0.1:0 "$@"
unset CLOB_API_KEY CLOB_SECRET CLOB_PASS_PHRASE
http_port() {
	HTTP_PORT=$(sed -n 's/.*HTTP API on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$WORK/top.err" | head -1)
	[ -n "$HTTP_PORT" ]
}
wait_until 30 "clobtop to say where it listens" http_port
http_port
http_fetch() { # PATH OUT
	"$PY" "$LIVE" get "http://127.0.0.1:$HTTP_PORT$1" >"$2"
}
user_trades() {
	http_fetch /snapshot "$WORK/http-snapshot.json" &&
		[ "$(json_get "$WORK/http-snapshot.json" "len(j['user']['trades'])")" -ge 5 ]
}
wait_until 60 "user trades in /snapshot" user_trades
wait_until 30 "/healthz 200" http_fetch /healthz "$WORK/http-healthz.txt"
http_fetch /metrics "$WORK/http-metrics.txt" || fail "GET /metrics failed"
grep -q '^clobtop_' "$WORK/http-metrics.txt" || fail "/metrics has no clobtop_ series"
# The environment it started with, as /proc shows it: the values are overwritten in place.
tr '\0' '\n' <"/proc/$TOP_PID/environ" >"$WORK/proc-environ.txt" ||
	fail "cannot read /proc/$TOP_PID/environ"
grep -q '^CLOB_SECRET=' "$WORK/proc-environ.txt" ||
	fail "/proc/$TOP_PID/environ does not show the variable: is TOP_PID clobtop?"
# The cache keys live 5 s: read every key while clobtop runs, and again once it is done.
if [ -n "$REDIS_OUTS" ]; then
	"$PY" "$PEEK" dump "$REDIS_PORT" "$WORK/redis-keys.txt" || fail "reading every Redis key failed"
	grep -q '	string	' "$WORK/redis-keys.txt" || fail "no Redis cache key was written"
fi
stop_top
[ "$(json_get "$WORK/snap.json" "len(j['user']['trades'])")" -ge 5 ] ||
	fail "the headless run saw too few user trades to prove anything: $(json_get "$WORK/snap.json" "j['user']['state']")"
[ -s "$WORK/hook.jsonl" ] || fail "the alert hook was given no alert"
if [ -n "$REDIS_OUTS" ]; then
	"$PY" "$PEEK" dump "$REDIS_PORT" "$WORK/redis-keys-end.txt" || fail "reading every Redis key failed"
	grep -q '^polymarket:' "$WORK/redis-msgs.txt" || fail "no Redis message was published"
	grep -q '^clobtop:secret	stream	' "$WORK/redis-keys-end.txt" || fail "the Redis stream is missing"
	echo "redis: $(grep -c . "$WORK/redis-msgs.txt") messages, $(grep -c . "$WORK/redis-keys.txt") keys during the run"
fi

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

for f in "$WORK/open.out" "$WORK/open.err" "$WORK/top.out" "$WORK/top.err" \
	"$WORK/rec.jsonl" "$WORK/snap.json" "$WORK/metrics.prom" "$WORK/screen.user" \
	"$WORK/screen.help" "$WORK/err" "$WORK/sim.err" "$WORK/sim.out" "$UI_EXPORTS"/*.json \
	"$WORK/hook.jsonl" "$WORK/hook.env" "$WORK/http-snapshot.json" "$WORK/http-healthz.txt" \
	"$WORK/http-metrics.txt" "$WORK/proc-environ.txt" $REDIS_OUTS; do
	[ -e "$f" ] || fail "expected output $f is missing"
	for v in "$KEY" "$SECRET" "$PASS"; do
		if grep -qF -- "$v" "$f"; then
			fail "a credential ($(echo "$v" | cut -c1-5)...) appears in $f"
		fi
	done
done
[ -s "$WORK/rec.jsonl" ] && [ -s "$WORK/top.out" ] || fail "--record or --summary wrote nothing"
grep -q "user channel authenticated" "$WORK/sim.err" || fail "clobsim never authenticated clobtop"
echo "PASS: no credential in $(ls "$UI_EXPORTS" | wc -l) screen snapshots, the screen, the recording, the snapshot, metrics, summary, stderr, the alert hook's input and environment, /proc/PID/environ, /snapshot, /metrics, /healthz, ${REDIS_OUTS:+Redis messages and keys, }or clobsim's log"

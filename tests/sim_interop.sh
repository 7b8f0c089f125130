#!/bin/sh
# Interoperability test: clobsim against python3-websockets (a client that is not ours),
# plain and TLS, then faults, then a clean SIGTERM exit with --state-file.
# Every wait is a deadline in seconds; every server started here is stopped by its PID.
. "$(dirname "$0")/lib.sh"
set -u
TEST=$top_srcdir/tests/sim_interop.py

if ! "$PY" -c 'import websockets' 2>/dev/null; then
	echo "SKIP: $PY with python3-websockets is needed (apt-get install python3-websockets)"
	exit 77
fi
fail=0

# named_sim NAME ARGS...: starts clobsim on a free port, logging to $WORK/NAME.log; sets
# PORT and PID.  It runs until stopped (stop_pid, or cleanup) or SIM_SAFETY seconds.
named_sim() {
	name=$1
	shift
	"$CLOBSIM" --port 0 --duration "$SIM_SAFETY" --log "$WORK/$name.log" "$@" \
		>"$WORK/$name.out" 2>"$WORK/$name.err" &
	PID=$!
	PIDS="$PIDS $PID"
	PORT=""
	ns_dl=$(deadline 30)
	while before "$ns_dl"; do
		PORT=$(sed -n 's/^clobsim: listening on 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$WORK/$name.out")
		[ -n "$PORT" ] && return 0
		pid_running "$PID" || break
		sleep 0.05
	done
	echo "FAIL: clobsim ($name) did not report its port within 30 s"
	cat "$WORK/$name.err"
	exit 1
}

# --- plain ws, with a state file written on SIGTERM ---
named_sim basic --rate 1000 --state-file "$WORK/state.json"
echo "basic: port $PORT"
timeout 300 "$PY" "$TEST" basic "$PORT" || fail=1
if ! grep -q 'recv text 4 bytes: PING' "$WORK/basic.log"; then
	echo "FAIL: the log does not show the client's PING frame"
	fail=1
fi
kill -TERM "$PID"
term_dl=$(deadline 15)
while pid_running "$PID" && before "$term_dl"; do sleep 0.05; done
if pid_running "$PID"; then
	echo "FAIL: clobsim did not exit within 15 s of SIGTERM"
	fail=1
elif ! "$PY" -c '
import json, sys
s = json.load(open(sys.argv[1]))
assert s["schema"] == "clobtop.snapshot/1", s["schema"]
assert len(s["assets"]) >= 24, len(s["assets"])
a = s["assets"][0]
assert a["bids"] and a["best_bid"] == a["bids"][0]["price"], a["best_bid"]
' "$WORK/state.json"; then
	echo "FAIL: --state-file is not a valid clobtop snapshot"
	fail=1
fi

# --- TLS (wss/https) with a throw-away self-signed certificate ---
if command -v openssl >/dev/null 2>&1 &&
	openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
		-addext subjectAltName=IP:127.0.0.1 -keyout "$WORK/key.pem" \
		-out "$WORK/cert.pem" >/dev/null 2>&1; then
	named_sim tls --rate 1000 --tls-cert "$WORK/cert.pem" --tls-key "$WORK/key.pem"
	echo "tls: port $PORT"
	timeout 300 "$PY" "$TEST" basic "$PORT" "$WORK/cert.pem" || fail=1
	stop_pid "$PID" 5
else
	echo "tls: skipped (no openssl command to make a certificate)"
fi

# --- faults: fragments, withheld price_changes, abrupt close ---
named_sim faults --rate 20000 --fragment --drop-every 40 --close-after 400
echo "faults: port $PORT"
timeout 300 "$PY" "$TEST" faults "$PORT" || fail=1
stop_pid "$PID" 5

# --- runtime faults through GET /fault ---
named_sim control --rate 1000 --oversize-bytes 2M
echo "control: port $PORT"
timeout 300 "$PY" "$TEST" control "$PORT" || fail=1
stop_pid "$PID" 5

# --- replay: records and raw lines, served byte for byte ---
cat >"$WORK/tape.jsonl" <<'EOF2'
{"t_ns":1000000000,"frame":"{\"market\":\"0x01\",\"asset_id\":\"1\",\"timestamp\":\"1\",\"hash\":\"0\",\"bids\":[],\"asks\":[],\"event_type\":\"book\"}"}
{"t_ns":1000500000,"frame":"PONG"}
{"market":"0x01","price_changes":[],"timestamp":"2","event_type":"price_change"}
[]
EOF2
named_sim replay --replay "$WORK/tape.jsonl" --speed max
echo "replay: port $PORT"
timeout 300 "$PY" "$TEST" replay "$PORT" "$WORK/tape.jsonl" || fail=1
stop_pid "$PID" 5

[ $fail -eq 0 ] && echo "sim_interop: all passed"
exit $fail

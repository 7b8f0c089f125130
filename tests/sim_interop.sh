#!/bin/sh
# Interoperability test: clobsim against python3-websockets (a client that is not ours),
# plain and TLS, then faults, then a clean SIGTERM exit with --state-file.
# Every wait is bounded; every server started here is killed on exit.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
SIM=$top_builddir/src/clobsim
PY=/usr/bin/python3
TEST=$top_srcdir/tests/sim_interop.py

if ! [ -x "$PY" ] || ! "$PY" -c 'import websockets' 2>/dev/null; then
	echo "SKIP: $PY with python3-websockets is needed (apt-get install python3-websockets)"
	exit 77
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/sim_interop.XXXXXX")
PIDS=""
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	rm -rf "$WORK"
}
trap cleanup EXIT INT TERM
fail=0

# start_sim NAME ARGS...: starts clobsim on a free port; sets PORT and PID.
start_sim() {
	name=$1
	shift
	"$SIM" --port 0 --log "$WORK/$name.log" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" &
	PID=$!
	PIDS="$PIDS $PID"
	PORT=""
	i=0
	while [ $i -lt 100 ]; do
		PORT=$(sed -n 's/^clobsim: listening on 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$WORK/$name.out")
		[ -n "$PORT" ] && return 0
		kill -0 "$PID" 2>/dev/null || break
		sleep 0.05
		i=$((i + 1))
	done
	echo "FAIL: clobsim ($name) did not report its port"
	cat "$WORK/$name.err"
	exit 1
}

# --- plain ws, with a state file written on SIGTERM ---
start_sim basic --rate 5000 --duration 120 --state-file "$WORK/state.json"
echo "basic: port $PORT"
timeout 90 "$PY" "$TEST" basic "$PORT" || fail=1
if ! grep -q 'recv text 4 bytes: PING' "$WORK/basic.log"; then
	echo "FAIL: the log does not show the client's PING frame"
	fail=1
fi
kill -TERM "$PID"
i=0
while kill -0 "$PID" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
if kill -0 "$PID" 2>/dev/null; then
	echo "FAIL: clobsim did not exit within 5 s of SIGTERM"
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
	start_sim tls --rate 2000 --duration 120 --tls-cert "$WORK/cert.pem" --tls-key "$WORK/key.pem"
	echo "tls: port $PORT"
	timeout 90 "$PY" "$TEST" basic "$PORT" "$WORK/cert.pem" || fail=1
	kill "$PID" 2>/dev/null
else
	echo "tls: skipped (no openssl command to make a certificate)"
fi

# --- faults: fragments, withheld price_changes, abrupt close ---
start_sim faults --rate 20000 --duration 120 --fragment --drop-every 40 --close-after 400
echo "faults: port $PORT"
timeout 60 "$PY" "$TEST" faults "$PORT" || fail=1
kill "$PID" 2>/dev/null

# --- runtime faults through GET /fault ---
start_sim control --rate 5000 --duration 120 --oversize-bytes 2M
echo "control: port $PORT"
timeout 60 "$PY" "$TEST" control "$PORT" || fail=1
kill "$PID" 2>/dev/null

# --- replay: records and raw lines, served byte for byte ---
cat >"$WORK/tape.jsonl" <<'EOF2'
{"t_ns":1000000000,"frame":"{\"market\":\"0x01\",\"asset_id\":\"1\",\"timestamp\":\"1\",\"hash\":\"0\",\"bids\":[],\"asks\":[],\"event_type\":\"book\"}"}
{"t_ns":1000500000,"frame":"PONG"}
{"market":"0x01","price_changes":[],"timestamp":"2","event_type":"price_change"}
[]
EOF2
start_sim replay --replay "$WORK/tape.jsonl" --speed max --duration 120
echo "replay: port $PORT"
timeout 60 "$PY" "$TEST" replay "$PORT" "$WORK/tape.jsonl" || fail=1
kill "$PID" 2>/dev/null

[ $fail -eq 0 ] && echo "sim_interop: all passed"
exit $fail

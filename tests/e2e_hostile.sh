#!/bin/sh
# Hostile peers against the real clobtop binary (tests/hostile_peer.py on 127.0.0.1):
#  - a server that never reads and floods PINGs: --duration 3 still ends clobtop within
#    6 s, and SIGTERM mid-flood within 2 s (it used to hang until SIGKILL);
#  - a frame announcing 1 GiB: clobtop's peak RSS stays under 100 MB, the connection is
#    closed with 1009 and the oversize is reported.
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/e2e_live_common.sh"
. "$top_srcdir/tests/hostile_lib.sh"

# wait_exit SECS: clobtop gone within SECS seconds (on the clock); status 1 otherwise.
wait_exit() {
	_we_dl=$(deadline "$1")
	while pid_running "$TOP_PID" && before "$_we_dl"; do
		sleep 0.02
	done
	! pid_running "$TOP_PID"
}

# 1. PING flood from a peer that never reads; --duration ends it.
start_peer pingflood
t0=$(now_ms)
start_top --url "ws://127.0.0.1:$HP_PORT/ws/market" --asset 1 --duration 3
wait_exit 9 || fail "--duration 3 under a PING flood: clobtop still running after 9 s"
t1=$(now_ms)
[ $((t1 - t0)) -le 6000 ] || fail "--duration 3 under a PING flood: exited after $((t1 - t0)) ms, expected <= 6000"
wait "$TOP_PID" || fail "--duration 3 under a PING flood: exit status $?, expected 0"
exec 3>&-
stop_peer

# 2. The same flood; SIGTERM mid-flood.
start_peer pingflood
start_top --url "ws://127.0.0.1:$HP_PORT/ws/market" --asset 1
sleep 1.5
kill -0 "$TOP_PID" 2>/dev/null || { cat "$WORK/top.err" >&2; fail "clobtop exited before SIGTERM"; }
t0=$(now_ms)
kill -TERM "$TOP_PID"
wait_exit 5 || fail "SIGTERM under a PING flood: clobtop still running after 5 s"
t1=$(now_ms)
[ $((t1 - t0)) -le 2000 ] || fail "SIGTERM under a PING flood: exited after $((t1 - t0)) ms, expected <= 2000"
exec 3>&-
stop_peer

# 3. A frame announcing 1 GiB, streamed as fast as clobtop takes it.
start_peer bigframe --size 1073741824
start_top --url "ws://127.0.0.1:$HP_PORT/ws/market" --asset 1 --backoff-min 0.5 \
	--backoff-max 1 --export "$WORK/big.json"
wait_until 30 "a close 1009 recorded by the peer" grep -q '^1 CLOSE 1009' "$WORK/peer.rec"
sleep 2 # reconnections meet the same frame
hwm=$(sed -n 's/^VmHWM:[^0-9]*\([0-9]*\) kB/\1/p' "/proc/$TOP_PID/status")
[ -n "$hwm" ] || fail "no VmHWM for clobtop"
[ "$hwm" -lt 102400 ] || fail "peak RSS $hwm kB under a 1 GiB frame, expected < 100 MB"
stop_top
snap_check "$WORK/big.json" <<'PY'
expect(c["oversize"] >= 1, "the oversize counted", c)
closed = [a["message"] for a in alerts if "closed 1009" in a["message"]]
expect(closed and "1073741824" in closed[0], "a 'closed 1009' alert naming the size", closed)
PY
grep -q '^1 SENT ALL' "$WORK/peer.rec" && fail "the peer could send the whole 1 GiB: not dropped early"
stop_peer
echo "ok (peak RSS ${hwm} kB)"

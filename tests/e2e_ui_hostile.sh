#!/bin/sh
# The dashboard under a PING flood from a peer that never reads (tests/hostile_peer.py):
# 'q' ends clobtop and restores the terminal within 2 s, where it once froze in
# libcurl's automatic PONG and left the terminal unrestored until SIGKILL.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/e2e_ui_lib.sh"
. "$top_srcdir/tests/hostile_lib.sh"

start_peer pingflood
ui_start 100 30 "$CLOBTOP" --url "ws://127.0.0.1:$HP_PORT/ws/market" --asset 1 --no-gamma
ui_wait " assets "
sleep 1.5 # let the flood fill the socket
pid_running "$CLOBTOP_PID" || fail "clobtop exited before 'q'"
t0=$(now_ms)
ui_keys q
dl=$(deadline 10)
while pid_running "$CLOBTOP_PID" && before "$dl"; do
	sleep 0.02
done
t1=$(now_ms)
pid_running "$CLOBTOP_PID" && fail "'q' under a PING flood: clobtop still running after 10 s"
[ $((t1 - t0)) -le 2000 ] || fail "'q' under a PING flood: exited after $((t1 - t0)) ms, expected <= 2000"
ui_expect_restored 0 "'q' under a PING flood"
stop_peer
echo "ok (exited $((t1 - t0)) ms after 'q')"

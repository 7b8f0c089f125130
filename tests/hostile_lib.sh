# Shared by the hostile-peer end-to-end tests: start tests/hostile_peer.py on 127.0.0.1
# and stop it by PID.  Source after tests/lib.sh.
HOSTILE=$top_srcdir/tests/hostile_peer.py

# start_peer SCRIPT ARGS...: sets HP_PID and HP_PORT; records in $WORK/peer.rec.  The peer
# ends itself after 25 s whatever happens.
start_peer() {
	_s=$1
	shift
	: >"$WORK/peer.out"
	: >"$WORK/peer.rec"
	"$PY" "$HOSTILE" --script "$_s" --record "$WORK/peer.rec" --lifetime 25 "$@" \
		>"$WORK/peer.out" 2>"$WORK/peer.err" &
	HP_PID=$!
	PIDS="$PIDS $HP_PID"
	_sp_dl=$(deadline 30)
	while before "$_sp_dl"; do
		HP_PORT=$(head -1 "$WORK/peer.out")
		[ -n "$HP_PORT" ] && return 0
		pid_running "$HP_PID" || { cat "$WORK/peer.err"; fail "hostile_peer.py exited"; }
		sleep 0.05
	done
	fail "hostile_peer.py did not print its port within 30 s"
}

stop_peer() {
	kill "$HP_PID" 2>/dev/null
	wait "$HP_PID" 2>/dev/null
}

now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

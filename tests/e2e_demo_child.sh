#!/bin/sh
# clobtop --demo never leaves its clobsim child behind, however it ends: a start-up
# failure after clobsim started (--record into a missing directory, exit 2), a normal
# end (--duration), SIGTERM, SIGINT and SIGHUP, a signal while clobsim is still starting,
# and SIGKILL (the child's parent-death signal).  clobsim's PID is taken from a --sim
# wrapper that writes its own PID and then execs clobsim, so the PID is clobsim's.
. "$(dirname "$0")/lib.sh"

cat >"$WORK/sim.sh" <<EOS
#!/bin/sh
echo \$\$ >"$WORK/sim.pid"
[ -n "\${SIM_DELAY:-}" ] && sleep "\$SIM_DELAY"
exec "$CLOBSIM" "\$@"
EOS
chmod +x "$WORK/sim.sh"

now() { date +%s; }

# gone PID SECONDS: true once PID has exited (or is a zombie nobody reaped) in time.
gone() {
	end=$(($(now) + $2))
	while [ "$(now)" -le "$end" ]; do
		kill -0 "$1" 2>/dev/null || return 0
		case $(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null) in Z*) return 0 ;; esac
		sleep 0.1
	done
	return 1
}

# sim_pid SECONDS: waits for the wrapper's PID file; prints the PID.
sim_pid() {
	end=$(($(now) + $1))
	while [ "$(now)" -le "$end" ]; do
		[ -s "$WORK/sim.pid" ] && { cat "$WORK/sim.pid"; return 0; }
		sleep 0.1
	done
	fail "the --demo child never started (no $WORK/sim.pid)"
}

# await PID SECONDS: the exit status of background job PID, or fail after SECONDS.
await() {
	gone "$1" "$2" || { kill -9 "$1"; fail "clobtop $1 still running after $2 s"; }
	wait "$1"
}

# run_case NAME EXPECTED-STATUS SIGNAL [CLOBTOP ARGS...]: SIGNAL is '-' for none.
run_case() {
	name=$1 want=$2 sig=$3
	shift 3
	rm -f "$WORK/sim.pid"
	"$CLOBTOP" --demo --headless --no-gamma --sim "$WORK/sim.sh" "$@" </dev/null \
		>"$WORK/$name.out" 2>"$WORK/$name.err" &
	top=$!
	PIDS="$PIDS $top"
	sim=$(sim_pid 10)
	PIDS="$PIDS $sim"
	if [ "$sig" != - ]; then
		sleep 1
		kill -"$sig" "$top"
	fi
	await "$top" 20
	got=$?
	[ "$got" = "$want" ] ||
		fail "$name: clobtop exited $got, expected $want (stderr: $(cat "$WORK/$name.err"))"
	gone "$sim" 5 || fail "$name: clobsim $sim outlived clobtop (exit $got)"
	echo "ok: $name (clobtop exit $got, clobsim $sim gone)"
}

run_case record_failure 2 - --record /nonexistent/dir/rec.jsonl
grep -q "cannot" "$WORK/record_failure.err" ||
	fail "the --record failure was not reported: $(cat "$WORK/record_failure.err")"
run_case duration 0 - --duration 1
run_case sigterm 0 TERM
run_case sigint 0 INT
run_case sighup 0 HUP
run_case sigkill 137 KILL
SIM_DELAY=5
export SIM_DELAY
run_case term_while_starting 2 TERM
grep -q "interrupted" "$WORK/term_while_starting.err" ||
	fail "a signal during start-up was not reported: $(cat "$WORK/term_while_starting.err")"

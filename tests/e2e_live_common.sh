# Shared helpers for the live-feed end-to-end tests (sourced after tests/lib.sh; not a
# test itself).  clobtop runs headless with its standard input on a FIFO held open on
# file descriptor 3, so a test can send it commands (sub, unsub, export, quit).  Every
# wait is a deadline in seconds on the clock; every process is killed by PID in lib.sh's
# cleanup.
LIVE=$top_srcdir/tests/e2e_live.py

# sim_get PATH: GET http://127.0.0.1:$SIM_PORT/PATH on standard output ($SIM_SCHEME
# https for a TLS clobsim, verified against $E2E_CA).
sim_get() {
	"$PY" "$LIVE" get "${SIM_SCHEME:-http}://127.0.0.1:$SIM_PORT$1"
}

# sim_fault KIND: inject one fault (or pause / play) through clobsim's REST API.
sim_fault() {
	sim_get "/fault?kind=$1" >"$WORK/fault.json" || fail "GET /fault?kind=$1 failed"
	grep -q '"ok":true' "$WORK/fault.json" || fail "/fault?kind=$1 answered $(cat "$WORK/fault.json")"
}

# start_top ARGS...: clobtop --headless --no-gamma ARGS, commands on fd 3; sets TOP_PID.
start_top() {
	rm -f "$WORK/top.in"
	mkfifo "$WORK/top.in" || fail "mkfifo"
	"$CLOBTOP" --headless --no-gamma "$@" <"$WORK/top.in" >"$WORK/top.out" 2>"$WORK/top.err" &
	TOP_PID=$!
	PIDS="$PIDS $TOP_PID"
	exec 3>"$WORK/top.in"
}

top_cmd() {
	echo "$*" >&3 || fail "clobtop no longer reads its commands"
}

# try_until SECS DESCRIPTION COMMAND...: run COMMAND until it succeeds or SECS seconds
# (on the clock) have passed; status 1 when it never succeeded.
try_until() {
	_tu_dl=$(deadline "$1")
	_what=$2
	shift 2
	while :; do
		"$@" >/dev/null 2>&1 && return 0
		pid_running "$TOP_PID" || { cat "$WORK/top.err" >&2; fail "clobtop exited while waiting for $_what"; }
		before "$_tu_dl" || return 1
		sleep 0.1
	done
}

# wait_until SECS DESCRIPTION COMMAND...: the same, failing the test on time-out.
wait_until() {
	try_until "$@" || fail "timed out after $1 s waiting for $2"
}

# top_export PATH: ask clobtop for a snapshot through standard input and wait for it.
# (Its own deadline variable: it runs inside try_until's loop, and sh has no locals.)
top_export() {
	rm -f "$1"
	top_cmd "export $1"
	_te_dl=$(deadline 20)
	while ! [ -s "$1" ]; do
		before "$_te_dl" || fail "clobtop wrote no snapshot $1 within 20 s"
		pid_running "$TOP_PID" || { cat "$WORK/top.err" >&2; fail "clobtop exited"; }
		sleep 0.05
	done
}

# top_snapshot_has PYTHON-EXPRESSION-ON-j: export a snapshot and evaluate; for wait_until.
top_snapshot_has() {
	top_export "$WORK/probe.json" &&
		"$PY" -c "import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if ($1) else 1)" \
			"$WORK/probe.json"
}

# top_more_frames N: wait until clobtop has received N more frames than it has now (the
# flow goes on after an event, before a test pauses it).
top_more_frames() {
	top_export "$WORK/probe.json"
	_mf=$(($(json_get "$WORK/probe.json" "j['counters']['frames']") + $1))
	wait_until 60 "$1 more frames" top_snapshot_has "j['counters']['frames'] >= $_mf"
}

# converge IDS-FILE SECS: with clobsim's flow paused, export clobtop's books until they
# equal /state for every token in IDS-FILE (a resync may still be on its way); fails with
# the last difference after SECS seconds.  Leaves the matching snapshot in
# $WORK/final.json.
converge() {
	_cv_dl=$(deadline "$2")
	sim_get /state >"$WORK/truth.json" || fail "GET /state failed"
	while :; do
		top_export "$WORK/final.json"
		"$PY" "$LIVE" compare "$WORK/final.json" "$WORK/truth.json" "$1" >"$WORK/cmp.txt" && {
			cat "$WORK/cmp.txt"
			return 0
		}
		before "$_cv_dl" || break
		sleep 0.2
	done
	cat "$WORK/cmp.txt" >&2
	fail "clobtop's books did not converge on clobsim's truth within $2 s"
}

# pause_and_converge ASSETS-FILE SECS: stops clobsim's flow, waits (SECS each) until every
# asset is fresh or quiet again (resyncs asked for just before the pause are answered
# after it), then until the books equal clobsim's truth (converge).
pause_and_converge() {
	sim_fault pause
	wait_until "$2" "every asset fresh or quiet once the flow stopped" top_snapshot_has \
		'all(a["state"] in ("fresh", "quiet") for a in j["assets"])'
	converge "$1" "$2"
}

# stop_top [STATUS]: quit on standard input; clobtop must exit with STATUS (default 0)
# within 15 s.
stop_top() {
	top_cmd quit
	exec 3>&-
	_st_dl=$(deadline 15)
	while pid_running "$TOP_PID" && before "$_st_dl"; do
		sleep 0.05
	done
	pid_running "$TOP_PID" && fail "clobtop did not exit within 15 s of 'quit'"
	wait "$TOP_PID"
	_rc=$?
	[ $_rc -eq "${1:-0}" ] || { cat "$WORK/top.err" >&2; fail "clobtop exited $_rc, expected ${1:-0}"; }
}

# snap_check SNAP <<'PY' ... PY: python assertions on the snapshot j; the script appends
# messages to 'errors' (expected vs got); any error fails the test.
snap_check() {
	{
		cat <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
errors = []
c = j["counters"]
conn = j["connection"]
alerts = j["alerts"]
def kinds(k):
    return [a for a in alerts if a["kind"] == k]
def expect(cond, what, got):
    if not cond:
        errors.append("expected %s, got %s" % (what, got))
PY
		cat
		cat <<'PY'
if errors:
    print("\n".join(errors))
    sys.exit(1)
PY
	} >"$WORK/check.py"
	"$PY" "$WORK/check.py" "$1" || fail "snapshot $1 checks failed (see above)"
}

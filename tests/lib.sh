# Shared helpers for the end-to-end tests (sourced).  Every wait is a deadline in seconds
# measured on the clock (never a count of loop turns: a loaded machine makes each turn
# slower); every process a test starts is killed by its PID when the test exits.
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
CLOBTOP=$top_builddir/src/clobtop
CLOBSIM=$top_builddir/src/clobsim
# configure's python3, passed by 'make check' (AM_TESTS_ENVIRONMENT).
PY=${PYTHON3:-python3}
DATA=$top_srcdir/data
# A clobsim a test starts runs until the test stops it (by PID, in cleanup); this is
# only the deadline after which it exits by itself should everything else fail.
SIM_SAFETY=600
command -v "$PY" >/dev/null 2>&1 || {
	echo "SKIP: python3 ($PY) is needed by the end-to-end tests"
	exit 77
}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/clobtop-e2e.XXXXXX")
PIDS=""
# Never the operator's config or saved view: every test gets its own home.
HOME=$WORK/home
XDG_CONFIG_HOME=$WORK/xdg-config
XDG_STATE_HOME=$WORK/xdg-state
mkdir -p "$HOME"
export HOME XDG_CONFIG_HOME XDG_STATE_HOME

# now_ms: the wall clock in milliseconds.
now_ms() {
	date +%s%3N
}

# deadline SECS: the time SECS seconds (decimals allowed) from now, in milliseconds.
deadline() {
	echo $(($(now_ms) + $(awk -v s="$1" 'BEGIN { printf "%d", s * 1000 }')))
}

# before DEADLINE: the clock has not reached DEADLINE yet.
before() {
	[ "$(now_ms)" -lt "$1" ]
}

# pid_running PID: PID is a live process (not gone, not a zombie awaiting its parent).
pid_running() {
	_ps=$(sed -n 's/^.*) \(.\).*/\1/p' "/proc/$1/stat" 2>/dev/null)
	[ -n "$_ps" ] && [ "$_ps" != Z ]
}

# stop_pid PID SECS: SIGTERM, then SIGKILL if PID still runs after SECS seconds.
stop_pid() {
	kill "$1" 2>/dev/null || return 0
	_sp_dl=$(deadline "$2")
	while pid_running "$1" && before "$_sp_dl"; do sleep 0.05; done
	pid_running "$1" && kill -9 "$1" 2>/dev/null
	return 0
}

cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	for p in $PIDS; do stop_pid "$p" 5; done
	if [ "${KEEP_WORK:-}" = "" ]; then rm -rf "$WORK"; else echo "work dir kept: $WORK"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# start_sim ARGS...: clobsim on a free port; sets SIM_PID and SIM_PORT.  It lives until
# the test ends (cleanup stops it) or SIM_SAFETY seconds pass; a --duration in ARGS
# comes later on the command line and wins.
start_sim() {
	: >"$WORK/sim.out"
	"$CLOBSIM" --port 0 --duration "$SIM_SAFETY" "$@" >"$WORK/sim.out" 2>"$WORK/sim.err" &
	SIM_PID=$!
	PIDS="$PIDS $SIM_PID"
	_ss_dl=$(deadline 30)
	while before "$_ss_dl"; do
		SIM_PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$WORK/sim.out" | head -1)
		[ -n "$SIM_PORT" ] && return 0
		pid_running "$SIM_PID" || { cat "$WORK/sim.err"; fail "clobsim exited"; }
		sleep 0.05
	done
	fail "clobsim did not print its port within 30 s"
}

# json_get FILE PYTHON-EXPRESSION-ON-j: prints the value.
json_get() {
	"$PY" -c "import json,sys; j=json.load(open(sys.argv[1])); print($2)" "$1"
}

# Shared helpers for the end-to-end tests (sourced).  Every wait is bounded; every process
# a test starts is killed when the test exits.
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
CLOBTOP=$top_builddir/src/clobtop
CLOBSIM=$top_builddir/src/clobsim
PY=/usr/bin/python3
DATA=$top_srcdir/data
WORK=$(mktemp -d "${TMPDIR:-/tmp}/clobtop-e2e.XXXXXX")
PIDS=""
# Never the operator's config or saved view: every test gets its own home.
HOME=$WORK/home
XDG_CONFIG_HOME=$WORK/xdg-config
XDG_STATE_HOME=$WORK/xdg-state
mkdir -p "$HOME"
export HOME XDG_CONFIG_HOME XDG_STATE_HOME

cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	sleep 0.2
	for p in $PIDS; do kill -9 "$p" 2>/dev/null; done
	if [ "${KEEP_WORK:-}" = "" ]; then rm -rf "$WORK"; else echo "work dir kept: $WORK"; fi
}
trap cleanup EXIT INT TERM

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# start_sim ARGS...: clobsim on a free port; sets SIM_PID and SIM_PORT.
start_sim() {
	: >"$WORK/sim.out"
	"$CLOBSIM" --port 0 "$@" >"$WORK/sim.out" 2>"$WORK/sim.err" &
	SIM_PID=$!
	PIDS="$PIDS $SIM_PID"
	i=0
	while [ $i -lt 100 ]; do
		SIM_PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$WORK/sim.out" | head -1)
		[ -n "$SIM_PORT" ] && return 0
		kill -0 "$SIM_PID" 2>/dev/null || { cat "$WORK/sim.err"; fail "clobsim exited"; }
		sleep 0.1
		i=$((i + 1))
	done
	fail "clobsim did not print its port within 10 s"
}

# json_get FILE PYTHON-EXPRESSION-ON-j: prints the value.
json_get() {
	"$PY" -c "import json,sys; j=json.load(open(sys.argv[1])); print($2)" "$1"
}

# Helpers for the screen end-to-end tests (sourced after lib.sh): the real clobtop in a
# private tmux server (its own socket under $WORK, no user config, no status bar, so the
# pane is exactly the size asked), driven with send-keys and read with capture-pane.
#
# A session runs clobtop from a small script that records the tty modes before and
# after, prints CLOBTOP-EXIT=<status>, then execs an interactive shell whose prompt
# shows, so a test can prove the terminal came back.  Every wait is a deadline in seconds
# on the clock; the tmux server is killed when the test exits, whatever happens.

# configure's tmux, passed by 'make check' (AM_TESTS_ENVIRONMENT).
TMUX_BIN=${TMUX_PROG:-tmux}
command -v "$TMUX_BIN" >/dev/null 2>&1 || {
	echo "SKIP: tmux ($TMUX_BIN) not installed"
	exit 77
}
TSOCK=$WORK/tmux.sock
TTERM=tmux-256color
infocmp "$TTERM" >/dev/null 2>&1 || TTERM=screen
printf 'set -g status off\nset -g default-terminal %s\nset -g history-limit 0\n' "$TTERM" \
	>"$WORK/tmux.conf"
T="$TMUX_BIN -S $TSOCK -f $WORK/tmux.conf"
PROMPT='e2e-prompt$'

# ui_ours PID: PID is still one of the programs this test started (not a reused pid).
ui_ours() {
	{ tr '\0' ' ' <"/proc/$1/cmdline"; } 2>/dev/null | grep -qE 'clobtop|script'
}

# Killing the tmux server hangs up the pane; clobtop then shuts down by itself (and stops
# a --demo clobsim).  Whatever still runs 1 s later gets SIGTERM, and SIGKILL 2 s after
# that: script(1), for one, outlives its terminal while its child runs.
ui_cleanup() {
	$T kill-server 2>/dev/null
	for p in $(cat "$WORK"/pid "$WORK"/inner.pid 2>/dev/null); do
		_uc_dl=$(deadline 1)
		while ui_ours "$p" && before "$_uc_dl"; do sleep 0.05; done
		ui_ours "$p" && kill -TERM "$p" 2>/dev/null
		_uc_dl=$(deadline 2)
		while ui_ours "$p" && before "$_uc_dl"; do sleep 0.05; done
		ui_ours "$p" && kill -KILL "$p" 2>/dev/null
	done
	cleanup
}
trap ui_cleanup EXIT
trap 'exit 1' INT TERM

# ui_start COLS ROWS CMD...: a fresh session "ui" of that size running CMD (words, no
# quoting needed beyond plain paths).  CMD's pid goes to $WORK/pid, its stderr to
# $WORK/err.
ui_start() {
	_w=$1
	_h=$2
	shift 2
	$T kill-server 2>/dev/null
	rm -f "$WORK/pid" "$WORK/stty.before" "$WORK/stty.after"
	cat >"$WORK/run.sh" <<EOF
stty -a >"$WORK/stty.before" 2>&1
sh -c 'echo \$\$ >"\$0"; exec "\$@"' "$WORK/pid" $* 2>"$WORK/err"
echo "CLOBTOP-EXIT=\$?"
stty -a >"$WORK/stty.after" 2>&1
PS1='$PROMPT ' exec sh -i
EOF
	# A loaded machine (or a server from the last start still shutting down on the same
	# socket) can make one attempt fail: try again until a deadline, then fail.
	_ts=$(deadline 20)
	until $T new-session -d -s ui -x "$_w" -y "$_h" \
		"env LANG=C.UTF-8 LC_ALL=C.UTF-8 sh $WORK/run.sh" 2>"$WORK/tmux.err"; do
		before "$_ts" || fail "tmux could not start a session: $(cat "$WORK/tmux.err")"
		$T kill-server 2>/dev/null
		sleep 0.5
	done
	_us_dl=$(deadline 30)
	while [ ! -s "$WORK/pid" ] && before "$_us_dl"; do
		sleep 0.05
	done
	[ -s "$WORK/pid" ] || fail "the command did not start in tmux within 30 s"
	CLOBTOP_PID=$(cat "$WORK/pid")
}

# ui_cap [FILE]: the visible screen into FILE (default $WORK/screen).
ui_cap() {
	$T capture-pane -p -t ui >"${1:-$WORK/screen}" 2>/dev/null
}

# ui_wait TEXT [SECS]: up to SECS seconds (default 30) for TEXT on the screen.
ui_wait() {
	_uw_dl=$(deadline "${2:-30}")
	while :; do
		ui_cap
		grep -qF -- "$1" "$WORK/screen" && return 0
		before "$_uw_dl" || break
		sleep 0.1
	done
	cat "$WORK/screen" >&2
	[ -s "$WORK/err" ] && sed 's/^/stderr: /' "$WORK/err" >&2
	fail "expected \"$1\" on the screen within ${2:-30} s"
}

# ui_wait_gone TEXT [SECS]: the opposite.
ui_wait_gone() {
	_ug_dl=$(deadline "${2:-30}")
	while :; do
		ui_cap
		grep -qF -- "$1" "$WORK/screen" || return 0
		before "$_ug_dl" || break
		sleep 0.1
	done
	cat "$WORK/screen" >&2
	fail "\"$1\" still on the screen after ${2:-30} s"
}

# ui_snapshots: how many snapshots clobtop has written into the directory $UI_EXPORTS.
ui_snapshots() {
	ls "$UI_EXPORTS" 2>/dev/null | grep -c '^clobtop-snapshot-.*\.json$'
}

# ui_sync WHAT: press 'e' and wait (30 s) for the snapshot it writes into $UI_EXPORTS
# (clobtop's --export-dir): proof that clobtop is alive and has handled every key sent
# before.  (Only where no prompt or overlay would take the key.)
ui_sync() {
	_sy_n=$(ui_snapshots)
	ui_keys e
	_sy_dl=$(deadline 30)
	while [ "$(ui_snapshots)" -le "$_sy_n" ]; do
		ui_alive || fail "$1: clobtop died: $(cat "$WORK/err")"
		before "$_sy_dl" || fail "$1: clobtop wrote no snapshot within 30 s of 'e'"
		sleep 0.05
	done
}

# ui_sim_tokens N: up to 30 s (on the clock) for clobsim's --assets-out file
# $WORK/assets.all to list N tokens; fails otherwise.
ui_sim_tokens() {
	_st_dl=$(deadline 30)
	while [ "$(wc -l <"$WORK/assets.all" 2>/dev/null || echo 0)" -lt "$1" ] && before "$_st_dl"; do
		sleep 0.05
	done
	[ "$(wc -l <"$WORK/assets.all")" -eq "$1" ] ||
		fail "clobsim wrote $(wc -l <"$WORK/assets.all") tokens to --assets-out, expected $1"
}

ui_keys() {
	$T send-keys -t ui "$@"
}

# ui_type TEXT: literal text (no key-name lookup).
ui_type() {
	$T send-keys -t ui -l -- "$1"
}

ui_flag() {
	$T display-message -p -t ui "#{$1}"
}

# ui_alive: clobtop is still running.
ui_alive() {
	kill -0 "$CLOBTOP_PID" 2>/dev/null
}

# ui_max_width FILE: the widest line of a capture, in terminal columns.
ui_max_width() {
	"$PY" -c '
import sys, unicodedata
w = 0
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    line = line.rstrip("\n")
    w = max(w, sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line))
print(w)' "$1"
}

# ui_check_width COLS WHAT: no line of the current screen is wider than COLS.
ui_check_width() {
	ui_cap "$WORK/wcheck"
	_mw=$(ui_max_width "$WORK/wcheck")
	[ "$_mw" -le "$1" ] || {
		cat "$WORK/wcheck" >&2
		fail "$2: a line is $_mw columns wide in a $1-column window"
	}
}

# ui_expect_restored CODE WHAT: clobtop exited with CODE and left the terminal as it found
# it: the shell prompt is back, the alternate screen, mouse reporting and keypad mode are
# off, the cursor is visible, and the tty modes (stty -a, size aside) are the same.
ui_expect_restored() {
	ui_wait "CLOBTOP-EXIT=" 30
	grep -qF "CLOBTOP-EXIT=$1" "$WORK/screen" || {
		cat "$WORK/screen" >&2
		sed 's/^/stderr: /' "$WORK/err" >&2
		fail "$2: expected exit status $1, got $(sed -n 's/.*CLOBTOP-EXIT=\([0-9]*\).*/\1/p' "$WORK/screen")"
	}
	ui_wait "$PROMPT" 30
	for f in alternate_on mouse_any_flag mouse_button_flag mouse_standard_flag \
		mouse_sgr_flag keypad_cursor_flag; do
		v=$(ui_flag $f)
		[ "$v" = 0 ] || fail "$2: tmux reports $f=$v after exit, expected 0"
	done
	v=$(ui_flag cursor_flag)
	[ "$v" = 1 ] || fail "$2: the cursor is hidden after exit (cursor_flag=$v)"
	_ur_dl=$(deadline 30)
	while [ ! -s "$WORK/stty.after" ] && before "$_ur_dl"; do
		sleep 0.05
	done
	sed 1d "$WORK/stty.before" >"$WORK/stty.b"
	sed 1d "$WORK/stty.after" >"$WORK/stty.a"
	cmp -s "$WORK/stty.b" "$WORK/stty.a" || {
		diff "$WORK/stty.b" "$WORK/stty.a" >&2
		fail "$2: the tty modes differ after exit (stty -a before vs after)"
	}
}

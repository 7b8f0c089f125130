# Helpers for the screen end-to-end tests (sourced after lib.sh): the real clobtop in a
# private tmux server (its own socket under $WORK, no user config, no status bar, so the
# pane is exactly the size asked), driven with send-keys and read with capture-pane.
#
# A session runs clobtop from a small script that records the tty modes before and
# after, prints CLOBTOP-EXIT=<status>, then execs an interactive shell whose prompt
# shows, so a test can prove the terminal came back.  Every wait is bounded; the tmux
# server is killed when the test exits, whatever happens.

command -v tmux >/dev/null 2>&1 || {
	echo "SKIP: tmux not installed"
	exit 77
}
TSOCK=$WORK/tmux.sock
TTERM=tmux-256color
infocmp "$TTERM" >/dev/null 2>&1 || TTERM=screen
printf 'set -g status off\nset -g default-terminal %s\nset -g history-limit 0\n' "$TTERM" \
	>"$WORK/tmux.conf"
T="tmux -S $TSOCK -f $WORK/tmux.conf"
PROMPT='e2e-prompt$'

# ui_ours PID: PID is still one of the programs this test started (not a reused pid).
ui_ours() {
	{ tr '\0' ' ' <"/proc/$1/cmdline"; } 2>/dev/null | grep -qE 'clobtop|script'
}

# Killing the tmux server hangs up the pane; clobtop then shuts down by itself (and stops
# a --demo clobsim).  Whatever is still running after 3 s is killed: script(1), for one,
# outlives its terminal while its child runs.
ui_cleanup() {
	$T kill-server 2>/dev/null
	for p in $(cat "$WORK"/pid "$WORK"/inner.pid 2>/dev/null); do
		i=0
		while ui_ours "$p" && [ $i -lt 30 ]; do
			[ $i -eq 10 ] && kill -TERM "$p" 2>/dev/null
			sleep 0.1
			i=$((i + 1))
		done
		ui_ours "$p" && kill -KILL "$p" 2>/dev/null
	done
	cleanup
}
trap ui_cleanup EXIT INT TERM

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
	$T new-session -d -s ui -x "$_w" -y "$_h" \
		"env LANG=C.UTF-8 LC_ALL=C.UTF-8 sh $WORK/run.sh" ||
		fail "tmux could not start a session"
	i=0
	while [ ! -s "$WORK/pid" ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -s "$WORK/pid" ] || fail "the command did not start in tmux"
	CLOBTOP_PID=$(cat "$WORK/pid")
}

# ui_cap [FILE]: the visible screen into FILE (default $WORK/screen).
ui_cap() {
	$T capture-pane -p -t ui >"${1:-$WORK/screen}" 2>/dev/null
}

# ui_wait TEXT [TENTHS]: up to TENTHS/10 s (default 10 s) for TEXT on the screen.
ui_wait() {
	i=0
	while [ $i -lt "${2:-100}" ]; do
		ui_cap
		grep -qF -- "$1" "$WORK/screen" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	cat "$WORK/screen" >&2
	[ -s "$WORK/err" ] && sed 's/^/stderr: /' "$WORK/err" >&2
	fail "expected \"$1\" on the screen within $((${2:-100} / 10)) s"
}

# ui_wait_gone TEXT [TENTHS]: the opposite.
ui_wait_gone() {
	i=0
	while [ $i -lt "${2:-100}" ]; do
		ui_cap
		grep -qF -- "$1" "$WORK/screen" || return 0
		sleep 0.1
		i=$((i + 1))
	done
	cat "$WORK/screen" >&2
	fail "\"$1\" still on the screen after $((${2:-100} / 10)) s"
}

# ui_sim_tokens N: up to 5 s for clobsim's --assets-out file $WORK/assets.all to list N
# tokens; fails otherwise.
ui_sim_tokens() {
	i=0
	while [ "$(wc -l <"$WORK/assets.all" 2>/dev/null || echo 0)" -lt "$1" ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
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
	ui_wait "CLOBTOP-EXIT=" 300
	grep -qF "CLOBTOP-EXIT=$1" "$WORK/screen" || {
		cat "$WORK/screen" >&2
		sed 's/^/stderr: /' "$WORK/err" >&2
		fail "$2: expected exit status $1, got $(sed -n 's/.*CLOBTOP-EXIT=\([0-9]*\).*/\1/p' "$WORK/screen")"
	}
	ui_wait "$PROMPT" 50
	for f in alternate_on mouse_any_flag mouse_button_flag mouse_standard_flag \
		mouse_sgr_flag keypad_cursor_flag; do
		v=$(ui_flag $f)
		[ "$v" = 0 ] || fail "$2: tmux reports $f=$v after exit, expected 0"
	done
	v=$(ui_flag cursor_flag)
	[ "$v" = 1 ] || fail "$2: the cursor is hidden after exit (cursor_flag=$v)"
	i=0
	while [ ! -s "$WORK/stty.after" ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	sed 1d "$WORK/stty.before" >"$WORK/stty.b"
	sed 1d "$WORK/stty.after" >"$WORK/stty.a"
	cmp -s "$WORK/stty.b" "$WORK/stty.a" || {
		diff "$WORK/stty.b" "$WORK/stty.a" >&2
		fail "$2: the tty modes differ after exit (stty -a before vs after)"
	}
}

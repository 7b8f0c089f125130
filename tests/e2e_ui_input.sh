#!/bin/sh
# End-to-end test that no input stalls the dashboard: the real clobtop --demo (a lively
# clobsim child) in tmux, TERM=xterm-256color so mouse reports come as SGR sequences.
#
# Proves: after an SGR mouse click and its release (ESC[<0;6;11M, ESC[<0;6;11m) the
# screen keeps updating with no further key (ncurses used to block in read(0) waiting
# for a mouse event in its mask), and the click selected the row under it; after Ctrl-S
# on a tty with ixon the screen keeps updating (flow control is off while the screen is
# up, so ^S is a key, not a stop), Ctrl-Q and q exit 0, and the tty modes (ixon
# included) are the same after exit as before.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/e2e_ui_lib.sh"
T0=$(date +%s)

# ui_expect_live WHAT: the header (clock, message rates) changes twice within 15 s (on the
# clock; it changes every second) while no key is sent; a stalled loop or a stopped tty
# leaves it as it was.
ui_expect_live() {
	ui_cap
	_prev=$(head -n 1 "$WORK/screen")
	_first=$_prev
	_changes=0
	_el_dl=$(deadline 15)
	while [ $_changes -lt 2 ] && before "$_el_dl"; do
		sleep 0.1
		ui_cap
		_now=$(head -n 1 "$WORK/screen")
		if [ "$_now" != "$_prev" ]; then
			_changes=$((_changes + 1))
			_prev=$_now
		fi
	done
	[ $_changes -ge 2 ] || {
		cat "$WORK/screen" >&2
		fail "$1: expected the header to change twice within 15 s, it changed $_changes time(s) (still \"$_first\")"
	}
}

ui_start 120 40 env TERM=xterm-256color "$CLOBTOP" --demo --refresh 250
ui_wait " assets 1/"
ui_wait " fresh"
# Label order: worst first (the default) moves rows whenever an asset changes state
# (the demo crosses books on purpose), and the selection follows its asset.
ui_keys s g
ui_wait " sort label"
ui_wait " assets 1/"
grep -qE '(^| )ixon( |$)' "$WORK/stty.before" ||
	fail "the tmux pane starts with -ixon, so Ctrl-S proves nothing: $(grep -o '.ixon' "$WORK/stty.before")"
ui_expect_live "before any input"

# The click: column 6, row 11 is a row of the assets table (below its title on row 5 and
# header on row 6), the fifth shown; selecting it makes the title say 5/.
ui_cap
sed -n 5p "$WORK/screen" | grep -qF " assets 1/" || {
	cat "$WORK/screen" >&2
	fail "the assets title is no longer on row 5: update the click position"
}
ui_type "$(printf '\033[<0;6;11M')"
ui_type "$(printf '\033[<0;6;11m')"
ui_expect_live "after a mouse click and release"
ui_wait " assets 5/" 30
ui_alive || fail "clobtop died after a mouse click: $(cat "$WORK/err")"

# A wheel turn and a right click (a button the dashboard ignores) must not stall either.
ui_type "$(printf '\033[<65;6;11M')"
ui_type "$(printf '\033[<2;6;11M')"
ui_type "$(printf '\033[<2;6;11m')"
ui_expect_live "after a wheel turn and a right click"

# Ctrl-S: with ixon it would stop the tty and the UI thread in write(1).
ui_keys C-s
sleep 2
ui_expect_live "after Ctrl-S"
ui_keys C-q
ui_expect_live "after Ctrl-Q"
ui_keys q
ui_expect_restored 0 "q after Ctrl-S"
echo "PASS: e2e_ui_input ($(($(date +%s) - T0)) s)"

#!/bin/sh
# The config file and the saved view, with the real binaries in a private home (lib.sh):
# settings from the file take effect and the command line overrides them; --watchlist
# subscribes a [watchlist] section's assets against clobsim; a bad line exits 2 naming
# FILE:LINE with its text sanitised; a FIFO as config file is refused without blocking;
# the dashboard's sort and filter survive a restart; a corrupt state file is ignored with
# a warning and replaced.
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/e2e_live_common.sh"
. "$top_srcdir/tests/e2e_ui_lib.sh"

start_sim --markets 3 --new-markets 0 --rate 200 --seed 23 --duration 120 \
	--assets-out "$WORK/assets.txt" --log "$WORK/sim.log"
W1=$(sed -n 1p "$WORK/assets.txt" | cut -d' ' -f1)
W2=$(sed -n 3p "$WORK/assets.txt" | cut -d' ' -f1)
OTHER=$(sed -n 5p "$WORK/assets.txt" | cut -d' ' -f1)
CONF=$XDG_CONFIG_HOME/clobtop/config
mkdir -p "$XDG_CONFIG_HOME/clobtop"
cat >"$CONF" <<EOF
# written by e2e_config.sh
url = "ws://127.0.0.1:$SIM_PORT/ws/market"   # the local clobsim
no-gamma
depth = 2
duration = 4
export = $WORK/snap.json

[watchlist pair]
$W1 First of the pair # a comment
$W2
EOF

# 1. The file's settings and watchlist (found at the default place), headless.
timeout 30 "$CLOBTOP" --headless --watchlist pair </dev/null >"$WORK/run1.out" 2>"$WORK/run1.err" ||
	{ cat "$WORK/run1.err"; fail "the run from the config file exited $?"; }
"$PY" - "$WORK/snap.json" "$W1" "$W2" <<'EOPY' || fail "snapshot does not follow the config file"
import json, sys
j = json.load(open(sys.argv[1]))
ids = sorted(a["asset_id"] for a in j["assets"])
assert ids == sorted(sys.argv[2:4]), "assets %s, expected the watchlist %s" % (ids, sys.argv[2:4])
for a in j["assets"]:
    assert len(a["bids"]) <= 2 and len(a["asks"]) <= 2, "depth 2 ignored: %d/%d levels" % (len(a["bids"]), len(a["asks"]))
    assert a["bids"] and a["asks"], "no book for %s" % a["asset_id"]
lab = [a["label"] for a in j["assets"] if a["asset_id"] == sys.argv[2]]
assert lab == ["First of the pair"], "label from the watchlist: %s" % lab
EOPY
grep "recv text .*\"assets_ids\"" "$WORK/sim.log" | grep -q "$W1" || fail "no subscription for $W1 in clobsim's log"
grep "recv text .*\"assets_ids\"" "$WORK/sim.log" | grep -q "$OTHER" && fail "$OTHER subscribed though not in the watchlist"

# 2. The command line wins: depth 1 and another asset instead of the watchlist.
rm -f "$WORK/snap.json"
timeout 30 "$CLOBTOP" --headless --depth 1 --duration 3 --asset "$OTHER" </dev/null \
	>/dev/null 2>"$WORK/run2.err" || { cat "$WORK/run2.err"; fail "the overriding run exited $?"; }
"$PY" - "$WORK/snap.json" "$OTHER" <<'EOPY' || fail "command-line options did not override the file"
import json, sys
j = json.load(open(sys.argv[1]))
assert [a["asset_id"] for a in j["assets"]] == [sys.argv[2]], [a["asset_id"] for a in j["assets"]]
assert all(len(a["bids"]) <= 1 and len(a["asks"]) <= 1 for a in j["assets"]), "depth not 1"
EOPY

# 3. A bad line: exit 2, FILE:LINE, the escape sequence gone; --no-config skips the file.
printf 'levels = 3\nrefresh = \033]0;pwned\007 fast\n' >"$WORK/bad.conf"
"$CLOBTOP" --config "$WORK/bad.conf" --headless --duration 1 </dev/null >/dev/null 2>"$WORK/bad.err"
rc=$?
[ $rc -eq 2 ] || fail "a bad config line exited $rc, expected 2"
grep -qF "bad.conf:2: " "$WORK/bad.err" || fail "no FILE:LINE in: $(cat "$WORK/bad.err")"
tr -d '\n' <"$WORK/bad.err" | LC_ALL=C grep -q "$(printf '[\001-\037]')" && fail "control bytes echoed to the terminal"
printf 'levls = 3\n' >"$WORK/typo.conf"
"$CLOBTOP" --config "$WORK/typo.conf" --headless </dev/null >/dev/null 2>"$WORK/typo.err"
grep -qF "typo.conf:1: unknown setting 'levls' (did you mean levels?)" "$WORK/typo.err" ||
	fail "no suggestion for a typo: $(cat "$WORK/typo.err")"
mkfifo "$WORK/fifo.conf"
timeout 5 "$CLOBTOP" --config "$WORK/fifo.conf" --headless </dev/null >/dev/null 2>"$WORK/fifo.err"
rc=$?
[ $rc -eq 2 ] && grep -qF "not a regular file" "$WORK/fifo.err" ||
	fail "a FIFO as config file: exit $rc, $(cat "$WORK/fifo.err")"
timeout 10 "$CLOBTOP" --no-config --config "$WORK/bad.conf" </dev/null >/dev/null 2>&1
[ $? -eq 2 ] || fail "--config with --no-config accepted"

# 4. The dashboard keeps its sort and filter across runs (state under XDG_STATE_HOME).
STATE=$XDG_STATE_HOME/clobtop/state
LABEL=$(sed -n 1p "$WORK/assets.txt" | cut -d' ' -f1 | cut -c1-6)
dash() {
	ui_start 120 40 "$CLOBTOP" --watchlist pair --duration 600 --export-dir "$WORK" --refresh 250
	ui_wait " assets " 100
}
dash
ui_wait "sort worst" # the default
for next in label bid ask spread; do # 's' walks the columns
	ui_keys s
	ui_wait "sort $next"
done
ui_keys /
ui_type "$LABEL"
ui_keys Enter
ui_wait "filter \"$LABEL\""
ui_keys q
ui_expect_restored 0 "first dashboard run"
[ -s "$STATE" ] || fail "no state file written at $STATE"
grep -qx "sort = spread" "$STATE" || fail "state file lacks the sort: $(cat "$STATE")"
grep -qx "filter = $LABEL" "$STATE" || fail "state file lacks the filter: $(cat "$STATE")"
[ "$(ls -A "$XDG_STATE_HOME/clobtop")" = state ] || fail "left behind: $(ls -A "$XDG_STATE_HOME/clobtop")"

dash
ui_wait "sort spread  filter \"$LABEL\""
ui_keys /
ui_keys C-u Enter
ui_wait_gone "filter \"$LABEL\""
ui_keys q
ui_expect_restored 0 "second dashboard run"
grep -qx 'filter = ""' "$STATE" || fail "the cleared filter was not saved: $(cat "$STATE")"

printf 'version = 1\nsort = "spread\n' >"$STATE"
dash
ui_wait "sort worst"
ui_keys q
ui_expect_restored 0 "run with a corrupt state file"
grep -qF "warning: ignoring the saved view: $STATE:2:" "$WORK/err" ||
	fail "no warning for the corrupt state file: $(cat "$WORK/err")"
grep -qx "sort = worst" "$STATE" || fail "the corrupt state file was not replaced: $(cat "$STATE")"
echo "PASS"

#!/bin/sh
# End-to-end test of the dashboard's keys and numbers: the real clobtop in tmux (120x40)
# watching a clobsim that sends no flow (--rate 0, no new markets), so every value on the
# screen is stable and can be compared with what clobtop exports and what clobsim logs.
#
# Proves: every pane shows; the assets rows and the ladder (and its title's level counts)
# agree with the snapshot that 'e' writes (schema clobtop.snapshot/1, path in the status
# line); 's' cycles the sort through the columns (label ascending, spread widest first, ...); '/' filters by label or id and
# Esc clears; 'a' subscribes a typed token id (an "operation":"subscribe" frame in
# clobsim's log); 'd' asks, 'n' keeps and 'y' unsubscribes (an "unsubscribe" frame);
# resizing redraws within the new size; 'q' exits 0 and gives the terminal back.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/e2e_ui_lib.sh"
T0=$(date +%s)

start_sim --rate 0 --new-market-every 0 --markets 4 \
	--log "$WORK/sim.log" --assets-out "$WORK/assets.all"
ui_sim_tokens 8
head -n 7 "$WORK/assets.all" >"$WORK/assets7"
ADD_ID=$(sed -n '8s/ .*//p' "$WORK/assets.all")
CELTICS_ID=$(sed -n 's/^\([0-9]*\) Celtics .*/\1/p' "$WORK/assets.all")
[ -n "$CELTICS_ID" ] || fail "clobsim's seed-1 markets no longer include Celtics: update the test"
mkdir "$WORK/exp"

# The screen parser: the assets table (columns located by the header's right-aligned
# names), the book ladder, and comparisons with a snapshot.
cat >"$WORK/screen.py" <<'EOF'
import json, re, sys
from decimal import Decimal

def load(path):
    return open(path, encoding="utf-8").read().split("\n")

def split_col(lines):
    """Column where the book pane starts (its title), or None."""
    for ln in lines:
        m = re.search(r" book ", ln)
        if m and " assets " in ln:
            return m.start()
    return None

def rows(lines):
    """[(label, bid, ask, spread)] of the assets table as shown."""
    bc = split_col(lines) or 10**6
    hdr = next((i for i, ln in enumerate(lines) if re.match(r"label\s+bid\s+ask\s+spread", ln)), None)
    if hdr is None:
        sys.exit("no assets header on the screen")
    h = lines[hdr]
    ends = {k: h.index(k) + len(k) for k in (" bid", " ask", " spread")}
    out = []
    for ln in lines[hdr + 1:]:
        left = ln[:bc]
        if not left.strip() or left.startswith(" trades") or left.startswith(" no asset"):
            break
        def field(k):
            return left[:ends[k]].split()[-1]
        label = left[:ends[" bid"]].rsplit(None, 1)[0].strip()
        out.append((label, field(" bid"), field(" ask"), field(" spread")))
    return out

def dec(s):
    return None if s in ("-", None) else Decimal(s)

def size_ok(shown, exact):
    exact = Decimal(exact)
    mult = {"k": 1000, "M": 10**6}.get(shown[-1:], 1)
    if mult == 1:
        return Decimal(shown) == exact
    digits = shown[:-1]
    ulp = Decimal(1).scaleb(Decimal(digits).as_tuple().exponent) * mult
    return abs(Decimal(digits) * mult - exact) <= ulp / 2

def by_label(snap, shown):
    hits = [a for a in snap["assets"] if a["label"].startswith(shown)]
    if len(hits) != 1:
        sys.exit("label %r matches %d snapshot assets, expected 1" % (shown, len(hits)))
    return hits[0]

def cmd_compare(screen, snappath):
    lines = load(screen)
    snap = json.load(open(snappath, encoding="utf-8"))
    if snap.get("schema") != "clobtop.snapshot/1":
        sys.exit("snapshot schema: expected clobtop.snapshot/1, got %r" % snap.get("schema"))
    rs = rows(lines)
    if len(rs) != len(snap["assets"]):
        sys.exit("screen shows %d rows, snapshot has %d assets" % (len(rs), len(snap["assets"])))
    for label, bid, ask, spread in rs:
        a = by_label(snap, label)
        for name, shown, key in (("bid", bid, "best_bid"), ("ask", ask, "best_ask"), ("spread", spread, "spread")):
            if dec(shown) != dec(a[key]):
                sys.exit("%s %s: screen shows %s, snapshot has %s" % (label, name, shown, a[key]))
    # The ladder (of the selected asset, the first row): best ask just above the spread
    # line, best bid just below; the title gives the level counts first.
    bc = split_col(lines)
    title = next(ln for ln in lines if " assets " in ln and " book " in ln)[bc:]
    blabel = rs[0][0]
    a = by_label(snap, blabel)
    m = re.match(r" book (\d+) bids (\d+) asks  tick ", title)
    if not m or (int(m.group(1)), int(m.group(2))) != (len(a["bids"]), len(a["asks"])):
        sys.exit("book title %r: expected %d bids %d asks" % (title, len(a["bids"]), len(a["asks"])))
    si = next(i for i, ln in enumerate(lines) if re.search(r"spread \S+ \(.*bps\) mid", ln[bc:]))
    ask = lines[si - 1][bc:].split()
    bid = lines[si + 1][bc:].split()
    for side, shown, lv in (("ask", ask, a["asks"][0]), ("bid", bid, a["bids"][0])):
        if Decimal(shown[0]) != Decimal(lv["price"]) or not size_ok(shown[1], lv["size"]):
            sys.exit("ladder best %s of %s: screen %s %s, snapshot %s %s"
                     % (side, blabel, shown[0], shown[1], lv["price"], lv["size"]))
    print("%d rows and the %s ladder match the snapshot" % (len(rs), blabel))

def cmd_labels(screen):
    for r in rows(load(screen)):
        print(r[0])

def cmd_spreads(screen):
    for r in rows(load(screen)):
        print(r[3])

def cmd_subs(log, op, tok):
    """Count client frames in clobsim's log with this operation naming tok."""
    n = 0
    for ln in open(log, encoding="utf-8", errors="replace"):
        m = re.search(r"recv text \d+ bytes: (\{.*)$", ln)
        if not m:
            continue
        try:
            j = json.loads(m.group(1))
        except ValueError:
            continue
        if j.get("operation") == op and tok in j.get("assets_ids", []):
            n += 1
    print(n)

{"compare": cmd_compare, "labels": cmd_labels, "spreads": cmd_spreads, "subs": cmd_subs}[sys.argv[1]](*sys.argv[2:])
EOF
scr() { "$PY" "$WORK/screen.py" "$@"; }

ui_start 120 40 "$CLOBTOP" --url "ws://127.0.0.1:$SIM_PORT/ws/market" \
	--gamma "http://127.0.0.1:$SIM_PORT" --assets-file "$WORK/assets7" \
	--export-dir "$WORK/exp" --refresh 250 --stale-warn 600 --stale-alert 1200

# Every pane: header, latency, assets, book ladder, trades, alerts, and the status line.
for t in "clobtop [live]" "feed latency" "pipeline" " assets 1/7 of 7" " book " "tick 0.01" \
	" trades " " alerts " "? help" "connected to ws://127.0.0.1:$SIM_PORT"; do
	ui_wait "$t"
done
dl=$(deadline 30)
while [ "$(grep -cE ' fresh(  |$)' "$WORK/screen")" -lt 7 ] && before "$dl"; do
	sleep 0.1
	ui_cap
done
[ "$(grep -cE ' fresh(  |$)' "$WORK/screen")" -eq 7 ] || {
	cat "$WORK/screen" >&2
	fail "expected 7 fresh assets rows"
}
ui_wait "spread 0.0"

# 'e': the status line names the file; it is the snapshot of what the screen shows.
ui_keys e
ui_wait "snapshot written to $WORK/exp/"
SNAP=$(sed -n 's/.*snapshot written to \([^ ]*\.json\).*/\1/p' "$WORK/screen" | head -1)
[ -f "$SNAP" ] || fail "the status line names $SNAP, which does not exist"
cp "$WORK/screen" "$WORK/screen.e"
scr compare "$WORK/screen.e" "$SNAP" || fail "the screen disagrees with the snapshot $SNAP"

# 's': worst first is the default; then label ascending, then each column in table
# order (spread, the fourth, widest first), back to label after eleven presses.
grep -qF "sort worst" "$WORK/screen.e" || fail "the default sort is not worst first"
ui_keys s
ui_wait "sort label"
scr labels "$WORK/screen" >"$WORK/by_label"
LC_ALL=C sort -c "$WORK/by_label" || fail "'s': the order is not by label"
ui_keys s s s
ui_wait "sort spread"
ui_wait "sort by spread"
scr spreads "$WORK/screen" >"$WORK/spreads"
sort -g -r -c "$WORK/spreads" || fail "'s': spread order is not widest first: $(tr '\n' ' ' <"$WORK/spreads")"
scr labels "$WORK/screen" >"$WORK/by_spread"
cmp -s "$WORK/by_label" "$WORK/by_spread" && fail "'s': the rows did not change order"
for k in bps mid last "msgs/min" age state worst label; do
	ui_keys s
	ui_wait "sort $k"
done
scr labels "$WORK/screen" >"$WORK/by_label2"
cmp -s "$WORK/by_label" "$WORK/by_label2" || fail "eleven 's' presses should come back to the label order"

# '?' shows the key table; any key closes it.  'p' freezes the screen and says so.
ui_keys '?'
ui_wait "sort by the next column (or click a column heading)"
ui_keys x
ui_wait_gone "sort by the next column"
ui_keys p
ui_wait " PAUSED "
ui_keys p
ui_wait_gone " PAUSED "

# '/': a label substring (any case), an id substring, then Esc clears.
ui_keys /
ui_wait "filter> "
ui_type "fed"
ui_keys Enter
ui_wait 'filter "fed"'
ui_wait " assets 1/2 of 7"
scr labels "$WORK/screen" >"$WORK/filtered"
[ "$(grep -c 'Fed' "$WORK/filtered")" -eq 2 ] || fail "'/fed' should leave the two Fed rows, got: $(cat "$WORK/filtered")"
ui_keys /
ui_keys C-u
ui_type "$(echo "$CELTICS_ID" | cut -c 20-40)"
ui_keys Enter
ui_wait " assets 1/1 of 7"
ui_wait "Celtics · Lakers v"
ui_keys / Escape
ui_wait "filter cleared"
ui_wait " assets 1/7 of 7"

# 'a': a typed token id becomes a subscribe frame on the wire and a row on the screen.
[ "$(scr subs "$WORK/sim.log" subscribe "$ADD_ID")" -eq 0 ] || fail "$ADD_ID was subscribed before 'a'"
ui_keys a
ui_wait "add (token ids or slug)> "
ui_type "$ADD_ID"
ui_keys Enter
ui_wait "of 8"
ui_wait "No · Will it rain"
dl=$(deadline 30)
while [ "$(scr subs "$WORK/sim.log" subscribe "$ADD_ID")" -lt 1 ] && before "$dl"; do
	sleep 0.1
done
[ "$(scr subs "$WORK/sim.log" subscribe "$ADD_ID")" -ge 1 ] ||
	fail "'a': no {\"operation\":\"subscribe\"} frame naming $ADD_ID in clobsim's log"

# 'd': n keeps the asset; y sends the unsubscribe and removes the row.
ui_keys /
ui_type "$(echo "$CELTICS_ID" | cut -c 1-30)"
ui_keys Enter
ui_wait " assets 1/1 of 8"
ui_wait "Celtics · Lakers v"
ui_keys d
ui_wait "unsubscribe Celtics · Lakers vs. Celtics? (y/n)"
ui_keys n
ui_wait "unsubscribe cancelled"
# (No wait here: the count after 'y' below must be exactly one.)
[ "$(scr subs "$WORK/sim.log" unsubscribe "$CELTICS_ID")" -eq 0 ] || fail "'d' then 'n' still unsubscribed"
ui_keys d
ui_wait "(y/n)"
ui_keys y
ui_wait "unsubscribed Celtics · Lakers vs. Celtics"
dl=$(deadline 30)
while [ "$(scr subs "$WORK/sim.log" unsubscribe "$CELTICS_ID")" -lt 1 ] && before "$dl"; do
	sleep 0.1
done
[ "$(scr subs "$WORK/sim.log" unsubscribe "$CELTICS_ID")" -eq 1 ] ||
	fail "'d' 'y': expected one {\"operation\":\"unsubscribe\"} frame naming $CELTICS_ID in clobsim's log"
ui_keys / Escape
ui_wait " assets 1/7 of 7"
ui_wait_gone "Celtics · Lakers v"

# Resize: each size is redrawn to fit (no line wider than the window, the status line
# on the last row), and clobtop keeps running.
# The layout itself changes with the size (the ladder sits under the assets table below
# 120 columns and beside it from 120 on), so only a real redraw passes.
layout_ok() {
	case $1 in
	80) grep -q '^ book ' "$WORK/screen" ;;
	120 | 200) grep -q ' assets .* book ' "$WORK/screen" ;;
	*) true ;;
	esac
}
for size in 80x24 60x15 200x50 120x40; do
	c=${size%x*}
	r=${size#*x}
	$T resize-window -t ui -x "$c" -y "$r" || fail "tmux resize-window $size"
	dl=$(deadline 30)
	until ui_cap && [ "$(wc -l <"$WORK/screen")" -eq "$r" ] &&
		head -n 1 "$WORK/screen" | grep -qF "clobtop [live]" &&
		tail -n 1 "$WORK/screen" | grep -qF "? help" && layout_ok "$c" &&
		[ "$(ui_max_width "$WORK/screen")" -le "$c" ]; do
		before "$dl" || {
			cat "$WORK/screen" >&2
			fail "$size: not redrawn to fit within 30 s (widest line $(ui_max_width "$WORK/screen"))"
		}
		sleep 0.1
	done
	ui_alive || fail "clobtop died after resizing to $size"
done
ui_wait " book "
ui_wait " alerts "

ui_keys q
ui_expect_restored 0 "q"
echo "PASS: e2e_ui ($(($(date +%s) - T0)) s)"

#!/bin/sh
# End-to-end test of the dashboard at 10,000 assets (issue 11): the real clobtop in tmux
# (160x50) subscribed, on one connection, to every token of a clobsim serving 5,000
# markets at 3,000 frames/s (each frame moves both tokens of a market: a market waits
# about 1.7 s on average, and 25 s with odds of e^-15), of which the last 30 (60 tokens)
# never change, so they go stale after --stale-alert while the rest stay fresh.  The
# rate is low, and the ring large, so that a loaded 2-core machine keeps up without ring
# drops.  (clobsim in this tree has no per-connection asset cap; clobtop sends its ids 100
# to a frame, under clobsim's 2,000.)
#
# Proves: the default order is worst first (the first screen is all stale rows, oldest
# update first; states in severity order); the header's counts by state equal the
# per-state counts of the snapshot 'e' writes, whose stale assets are exactly clobsim's
# quiet tokens; '/state:stale' keeps only those 60 rows, with text it narrows them the
# way a substring does, several states add up, Esc brings all 10,000 back; PgDn moves the
# selection one screen less a row down, PgUp back.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/e2e_ui_lib.sh"

start_sim --markets 5000 --quiet-markets 30 --rate 3000 --new-market-every 0 \
	--assets-out "$WORK/assets.all"
ui_sim_tokens 10000
tail -n 60 "$WORK/assets.all" | sed 's/ .*//' | sort >"$WORK/quiet.ids"
mkdir "$WORK/exp"
UI_EXPORTS=$WORK/exp

cat >"$WORK/screen.py" <<'EOF'
import collections, glob, json, os, re, sys

def load(path):
    return open(path, encoding="utf-8").read().split("\n")

STATES = {"fresh", "quiet", "await", "resolved", "unknown", "stale", "crossed", "drift", "no-feed"}

def header_counts(lines):
    """(assets, {state: n}) from the header: "assets 10000 fresh 9940 stale 60 ring ..."."""
    w = " ".join(lines[:3]).split()
    if "assets" not in w:
        sys.exit("no 'assets N' in the header:\n" + " ".join(lines[:3]))
    i = w.index("assets")
    total, counts, i = int(w[i + 1]), {}, i + 2
    while i + 1 < len(w) and w[i] in STATES and w[i + 1].isdigit():
        counts[w[i]] = int(w[i + 1])
        i += 2
    return total, counts

def table(lines):
    """[(label, age_s, state)] of the assets rows on screen, top to bottom."""
    hdr = next((i for i, ln in enumerate(lines) if re.match(r"label\s+bid\s+ask", ln)), None)
    if hdr is None:
        sys.exit("no assets table on the screen")
    h = lines[hdr]
    st, age_end = h.index(" state") + 1, h.index(" age") + 4
    out = []
    for ln in lines[hdr + 1:]:
        if not ln[:st].strip() or ln.startswith(" trades"):
            break
        out.append((ln[:20].strip(), secs(ln[:age_end].split()[-1]), ln[st:].split()[0]))
    return out

def secs(a):
    m = re.fullmatch(r"(\d+)ms|(\d+)s|(\d+)m(\d\d)|(\d+)h(\d\d)|-", a)
    if not m:
        sys.exit("unreadable age %r" % a)
    if a == "-":
        return 10**9
    if m.group(1): return int(m.group(1)) / 1000
    if m.group(2): return int(m.group(2))
    if m.group(3): return int(m.group(3)) * 60 + int(m.group(4))
    return int(m.group(5)) * 3600 + int(m.group(6)) * 60

def snap_states(path):
    j = json.load(open(path))
    return collections.Counter(a["state"] for a in j["assets"]), j

WORD = {"awaiting_snapshot": "await", "unknown_token": "unknown"}

def cmd_counts(screen, snapdir):
    """Header counts == the newest snapshot's per-state counts (exit 1 when not)."""
    total, hc = header_counts(load(screen))
    snap = sorted(glob.glob(os.path.join(snapdir, "clobtop-snapshot-*.json")), key=os.path.getmtime)[-1]
    c, j = snap_states(snap)
    sc = {WORD.get(k, k): v for k, v in c.items() if v}
    if total != len(j["assets"]) or hc != sc:
        print("header: assets %d %s; snapshot %s: assets %d %s" % (total, hc, snap, len(j["assets"]), sc))
        sys.exit(1)
    print(" ".join("%s=%d" % kv for kv in sorted(sc.items())))

def cmd_stale_ids(snapdir):
    snap = sorted(glob.glob(os.path.join(snapdir, "clobtop-snapshot-*.json")), key=os.path.getmtime)[-1]
    j = json.load(open(snap))
    for a in sorted(a["asset_id"] for a in j["assets"] if a["state"] == "stale"):
        print(a)

def cmd_expect_text(snapdir, text):
    """How many stale assets a text filter keeps (substring of label or id, any case)."""
    snap = sorted(glob.glob(os.path.join(snapdir, "clobtop-snapshot-*.json")), key=os.path.getmtime)[-1]
    j = json.load(open(snap))
    t = text.lower()
    print(sum(1 for a in j["assets"] if a["state"] == "stale" and
              (t in a.get("label", "").lower() or t in a["asset_id"].lower())))

SEV = {"DRIFT": 8, "CROSSED": 7, "STALE": 6, "UNKNOWN": 5, "no": 4, "await": 3,
       "resolved": 2, "quiet": 1, "fresh": 0}

def cmd_worst_first(screen):
    """States worst first (help's order), stale rows oldest first.  Prints the rows on
    screen and how many of them are stale."""
    rows = table(load(screen))
    sev = [SEV[s] for _, _, s in rows]
    if sev != sorted(sev, reverse=True):
        sys.exit("rows are not worst first: %s" % [s for _, _, s in rows])
    ages = [a for _, a, s in rows if s == "STALE"]
    if ages != sorted(ages, reverse=True):
        sys.exit("stale rows are not oldest first: %s" % ages)
    print(len(rows), len(ages))

def cmd_only(screen, state):
    rows = table(load(screen))
    bad = [r for r in rows if r[2] != state]
    if not rows or bad:
        sys.exit("expected only %s rows, got %s" % (state, rows))
    print(len(rows))

def cmd_sel(screen):
    m = re.search(r" assets (\d+)/(\d+) of (\d+)", "\n".join(load(screen)))
    print(m.group(1) if m else -1)

{"counts": cmd_counts, "stale_ids": cmd_stale_ids, "expect_text": cmd_expect_text,
 "worst_first": cmd_worst_first, "only": cmd_only, "sel": cmd_sel}[sys.argv[1]](*sys.argv[2:])
EOF
scr() { "$PY" "$WORK/screen.py" "$@"; }

ui_start 160 50 "$CLOBTOP" --url "ws://127.0.0.1:$SIM_PORT/ws/market" \
	--gamma "http://127.0.0.1:$SIM_PORT" --assets-file "$WORK/assets.all" \
	--export-dir "$WORK/exp" --refresh 250 --stale-warn 25 --stale-alert 27 --ring-size 64M

# Every token subscribed; after --stale-alert the 60 quiet ones are stale.  Home selects
# the top row (the selection follows its asset as the order changes).
ui_wait "assets 10000" 90
ui_wait "stale 60 " 120
ui_keys Home
ui_wait " assets 1/10000 of 10000  sort worst" 30

# The header's counts are the snapshot's (retried while a state is still moving).
dl=$(deadline 60)
while :; do
	ui_sync "counts"
	ui_cap "$WORK/screen.c"
	scr counts "$WORK/screen.c" "$WORK/exp" >"$WORK/counts" 2>&1 && break
	before "$dl" || fail "header counts never matched the snapshot: $(cat "$WORK/counts")"
	sleep 0.5
done
scr stale_ids "$WORK/exp" >"$WORK/stale.ids"
cmp -s "$WORK/stale.ids" "$WORK/quiet.ids" ||
	fail "the stale assets are not clobsim's 60 quiet tokens: $(diff "$WORK/quiet.ids" "$WORK/stale.ids" | head -5)"

# Worst first: the first screen is all stale, oldest first.
ui_cap
set -- $(scr worst_first "$WORK/screen") || fail "worst first: $(scr worst_first "$WORK/screen" 2>&1)"
VIS=$1
[ "$2" -eq "$VIS" ] || fail "worst first: expected a screen of stale rows, $2 of $VIS are"
# Two screens of rows stay among the 60 stale ones, whose order no update changes.
[ "$VIS" -ge 10 ] && [ "$VIS" -le 30 ] || fail "expected 10..30 rows on a 50-line screen, got $VIS"

# PgDn: one screen less a row down; PgUp back.
ui_keys NPage
ui_wait " assets $VIS/10000 of 10000" 30
ui_keys NPage
ui_wait " assets $((2 * VIS - 1))/10000 of 10000" 30
ui_keys PPage
ui_wait " assets $VIS/10000 of 10000" 30
ui_keys PPage
ui_wait " assets 1/10000 of 10000" 30

# The state filter: only stale rows; with text, the stale rows it names.  (The selection
# follows its asset, so only the first filter, from the top row, knows its row.)
ui_keys /
ui_type "state:stale"
ui_keys Enter
ui_wait " assets 1/60 of 10000" 30
ui_wait "filter: state:stale" 30
scr only "$WORK/screen" STALE >/dev/null || fail "state:stale: $(scr only "$WORK/screen" STALE 2>&1)"
N=$(scr expect_text "$WORK/exp" "Yes")
[ "$N" -gt 0 ] && [ "$N" -lt 60 ] || fail "expected some stale labels with Yes, got $N"
ui_keys / C-u
ui_type "Yes state:stale"
ui_keys Enter
ui_wait "/$N of 10000" 30
scr only "$WORK/screen" STALE >/dev/null || fail "Yes state:stale: $(scr only "$WORK/screen" STALE 2>&1)"
ui_keys / C-u
ui_type "state:stale,drift,no-feed"
ui_keys Enter
ui_wait "/60 of 10000" 30
scr only "$WORK/screen" STALE >/dev/null || fail "state:stale,drift,no-feed: $(scr only "$WORK/screen" STALE 2>&1)"
ui_keys / Escape
ui_wait "/10000 of 10000" 30

ui_keys q
ui_expect_restored 0 "quit"
echo "PASS: $(cat "$WORK/counts"); $VIS rows a screen"

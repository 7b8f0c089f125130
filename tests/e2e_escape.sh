#!/bin/sh
# End-to-end test that text from the feed cannot drive the terminal: clobtop replays a
# recording whose market question, outcomes, slug, winning outcome and event type carry
# terminal escape sequences (OSC 0 title change ended by BEL and by ST, CSI 2J erase,
# SGR blink, DCS ... ST, and the 8-bit CSI U+009B), with a book for its tokens so the
# hostile labels are on the screen in every pane.  The raw bytes clobtop writes are
# captured with script(1) inside tmux.
#
# Proves: none of the injected sequences (nor their payloads) reaches the terminal, the
# benign text around them does, tmux's pane title is untouched, and the snapshot written
# from that run holds no control character in any string.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/e2e_ui_lib.sh"
T0=$(date +%s)
command -v script >/dev/null 2>&1 || fail "script(1) (util-linux) is needed"

"$PY" - "$WORK/hostile.jsonl" <<'EOF'
import json, sys
A = "1" * 70 + "10000001"
B = "2" * 70 + "20000002"
M = "0x" + "ab" * 32
ESC, BEL, ST = "\x1b", "\x07", "\x1b\\"
Q = ("SAFEQ" + ESC + "]0;pwned" + BEL + "Alpha" + ESC + "[2J" + "Beta" + ESC + "Pdcsevil" + ST
     + "Gamma" + "\x9b" + "31mDelta" + ESC + "]2;pwned2" + ST + "End?")
OUTS = ["Y" + ESC + "[5mES", "N" + "\x9b" + "2JO"]

def book(a, bids, asks):
    return {"market": M, "asset_id": a, "timestamp": "1790658661234", "hash": "0" * 40,
            "bids": [{"price": p, "size": s} for p, s in bids],
            "asks": [{"price": p, "size": s} for p, s in asks],
            "tick_size": "0.01", "last_trade_price": "", "event_type": "book"}

info = {"id": "1", "question": Q, "market": M, "slug": "s" + ESC + "[2Jx",
        "description": "d" + ESC + "]0;pwned4" + BEL, "assets_ids": [A, B], "outcomes": OUTS,
        "event_message": {"id": "1", "ticker": "t", "slug": "s", "title": Q, "description": "d"},
        "timestamp": "1790658661300"}
frames = [
    [book(A, [("0.40", "100"), ("0.42", "50")], [("0.47", "70"), ("0.45", "30")]),
     book(B, [("0.53", "30"), ("0.55", "70")], [("0.60", "50"), ("0.58", "100")])],
    dict(info, event_type="new_market"),
    {"market": M, "asset_id": A, "price": "0.45", "size": "10", "fee_rate_bps": "0",
     "side": "BUY", "timestamp": "1790658661400", "event_type": "last_trade_price"},
    {"market": M, "asset_id": "3" + ESC + "[2J" + "3", "bids": [], "asks": [],
     "timestamp": "1790658661450", "event_type": "book"},
    {"market": M, "timestamp": "1790658661460", "event_type": "x" + ESC + "]0;pwned3" + BEL},
    dict(info, event_type="market_resolved", winning_asset_id=A,
         winning_outcome="W" + ESC + "]0;pwned5" + BEL + "IN" + "\x9b" + "1;1H"),
]
with open(sys.argv[1], "w") as f:
    for fr in frames:
        f.write(json.dumps(fr) + "\n")
EOF

cat >"$WORK/inner.sh" <<EOF
#!/bin/sh
echo \$\$ >"$WORK/inner.pid"
exec "$CLOBTOP" --replay "$WORK/hostile.jsonl" --export-dir "$WORK" --refresh 250
EOF
chmod +x "$WORK/inner.sh"
ui_start 120 40 script -q -e -c "$WORK/inner.sh" "$WORK/out.raw"

for t in "clobtop [replay]" " assets 1/2 of 2" " book " " trades " " alerts " "resolved"; do
	ui_wait "$t"
done
# The whole label, in the selected asset's drill-down (Enter; Esc closes it).
ui_keys Enter
ui_wait "SAFEQAlphaBetaGammaDeltaEnd?   (Esc or Enter closes"
ui_keys Escape
ui_wait " book "
ui_wait "YES · SAFEQAlphaBe"
ui_wait "NO · SAFEQAlphaBet"
ui_keys e
ui_wait "snapshot written to $WORK/"
SNAP=$(sed -n 's/.*snapshot written to \([^ ]*\.json\).*/\1/p' "$WORK/screen" | head -1)
cp "$WORK/screen" "$WORK/screen.seen"
TITLE=$(ui_flag pane_title)
case $TITLE in *pwn*) fail "the feed changed the terminal title to \"$TITLE\"" ;; esac
ui_keys q
ui_expect_restored 0 "q after a hostile feed"
grep -q pwn "$WORK/screen.seen" && fail "an escape payload is visible on the screen"
# A replayed raw frame has no receipt time: the tape shows the exchange's, not 1970.
grep -q "00:00:00 BUY" "$WORK/screen.seen" && fail "the trade tape shows the epoch as the trade time"

"$PY" - "$WORK/out.raw" "$SNAP" <<'EOF' || fail "see above"
import json, re, sys
raw = open(sys.argv[1], "rb").read()
# script(1) may frame the log with its own "Script started/done" lines.
raw = re.sub(rb"^Script started[^\n]*\n", b"", raw)
raw = re.sub(rb"\n?Script done[^\n]*\n?$", b"", raw)
bad = []
for what, seq in [("OSC (title change)", b"\x1b]"), ("DCS", b"\x1bP"), ("8-bit CSI as UTF-8", b"\xc2\x9b"),
                  ("OSC payload", b"pwned"), ("DCS payload", b"dcsevil"),
                  ("erase injected before Beta", b"\x1b[2JBeta"), ("blink injected in YES", b"\x1b[5mES"),
                  ("BEL after payload", b"pwned\x07"), ("8-bit CSI params", b"31mDelta"),
                  ("cursor move from winning_outcome", b"1;1HIN")]:
    if seq in raw:
        bad.append("%s: %r at byte %d" % (what, seq, raw.index(seq)))
# A raw 0x9B byte outside a valid UTF-8 character is an 8-bit CSI.
text = raw.decode("utf-8", "surrogateescape")
for ch, name in (("\udc9b", "raw 0x9B byte"), ("\x9b", "U+009B")):
    if ch in text:
        bad.append("%s in the output" % name)
# Every ESC [ 2 J the terminal got is ncurses' own clear (home first), never the feed's.
if raw.count(b"\x1b[2J") != raw.count(b"\x1b[H\x1b[2J"):
    bad.append("an ESC [ 2 J not preceded by ncurses' home")
if b"SAFEQAlpha" not in raw or b"End?" not in raw:
    bad.append("the benign part of the label never reached the terminal")
if bad:
    sys.exit("raw terminal output (%d bytes):\n  " % len(raw) + "\n  ".join(bad))

snap = json.load(open(sys.argv[2], encoding="utf-8"))
if snap.get("schema") != "clobtop.snapshot/1":
    sys.exit("snapshot schema: %r" % snap.get("schema"))
ctl = re.compile("[\x00-\x1f\x7f-\x9f]")
def walk(v, path):
    if isinstance(v, str):
        if ctl.search(v) or "pwn" in v or "dcsevil" in v:
            sys.exit("snapshot %s holds %r" % (path, v))
    elif isinstance(v, dict):
        for k, x in v.items():
            walk(k, path + ".<key>")
            walk(x, path + "." + k)
    elif isinstance(v, list):
        for i, x in enumerate(v):
            walk(x, "%s[%d]" % (path, i))
walk(snap, "$")
labels = sorted(a["label"] for a in snap["assets"])
want = ["NO · SAFEQAlphaBetaGammaDeltaEnd?", "YES · SAFEQAlphaBetaGammaDeltaEnd?"]
if labels != want:
    sys.exit("snapshot labels: expected %r, got %r" % (want, labels))
print("raw output: %d bytes, no injected sequence; snapshot labels clean" % len(raw))
EOF
echo "PASS: e2e_escape ($(($(date +%s) - T0)) s)"

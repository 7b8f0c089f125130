#!/usr/bin/env python3
"""fillcost_check: fill cost on the real captures in data/, computed independently.

Builds every book the captures hold (each `book` message, and the burst's token rebuilt
after every `price_change`), asks tests/fillcost_tool (which links src/fillcost.c) for
the cost of each size on each side, and compares every figure with this script's own
exact calculation in decimal.Decimal, following the rules stated in src/fillcost.h.

usage: fillcost_check.py TOOL DATA_DIR
"""
import glob
import json
import os
import subprocess
import sys
from decimal import Decimal, ROUND_FLOOR, ROUND_HALF_UP, getcontext

getcontext().prec = 80
MICRO = Decimal("0.000001")
SIZES = "1,100,1000,25000,$1,$50,$1000,$250000"


def books_from(path):
    """Yields (id, bids{price: size}, asks{price: size}) for every book state in a file."""
    live = {}
    for line in open(path):
        line = line.strip()
        if not line:
            continue
        frame = json.loads(line)
        for ev in frame if isinstance(frame, list) else [frame]:
            if not isinstance(ev, dict):
                continue
            kind = ev.get("event_type") or ("book" if "bids" in ev and "asks" in ev else None)
            if kind == "book":
                bids = {Decimal(l["price"]): Decimal(l["size"]) for l in ev["bids"]}
                asks = {Decimal(l["price"]): Decimal(l["size"]) for l in ev["asks"]}
                live[ev["asset_id"]] = (bids, asks)
                yield ev["asset_id"], bids, asks
            elif kind == "price_change":
                for ch in ev.get("price_changes", []):
                    if ch["asset_id"] not in live:
                        continue
                    bids, asks = live[ch["asset_id"]]
                    side = bids if ch["side"] == "BUY" else asks
                    side[Decimal(ch["price"])] = Decimal(ch["size"])
                    yield ch["asset_id"], dict(bids), dict(asks)


def best_first(levels, descending):
    return sorted(((p, s) for p, s in levels.items() if s > 0), reverse=descending)


def round_half_away(x):
    return int(x.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def cost(levels, size_text):
    """levels best first.  Returns (sufficient, filled, notional, vwap, slip) in micro-units."""
    filled = Decimal(0)
    paid = Decimal(0)
    sufficient = False
    if size_text.startswith("$"):
        left = Decimal(size_text[1:])
        for p, s in levels:
            if p * s < left:
                filled += s
                paid += p * s
                left -= p * s
                continue
            q = min(s, (left / p).quantize(MICRO, rounding=ROUND_FLOOR))
            filled += q
            paid += p * q
            sufficient = True
            break
    else:
        want = Decimal(size_text)
        for p, s in levels:
            q = min(s, want - filled)
            filled += q
            paid += p * q
            if filled == want:
                break
        sufficient = filled == want
    if filled == 0:
        return sufficient, 0, 0, -1, 0
    best = levels[0][0]
    vwap = paid / filled
    slip = (vwap - best) / best * Decimal(1000000)
    return (sufficient, int(filled / MICRO), int((paid / MICRO).to_integral_value(ROUND_FLOOR)),
            round_half_away(vwap / MICRO), round_half_away(slip))


def main():
    tool, data = sys.argv[1], sys.argv[2]
    text, expected = [], []
    n = 0
    for path in sorted(glob.glob(os.path.join(data, "*.jsonl"))):
        for asset, bids, asks in books_from(path):
            n += 1
            tag = "%s#%d" % (asset[:12], n)
            text.append("BOOK %s" % tag)
            text += ["B %s %s" % (p, s) for p, s in best_first(bids, True)]
            text += ["A %s %s" % (p, s) for p, s in best_first(asks, False)]
            text.append("END")
            for size in SIZES.split(","):
                for side, lv in (("BUY", best_first(asks, False)), ("SELL", best_first(bids, True))):
                    suf, filled, notional, vwap, slip = cost(lv, size)
                    if side == "SELL":
                        slip = -slip
                    expected.append("%s %s %s %d %d %d %d %d" % (
                        tag, size, side, suf, filled, notional, vwap, slip))
    out = subprocess.run([tool, SIZES], input="\n".join(text) + "\n", capture_output=True,
                         text=True, timeout=60)
    if out.returncode != 0:
        sys.exit("fillcost_tool failed: %s" % out.stderr)
    got = out.stdout.splitlines()
    if len(got) != len(expected):
        sys.exit("expected %d answers, got %d" % (len(expected), len(got)))
    bad = [(e, g) for e, g in zip(expected, got) if e != g]
    for e, g in bad[:10]:
        print("expected: %s\n     got: %s" % (e, g))
    if bad:
        sys.exit("%d of %d fill costs differ" % (len(bad), len(expected)))
    suff = sum(1 for e in expected if e.split()[3] == "1")
    print("fill cost: %d books, %d answers agree (%d sufficient, %d insufficient depth)" % (
        n, len(expected), suff, len(expected) - suff))


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""e2e_live: helpers for the live-feed end-to-end tests (tests/e2e_live_*.sh).

  get URL                      print the body of GET URL (127.0.0.1 only); exit 1 unless 200;
                               https is verified against the PEM file named by $E2E_CA
  compare SNAP TRUTH IDS       every token listed in IDS (first word of each line, as in
                               clobsim --assets-out) must be in clobtop's snapshot SNAP with
                               bids and asks equal to clobsim's TRUTH (/state or
                               --state-file) level for level, compared as exact decimals.
                               Prints what differs (expected vs got); exit 1 if anything does.
  absent SNAP IDS              none of the tokens in IDS may be in SNAP.

It must never touch anything but 127.0.0.1 and the files it is given.
"""
import json
import os
import ssl
import sys
import urllib.parse
import urllib.request
from decimal import Decimal


def get(url):
    host = urllib.parse.urlsplit(url).hostname
    if host != "127.0.0.1":
        sys.exit("e2e_live.py: refusing %s: tests use 127.0.0.1 only" % url)
    ctx = None
    if url.startswith("https:"):
        ctx = ssl.create_default_context(cafile=os.environ.get("E2E_CA"))
    try:
        with urllib.request.urlopen(url, timeout=5, context=ctx) as r:
            sys.stdout.write(r.read().decode())
    except Exception as e:  # an HTTP error status or a refused connection
        sys.exit("e2e_live.py: GET %s failed: %s" % (url, e))


def read_ids(path):
    ids = []
    for line in open(path, encoding="utf-8"):
        w = line.split()
        if w and not w[0].startswith("#"):
            ids.append(w[0])
    return ids


def levels(side):
    return [(Decimal(l["price"]), Decimal(l["size"])) for l in side]


def show(lv, n=6):
    s = " ".join("%s@%s" % (format(p.normalize(), "f"), format(z.normalize(), "f"))
                 for p, z in lv[:n])
    return s + (" ... (%d levels)" % len(lv) if len(lv) > n else "")


def compare(snap_path, truth_path, ids_path):
    snap = json.load(open(snap_path))
    truth = json.load(open(truth_path))
    got = {a["asset_id"]: a for a in snap.get("assets", [])}
    want = {a["asset_id"]: a for a in truth.get("assets", [])}
    errors, nlevels = [], 0
    ids = read_ids(ids_path)
    if not ids:
        errors.append("no token ids in %s" % ids_path)
    for tid in ids:
        short = tid[:12] + "..."
        if tid not in want:
            errors.append("%s: not in clobsim's truth" % short)
            continue
        if tid not in got:
            errors.append("%s: expected in clobtop's snapshot, got absent" % short)
            continue
        w, g = want[tid], got[tid]
        if not w["bids"] and not w["asks"]:
            errors.append("%s: the truth has an empty book (nothing to prove)" % short)
        for side in ("bids", "asks"):
            wl, gl = levels(w[side]), levels(g[side])
            if wl != gl:
                errors.append("%s %s (state %s): expected %s\n%*s got %s" %
                              (short, side, g.get("state"), show(wl), len(short) + 6, "",
                               show(gl)))
            nlevels += len(wl)
    if errors:
        print("books differ from the server's truth:\n  " + "\n  ".join(errors))
        return 1
    print("books equal the server's truth: %d assets, %d levels" % (len(ids), nlevels))
    return 0


def absent(snap_path, ids_path):
    snap = json.load(open(snap_path))
    have = {a["asset_id"] for a in snap.get("assets", [])}
    bad = [t for t in read_ids(ids_path) if t in have]
    if bad:
        print("expected absent from the snapshot, got present: %s" % " ".join(bad))
        return 1
    return 0


def main():
    a = sys.argv[1:]
    if len(a) == 2 and a[0] == "get":
        get(a[1])
        return 0
    if len(a) == 4 and a[0] == "compare":
        return compare(a[1], a[2], a[3])
    if len(a) == 3 and a[0] == "absent":
        return absent(a[1], a[2])
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main())

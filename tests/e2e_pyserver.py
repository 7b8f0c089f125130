#!/usr/bin/python3
"""e2e_pyserver: a tiny market channel built on python3-websockets, for
tests/e2e_live_interop.sh: the real clobtop binary against a WebSocket implementation
that is not ours (nor clobsim's).

It binds 127.0.0.1 on a port the OS picks and prints "port N".  On a connection's initial
subscription it answers with one array of `book` snapshots (best level last, as live),
then --count `price_change` messages (every third one sent as three WebSocket fragments)
and a few `last_trade_price`; it answers the text PING with PONG and appends every text
frame it receives to --record.  When the script is done it writes its books (its
truth) to --truth in clobtop's snapshot shape, best level first.  It exits by itself
after --lifetime seconds.

It must never listen on anything but 127.0.0.1.
"""
import argparse
import asyncio
import json
import os
import random
import sys
import time
from decimal import Decimal

import websockets

MARKET = "0x" + "ab" * 32


def parse_args():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tokens", nargs=2, required=True, help="the two token ids of one market")
    ap.add_argument("--count", type=int, default=200, help="price_change messages to send")
    ap.add_argument("--record", required=True, help="file receiving every text frame")
    ap.add_argument("--truth", required=True, help="final books, written when done")
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--lifetime", type=float, default=20.0, help="seconds before exiting")
    return ap.parse_args()


ARGS = parse_args()
RNG = random.Random(ARGS.seed)
LOG = open(ARGS.record, "a", buffering=1)
# token -> {"bids": {price: size}, "asks": {...}} with Decimal keys and values
BOOKS = {}


def fmt(d):
    return format(d.normalize(), "f") if d else "0"


def init_books():
    for t in ARGS.tokens:
        BOOKS[t] = {"bids": {}, "asks": {}}
        for i in range(8):
            BOOKS[t]["bids"][Decimal("0.30") + Decimal(i) / 100] = Decimal(RNG.randint(1, 900))
            BOOKS[t]["asks"][Decimal("0.52") + Decimal(i) / 100] = Decimal(RNG.randint(1, 900))


def best(t):
    b, a = BOOKS[t]["bids"], BOOKS[t]["asks"]
    return (fmt(max(b)) if b else "0"), (fmt(min(a)) if a else "1")


def now_ms():
    return str(int(time.time() * 1000))


def book_msg(t):
    bk = BOOKS[t]
    return {"market": MARKET, "asset_id": t, "timestamp": now_ms(), "hash": "0" * 40,
            # live order: bids ascending and asks descending, the best level last
            "bids": [{"price": fmt(p), "size": fmt(bk["bids"][p])} for p in sorted(bk["bids"])],
            "asks": [{"price": fmt(p), "size": fmt(bk["asks"][p])}
                     for p in sorted(bk["asks"], reverse=True)],
            "tick_size": "0.01", "last_trade_price": "", "event_type": "book"}


def change():
    """One random level change on each token, applied to the truth first."""
    out = []
    for t in ARGS.tokens:
        side = RNG.choice(("bids", "asks"))
        base = Decimal("0.25") if side == "bids" else Decimal("0.51")
        price = base + Decimal(RNG.randint(0, 24)) / 100
        lv = BOOKS[t][side]
        if price in lv and RNG.random() < 0.4 and len(lv) > 2:
            size = Decimal(0)
            del lv[price]
        else:
            size = Decimal(RNG.randint(1, 99999)) / 100
            lv[price] = size
        bb, ba = best(t)
        out.append({"asset_id": t, "price": fmt(price), "size": fmt(size),
                    "side": "BUY" if side == "bids" else "SELL", "hash": "1" * 40,
                    "best_bid": bb, "best_ask": ba})
    return {"market": MARKET, "price_changes": out, "timestamp": now_ms(),
            "event_type": "price_change"}


def write_truth():
    assets = []
    for t in ARGS.tokens:
        bk = BOOKS[t]
        assets.append({"asset_id": t,
                       "bids": [{"price": fmt(p), "size": fmt(bk["bids"][p])}
                                for p in sorted(bk["bids"], reverse=True)],
                       "asks": [{"price": fmt(p), "size": fmt(bk["asks"][p])}
                                for p in sorted(bk["asks"])]})
    tmp = ARGS.truth + ".tmp"
    with open(tmp, "w") as f:
        json.dump({"schema": "clobtop.snapshot/1", "source": {"mode": "pyserver"},
                   "assets": assets}, f)
    os.rename(tmp, ARGS.truth)


async def script(ws):
    await ws.send(json.dumps([book_msg(t) for t in ARGS.tokens]))
    for i in range(ARGS.count):
        text = json.dumps(change())
        if i % 3 == 2:
            n = len(text) // 3
            await ws.send([text[:n], text[n:2 * n], text[2 * n:]])  # fragmented message
        else:
            await ws.send(text)
        if i % 50 == 49:
            t = ARGS.tokens[0]
            await ws.send(json.dumps({"market": MARKET, "asset_id": t, "price": best(t)[1],
                                      "size": "1.5", "fee_rate_bps": "0", "side": "BUY",
                                      "timestamp": now_ms(), "event_type": "last_trade_price"}))
        await asyncio.sleep(0.002)
    write_truth()
    LOG.write("0 SCRIPT DONE\n")


async def handler(ws, path=None):
    conn = id(ws) % 10000
    task = None
    try:
        async for msg in ws:
            if isinstance(msg, bytes):
                continue
            LOG.write("%d %s\n" % (conn, msg.replace("\n", "\\n")))
            if msg == "PING":
                await ws.send("PONG")
            elif task is None and '"type":"market"' in msg.replace(" ", ""):
                task = asyncio.ensure_future(script(ws))
    except websockets.exceptions.ConnectionClosed:
        pass
    if task:
        task.cancel()


async def main():
    init_books()
    async with websockets.serve(handler, "127.0.0.1", 0, max_size=None) as server:
        port = server.sockets[0].getsockname()[1]
        print("port %d" % port, flush=True)
        await asyncio.sleep(ARGS.lifetime)


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)

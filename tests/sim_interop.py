#!/usr/bin/python3
"""Interoperability test of clobsim with a WebSocket client that is not ours.

Run by Debian's /usr/bin/python3 with python3-websockets (10.x API).  Usage:
  sim_interop.py basic PORT [CAFILE]   session rules, frame shapes, REST, rate
  sim_interop.py faults PORT           a server started with --fragment --drop-every 40
                                       --close-after 400: fragments, drift, abrupt close
  sim_interop.py control PORT          a server started with --oversize-bytes 2M: every
                                       GET /fault kind, one at a time
  sim_interop.py replay PORT FILE      a server started with --replay FILE --speed max
Every wait is bounded; the script exits 0 on success, 1 with a message on failure.
"""
import asyncio
import json
import ssl
import sys
import time
import traceback
import urllib.request
from decimal import Decimal

import websockets
import websockets.exceptions

# seconds a whole mode may take (sim_interop.sh kills this script after 300 s)
MODE_DEADLINE = 240.0
TIMEOUT = 20.0  # seconds: the deadline of every wait that should end much sooner
failures = []


# websockets renamed the handshake-refused exception (InvalidStatusCode, with .status_code,
# until 13; InvalidStatus, with .response.status_code, since): accept both, so the test
# runs on Debian 12 (10.4) and Debian 13 (15.x) alike.
REJECTED = tuple(c for c in (getattr(websockets.exceptions, "InvalidStatus", None),
                             getattr(websockets.exceptions, "InvalidStatusCode", None)) if c)


def rejected_status(e):
    response = getattr(e, "response", None)
    if response is not None and hasattr(response, "status_code"):
        return response.status_code
    return getattr(e, "status_code", None)


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, flush=True)
    return cond


def http(base, path, ctx=None):
    try:
        with urllib.request.urlopen(base + path, timeout=TIMEOUT, context=ctx) as r:
            return r.status, json.loads(r.read().decode())
    except urllib.error.HTTPError as e:
        return e.code, None


def all_strings(obj, keys):
    return all(isinstance(obj.get(k), str) for k in keys if k in obj)


def check_book(b, where):
    """A wire book: numbers as strings, bids ascending and asks descending (best last)."""
    ok = check(b.get("event_type") == "book", f"{where}: event_type book")
    ok &= check(list(b.keys())[-1] == "event_type", f"{where}: event_type is the last key")
    ok &= check(all_strings(b, ["market", "asset_id", "timestamp", "hash"]), f"{where}: strings")
    for side, order in (("bids", 1), ("asks", -1)):
        lv = b.get(side, [])
        ok &= check(all(isinstance(l["price"], str) and isinstance(l["size"], str) for l in lv),
                    f"{where}: {side} numbers are strings")
        prices = [Decimal(l["price"]) for l in lv]
        ok &= check(prices == sorted(prices, reverse=(order < 0)),
                    f"{where}: {side} best last (got {prices[:3]}...{prices[-3:]})")
    return ok


class Books:
    """Rebuilds books from the stream to check the exchange's best_bid/best_ask."""

    def __init__(self):
        self.b = {}

    def snapshot(self, book):
        self.b[book["asset_id"]] = (
            {Decimal(l["price"]): Decimal(l["size"]) for l in book["bids"]},
            {Decimal(l["price"]): Decimal(l["size"]) for l in book["asks"]})

    def apply(self, e):
        if e["asset_id"] not in self.b:
            return None
        side = self.b[e["asset_id"]][0 if e["side"] == "BUY" else 1]
        p, s = Decimal(e["price"]), Decimal(e["size"])
        if s == 0:
            side.pop(p, None)
        else:
            side[p] = s
        bids, asks = self.b[e["asset_id"]]
        bb = max(bids) if bids else None
        ba = min(asks) if asks else None
        want_bb = Decimal(e["best_bid"]) if e["best_bid"] else None
        want_ba = Decimal(e["best_ask"]) if e["best_ask"] else None
        return (bb, ba) == (want_bb, want_ba)


async def recv_until(ws, pred, secs=TIMEOUT):
    """Frames until pred(frame) is true; returns that frame or None at the deadline."""
    end = time.monotonic() + secs
    while time.monotonic() < end:
        try:
            m = await asyncio.wait_for(ws.recv(), end - time.monotonic())
        except asyncio.TimeoutError:
            return None
        if pred(m):
            return m
    return None


async def basic(port, cafile):
    ctx = ssl.create_default_context(cafile=cafile) if cafile else None
    scheme = "wss" if ctx else "ws"
    base = f"{'https' if ctx else 'http'}://127.0.0.1:{port}"
    url = f"{scheme}://127.0.0.1:{port}/ws/market"

    st, health = http(base, "/health", ctx)
    check(st == 200 and health == {"status": "ok"}, f"/health answers ok (got {st} {health})")
    st, markets = http(base, "/markets", ctx)
    check(st == 200 and isinstance(markets, list) and markets, "/markets lists markets")
    m0 = markets[0]
    check(isinstance(m0["outcomes"], str) and isinstance(m0["clobTokenIds"], str),
          "Gamma outcomes and clobTokenIds are strings holding JSON arrays")
    tokens = []
    pair = {}
    for m in markets:
        ids = json.loads(m["clobTokenIds"])
        check(len(ids) == 2 and len(json.loads(m["outcomes"])) == 2, "two outcomes per market")
        check(all(len(i) == 78 and i.isdigit() for i in ids), "token ids are 78 digits")
        check(m["conditionId"].startswith("0x") and len(m["conditionId"]) == 66,
              "conditionId is 0x + 64 hex")
        tokens += ids
        pair[ids[0]], pair[ids[1]] = ids[1], ids[0]

    st, one = http(base, "/markets?clob_token_ids=" + tokens[1], ctx)
    check(st == 200 and len(one) == 1 and tokens[1] in json.loads(one[0]["clobTokenIds"]),
          "/markets?clob_token_ids finds the market of a token")
    st, by_slug = http(base, "/markets/slug/" + m0["slug"], ctx)
    check(st == 200 and by_slug["conditionId"] == m0["conditionId"], "/markets/slug/SLUG")
    st, _ = http(base, "/markets/slug/no-such-market", ctx)
    check(st == 404, f"unknown slug answers 404 (got {st})")
    st, rb = http(base, "/book?token_id=" + tokens[0], ctx)
    check(st == 200 and rb["asset_id"] == tokens[0], "/book answers for a known token")
    if st == 200:
        for k in ("market", "asset_id", "timestamp", "hash", "bids", "asks", "min_order_size",
                  "tick_size", "neg_risk", "last_trade_price"):
            check(k in rb, f"/book has {k}")
        bids = [Decimal(l["price"]) for l in rb["bids"]]
        check(bids == sorted(bids), "/book bids ascending (best last)")
    st, _ = http(base, "/book?token_id=1111", ctx)
    check(st == 404, f"/book of an unknown token answers 404 (got {st})")
    st, snap = http(base, "/state", ctx)
    check(st == 200 and snap["schema"] == "clobtop.snapshot/1" and snap["source"]["mode"] == "sim",
          "/state is a clobtop snapshot")
    if st == 200 and snap["assets"]:
        a = snap["assets"][0]
        bids = [Decimal(l["price"]) for l in a["bids"]]
        check(bids == sorted(bids, reverse=True), "/state bids best first")
        check(a["best_bid"] is None or Decimal(a["best_bid"]) == bids[0], "/state best_bid")

    # the bare /ws/ path is not a channel
    try:
        async with websockets.connect(f"{scheme}://127.0.0.1:{port}/ws/", ssl=ctx,
                                      open_timeout=TIMEOUT):
            check(False, "/ws/ must not upgrade")
    except REJECTED as e:
        check(rejected_status(e) == 404, f"/ws/ answers 404 (got {rejected_status(e)})")

    # PING before the initial subscription: close 1008
    async with websockets.connect(url, ssl=ctx, open_timeout=TIMEOUT) as ws:
        await ws.send("PING")
        try:
            await asyncio.wait_for(ws.recv(), TIMEOUT)
            check(False, "early PING must be answered by a close")
        except websockets.exceptions.ConnectionClosed as e:
            check(e.code == 1008 and e.reason == "invalid subscription payload",
                  f"early PING: close 1008 'invalid subscription payload' (got {e.code} {e.reason!r})")

    async with websockets.connect(url, ssl=ctx, open_timeout=TIMEOUT, max_size=None) as ws:
        await ws.send(json.dumps({"assets_ids": tokens, "type": "market", "initial_dump": True,
                                  "custom_feature_enabled": True}))
        first = json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))
        check(isinstance(first, list) and len(first) == len(tokens),
              f"initial dump is one array with a book per token (got {len(first)} of {len(tokens)})")
        books = Books()
        for b in first:
            check_book(b, "initial dump")
            check("tick_size" in b and "last_trade_price" in b, "first snapshot has tick_size")
            books.snapshot(b)

        seen = {"price_change": 0, "last_trade_price": 0, "best_bid_ask": 0, "book": 0}
        agree = disagree = 0
        end = time.monotonic() + 1.5
        while time.monotonic() < end:
            f = json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))
            for ev in (f if isinstance(f, list) else [f]):
                et = ev.get("event_type")
                seen[et] = seen.get(et, 0) + 1
                check(list(ev.keys())[-1] == "event_type" or et in ("last_trade_price", "new_market"),
                      f"{et}: event_type last")
                if et == "price_change":
                    pcs = ev["price_changes"]
                    if check(len(pcs) == 2, "price_change names both tokens"):
                        a, b = pcs
                        check(pair.get(a["asset_id"]) == b["asset_id"], "the two tokens are complements")
                        check(Decimal(a["price"]) + Decimal(b["price"]) == 1, "complement prices sum to 1")
                        check(a["side"] != b["side"] and a["size"] == b["size"], "mirrored sides")
                    for e in pcs:
                        check(all_strings(e, ["price", "size", "best_bid", "best_ask", "hash"]),
                              "price_change numbers are strings")
                        r = books.apply(e)
                        if r is not None:
                            agree += r
                            disagree += not r
                elif et == "book":
                    check_book(ev, "book after trade")
                    books.snapshot(ev)
                elif et == "last_trade_price":
                    check(all_strings(ev, ["price", "size", "timestamp"]), "trade numbers are strings")
                elif et == "best_bid_ask":
                    check(all_strings(ev, ["best_bid", "best_ask", "spread"]), "bbo strings")
        check(seen["price_change"] > 0 and seen["last_trade_price"] > 0 and seen["best_bid_ask"] > 0,
              f"flow has price_change, last_trade_price and best_bid_ask ({seen})")
        check(disagree == 0 and agree > 0,
              f"rebuilt books agree with best_bid/best_ask ({agree} agree, {disagree} disagree)")
        print(f"flow: {seen}; {agree} best_bid/best_ask checks agree", flush=True)

        await ws.send("PING")
        check(await recv_until(ws, lambda m: m == "PONG") == "PONG", "PING is answered by PONG")
        await ws.send(json.dumps({"assets_ids": tokens[:1], "type": "market"}))
        check(await recv_until(ws, lambda m: m == "INVALID OPERATION") is not None,
              "a second initial subscription is answered by INVALID OPERATION")
        await ws.send(json.dumps({"operation": "subscribe", "assets_ids": ["1111"]}))
        check(await recv_until(ws, lambda m: m == "[]") == "[]", "an unknown token yields []")

        def snapshot_of(tok):
            return lambda m: m.startswith("[{") and tok in m
        await ws.send(json.dumps({"operation": "subscribe", "assets_ids": [tokens[0]]}))
        check(await recv_until(ws, snapshot_of(tokens[0]), 0.7) is None,
              "subscribing to an already subscribed token sends no snapshot")
        await ws.send(json.dumps({"operation": "unsubscribe", "assets_ids": [tokens[0]]}))
        await ws.send(json.dumps({"operation": "subscribe", "assets_ids": [tokens[0]]}))
        snap = await recv_until(ws, snapshot_of(tokens[0]))
        check(snap is not None and json.loads(snap)[0]["asset_id"] == tokens[0],
              "unsubscribe then subscribe sends a fresh book")

    # the user channel is not served
    async with websockets.connect(f"{scheme}://127.0.0.1:{port}/ws/user", ssl=ctx,
                                  open_timeout=TIMEOUT) as ws:
        await ws.send(json.dumps({"type": "user", "markets": []}))
        try:
            await asyncio.wait_for(ws.recv(), TIMEOUT)
        except websockets.exceptions.ConnectionClosed as e:
            check(e.code == 1008, f"/ws/user closes with 1008 (got {e.code})")

    # rate: a figure, printed, not asserted beyond "flowing" (no timing assertions)
    async with websockets.connect(url, ssl=ctx, open_timeout=TIMEOUT, max_size=None) as ws:
        await ws.send(json.dumps({"assets_ids": tokens, "type": "market", "initial_dump": False}))
        n, t0 = 0, time.monotonic()
        while time.monotonic() - t0 < 1.0:
            try:
                await asyncio.wait_for(ws.recv(), TIMEOUT)
                n += 1
            except asyncio.TimeoutError:
                break
        el = time.monotonic() - t0
        print(f"rate: {n / el:.0f} msgs/s received by the Python client", flush=True)
        check(n > 0, "frames flow after a subscription without initial_dump")


async def faults(port):
    """Server: --fragment --drop-every 40 --close-after 400 --rate 20000."""
    st, markets = http(f"http://127.0.0.1:{port}", "/markets")
    tokens = [t for m in markets for t in json.loads(m["clobTokenIds"])]
    url = f"ws://127.0.0.1:{port}/ws/market"
    async with websockets.connect(url, open_timeout=TIMEOUT, max_size=None) as ws:
        await ws.send(json.dumps({"assets_ids": tokens, "type": "market", "initial_dump": True,
                                  "custom_feature_enabled": True}))
        books = Books()
        data = disagree = 0
        code = None
        try:
            while True:
                m = await asyncio.wait_for(ws.recv(), TIMEOUT)
                data += 1
                f = json.loads(m)  # fragmented frames arrive reassembled
                for ev in (f if isinstance(f, list) else [f]):
                    if ev.get("event_type") == "book":
                        books.snapshot(ev)
                    elif ev.get("event_type") == "price_change":
                        for e in ev["price_changes"]:
                            if books.apply(e) is False:
                                disagree += 1
                                books.snapshot(json.loads(json.dumps(
                                    {"asset_id": e["asset_id"], "bids": [], "asks": []})))
                                del books.b[e["asset_id"]]
        except websockets.exceptions.ConnectionClosed as e:
            code = e.code
        check(code == 1006, f"--close-after closes abruptly, no close frame (got {code})")
        check(data == 400, f"--close-after 400 delivers exactly 400 data frames (got {data})")
        check(disagree > 0, "--drop-every makes a rebuilt book disagree with best_bid/best_ask")
        print(f"faults: {data} frames, {disagree} drifts detected, close code {code}", flush=True)


async def control(port):
    """Server: --rate 1000 --oversize-bytes 2M.  One fault at a time through GET /fault."""
    base = f"http://127.0.0.1:{port}"
    st, markets = http(base, "/markets")
    tokens = [t for m in markets for t in json.loads(m["clobTokenIds"])]
    books = Books()
    stats = {"bad_json": 0, "crossed": 0, "wrong_bbo": 0, "oversize": 0}

    def take(m):
        try:
            f = json.loads(m)
        except ValueError:
            stats["bad_json"] += 1
            return
        for ev in (f if isinstance(f, list) else [f]):
            if not isinstance(ev, dict):
                continue
            et = ev.get("event_type")
            if et == "book":
                books.snapshot(ev)
            elif et == "price_change":
                for e in ev["price_changes"]:
                    books.apply(e)
                    if e["best_bid"] and e["best_ask"] and \
                            Decimal(e["best_bid"]) >= Decimal(e["best_ask"]):
                        stats["crossed"] += 1
            elif et == "best_bid_ask" and ev["asset_id"] in books.b:
                bids, asks = books.b[ev["asset_id"]]
                if (str(max(bids)), str(min(asks))) != (ev["best_bid"], ev["best_ask"]):
                    stats["wrong_bbo"] += 1
            elif et == "clobsim_padding":
                stats["oversize"] += len(m) >= 2 << 20

    async def drain(ws, secs, done=lambda: False):
        """Data frames until done(), a PONG, or the deadline (secs on the clock); returns
        (data frames, whether a PONG ended it)."""
        end = time.monotonic() + secs
        n = 0
        while not done():
            try:
                m = await asyncio.wait_for(ws.recv(), max(0.01, end - time.monotonic()))
            except asyncio.TimeoutError:
                return n, False
            if m == "PONG":
                return n, True
            take(m)
            n += 1
            if time.monotonic() > end:
                break
        return n, False

    async def quiesce(ws):
        """Frames already on their way: read until none arrived for 0.5 s (at most TIMEOUT)."""
        end = time.monotonic() + TIMEOUT
        while time.monotonic() < end:
            try:
                take(await asyncio.wait_for(ws.recv(), 0.5))
            except asyncio.TimeoutError:
                return

    url = f"ws://127.0.0.1:{port}/ws/market"
    async with websockets.connect(url, open_timeout=TIMEOUT, max_size=None) as ws:
        await ws.send(json.dumps({"assets_ids": tokens, "type": "market", "initial_dump": True,
                                  "custom_feature_enabled": True}))
        await drain(ws, 0.3)
        for kind, key in (("garbage", "bad_json"), ("truncate", "bad_json"), ("cross", "crossed"),
                          ("wrongbbo", "wrong_bbo"), ("oversize", "oversize")):
            before = stats[key]
            st, ans = http(base, "/fault?kind=" + kind)
            check(st == 200 and ans["ok"], f"/fault?kind={kind} accepted")
            await drain(ws, TIMEOUT, lambda: stats[key] > before)
            check(stats[key] > before, f"/fault?kind={kind} shows on the wire ({stats})")

        http(base, "/fault?kind=freeze")
        # Data sent before the freeze comes ahead of the first PONG; none may follow it.
        await ws.send("PING")
        await drain(ws, TIMEOUT)
        await ws.send("PING")
        quiet, pong = await drain(ws, TIMEOUT)
        check(pong and quiet == 0,
              f"frozen: PONG answered and no data frame (got {quiet} frames, PONG {pong})")
        http(base, "/fault?kind=resume")
        m = await recv_until(ws, lambda m: m != "PONG")
        check(m is not None, "resume: data flows again")
        if m is not None:
            take(m)

        http(base, "/fault?kind=stall")
        await quiesce(ws)
        await ws.send("PING")
        try:
            m = await asyncio.wait_for(ws.recv(), 1.0)
            check(False, f"stalled: nothing must arrive, not even PONG (got {m[:40]!r})")
        except asyncio.TimeoutError:
            pass
        http(base, "/fault?kind=resume")
        check(await recv_until(ws, lambda m: m == "PONG") == "PONG",
              "resume after stall: the PING sent meanwhile is answered")

        http(base, "/fault?kind=close")
        try:
            await drain(ws, TIMEOUT)
            check(False, "/fault?kind=close must close the connection")
        except websockets.exceptions.ConnectionClosed as e:
            check(e.code == 1006, f"/fault?kind=close is abrupt (got {e.code})")
    st, stt = http(base, "/stats")
    check(st == 200 and stt["faults"] >= 6, f"/stats counts faults ({stt})")
    st, _ = http(base, "/fault?kind=nonsense")
    check(st == 400, f"unknown fault kind answers 400 (got {st})")
    print(f"control: {stats}", flush=True)


async def replay(port, path):
    """Server: --replay PATH --speed max.  Frames come back byte for byte, in order."""
    want = []
    for line in open(path):
        line = line.rstrip("\n")
        if line.startswith('{"t_ns"'):
            want.append(json.loads(line)["frame"])
        elif line:
            want.append(line)
    url = f"ws://127.0.0.1:{port}/ws/market"
    async with websockets.connect(url, open_timeout=TIMEOUT, max_size=None) as ws:
        await ws.send(json.dumps({"assets_ids": ["1"], "type": "market", "initial_dump": True}))
        got = []
        while len(got) < len(want):
            try:
                got.append(await asyncio.wait_for(ws.recv(), TIMEOUT))
            except asyncio.TimeoutError:
                break
        check(got == want, f"replay serves the file's frames in order ({len(got)} of {len(want)})")
        await ws.send("PING")
        check(await recv_until(ws, lambda m: m == "PONG", 2.0) == "PONG", "PONG after the replay")


def main():
    mode, port = sys.argv[1], int(sys.argv[2])
    cafile = sys.argv[3] if len(sys.argv) > 3 else None
    if mode == "basic":
        coro = basic(port, cafile)
    elif mode == "faults":
        coro = faults(port)
    elif mode == "control":
        coro = control(port)
    else:
        coro = replay(port, sys.argv[3])
    try:
        asyncio.run(asyncio.wait_for(coro, MODE_DEADLINE))
    except Exception as e:  # any unexpected exception is a failure with its reason
        where = traceback.extract_tb(e.__traceback__)[-1]
        failures.append(f"{type(e).__name__}: {e} (line {where.lineno}: {where.line})")
        print("FAIL:", failures[-1], flush=True)
    print(f"{mode}: {'FAIL' if failures else 'ok'} ({len(failures)} failures)", flush=True)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""rest_peer: a CLOB-like REST book server for tests/test_rest.c (standard library only).

It binds 127.0.0.1 on a port the OS chooses, prints that port on stdout, and serves
  GET  /book?token_id=ID        one book object, or 404 {"error": ...}
  POST /books  [{"token_id":ID},...]   an array of the books it knows (unknown ids omitted)
in Polymarket's shape (numbers as strings, best level last).  Books come from the
fixture file (--fixture, a JSON object id -> book); any other id is made up from the id
itself, except ids starting with 9 (unknown: no book) and 8 (a book of 5000 levels a side).

Faults on purpose, for the first N requests: --fail500 N (HTTP 500), --r429 N (429 with
Retry-After: --retry-after S seconds, or an HTTP date S seconds ahead with --date);
--slow S delays every answer; --bad-id ID makes any request holding ID a 400.

Every request is appended to --log as one line, written when the request arrives:
  <monotonic seconds> <GET|POST> <path> <status> <number of ids> <ids comma-separated>
It exits by itself after --duration seconds, so a crashed test cannot leave it running.
It must never listen on anything but 127.0.0.1.
"""
import argparse
import email.utils
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

ARGS = None
FIXTURE = {}
LOCK = threading.Lock()
COUNT = [0]


def made_up(tid):
    """A deterministic book for any id: prices from its last digits."""
    if tid.startswith("9"):
        return None
    n = int(tid[-3:]) % 40 if tid[-3:].isdigit() else 7
    levels = 5000 if tid.startswith("8") else 3
    bids = [{"price": "0.%04d" % (1000 + n * 10 + i), "size": "%d" % (i + 1)}
            for i in range(levels)]
    asks = [{"price": "0.%04d" % (9000 - n * 10 - i), "size": "%d.5" % (i + 1)}
            for i in range(levels)]
    return {"market": "0x" + "ab" * 32, "asset_id": tid, "timestamp": str(1700000000000 + n),
            "hash": "h" + tid[-8:], "bids": bids, "asks": asks, "min_order_size": "5",
            "tick_size": "0.0001", "neg_risk": False, "last_trade_price": "0.5"}


def book_for(tid):
    if tid in FIXTURE:
        return FIXTURE[tid]
    return made_up(tid)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, status, body, extra=None):
        if not isinstance(body, bytes):
            body = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def fault(self, ids):
        """The status a fault imposes on this request, and its extra headers."""
        with LOCK:
            COUNT[0] += 1
            k = COUNT[0]
        if k <= ARGS.fail500:
            return 500, None
        if k <= ARGS.fail500 + ARGS.r429:
            if ARGS.date:
                ra = email.utils.formatdate(time.time() + ARGS.retry_after, usegmt=True)
            else:
                ra = "%d" % ARGS.retry_after
            return 429, {"Retry-After": ra}
        if ARGS.bad_id and ARGS.bad_id in ids:
            return 400, None
        return 200, None

    def log(self, method, status, ids):
        with LOCK, open(ARGS.log, "a") as f:
            f.write("%.6f %s %s %d %d %s\n" % (time.monotonic(), method,
                                               urlsplit(self.path).path, status, len(ids),
                                               ",".join(ids) or "-"))

    def answer(self, method, ids, one):
        status, extra = self.fault(ids)
        if status == 200 and one and book_for(ids[0]) is None:
            status = 404
        self.log(method, status, ids)
        if ARGS.slow:
            time.sleep(ARGS.slow)
        if status == 200:
            if one:
                body = book_for(ids[0])
            else:
                body = [b for b in (book_for(t) for t in ids) if b is not None]
            self.send(200, body)
        elif status == 404:
            self.send(404, {"error": "No orderbook exists for the requested token id"})
        else:
            self.send(status, {"error": "fault %d" % status}, extra)

    def do_GET(self):
        url = urlsplit(self.path)
        if url.path != "/book":
            self.send(404, {"error": "no route"})
            return
        ids = parse_qs(url.query).get("token_id", [])
        if len(ids) != 1:
            self.log("GET", 400, ids)
            self.send(400, {"error": "token_id required"})
            return
        self.answer("GET", ids, True)

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(n)
        if urlsplit(self.path).path != "/books":
            self.send(404, {"error": "no route"})
            return
        try:
            ids = [str(o["token_id"]) for o in json.loads(raw)]
        except (ValueError, TypeError, KeyError):
            self.log("POST", 400, [])
            self.send(400, {"error": "bad body"})
            return
        self.answer("POST", ids, False)


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a client that hangs up early (stop, timeout) is expected here


def main():
    global ARGS, FIXTURE
    ap = argparse.ArgumentParser()
    ap.add_argument("--log", required=True, help="file receiving one line per request")
    ap.add_argument("--fixture", help="JSON object: token id -> book")
    ap.add_argument("--fail500", type=int, default=0)
    ap.add_argument("--r429", type=int, default=0)
    ap.add_argument("--retry-after", type=int, default=1)
    ap.add_argument("--date", action="store_true", help="Retry-After as an HTTP date")
    ap.add_argument("--slow", type=float, default=0.0)
    ap.add_argument("--bad-id", default="")
    ap.add_argument("--duration", type=float, default=30.0, help="seconds before exiting")
    ARGS = ap.parse_args()
    if ARGS.fixture:
        with open(ARGS.fixture) as f:
            FIXTURE = json.load(f)

    srv = Server(("127.0.0.1", 0), Handler)
    timer = threading.Timer(ARGS.duration, lambda: os._exit(0))
    timer.daemon = True
    timer.start()
    sys.stdout.write("%d\n" % srv.server_address[1])
    sys.stdout.flush()
    srv.serve_forever()


if __name__ == "__main__":
    main()

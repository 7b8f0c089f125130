#!/usr/bin/python3
"""gamma_peer: a tiny Gamma-like REST server for tests/test_gamma.c (standard library only).

It binds 127.0.0.1 on a port the OS chooses, prints that port on stdout, appends the
path of every request it receives to --log (one per line) and serves canned answers in
the shapes Polymarket's Gamma API uses, plus broken ones on purpose:

  /markets?clob_token_ids=ID[&closed=true]
    111, 222   market A: outcomes/clobTokenIds as strings holding JSON arrays, tick 0.01 (number)
    333, 444   market B: real arrays, tick "0.001" (string)
    555, 556   market C: closed, only listed when closed=true is passed
    999, 998   a market whose question, slug and outcome carry terminal escape sequences
    1234       market A, which does not list 1234 (a server ignoring the filter)
    777        malformed JSON
    500        HTTP 500
    888        answers only after --slow seconds
    big        an answer of about 200 KB (with Content-Length)
    bigstream  an answer of about 120 KB without Content-Length
    other      []
  /markets/slug/rain-paris-friday -> A, /markets/slug/final-winner -> B,
  /markets/slug/array-form -> [B]; any other market slug -> 404
  /events/slug/us-election -> an event holding B and C; /events/slug/big-event -> an
  event of 40 markets; any other event slug -> []

It exits by itself after --lifetime seconds so that a crashed test cannot leave it
running.  It must never listen on anything but 127.0.0.1.
"""
import argparse
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

ESC = "\x1b"
BEL = "\x07"

MARKET_A = {
    "id": "501",
    "question": "Will it rain in Paris on Friday?",
    "slug": "rain-paris-friday",
    "conditionId": "0x" + "a" * 64,
    "outcomes": json.dumps(["Yes", "No"]),
    "clobTokenIds": json.dumps(["111", "222"]),
    "orderPriceMinTickSize": 0.01,
    "closed": False,
    "active": True,
}
MARKET_B = {
    "id": "502",
    "question": "Who wins the final?",
    "slug": "final-winner",
    "conditionId": "0x" + "b" * 64,
    "outcomes": ["Team A", "Team B"],
    "clobTokenIds": ["333", "444"],
    "orderPriceMinTickSize": "0.001",
    "closed": False,
}
MARKET_C = {
    "id": "503",
    "question": "Old election?",
    "slug": "old-election",
    "conditionId": "0x" + "c" * 64,
    "outcomes": json.dumps(["Yes", "No"]),
    "clobTokenIds": json.dumps(["555", "556"]),
    "orderPriceMinTickSize": 0.1,
    "closed": True,
}
HOSTILE = {
    "id": "504",
    "question": "Will it " + ESC + "]0;pwned" + BEL + "rain" + ESC + "[2J today?",
    "slug": "hostile" + ESC + "[31m-market",
    "conditionId": "0x" + "d" * 64,
    "outcomes": json.dumps(["Y" + ESC + "[1mes", "No"]),
    "clobTokenIds": json.dumps(["999", "998"]),
    "orderPriceMinTickSize": "0.0001",
    "closed": False,
}
EVENT = {
    "id": "90",
    "slug": "us-election",
    "title": "US election",
    "markets": [MARKET_B, MARKET_C],
}

# An event with more markets than one result holds (GAMMA_MAX_MARKETS is 16).
BIG_EVENT = {
    "id": "91",
    "slug": "big-event",
    "title": "Forty markets",
    "markets": [{
        "id": str(600 + i),
        "question": "Big question %d?" % i,
        "slug": "big-%d" % i,
        "conditionId": "0x%064x" % (0xb00 + i),
        "outcomes": json.dumps(["Yes", "No"]),
        "clobTokenIds": json.dumps([str(70000 + 2 * i), str(70001 + 2 * i)]),
        "closed": False,
    } for i in range(40)],
}

ARGS = None
LOG_LOCK = threading.Lock()


def log(path):
    with LOG_LOCK, open(ARGS.log, "a") as f:
        f.write(path + "\n")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, status, body):
        if not isinstance(body, bytes):
            body = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        log(self.path)
        url = urlsplit(self.path)
        q = parse_qs(url.query)
        if url.path == "/markets":
            ids = q.get("clob_token_ids", [""])
            closed = q.get("closed", ["false"])[0] == "true"
            self.markets(ids[0], closed)
        elif url.path.startswith("/markets/slug/"):
            slug = url.path[len("/markets/slug/"):]
            found = {"rain-paris-friday": MARKET_A, "final-winner": MARKET_B,
                     "array-form": [MARKET_B]}.get(slug)
            if found is None:
                self.send(404, {"type": "not found error", "error": "id not found"})
            else:
                self.send(200, found)
        elif url.path.startswith("/events/slug/"):
            slug = url.path[len("/events/slug/"):]
            self.send(200, {"us-election": EVENT, "big-event": BIG_EVENT}.get(slug, []))
        else:
            self.send(404, {"error": "no route"})

    def markets(self, tid, closed):
        if tid in ("111", "222", "1234"):
            self.send(200, [MARKET_A])
        elif tid in ("333", "444"):
            self.send(200, [MARKET_B])
        elif tid in ("555", "556"):
            self.send(200, [MARKET_C] if closed else [])
        elif tid in ("999", "998"):
            self.send(200, [HOSTILE])
        elif tid == "777":
            self.send(200, b'[{"question": "x",')
        elif tid == "500":
            self.send(500, {"error": "internal"})
        elif tid == "888":
            time.sleep(ARGS.slow)
            self.send(200, [])
        elif tid == "big":
            self.send(200, [dict(MARKET_B, description="x" * 1000) for _ in range(200)])
        elif tid == "bigstream":
            # No Content-Length: the body ends when the connection closes, so only the
            # client's running count can stop it.
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            self.wfile.write(json.dumps([MARKET_B] * 400).encode())
        else:
            self.send(200, [])


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a client that hangs up early (size limit, timeout) is expected here


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--log", required=True, help="file receiving every request path")
    ap.add_argument("--slow", type=float, default=5.0, help="seconds before answering 888")
    ap.add_argument("--lifetime", type=float, default=30.0, help="seconds before exiting")
    ARGS = ap.parse_args()

    srv = Server(("127.0.0.1", 0), Handler)
    timer = threading.Timer(ARGS.lifetime, lambda: os._exit(0))
    timer.daemon = True
    timer.start()
    sys.stdout.write("%d\n" % srv.server_address[1])
    sys.stdout.flush()
    srv.serve_forever()


if __name__ == "__main__":
    main()

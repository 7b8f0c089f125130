#!/usr/bin/python3
"""redis_peek: a minimal Redis (RESP2) client for tests/e2e_redis.sh, 127.0.0.1 only.

  sub PORT OUT            PSUBSCRIBE polymarket:* and append each message to OUT as one
                          JSON line {"channel": ..., "data": <the message, parsed>}
                          until the connection ends (the caller bounds it with timeout)
  cache PORT OUT          every orderbook:polymarket:* key as a snapshot-like document
                          {"assets": [<the cached book message>, ...]} (for e2e_live.py
                          compare), with each key's TTL in "ttl"
  stream PORT KEY OUT     XRANGE KEY - + as a JSON list of {"id", "type", "asset_id",
                          "seq", "data"}
  count PORT PATTERN      how many keys match PATTERN
  raw PORT OUT            PSUBSCRIBE * and append each message to OUT as one line
                          "channel<TAB>data" exactly as received (nothing parsed, so a
                          message of any shape is kept; the caller bounds it with timeout)
  dump PORT OUT           every key (KEYS *) with its whole value as the server holds it:
                          GET for strings, XRANGE for streams, the right read for the
                          other types; one "key<TAB>type<TAB>value" line per key

It must never touch anything but 127.0.0.1.
"""
import json
import socket
import sys


class Resp:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", int(port)), timeout=10)
        self.f = self.s.makefile("rb")

    def send(self, *args):
        out = b"*%d\r\n" % len(args)
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        self.s.sendall(out)

    def read(self):
        line = self.f.readline()
        if not line:
            raise EOFError
        t, rest = line[:1], line[1:-2]
        if t in (b"+", b"-"):
            if t == b"-":
                raise RuntimeError(rest.decode())
            return rest.decode()
        if t == b":":
            return int(rest)
        if t == b"$":
            n = int(rest)
            if n < 0:
                return None
            data = self.f.read(n + 2)[:-2]
            return data.decode()
        if t == b"*":
            n = int(rest)
            return None if n < 0 else [self.read() for _ in range(n)]
        raise RuntimeError("bad reply %r" % line)

    def cmd(self, *args):
        self.send(*args)
        return self.read()


def psubscribe(port, pattern, out, line):
    """Append line(channel, data) to OUT for each message until the connection ends."""
    r = Resp(port)
    r.s.settimeout(None)
    r.send("PSUBSCRIBE", pattern)
    r.read()
    with open(out, "a", encoding="utf-8") as f:
        while True:
            try:
                m = r.read()
            except (EOFError, OSError):
                return
            if m and m[0] == "pmessage":
                f.write(line(m[2], m[3]))
                f.flush()


def sub(port, out):
    psubscribe(port, "polymarket:*", out,
               lambda c, d: json.dumps({"channel": c, "data": json.loads(d)}) + "\n")


def raw(port, out):
    psubscribe(port, "*", out, lambda c, d: "%s\t%s\n" % (c, d))


READS = {"string": ("GET",), "stream": ("XRANGE", "-", "+"), "hash": ("HGETALL",),
         "list": ("LRANGE", "0", "-1"), "set": ("SMEMBERS",),
         "zset": ("ZRANGE", "0", "-1", "WITHSCORES")}


def dump(port, out):
    r = Resp(port)
    with open(out, "w", encoding="utf-8") as f:
        for k in sorted(r.cmd("KEYS", "*")):
            t = r.cmd("TYPE", k)
            if t == "none":  # expired between KEYS and TYPE
                continue
            read = READS.get(t)
            if read is None:
                sys.exit("redis_peek.py: key %s has a type (%s) dump cannot read" % (k, t))
            f.write("%s\t%s\t%s\n" % (k, t, json.dumps(r.cmd(read[0], k, *read[1:]))))


def cache(port, out):
    r = Resp(port)
    keys = r.cmd("KEYS", "orderbook:polymarket:*")
    assets = []
    for k in sorted(keys):
        v = r.cmd("GET", k)
        if v is None:
            continue
        doc = json.loads(v)
        doc["ttl"] = r.cmd("TTL", k)
        doc["key"] = k
        assets.append(doc)
    json.dump({"assets": assets}, open(out, "w"))


def stream(port, key, out):
    r = Resp(port)
    rows = []
    for eid, fields in r.cmd("XRANGE", key, "-", "+"):
        d = dict(zip(fields[::2], fields[1::2]))
        rows.append({"id": eid, "type": d["type"], "asset_id": d["asset_id"],
                     "seq": int(d["seq"]), "data": json.loads(d["data"])})
    json.dump(rows, open(out, "w"))


def main():
    cmd = sys.argv[1]
    if cmd == "sub":
        sub(sys.argv[2], sys.argv[3])
    elif cmd == "cache":
        cache(sys.argv[2], sys.argv[3])
    elif cmd == "stream":
        stream(sys.argv[2], sys.argv[3], sys.argv[4])
    elif cmd == "raw":
        raw(sys.argv[2], sys.argv[3])
    elif cmd == "dump":
        dump(sys.argv[2], sys.argv[3])
    elif cmd == "count":
        print(len(Resp(sys.argv[2]).cmd("KEYS", sys.argv[3])))
    else:
        sys.exit("redis_peek.py: unknown command %s" % cmd)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""200 slow HTTP clients against the HTTP API (tests/httpd_serve, a real httpd on
127.0.0.1): each opens a connection and trickles a request that never ends, one byte at a
time.  Proves that while they hang on:
  - publishing stays fast (httpd_serve times every httpd_publish; the maximum is bounded),
  - a normal client's requests are answered within a small bound of the unloaded time,
  - the connection limit holds: more connections than --max-conns are never open at once,
  - stopping the server while they still hold their connections takes under STOP_MAX_S
    (libmicrohttpd must not wait them out: they would hold it for seconds each).
Usage: httpd_slow.py HTTPD_SERVE WORKDIR.  Every wait has a deadline in seconds; the server
is stopped by its PID (and exits by itself after 120 s whatever happens)."""
import json
import socket
import subprocess
import sys
import time
import urllib.request

SLOW = 200
LIMIT = 256
EXTRA = 100  # connections beyond the slow ones, to push past LIMIT
# A publish copies ~1 MB: well under PUBLISH_MAX_US, or PUBLISH_FACTOR times the unloaded
# maximum on a loaded or sanitised build.  A publish that waited for one of the slow
# clients would wait for seconds: their requests never end.
PUBLISH_MAX_US = 250000
PUBLISH_FACTOR = 4
SLOWDOWN_MAX_S = 0.5  # a normal request may be this much slower than unloaded (worst case)
# httpd_stop closes every connection at once (about 0.02 s); 5 s is generous for a loaded
# or sanitised run, and far below the connection timeout a waiting stop would take.
STOP_MAX_S = 5.0


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def write_docs(work):
    assets = []
    for a in range(40):
        levels = [{"price": "0.%02d" % (1 + i % 98), "size": str(100 + i)} for i in range(98)]
        assets.append({"asset_id": str(1000 + a), "label": "asset %d" % a, "state": "fresh",
                       "bids": levels[:49], "asks": levels[49:]})
    snap = json.dumps({"schema": "clobtop.snapshot/1", "assets": assets}, indent=1)
    snap += " " * max(0, 1000000 - len(snap))  # about 1 MB, so a publish does real work
    with open(work + "/snap.json", "w") as f:
        f.write(snap)
    with open(work + "/m.prom", "w") as f:
        f.write("# HELP clobtop_connected Connected.\n# TYPE clobtop_connected gauge\n"
                "clobtop_connected 1\n")


class Server:
    def __init__(self, exe, work):
        self.p = subprocess.Popen([exe, work + "/snap.json", work + "/m.prom", str(LIMIT), "50",
                                   "120"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  text=True)
        line = self.p.stdout.readline()
        if not line.startswith("listening on "):
            fail("httpd_serve did not start: %r" % line)
        self.port = int(line.rsplit(":", 1)[1])

    def stats(self):
        self.p.stdin.write("stats\n")
        self.p.stdin.flush()
        line = self.p.stdout.readline()
        if not line.startswith("stats "):
            fail("httpd_serve answered %r to stats" % line)
        return {k: int(v) for k, v in (f.split("=") for f in line.split()[1:])}

    def stop(self):
        """Seconds from "quit" to the server's exit (its stop, the files freed)."""
        t0 = time.monotonic()
        try:
            self.p.stdin.write("quit\n")
            self.p.stdin.flush()
            self.p.wait(timeout=STOP_MAX_S + 30)
        except Exception:
            self.p.kill()
            self.p.wait(timeout=10)
        took = time.monotonic() - t0
        print("httpd_serve stopped after %.2f s" % took)
        if self.p.returncode != 0:
            fail("httpd_serve exited %s after %.2f s" % (self.p.returncode, took))
        return took


def timed_gets(port, n):
    """Seconds each of n requests took (alternating /book and /metrics)."""
    times = []
    for i in range(n):
        path = "/book/%d" % (1000 + i % 40) if i % 2 else "/metrics"
        t0 = time.monotonic()
        with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path), timeout=10) as r:
            if r.status != 200:
                fail("GET %s: %d" % (path, r.status))
            r.read()
        times.append(time.monotonic() - t0)
    times.sort()
    return times


def open_slow(port, n):
    socks = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        socks.append(s)
    return socks


def trickle(socks, seconds):
    """One byte per connection every 0.25 s for seconds, keeping them busy and alive."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for s in socks:
            try:
                s.send(b"a")
            except OSError:
                pass
        time.sleep(0.25)


def main():
    exe, work = sys.argv[1], sys.argv[2]
    write_docs(work)
    srv = Server(exe, work)
    slow, extra = [], []
    try:
        time.sleep(0.5)
        srv.stats()
        quiet = timed_gets(srv.port, 40)
        quiet_pub = srv.stats()["max_publish_us"]

        pubs_before = srv.stats()["publishes"]
        slow = open_slow(srv.port, SLOW)
        trickle(slow, 1.0)
        st = srv.stats()
        if st["conns_open"] < SLOW:
            fail("only %d of %d slow connections are open" % (st["conns_open"], SLOW))
        busy = timed_gets(srv.port, 40)
        trickle(slow, 1.0)
        st = srv.stats()
        busy_pub = st["max_publish_us"]
        if st["publishes"] - pubs_before < 10:
            fail("only %d publishes in the seconds with slow clients (one per 50 ms expected)" %
                 (st["publishes"] - pubs_before))

        # Past the limit: the server never holds more than LIMIT connections open.
        for _ in range(EXTRA):
            try:
                extra.append(socket.create_connection(("127.0.0.1", srv.port), timeout=2))
            except OSError:
                break
        trickle(slow, 1.0)
        st = srv.stats()
        if st["conns_open"] > LIMIT:
            fail("%d connections open, over the limit of %d" % (st["conns_open"], LIMIT))
        print("quiet: median %.1f ms max %.1f ms, publish max %d us" %
              (quiet[len(quiet) // 2] * 1e3, quiet[-1] * 1e3, quiet_pub))
        print("%d slow clients: median %.1f ms max %.1f ms, publish max %d us, %d open with "
              "%d more tried (limit %d)" %
              (SLOW, busy[len(busy) // 2] * 1e3, busy[-1] * 1e3, busy_pub, st["conns_open"],
               len(extra), LIMIT))
        bound = max(PUBLISH_MAX_US, PUBLISH_FACTOR * quiet_pub)
        if busy_pub > bound:
            fail("a publish took %d us with slow clients connected (bound %d us)" %
                 (busy_pub, bound))
        if busy[-1] > quiet[-1] + SLOWDOWN_MAX_S:
            fail("a normal request took %.3f s with slow clients (unloaded max %.3f s)" %
                 (busy[-1], quiet[-1]))
        # Stop while every slow (and extra) client still holds its connection.
        took = srv.stop()
        if took > STOP_MAX_S:
            fail("stopping with %d slow clients connected took %.2f s (bound %.1f s)" %
                 (SLOW, took, STOP_MAX_S))
    finally:
        if srv.p.returncode is None:
            srv.stop()
        for s in slow + extra:
            s.close()
    print("ok")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""A TCP relay on 127.0.0.1 for the end-to-end tests: relays each connection to a target
port, except that while HOLD-FILE exists it stops listening, so new connections are
refused (a client that lost its connection stays disconnected until the test removes the
file; the connections already relayed go on).

usage: tcp_gate.py PORT-FILE TARGET-PORT HOLD-FILE SECONDS
Writes its listening port to PORT-FILE; exits after SECONDS (a deadline, like every
process a test starts)."""
import os
import socket
import sys
import threading
import time


def pipe(a, b):
    try:
        while True:
            d = a.recv(65536)
            if not d:
                break
            b.sendall(d)
    except OSError:
        pass
    for s in (a, b):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def listen(port):
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", port))
    ls.listen(16)
    ls.settimeout(0.2)
    return ls


def main():
    port_file, target, hold, secs = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
    ls = listen(0)
    port = ls.getsockname()[1]
    with open(port_file + ".tmp", "w") as f:
        f.write("%d\n" % port)
    os.rename(port_file + ".tmp", port_file)
    end = time.monotonic() + secs
    while time.monotonic() < end:
        if os.path.exists(hold):
            if ls:
                ls.close()
                ls = None
            time.sleep(0.05)
            continue
        if not ls:
            ls = listen(port)
        try:
            c, _ = ls.accept()
        except socket.timeout:
            continue
        try:
            t = socket.create_connection(("127.0.0.1", target), timeout=5)
        except OSError:
            c.close()
            continue
        t.settimeout(None)
        for a, b in ((c, t), (t, c)):
            threading.Thread(target=pipe, args=(a, b), daemon=True).start()
    return 0


if __name__ == "__main__":
    sys.exit(main())

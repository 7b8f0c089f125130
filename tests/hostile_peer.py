#!/usr/bin/python3
"""hostile_peer: a WebSocket server that breaks the rules on purpose, for tests/test_feed.c
and tests/e2e_hostile.sh.  Plain sockets (python3-websockets refuses to send broken
frames): it does the HTTP upgrade itself, then behaves as --script says.

It binds 127.0.0.1 on a port the OS chooses and prints that port on stdout.  Unless the
script never reads, it records what the client sends on --record, one line each:
"<connection> TEXT <payload>", "<connection> PONG <payload hex>", "<connection> CLOSE
<code or none>", "<connection> EOF" when the client's side ended.  It exits by itself
after --lifetime seconds so that a crashed test cannot leave it running.

Scripts:
  pingflood   never reads again after the upgrade; sends --count PING frames, then
              keeps the connection open
  ping        sends one PING with the payload "hello", then records
  bigframe    announces a text frame of --size bytes and streams its payload
  trickle     announces a 100-byte text frame and sends one byte per second
  masked      a masked text frame (servers must never mask)
  rsv         a text frame with the RSV1 bit set (no extension was agreed)
  opcode      a frame with the reserved opcode 0x3
  bigping     a PING frame announcing 200 bytes (control frames carry <= 125)
  close       a close frame with code --count (no reason)

It must never listen on anything but 127.0.0.1.
"""
import argparse
import base64
import hashlib
import os
import socket
import struct
import sys
import threading
import time

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def parse_args():
    ap = argparse.ArgumentParser()
    ap.add_argument("--script", required=True,
                    choices=["pingflood", "ping", "bigframe", "trickle", "masked", "rsv",
                             "opcode", "bigping", "close"])
    ap.add_argument("--record", default=os.devnull, help="file receiving what the client sent")
    ap.add_argument("--count", type=int, default=500000, help="PINGs (pingflood); close code")
    ap.add_argument("--size", type=int, default=200 << 20, help="bytes announced (bigframe)")
    ap.add_argument("--lifetime", type=float, default=30.0, help="seconds before exiting")
    return ap.parse_args()


ARGS = parse_args()
LOG = open(ARGS.record, "a", buffering=1)
LOCK = threading.Lock()
CONNS = [0]


def log(n, text):
    with LOCK:
        LOG.write("%d %s\n" % (n, text))
        LOG.flush()


def header(opcode, length, fin=True, rsv=0, masked=False):
    b0 = (0x80 if fin else 0) | rsv | opcode
    m = 0x80 if masked else 0
    if length < 126:
        return struct.pack("!BB", b0, m | length)
    if length < 65536:
        return struct.pack("!BBH", b0, m | 126, length)
    return struct.pack("!BBQ", b0, m | 127, length)


def upgrade(sock):
    req = b""
    while b"\r\n\r\n" not in req:
        chunk = sock.recv(4096)
        if not chunk:
            return False
        req += chunk
    key = ""
    for line in req.decode("latin-1").split("\r\n"):
        if line.lower().startswith("sec-websocket-key:"):
            key = line.split(":", 1)[1].strip()
    accept = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
    sock.sendall(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                  "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n" % accept).encode())
    return True


def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise EOFError
        buf += chunk
    return buf


def record(sock, n):
    """Logs the client's frames until its side ends."""
    try:
        while True:
            b0, b1 = recv_exact(sock, 2)
            length = b1 & 0x7F
            if length == 126:
                length = struct.unpack("!H", recv_exact(sock, 2))[0]
            elif length == 127:
                length = struct.unpack("!Q", recv_exact(sock, 8))[0]
            mask = recv_exact(sock, 4) if b1 & 0x80 else b"\0\0\0\0"
            data = bytes(c ^ mask[i % 4] for i, c in enumerate(recv_exact(sock, length)))
            op = b0 & 0x0F
            if op == 0x8:
                log(n, "CLOSE %s" % (struct.unpack("!H", data[:2])[0] if len(data) >= 2
                                     else "none"))
            elif op == 0xA:
                log(n, "PONG %s" % data.hex())
            elif op in (0x1, 0x0):
                log(n, "TEXT %s" % data.decode("utf-8", "replace").replace("\n", "\\n"))
    except (EOFError, OSError):
        log(n, "EOF")


def stream(sock, n):
    """bigframe: the header, then payload for as long as the client takes it."""
    try:
        sock.sendall(header(0x1, ARGS.size))
        chunk = b"x" * 65536
        left = ARGS.size
        while left > 0:
            sock.sendall(chunk[:min(left, len(chunk))])
            left -= min(left, len(chunk))
        log(n, "SENT ALL")
    except OSError:
        log(n, "SEND FAILED")


def trickle(sock, n):
    try:
        sock.sendall(header(0x1, 100))
        for _ in range(100):
            sock.sendall(b"t")
            time.sleep(1.0)
    except OSError:
        log(n, "SEND FAILED")


def act(sock, n):
    s = ARGS.script
    if s == "pingflood":
        ping = header(0x9, 125) + b"p" * 125  # the largest PING: the largest PONGs
        try:
            for _ in range(ARGS.count):
                sock.sendall(ping)
            time.sleep(ARGS.lifetime)  # still open, still not reading
        except OSError:
            pass
        return False
    if s == "ping":
        sock.sendall(header(0x9, 5) + b"hello")
    elif s == "bigframe":
        threading.Thread(target=stream, args=(sock, n), daemon=True).start()
    elif s == "trickle":
        threading.Thread(target=trickle, args=(sock, n), daemon=True).start()
    elif s == "masked":
        sock.sendall(header(0x1, 2, masked=True) + b"\x01\x02\x03\x04" + b"hi")
    elif s == "rsv":
        sock.sendall(header(0x1, 2, rsv=0x40) + b"hi")
    elif s == "opcode":
        sock.sendall(header(0x3, 2) + b"hi")
    elif s == "bigping":
        sock.sendall(header(0x9, 200) + b"p" * 200)
    elif s == "close":
        sock.sendall(header(0x8, 2) + struct.pack("!H", ARGS.count))
    return True


def handle(sock):
    with LOCK:
        CONNS[0] += 1
        n = CONNS[0]
    try:
        if not upgrade(sock):
            return
        if act(sock, n):
            record(sock, n)
    except OSError:
        pass
    finally:
        try:
            sock.close()
        except OSError:
            pass


def main():
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if ARGS.script == "pingflood":
        # A small receive window, inherited by accepted sockets: the client's PONGs
        # back up within a second, as they would on a slow or hostile link.
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    print(srv.getsockname()[1], flush=True)
    srv.settimeout(0.2)
    end = time.monotonic() + ARGS.lifetime
    while time.monotonic() < end:
        try:
            conn, _ = srv.accept()
        except socket.timeout:
            continue
        threading.Thread(target=handle, args=(conn,), daemon=True).start()
    LOG.flush()
    os._exit(0)  # daemon threads may be blocked in sendall


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(0)

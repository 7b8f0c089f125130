#!/usr/bin/python3
"""ws_peer: a scripted WebSocket server for tests/test_feed.c, built on python3-websockets.

It proves that the feed thread interoperates with a WebSocket implementation that is not
ours.  It binds 127.0.0.1 on a port the OS chooses, prints that port on stdout, records
every text frame it receives (one line each: "<connection number> <frame>", plus
"<n> CLOSED <code>" when a connection ends) and behaves as --script says.  It exits by
itself after --lifetime seconds so that a crashed test cannot leave it running.

It must never listen on anything but 127.0.0.1.
"""
import argparse
import asyncio
import ssl
import sys

import websockets


def parse_args():
    ap = argparse.ArgumentParser()
    ap.add_argument("--script", default="record",
                    choices=["record", "books", "fragment", "oversize", "drop", "close",
                             "silent", "pongonly", "flood", "dropall", "rearm"])
    ap.add_argument("--record", required=True, help="file receiving every text frame")
    ap.add_argument("--count", type=int, default=5, help="frames to send (books, drop, flood)")
    ap.add_argument("--size", type=int, default=10000,
                    help="bytes (oversize, flood); ms a connection lives (dropall)")
    ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"), help="serve wss:// instead")
    ap.add_argument("--lifetime", type=float, default=30.0, help="seconds before exiting")
    return ap.parse_args()


ARGS = parse_args()
CONNS = 0
LOG = open(ARGS.record, "a", buffering=1)


def log(n, text):
    LOG.write("%d %s\n" % (n, text.replace("\n", "\\n")))
    LOG.flush()


async def after_initial(ws, n):
    """What the script does once the client's first frame (the subscription) arrived."""
    s = ARGS.script
    if s == "books" or (s == "drop" and n > 1):
        for i in range(ARGS.count):
            await ws.send('{"event_type":"book","conn":%d,"seq":%d}' % (n, i))
    elif s == "fragment":
        await ws.send(['{"frag":', '"ment', 'ed","n":', '3}'])
        await ws.send('{"after":1}')
    elif s == "oversize":
        await ws.send("x" * ARGS.size)
        third = ARGS.size // 3 + 1
        await ws.send(["y" * third, "y" * third, "y" * third])
        await ws.send('{"after":1}')
    elif s == "drop" and n == 1:
        for i in range(ARGS.count):
            await ws.send('{"event_type":"book","conn":%d,"seq":%d}' % (n, i))
        await asyncio.sleep(0.05)
        # No close frame: the TCP connection just ends.
        ws.transport.close()
    elif s == "close" and n == 1:
        await ws.close(code=4001, reason="bye\x1b[31m red\x07")
    elif s == "dropall":
        await asyncio.sleep(ARGS.size / 1000.0)
        ws.transport.close()
    elif s == "flood" and n == 1:
        body = "z" * ARGS.size
        for i in range(ARGS.count):
            await ws.send('{"seq":%d,"pad":"%s"}' % (i, body))
        await ws.close(code=4002, reason="flood done")


async def handler(ws, path=None):
    global CONNS
    CONNS += 1
    n = CONNS
    first = True
    try:
        async for msg in ws:
            if isinstance(msg, bytes):
                msg = "BINARY:" + msg.hex()
            log(n, msg)
            if first:
                first = False
                await after_initial(ws, n)
            elif msg == "PING" and ARGS.script != "silent":
                await ws.send("PONG")
            elif ARGS.script == "rearm" and msg.startswith('{"operation":"subscribe"'):
                # Real data once after each resubscribe, then PONGs only again.
                await ws.send('{"event_type":"book","resubscribed":true}')
    except websockets.ConnectionClosed:
        pass
    finally:
        log(n, "CLOSED %s" % (ws.close_code,))


async def main():
    # No server-side WebSocket pings: "silent" must really be silent.
    ctx = None
    if ARGS.tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(ARGS.tls[0], ARGS.tls[1])
    async with websockets.serve(handler, "127.0.0.1", 0, ping_interval=None,
                                max_size=None, ssl=ctx) as server:
        port = server.sockets[0].getsockname()[1]
        print(port, flush=True)
        await asyncio.sleep(ARGS.lifetime)


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)

#!/bin/sh
# wss:// with a self-signed certificate made here for 127.0.0.1: without --ca-file the
# certificate is refused, the snapshot says so in connection.last_error (no frame, no
# book) and clobtop exits 1 naming the error; with --ca-file the same server is trusted and the books equal clobsim's truth.
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/e2e_live_common.sh"

command -v openssl >/dev/null 2>&1 || { echo "SKIP: no openssl command"; exit 77; }
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
	-addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
	-keyout "$WORK/key.pem" -out "$WORK/cert.pem" >"$WORK/openssl.log" 2>&1 ||
	{ cat "$WORK/openssl.log"; fail "openssl req could not make a certificate"; }
SIM_SCHEME=https
E2E_CA=$WORK/cert.pem
export E2E_CA
start_sim --markets 2 --new-markets 0 --rate 200 --seed 16 --duration 25 \
	--tls-cert "$WORK/cert.pem" --tls-key "$WORK/key.pem" \
	--assets-out "$WORK/assets.txt" --log "$WORK/sim.log"
URL="wss://127.0.0.1:$SIM_PORT/ws/market"

# 1. Not trusted: the system's CAs do not include our certificate.
start_top --url "$URL" --assets-file "$WORK/assets.txt" --backoff-min 0.2 --backoff-max 0.4
wait_until 100 "a connection error" top_snapshot_has 'j["connection"]["last_error"]'
sleep 0.5 # a second attempt fails the same way
top_export "$WORK/untrusted.json"
stop_top 1 # headless and never connected: a failure
grep -q "never connected to $URL: .*certificate" "$WORK/top.err" ||
	fail "the certificate error was not reported on exit: $(cat "$WORK/top.err")"
snap_check "$WORK/untrusted.json" <<'PY'
err = conn["last_error"] or ""
expect("certificate" in err.lower() and "--ca-file" in err,
       "last_error naming the certificate and --ca-file", repr(err))
expect(not conn["alive"], "not alive", conn)
expect(c["frames"] == 0, "0 frames over an untrusted connection", c["frames"])
for a in j["assets"]:
    expect(a["state"] == "awaiting_snapshot" and not a["bids"] and not a["asks"],
           "no book for %s" % a["asset_id"][:12], (a["state"], len(a["bids"])))
expect(any("certificate" in a["message"].lower() for a in kinds("connection")),
       "a connection alert about the certificate", [a["message"] for a in kinds("connection")][:3])
PY
grep -q 'upgrade /ws/market' "$WORK/sim.log" && fail "an untrusted client got as far as the upgrade"

# 2. Trusted with --ca-file.
start_top --url "$URL" --assets-file "$WORK/assets.txt" --ca-file "$WORK/cert.pem"
wait_until 50 "the first books over wss" top_snapshot_has \
	'all(a["state"] == "fresh" for a in j["assets"]) and j["counters"]["frames"] > 50'
sleep 0.5
sim_fault pause
converge "$WORK/assets.txt" 50
snap_check "$WORK/final.json" <<'PY'
expect(j["source"]["url"].startswith("wss://"), "a wss:// source", j["source"]["url"])
expect(conn["alive"] and conn["reconnects"] == 0, "alive, 0 reconnects", conn)
expect(conn["last_error"] is None, "no error", conn["last_error"])
PY
stop_top
grep -q 'client [0-9]* connected from 127.0.0.1:[0-9]* (tls)' "$WORK/sim.log" ||
	fail "clobsim logged no TLS connection"
echo "ok"

#!/bin/sh
# Shards: 2,000 assets over 10 connections of --per-connection 200 against a clobsim that,
# like the real service, serves at most --max-per-conn 500 assets a connection.  Books
# equal clobsim's truth; no subscription frame carries more than --batch ids and no
# connection more than --per-connection assets.  Then one connection is closed, stalled
# and frozen in turn (GET /fault?client=N): only that connection's assets get new
# snapshots (they went "awaiting snapshot"), every other connection keeps receiving and
# keeps its books, all recover, and the books equal the truth again.  Last, clobsim's cap
# itself: 200 assets on one connection with --max-per-conn 150 leave 50 without a book;
# --per-connection 100 serves them all.
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/e2e_live_common.sh"

cat >"$WORK/shards.py" <<'PY'
import json, sys

def load(p):
    return json.load(open(p))

def conn_ids(snap, k):
    return {a["asset_id"] for a in snap["assets"] if a["connection"] == k}

def frames(snap):
    return {c["id"]: c["frames"] for c in snap["connections"]}

def reconnects(snap):
    return {c["id"]: c["reconnects"] for c in snap["connections"]}

def fail(msg):
    print(msg)
    sys.exit(1)

cmd = sys.argv[1]
if cmd == "client":
    # client SNAP CLIENTS K: clobsim's id of the connection serving clobtop's connection K
    snap, cl, k = load(sys.argv[2]), load(sys.argv[3]), int(sys.argv[4])
    want = conn_ids(snap, k)
    hits = [c["id"] for c in cl["clients"] if set(c["tokens"]) == want]
    if len(hits) != 1:
        fail("expected one clobsim client with the %d tokens of connection %d, got %s"
             % (len(want), k, hits))
    print(hits[0])
elif cmd == "shape":
    # shape SNAP CLIENTS NASSETS NCONN PER BATCH: the sharding and the frames
    snap, cl = load(sys.argv[2]), load(sys.argv[3])
    n, nconn, per, batch = map(int, sys.argv[4:8])
    errs = []
    conns = snap["connections"]
    if len(conns) != nconn or not all(c["open"] and c["alive"] for c in conns):
        errs.append("expected %d open live connections, got %s"
                    % (nconn, [(c["id"], c["open"], c["state"]) for c in conns]))
    for c in conns:
        if c["assets"] > per:
            errs.append("connection %d: %d assets, more than %d" % (c["id"], c["assets"], per))
    assets = snap["assets"]
    if len(assets) != n or sum(c["assets"] for c in conns) != n:
        errs.append("expected %d assets on the connections, got %d (%s)"
                    % (n, len(assets), [c["assets"] for c in conns]))
    seen = {}
    for c in cl["clients"]:
        if c["assets"] > per or c["over_cap"]:
            errs.append("clobsim client %d: %d assets, %d over its cap"
                        % (c["id"], c["assets"], c["over_cap"]))
        if c["max_ids_in_frame"] > batch:
            errs.append("clobsim client %d got a frame of %d ids, more than --batch %d"
                        % (c["id"], c["max_ids_in_frame"], batch))
        for t in c["tokens"]:
            seen[t] = seen.get(t, 0) + 1
    if len(seen) != n or any(v != 1 for v in seen.values()):
        errs.append("expected each of %d tokens subscribed exactly once at clobsim, got %d "
                    "tokens, %d twice or more"
                    % (n, len(seen), sum(1 for v in seen.values() if v > 1)))
    if errs:
        fail("\n".join(errs))
    print("%d assets over %d connections (%s), frames of at most %d ids"
          % (n, len(conns), "/".join(str(c["assets"]) for c in conns),
             max(c["max_ids_in_frame"] for c in cl["clients"])))
elif cmd == "local":
    # local SNAP K: no asset outside connection K has left fresh
    snap, k = load(sys.argv[2]), int(sys.argv[3])
    bad = [(a["asset_id"][:10], a["state"], a["connection"]) for a in snap["assets"]
           if a["connection"] != k and a["state"] != "fresh"]
    if bad:
        fail("expected only connection %d's assets to leave fresh, got %d others: %s"
             % (k, len(bad), bad[:5]))
elif cmd == "flowing":
    # flowing BEFORE DURING K: every other connection received more frames meanwhile
    b, d, k = load(sys.argv[2]), load(sys.argv[3]), int(sys.argv[4])
    fb, fd = frames(b), frames(d)
    still = [i for i in fb if i != k and fd[i] <= fb[i]]
    if still:
        fail("expected the other connections to keep receiving during the fault on %d, "
             "got no new frames on %s" % (k, still))
    print("others flowing during the fault: +%d frames (connection %d: +%d)"
          % (sum(fd[i] - fb[i] for i in fb if i != k), k, fd[k] - fb[k]))
elif cmd == "recovered":
    # recovered BEFORE AFTER K MS KIND: all fresh; K's assets (only) got new snapshots
    # within the last MS ms; reconnects only on K (close, stall)
    b, a, k, ms, kind = load(sys.argv[2]), load(sys.argv[3]), int(sys.argv[4]), \
        int(sys.argv[5]), sys.argv[6]
    errs = []
    notfresh = [x for x in a["assets"] if x["state"] != "fresh"]
    if notfresh:
        errs.append("expected all fresh, got %d not fresh" % len(notfresh))
    for x in a["assets"]:
        lb = x["last_book_ms_ago"]
        if x["connection"] == k and (lb is None or lb > ms):
            errs.append("%s (connection %d): expected a new snapshot within %d ms, "
                        "last %s ms ago" % (x["asset_id"][:10], k, ms, lb))
        if x["connection"] != k and lb is not None and lb <= ms:
            errs.append("%s (connection %d): expected its book kept (no new snapshot), "
                        "got one %s ms ago" % (x["asset_id"][:10], x["connection"], lb))
    rb, ra = reconnects(b), reconnects(a)
    for i in rb:
        want = rb[i] + (1 if i == k and kind in ("close", "stall") else 0)
        if ra[i] != want:
            errs.append("connection %d: expected %d reconnects, got %d" % (i, want, ra[i]))
    if errs:
        fail("\n".join(errs[:12]))
    print("%s on connection %d: %d assets resnapshotted, the other %d kept"
          % (kind, k, len(conn_ids(a, k)), len(a["assets"]) - len(conn_ids(a, k))))
elif cmd == "capped":
    # capped SNAP CLIENTS SERVED OVER: clobsim served SERVED, left OVER without anything
    snap, cl = load(sys.argv[2]), load(sys.argv[3])
    served, over = int(sys.argv[4]), int(sys.argv[5])
    c = cl["clients"]
    got = [(x["served"], x["over_cap"]) for x in c]
    fresh = sum(1 for x in snap["assets"] if x["state"] == "fresh")
    waiting = sum(1 for x in snap["assets"] if x["state"] == "awaiting_snapshot")
    if got != [(served, over)] or fresh != served or waiting != over:
        fail("expected one client serving %d with %d over the cap (%d fresh, %d awaiting), "
             "got %s, %d fresh, %d awaiting" % (served, over, served, over, got, fresh, waiting))
else:
    fail("unknown command " + cmd)
PY
S="$PY $WORK/shards.py"
# secs_since MS: seconds since the now_ms value MS, with a decimal.
secs_since() {
	awk -v a="$1" -v b="$(now_ms)" 'BEGIN { printf "%.1f", (b - a) / 1000 }'
}

start_sim --markets 1000 --new-markets 0 --rate 2000 --seed 23 --no-book-after-trade \
	--max-per-conn 500 --assets-out "$WORK/assets.txt" --log "$WORK/sim.log"
[ "$(wc -l <"$WORK/assets.txt")" = 2000 ] || fail "expected 2000 tokens from clobsim"
t0=$(now_ms)
start_top --url "ws://127.0.0.1:$SIM_PORT/ws/market" --assets-file "$WORK/assets.txt" \
	--per-connection 200 --batch 50 --refresh 200 --ping-interval 0.5 --dead-after 3 \
	--freeze-after 3 --backoff-min 0.2 --backoff-max 0.5
wait_until 120 "2000 fresh books" top_snapshot_has \
	'len(j["assets"]) == 2000 and all(a["state"] == "fresh" for a in j["assets"])'
echo "2000 assets fresh $(secs_since "$t0") s after start"
wait_until 30 "10 live connections" top_snapshot_has \
	'len(j["connections"]) == 10 and all(c["alive"] and c["assets"] == 200 for c in j["connections"])'
sim_get /clients >"$WORK/clients.json" || fail "GET /clients failed"
$S shape "$WORK/probe.json" "$WORK/clients.json" 2000 10 200 50 || fail "sharding"

# One connection at a time: close, stall, freeze.
K=3
for kind in close stall freeze; do
	top_export "$WORK/before.json"
	sim_get /clients >"$WORK/clients.json" || fail "GET /clients failed"
	X=$($S client "$WORK/before.json" "$WORK/clients.json" $K) || fail "$X"
	tf=$(now_ms)
	sim_fault "$kind&client=$X"
	sleep 1
	top_export "$WORK/during.json"
	$S flowing "$WORK/before.json" "$WORK/during.json" $K || fail "$kind: flow stopped elsewhere"
	$S local "$WORK/during.json" $K || fail "$kind: not local"
	# Until every asset is fresh again after a new snapshot of connection K's assets.
	dl=$(deadline 60)
	while :; do
		top_export "$WORK/after.json"
		$S local "$WORK/after.json" $K >"$WORK/local.txt" || { cat "$WORK/local.txt"; fail "$kind: not local"; }
		ms=$(($(now_ms) - tf))
		$S recovered "$WORK/before.json" "$WORK/after.json" $K "$ms" $kind >"$WORK/rec.txt" && break
		before "$dl" || { cat "$WORK/rec.txt"; fail "$kind: no recovery within 60 s"; }
		sleep 0.2
	done
	cat "$WORK/rec.txt"
	echo "$kind: recovered $(secs_since "$tf") s after the fault"
done

sim_get /clients >"$WORK/clients.json" || fail "GET /clients failed"
top_export "$WORK/probe.json"
$S shape "$WORK/probe.json" "$WORK/clients.json" 2000 10 200 50 || fail "sharding after the faults"
sim_fault pause
converge "$WORK/assets.txt" 60
grep -q 'connection 3: reconnected' "$WORK/final.json" || fail "no 'connection 3: reconnected' alert"
stop_top

# clobsim's cap: 200 tokens on one connection, 150 served; sharded at 100, all served.
stop_pid "$SIM_PID" 5
start_sim --markets 100 --new-markets 0 --rate 200 --seed 24 --max-per-conn 150 \
	--assets-out "$WORK/assets2.txt"
start_top --url "ws://127.0.0.1:$SIM_PORT/ws/market" --assets-file "$WORK/assets2.txt" \
	--per-connection 200 --refresh 200
wait_until 60 "150 fresh books" top_snapshot_has \
	'sum(a["state"] == "fresh" for a in j["assets"]) == 150'
sleep 2
top_export "$WORK/probe.json"
sim_get /clients >"$WORK/clients.json" || fail "GET /clients failed"
$S capped "$WORK/probe.json" "$WORK/clients.json" 150 50 || fail "clobsim's cap"
stop_top
start_top --url "ws://127.0.0.1:$SIM_PORT/ws/market" --assets-file "$WORK/assets2.txt" \
	--per-connection 100 --refresh 200
wait_until 60 "200 fresh books over 2 connections" top_snapshot_has \
	'len(j["connections"]) == 2 and all(a["state"] == "fresh" for a in j["assets"])'
stop_top
echo "ok"

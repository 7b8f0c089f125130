# Helpers of the discovery tests (sourced after tests/lib.sh and tests/e2e_live_common.sh;
# not a test itself): clobtop with Gamma on clobsim, and checks on clobsim's log.
# clobtop with Gamma pointed at clobsim (start_top turns Gamma off).
start_disc() {
	rm -f "$WORK/top.in"
	mkfifo "$WORK/top.in" || fail "mkfifo"
	"$CLOBTOP" --headless --no-config --url "ws://127.0.0.1:$SIM_PORT/ws/market" \
		--gamma "http://127.0.0.1:$SIM_PORT" "$@" <"$WORK/top.in" >"$WORK/top.out" \
		2>"$WORK/top.err" &
	TOP_PID=$!
	PIDS="$PIDS $TOP_PID"
	exec 3>"$WORK/top.in"
}

# ws_client K: clobsim's id of the K-th WebSocket connection (HTTP requests take ids too).
ws_client() {
	sed -n 's/.*client \([0-9]*\): upgrade .*/\1/p' "$WORK/sim.log" | sed -n "$1p"
}

# check_subs K BATCH EXPECTED-IDS-FILE: the subscribe frames clobsim logged for its K-th
# WebSocket client name every id of the file exactly once, nothing else, at most BATCH per frame.
check_subs() {
	_cs=$(ws_client "$1")
	[ -n "$_cs" ] || fail "no WebSocket client $1 in clobsim's log"
	"$PY" - "$WORK/sim.log" "$_cs" "$2" "$3" <<'PY' || fail "subscribe frames of client $_cs (see above)"
import json, re, sys
log, client, batch, want = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
want = [l.split()[0] for l in open(want) if l.strip()]
seen, frames, biggest = [], 0, 0
pat = re.compile(r"client %s recv text \d+ bytes: (.*)$" % client)
for line in open(log):
    m = pat.search(line.rstrip("\n"))
    if not m or m.group(1) == "PING":
        continue
    f = json.loads(m.group(1))  # clobsim logs 4 KiB of a frame: keep --batch under 48
    if f.get("operation", "subscribe") != "subscribe" or "assets_ids" not in f:
        continue
    frames += 1
    biggest = max(biggest, len(f["assets_ids"]))
    seen += f["assets_ids"]
errors = []
dup = len(seen) - len(set(seen))
if dup:
    errors.append("expected every id subscribed once, got %d repeated" % dup)
if set(seen) != set(want):
    errors.append("expected the %d ids of the catalog, got %d (%d missing, %d extra)" % (
        len(set(want)), len(set(seen)), len(set(want) - set(seen)), len(set(seen) - set(want))))
if biggest > batch:
    errors.append("expected at most %d ids per frame, got %d" % (batch, biggest))
print("client %s: %d ids in %d subscribe frames, at most %d per frame" % (client, len(seen), frames, biggest))
if errors:
    print("\n".join(errors))
    sys.exit(1)
PY
}

# Every asset of the snapshot has had its book (with a slow flow most are quiet by then).
BOOKED='all(a["state"] in ("fresh", "quiet", "stale") and (a["bids"] or a["asks"]) for a in j["assets"])'

# ids_of SNAPSHOT OUT: the snapshot's asset ids, one per line.
ids_of() {
	json_get "$1" "'\n'.join(a['asset_id'] for a in j['assets'])" >"$2"
}


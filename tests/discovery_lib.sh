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
	# clobsim's log lines before this run: check_subs reads the connections after them
	DISC_MARK=$(wc -l <"$WORK/sim.log")
	exec 3>"$WORK/top.in"
}

# ws_client K: clobsim's id of the K-th WebSocket connection (HTTP requests take ids too).
ws_client() {
	sed -n 's/.*client \([0-9]*\): upgrade .*/\1/p' "$WORK/sim.log" | sed -n "$1p"
}

# check_subs BATCH EXPECTED-IDS-FILE [PER-CONN]: the subscribe frames clobsim logged for
# every WebSocket connection of the latest start_disc run name every id of the file
# exactly once over all of them, nothing else, at most BATCH ids per frame and at most
# PER-CONN (default 200, --per-connection's default) ids per connection.
check_subs() {
	"$PY" - "$WORK/sim.log" "$DISC_MARK" "$1" "$2" "${3:-200}" <<'PY' || fail "subscribe frames (see above)"
import json, re, sys
log, mark, batch, want, per_conn = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
want = [l.split()[0] for l in open(want) if l.strip()]
lines = open(log).read().split("\n")[mark:]
clients = set()
for line in lines:
    m = re.search(r"client (\d+): upgrade ", line)
    if m:
        clients.add(m.group(1))
seen, frames, biggest, per = [], 0, 0, {}
pat = re.compile(r"client (\d+) recv text \d+ bytes: (.*)$")
for line in lines:
    m = pat.search(line)
    if not m or m.group(1) not in clients or m.group(2) == "PING":
        continue
    f = json.loads(m.group(2))  # clobsim logs 4 KiB of a frame: keep --batch under 48
    if f.get("operation", "subscribe") != "subscribe" or "assets_ids" not in f:
        continue
    frames += 1
    biggest = max(biggest, len(f["assets_ids"]))
    seen += f["assets_ids"]
    per[m.group(1)] = per.get(m.group(1), 0) + len(f["assets_ids"])
errors = []
dup = len(seen) - len(set(seen))
if dup:
    errors.append("expected every id subscribed once, got %d repeated" % dup)
if set(seen) != set(want):
    errors.append("expected the %d ids of the catalog, got %d (%d missing, %d extra)" % (
        len(set(want)), len(set(seen)), len(set(want) - set(seen)), len(set(seen) - set(want))))
if biggest > batch:
    errors.append("expected at most %d ids per frame, got %d" % (batch, biggest))
most = max(per.values()) if per else 0
if most > per_conn:
    errors.append("expected at most %d ids per connection, got %d" % (per_conn, most))
print("%d connections: %d ids in %d subscribe frames, at most %d per frame, at most %d per connection"
      % (len(clients), len(seen), frames, biggest, most))
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


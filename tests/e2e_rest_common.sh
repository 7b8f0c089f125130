# Shared helpers for the REST end-to-end tests (sourced after tests/lib.sh and
# tests/e2e_live_common.sh; not a test itself).

# sim_stats KEY...: the sum of clobsim's /stats counters KEY... (the JSON stays in
# $WORK/stats.json).
sim_stats() {
	sim_get /stats >"$WORK/stats.json" || fail "GET /stats failed"
	_expr=$(echo "$*" | sed 's/\([a-z_0-9]*\)/j["\1"]/g; s/ /+/g')
	json_get "$WORK/stats.json" "$_expr"
}

# need_rest_sim: skip (77) when the running clobsim has no POST /books (its limiter and
# REST faults came with it).
need_rest_sim() {
	sim_get /stats >"$WORK/stats.json" || fail "GET /stats failed"
	grep -q '"rest_books"' "$WORK/stats.json" || {
		echo "SKIP: this clobsim has no POST /books, --rest-limit or REST faults"
		exit 77
	}
}

# start_top_rest ARGS...: start_top on clobsim's market channel and REST API, with the
# assets in $WORK/assets.txt, then wait for every book.
start_top_rest() {
	start_top --url "ws://127.0.0.1:$SIM_PORT/ws/market" --assets-file "$WORK/assets.txt" \
		--rest-url "http://127.0.0.1:$SIM_PORT" --refresh 100 "$@"
	wait_until 60 "the first books" top_snapshot_has \
		'all(a["state"] == "fresh" for a in j["assets"]) and j["counters"]["frames"] > 100'
}

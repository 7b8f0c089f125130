#!/bin/sh
# The Prometheus alert rules (data/prometheus) pass their promtool unit tests, every
# metric they and the Grafana dashboard (data/grafana) use is one clobtop really writes
# (in a replay's metrics file, or, for the families a replay cannot turn on - REST audits,
# Redis, the connections of the shard pool - in the writers' source), the state names they match exist, the metrics file of
# a real replay passes `promtool check metrics` with no finding (exit 0, lint included),
# and the dashboard is valid JSON.  Without promtool the test is skipped, but never in CI
# (CI set): there it fails.
. "$(dirname "$0")/lib.sh"

PROM=$top_srcdir/data/prometheus
DASH=$top_srcdir/data/grafana/clobtop.json

"$PY" -m json.tool "$DASH" >/dev/null || fail "$DASH is not valid JSON"

if ! command -v promtool >/dev/null 2>&1; then
	[ -n "${CI:-}" ] && fail "promtool is not installed (CI is set): run scripts/install-deps"
	echo "SKIP: promtool not installed (scripts/install-deps installs the prometheus package)"
	exit 77
fi

promtool check rules "$PROM/clobtop.rules.yml" || fail "promtool check rules"
promtool test rules "$PROM/clobtop.rules.test.yml" || fail "promtool test rules"

# A replay as recorded, long enough for one refresh after the first book is applied.
"$CLOBTOP" --replay "$DATA/polymarket-burst-2026-09-29.jsonl" --headless --speed 1 \
	--duration 2 --refresh 200 --metrics-file "$WORK/m.prom" </dev/null \
	>"$WORK/out.txt" 2>"$WORK/err.txt" || fail "clobtop replay exited $?: $(cat "$WORK/err.txt")"
grep -q '^clobtop_asset_state{asset_id="[0-9]*",label="[^"]*",state="fresh"} 1$' "$WORK/m.prom" ||
	fail "the replay's metrics file has no per-asset state: $(cat "$WORK/m.prom")"

# promtool exits 1 when the text does not parse, 3 for style (lint) findings: both fail.
rc=0
promtool check metrics <"$WORK/m.prom" >"$WORK/lint.txt" 2>&1 || rc=$?
[ $rc -eq 0 ] || fail "promtool check metrics exits $rc on clobtop's metrics file: $(sort -u "$WORK/lint.txt" | tr '\n' ';')"

used=$(cat "$PROM/clobtop.rules.yml" "$DASH" | grep -o 'clobtop_[a-z0-9_]*' | sort -u)
[ -n "$used" ] || fail "no clobtop metric found in the rules or the dashboard"
for name in $used; do
	grep -q "^$name[{ ]" "$WORK/m.prom" && continue
	grep -q "\"$name[{ \"]" "$top_srcdir"/src/export_rest.c "$top_srcdir"/src/export_redis.c \
		"$top_srcdir"/src/export_conn.c ||
		fail "$name is used by the rules or the dashboard but clobtop does not write it"
done
for state in $(grep -oh 'state[=!]~*"[^"]*"' "$PROM/clobtop.rules.yml" "$DASH" | sed 's/.*"\(.*\)"/\1/' | tr '|' ' '); do
	grep -q "state=\"$state\"" "$WORK/m.prom" && continue
	grep -q "X([A-Z_]*, \"$state\"" "$top_srcdir/src/health.h" ||
		fail "state \"$state\" in the rules or the dashboard is not an asset state of clobtop"
done
echo "ok: $(echo "$used" | wc -w) metric names checked"

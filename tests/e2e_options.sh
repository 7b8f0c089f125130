#!/bin/sh
# What an operator meets at the edges of the command line, through the real binary:
# --replay - owns standard input (every frame arrives, headless commands are off); an
# unknown option is one line and a hint, exit 2; bad assets-file lines name FILE:LINE
# without passing escape bytes through; directories are refused as input files; missing
# output directories are reported at start; a headless run that never connects exits 1
# with the error once; a recording that cannot be written (file-size limit) exits 1.
. "$(dirname "$0")/lib.sh"

# A tape long enough that a second reader of standard input would take some of it.
TAPE=$WORK/tape.jsonl
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30; do
	cat "$DATA/polymarket-burst-2026-09-29.jsonl"
done >"$TAPE"

# run NAME ARGS...: clobtop with a 30 s deadline; status in $rc, output in NAME.out/.err.
run() {
	name=$1
	shift
	timeout -s KILL 30 "$CLOBTOP" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err"
	rc=$?
}

# expect_fail NAME STATUS TEXT ARGS...: exits STATUS with TEXT on stderr.
expect_fail() {
	name=$1 want=$2 text=$3
	shift 3
	run "$name" "$@" </dev/null
	[ "$rc" = "$want" ] || fail "$name: exit $rc, expected $want (stderr: $(cat "$WORK/$name.err"))"
	grep -qF -- "$text" "$WORK/$name.err" ||
		fail "$name: expected '$text' on stderr, got: $(cat "$WORK/$name.err")"
}

# --replay - takes every frame; the same tape as a file gives the same count.
run file --replay "$TAPE" --headless --export "$WORK/file.json" </dev/null
[ "$rc" = 0 ] || fail "replay of a file exited $rc: $(cat "$WORK/file.err")"
cat "$TAPE" | { run stdin --replay - --headless --export "$WORK/stdin.json"; echo "$rc" >"$WORK/stdin.rc"; }
[ "$(cat "$WORK/stdin.rc")" = 0 ] || fail "--replay - exited $(cat "$WORK/stdin.rc"): $(cat "$WORK/stdin.err")"
want=$(json_get "$WORK/file.json" "j['counters']['frames']")
got=$(json_get "$WORK/stdin.json" "j['counters']['frames']")
[ "$want" -gt 0 ] && [ "$got" = "$want" ] ||
	fail "--replay - --headless applied $got frames, the same tape as a file $want"
grep -q "headless commands are not read" "$WORK/stdin.err" ||
	fail "--replay - --headless did not say commands are off: $(cat "$WORK/stdin.err")"
echo "ok: --replay - --headless applied all $got frames"
expect_fail replay_ui 2 "add --headless" --replay -

expect_fail unknown 2 "unknown option '--frobnicate'; try 'clobtop --help'" --frobnicate
[ "$(wc -l <"$WORK/unknown.err")" = 1 ] || fail "an unknown option printed more than one line: $(cat "$WORK/unknown.err")"

printf '\357\273\2771 Yes # note\n2 \033]0;pwned\007No\n\033[2J\033]0;x\007 bad\n' >"$WORK/assets.txt"
expect_fail assets 2 "$WORK/assets.txt:3: bad asset id" --headless --assets-file "$WORK/assets.txt"
if tr -d '\n' <"$WORK/assets.err" | grep -q "$(printf '[\033\007]')"; then
	fail "raw escape bytes from the assets file reached stderr"
fi
expect_fail assets_dir 2 "not a regular file" --headless --assets-file "$WORK"
expect_fail replay_dir 2 "not a regular file" --headless --replay "$WORK"

expect_fail metrics_dir 2 "--metrics-file: directory $WORK/missing" \
	--headless --metrics-file "$WORK/missing/m.prom"
expect_fail export_dir 2 "--export-dir: directory $WORK/missing" \
	--headless --export-every 1 --export-dir "$WORK/missing"
expect_fail ping 2 "--ping-interval" --headless --ping-interval 0
expect_fail url 2 "--url" --headless --url "ws://127.0.0.1:70000/ws"
expect_fail ca 2 "--ca-file" --headless --ca-file "$WORK/missing.pem"
expect_fail maxmsg 2 "--max-message" --headless --ring-size 64k --max-message 1M

# Nothing listens on a port clobsim held and gave up.
start_sim --markets 1
port=$SIM_PORT
kill "$SIM_PID"
wait "$SIM_PID" 2>/dev/null
expect_fail unreachable 1 "never connected to ws://127.0.0.1:$port/ws/market" \
	--headless --no-gamma --url "ws://127.0.0.1:$port/ws/market" --asset 123 --duration 2 \
	--backoff-min 0.2 --backoff-max 0.2
[ "$(grep -c "never connected" "$WORK/unreachable.err")" = 1 ] ||
	fail "the connection error was not printed exactly once: $(cat "$WORK/unreachable.err")"

# A recording that cannot be written: the file-size limit (RLIMIT_FSIZE, SIGXFSZ ignored so
# the write fails with EFBIG instead of killing the process) stops it after a few KiB.
start_sim --markets 2 --rate 500 --new-market-every 0 --assets-out "$WORK/sim-assets.txt"
(
	trap '' XFSZ
	ulimit -f 8
	exec timeout -s KILL 30 "$CLOBTOP" --headless --no-gamma \
		--url "ws://127.0.0.1:$SIM_PORT/ws/market" --assets-file "$WORK/sim-assets.txt" \
		--duration 2 --record "$WORK/rec.jsonl"
) </dev/null >"$WORK/record.out" 2>"$WORK/record.err"
rc=$?
[ "$rc" = 1 ] || fail "a failed recording: exit $rc, expected 1 (stderr: $(cat "$WORK/record.err"))"
grep -qF -- "--record $WORK/rec.jsonl" "$WORK/record.err" ||
	fail "the failed recording was not reported: $(cat "$WORK/record.err")"
# A replay that had to skip a line (longer than --max-message) says which and exits 1.
{
	echo PONG
	head -c 5000 /dev/zero | tr '\0' x
	echo
	echo PONG
} >"$WORK/long.jsonl"
timeout 30 "$CLOBTOP" --replay "$WORK/long.jsonl" --headless --max-message 4k --ring-size 64k \
	</dev/null >"$WORK/long.out" 2>"$WORK/long.err"
rc=$?
[ "$rc" = 1 ] || fail "a replay that skipped a line: exit $rc, expected 1 ($(cat "$WORK/long.err"))"
grep -qF "replay skipped 1 line(s), the first at line 2" "$WORK/long.err" ||
	fail "the skipped line was not reported: $(cat "$WORK/long.err")"
echo "ok"

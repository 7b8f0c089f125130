#!/bin/sh
# bench/shards_bench.sh: issue 11's shard-pool figures (part of `make bench`; figures, not
# pass/fail).
#
#  (a) 10,000 tokens (clobsim --markets 5000) over 50 connections (--per-connection 200)
#      at 20,000 msgs/s aggregate for SHARDS_BENCH_SECS seconds (default 60; BENCH_QUICK=1:
#      15): ring drops, clobtop's RSS (VmHWM and VmRSS), messages applied per second,
#      pipeline p99 (applied minus received), and the CPU of every thread.  clobtop runs
#      --headless, which renders nothing, so there is no render p99 here (bench.py's
#      "render" step measures rendering); the UI thread's CPU (the main thread: it applies
#      every record and would render) is reported instead.
#  (b) aggregate throughput over 4 connections: clobsim at each rate of SHARDS_BENCH_RATES
#      (default "50000 100000 150000 180000 200000"; "max" lets clobsim pace itself) for
#      SHARDS_BENCH_STEP seconds (default 20; quick: 6), 400 tokens at --per-connection
#      100; per step the rate applied, drops and the CPU of clobsim and of each clobtop
#      thread.  The highest rate
#      with zero drops is printed.  clobsim is one thread: when it is near 100 % it, not
#      clobtop, is the limit, and the line says so.
#
#   BUILDDIR  where src/clobtop and src/clobsim were built (default: the current directory)
#   SHARDS_BENCH_KEEP=1  keep the work directory
#
# Loopback only; every process has a deadline (--duration) and is killed by PID on exit.
# Must never: need the network, or leave a process behind.
set -u
: "${BUILDDIR:=$(pwd)}"
TOP=$BUILDDIR/src/clobtop
SIM=$BUILDDIR/src/clobsim
PY=${PYTHON3:-python3}
case ${BENCH_QUICK:-0} in
"" | 0 | no) SECS=${SHARDS_BENCH_SECS:-60} STEP=${SHARDS_BENCH_STEP:-20} ;;
*) SECS=${SHARDS_BENCH_SECS:-15} STEP=${SHARDS_BENCH_STEP:-6} ;;
esac
RATES=${SHARDS_BENCH_RATES:-50000 100000 150000 180000 200000}
TCK=$(getconf CLK_TCK)
[ -x "$TOP" ] && [ -x "$SIM" ] || { echo "shards bench: build clobtop and clobsim first" >&2; exit 2; }
W=$(mktemp -d "${TMPDIR:-/tmp}/clobtop-shards-bench.XXXXXX")
PIDS=""
trap 'for p in $PIDS; do kill "$p" 2>/dev/null; done; [ -n "${SHARDS_BENCH_KEEP:-}" ] || rm -rf "$W"' EXIT
trap 'exit 1' INT TERM
ms() { date +%s%3N; }

# sim NAME ARGS...: starts clobsim (its --duration: DEADLINE seconds); sets SP and PORT.
sim() {
	name=$1
	shift
	"$SIM" --port 0 --duration "$DEADLINE" --new-markets 0 \
		--new-market-every 0 --assets-out "$W/$name.assets" "$@" >"$W/$name.sim" 2>&1 &
	SP=$!
	PIDS="$PIDS $SP"
	PORT=
	end=$(($(ms) + 30000))
	while [ -z "$PORT" ] && [ "$(ms)" -lt "$end" ]; do
		sleep 0.1
		[ -s "$W/$name.assets" ] || continue
		PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$W/$name.sim")
	done
	[ -n "$PORT" ] || { echo "shards bench: clobsim did not start" >&2; cat "$W/$name.sim" >&2; exit 1; }
}

# top NAME SECS ARGS...: clobtop --headless for SECS seconds (--duration) against the
# running clobsim; sets TP (clobtop's own PID: /proc is read from it).
top() {
	name=$1 secs=$2
	shift 2
	"$TOP" --no-config --headless --no-gamma --duration "$secs" \
		--url "ws://127.0.0.1:$PORT/ws/market" --assets-file "$W/$name.assets" \
		--metrics-file "$W/$name.prom" --refresh 250 --export "$W/$name.json" "$@" \
		</dev/null >"$W/$name.out" 2>"$W/$name.err" &
	TP=$!
	PIDS="$PIDS $TP"
}

# snap PID FILE: one line per thread, "tid cpu_ticks", then "t ms".
snap() {
	: >"$2"
	for t in /proc/"$1"/task/*; do
		s=$(cat "$t/stat" 2>/dev/null) || continue
		echo "${t##*/} $(echo "${s##*)}" | awk '{print $12 + $13}')" >>"$2"
	done
	echo "t $(ms)" >>"$2"
}

# frames FILE: clobtop_frames_total of a metrics file.
frames() { awk '/^clobtop_frames_total /{print $2}' "$1" 2>/dev/null; }

# cpu PID A B: "main X% | threads: Y% Z% ..." from two snaps (busiest first), total.
cpu() {
	awk -v pid="$1" -v tck="$TCK" '
		FNR == NR { if ($1 == "t") t0 = $2; else a[$1] = $2; next }
		$1 == "t" { dt = ($2 - t0) / 1000; next }
		{ d[$1] = $2 - ($1 in a ? a[$1] : 0) }
		END {
			n = 0; tot = 0
			for (k in d) { p = d[k] / tck / dt * 100; tot += p
				if (k == pid) main = p; else o[++n] = p }
			for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
				if (o[j] > o[i]) { x = o[i]; o[i] = o[j]; o[j] = x }
			s = ""; for (i = 1; i <= n && i <= 4; i++) s = s sprintf(" %.0f%%", o[i])
			if (n > 4) s = s sprintf(" (+%d more, %.0f%% together)", n - 4, tot - main - o[1] - o[2] - o[3] - o[4])
			printf "UI/main thread %.0f%%, busiest other threads%s; total %.0f%%", main, s, tot
		}' "$2" "$3"
}
# simcpu A B: clobsim's CPU % between two snaps.
simcpu() { awk -v tck="$TCK" 'FNR==NR{if($1=="t")t0=$2;else a+=$2;next} $1=="t"{dt=($2-t0)/1000;next} {b+=$2} END{printf "%.0f", (b-a)/tck/dt*100}' "$1" "$2"; }

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
# idle A B: the machine's idle share (% of all cores) between two copies of /proc/stat.
idle() { awk 'FNR==1{t=0; for(i=2;i<=NF;i++)t+=$i; if(NR==FNR){t0=t;i0=$5+$6}else{printf "%.0f", ($5+$6-i0)*100/(t-t0)}}' "$1" "$2"; }
echo "shards bench: $(nproc) cores, load average $(loadavg) at start"

# ---- (a) 10,000 tokens, 50 connections, 20,000 msgs/s ------------------------------------
DEADLINE=$((SECS + 90))
sim a --markets 5000 --rate 20000
top a "$SECS" --per-connection 200
t0=$(ms)
warm=$((t0 + 10000)) # subscriptions and first books settle
[ "$SECS" -lt 20 ] && warm=$((t0 + SECS * 1000 / 3))
while [ "$(ms)" -lt "$warm" ] && kill -0 "$TP" 2>/dev/null; do sleep 0.2; done
snap "$TP" "$W/a.t0"
snap "$SP" "$W/a.s0"
cp /proc/stat "$W/a.p0"
f0=$(frames "$W/a.prom")
hwm= rss=
stop=$((t0 + SECS * 1000 - 1500))
while [ "$(ms)" -lt "$stop" ] && kill -0 "$TP" 2>/dev/null; do
	h=$(awk '/^VmHWM/{print $2}' /proc/"$TP"/status 2>/dev/null) && [ -n "$h" ] && hwm=$h
	r=$(awk '/^VmRSS/{print $2}' /proc/"$TP"/status 2>/dev/null) && [ -n "$r" ] && rss=$r
	sleep 0.5
done
snap "$TP" "$W/a.t1"
snap "$SP" "$W/a.s1"
cp /proc/stat "$W/a.p1"
f1=$(frames "$W/a.prom")
ta=$(cpu "$TP" "$W/a.t0" "$W/a.t1")
sa=$(simcpu "$W/a.s0" "$W/a.s1")
wait "$TP"
kill "$SP" 2>/dev/null
wait "$SP" 2>/dev/null
"$PY" - "$W/a.json" "$f0" "$f1" "$W/a.t0" "$W/a.t1" "${hwm:-0}" "${rss:-0}" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
f0, f1 = float(sys.argv[2] or 0), float(sys.argv[3] or 0)
t = lambda p: int([l for l in open(p) if l.startswith("t ")][0].split()[1])
dt = (t(sys.argv[5]) - t(sys.argv[4])) / 1000
c = j.get("connections") or []
print("(a) 10,000 tokens over %d connections at 20,000 msgs/s:" % len(c))
print("    applied %.0f msgs/s (steady %.0f s), ring drops %d, resyncs %d, pipeline p99 %s us"
      % ((f1 - f0) / dt if dt > 0 else 0, dt, j["counters"]["dropped"], j["counters"]["resyncs"],
         j["latency"]["pipeline_us"]["p99"]))
print("    RSS: VmHWM %.1f MiB, VmRSS %.1f MiB (near the end)"
      % (int(sys.argv[6]) / 1024, int(sys.argv[7]) / 1024))
PY
echo "    CPU: $ta; clobsim ${sa}%; machine idle $(idle "$W/a.p0" "$W/a.p1")% (of $(nproc) cores)"
echo "    (headless: no render p99; bench.py's render step measures rendering)"

# ---- (b) throughput over 4 connections -----------------------------------------------------
DEADLINE=$((STEP + 60))
best=
echo "(b) 400 tokens over 4 connections (--per-connection 100), ${STEP} s a step, load $(loadavg):"
for r in $RATES; do
	sim b --markets 200 --rate "$r"
	top b "$STEP" --per-connection 100
	t0=$(ms)
	while [ "$(ms)" -lt $((t0 + 3000)) ] && kill -0 "$TP" 2>/dev/null; do sleep 0.2; done
	snap "$TP" "$W/b.t0"
	snap "$SP" "$W/b.s0"
	cp /proc/stat "$W/b.p0"
	f0=$(frames "$W/b.prom")
	while [ "$(ms)" -lt $((t0 + STEP * 1000 - 1000)) ] && kill -0 "$TP" 2>/dev/null; do sleep 0.2; done
	snap "$TP" "$W/b.t1"
	snap "$SP" "$W/b.s1"
	cp /proc/stat "$W/b.p1"
	f1=$(frames "$W/b.prom")
	wait "$TP"
	kill "$SP" 2>/dev/null
	wait "$SP" 2>/dev/null
	drops=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["counters"]["dropped"])' \
		"$W/b.json" 2>/dev/null)
	dt=$(awk 'FNR==NR&&$1=="t"{a=$2} FNR!=NR&&$1=="t"{print ($2-a)/1000}' "$W/b.t0" "$W/b.t1")
	got=$(awk -v a="${f0:-0}" -v b="${f1:-0}" -v d="$dt" 'BEGIN{printf "%.0f", (d > 0 ? (b - a) / d : 0)}')
	sc=$(simcpu "$W/b.s0" "$W/b.s1")
	id=$(idle "$W/b.p0" "$W/b.p1")
	note=
	[ "$sc" -ge 90 ] && note=" <- clobsim (one thread) at ${sc}%: it is the limit here"
	[ "$id" -le 5 ] && note="$note <- machine saturated (idle ${id}%): CPU-starved, not a ceiling"
	printf '    --rate %-7s applied %7s msgs/s, drops %s, clobsim %s%%, clobtop %s, idle %s%%%s\n' \
		"$r" "$got" "${drops:-?}" "$sc" "$(cpu "$TP" "$W/b.t0" "$W/b.t1")" "$id" "$note"
	# Sustained: no drops and at least 97 % of the offered rate applied (as bench.py).
	case $r in max) ok=1 ;; *) ok=$((got * 100 >= r * 97)) ;; esac
	[ "${drops:-1}" = 0 ] && [ "$ok" = 1 ] && [ "$got" -gt "${best:-0}" ] && best=$got
done
echo "    highest sustained rate (zero drops, >= 97 % of offered applied): ${best:-none} msgs/s;" \
	"load at the end $(loadavg)"
exit 0

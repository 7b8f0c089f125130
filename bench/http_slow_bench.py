#!/usr/bin/env python3
"""
http_slow_bench.py: do 200 slow HTTP clients raise clobtop's pipeline latency p99?

clobsim streams at a steady rate (BENCH_HTTP_RATE, default 5,000 msgs/s: one clobtop keeps
up with even on a loaded 2-CPU machine; at a rate it cannot keep up with, latency is the
growing backlog, not the clients) to `clobtop --headless --listen 127.0.0.1:0` for
BENCH_HTTP_SECS seconds (default 30; 20 with BENCH_QUICK=1).  Two kinds of run:

  quiet  200 slow clients trickle to a sink socket of this script's own, not to clobtop:
         the same client work on the same machine, none of it reaching the server
  slow   the same 200 clients against clobtop's --listen, each sending a request that never
         ends, one byte every 0.25 s (tests/httpd_slow.py's clients); each holds one of
         clobtop's HTTP connections for the whole run (checked on /metrics half-way, a
         request made in both kinds of run)

A run's figure is the p99 of latency.pipeline_us (applied minus received, every message of
the run: the window is 60 s) in the snapshot clobtop exports at exit.  Each round runs a
quiet and a slow pair (two clobsims, two clobtops) side by side, so both meet the same load
on the machine (run one after the other, the quiet runs alone spread over 10x here); a
side's figure is the median of its runs' p99s over BENCH_HTTP_ROUNDS rounds (default 5; 3
with BENCH_QUICK).  The check fails when the slow side's is more than 10 % above the quiet side's.
Enough samples: every run must carry at least MIN_SAMPLES (so its p99 rests on at least
500 samples above it).

BENCH_HTTP_CALIBRATE=1 sends the "slow" side's clients to a sink as well: the ratio between
two identical sides, the noise floor of the machine and of the pairing.

BENCH_HTTP_NICE=-10 runs everything (this script, clobsim, clobtop) at that nice value
when the user may (CAP_SYS_NICE): on a machine busy with other work the scheduling stalls
of the pipeline thread, not the clients, set p99; both sides get the same priority.

Exit status: 0 met, 1 the rise is over 10 %, 2 a run failed or had too few samples.
--json FILE writes the figures (bench.py's "http" section reads it).
Loopback only; every process has a --duration and is killed on exit.
"""
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "tests"))
import bench  # noqa: E402  (Sim, spawn, stop, cleanup, CLOBTOP, WORK)
import httpd_slow  # noqa: E402  (open_slow: a request that never ends)

RATE = int(os.environ.get("BENCH_HTTP_RATE", "5000"))
SECS = float(os.environ.get("BENCH_HTTP_SECS", "20" if bench.QUICK else "30"))
ROUNDS = int(os.environ.get("BENCH_HTTP_ROUNDS", "3" if bench.QUICK else "5"))
CLIENTS = 200
MAX_RISE = 0.10
MIN_SAMPLES = 50000
TICK_S = 0.25  # each slow client sends one byte per tick
NICE = int(os.environ.get("BENCH_HTTP_NICE", "0"))
CALIBRATE = os.environ.get("BENCH_HTTP_CALIBRATE", "0") not in ("", "0", "no")


def log(msg):
    print(msg, flush=True)


class Sink:
    """A listening socket that accepts and never answers: the quiet runs' target."""

    def __init__(self):
        self.s = socket.socket()
        self.s.bind(("127.0.0.1", 0))
        self.s.listen(512)
        self.s.setblocking(False)
        self.port = self.s.getsockname()[1]
        self.conns = []

    def accept(self):
        while True:
            try:
                self.conns.append(self.s.accept()[0])
            except BlockingIOError:
                return

    def close(self):
        for c in self.conns + [self.s]:
            c.close()


def trickle(socks):
    for s in socks:
        try:
            s.send(b"a")
        except OSError:
            pass


def get(port, path):
    with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path), timeout=10) as r:
        return r.read().decode()


def http_port(errfile, deadline):
    while time.monotonic() < deadline:
        for line in open(errfile):
            if "HTTP API on http://127.0.0.1:" in line:
                return int(line.rsplit(":", 1)[1].strip().rstrip("/"))
        time.sleep(0.05)
    raise RuntimeError("clobtop did not say where it listens")


def open_connections(port):
    for line in get(port, "/metrics").splitlines():
        if line.startswith("clobtop_http_connections_open "):
            return int(line.split()[1])
    return -1


def http_thread_ticks(pid):
    """CPU clock ticks (user + system) of libmicrohttpd's threads in process pid."""
    ticks = 0
    for t in os.listdir("/proc/%d/task" % pid):
        try:
            st = open("/proc/%d/task/%s/stat" % (pid, t)).read()
        except OSError:
            continue
        if st[st.index("(") + 1:st.rindex(")")].startswith("MHD"):
            rest = st[st.rindex(")") + 2:].split()
            ticks += int(rest[11]) + int(rest[12])
    return ticks


class Run:
    """One clobsim and one clobtop --listen; kind says where its slow clients go."""

    def __init__(self, kind, n):
        self.kind, self.n, self.conns, self.http_ticks = kind, n, None, 0
        self.sim = bench.Sim("http-%s-%d" % (kind, n), ["--rate", RATE], SECS + 40)
        self.snap = os.path.join(self.sim.dir, "snap.json")
        self.err = os.path.join(self.sim.dir, "top.err")
        self.sink, self.socks = Sink(), []
        cmd = [bench.CLOBTOP, "--headless", "--duration", str(SECS), "--export", self.snap,
               "--listen", "127.0.0.1:0"] + bench.clobtop_args(self.sim)
        self.t0 = time.monotonic()
        self.p = bench.spawn(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=open(self.err, "w"))

    def connect(self):
        self.port = http_port(self.err, self.t0 + 20)
        target = self.port if self.kind == "slow" and not CALIBRATE else self.sink.port
        self.socks = httpd_slow.open_slow(target, CLIENTS)

    def tick(self):
        """False once clobtop has exited (or overrun its duration)."""
        if self.p.poll() is not None or time.monotonic() > self.t0 + SECS + 10:
            return False
        trickle(self.socks)
        self.sink.accept()
        try:  # the largest seen: an exiting process loses its threads first
            self.http_ticks = max(self.http_ticks, http_thread_ticks(self.p.pid))
        except OSError:
            pass
        if self.conns is None and time.monotonic() >= self.t0 + SECS / 2:
            self.conns = open_connections(self.port)
        return True

    def close(self):
        for s in self.socks:
            s.close()
        self.sink.close()
        self.sim.stop()

    def result(self):
        self.p.wait(timeout=30)
        if self.p.returncode != 0 or not os.path.exists(self.snap):
            raise RuntimeError("clobtop exited %s (see %s)" % (self.p.returncode, self.err))
        lat = json.load(open(self.snap))["latency"]["pipeline_us"]
        cpu = 100.0 * self.http_ticks / os.sysconf("SC_CLK_TCK") / SECS
        log("  %-5s run %d: pipeline p50 %s p99 %s max %s us over %s samples; clobtop had %s "
            "HTTP connections open; its HTTP threads used %.2f %% of a CPU" %
            (self.kind, self.n, lat["p50"], lat["p99"], lat["max"], lat["count"], self.conns,
             cpu))
        return {"kind": self.kind, "round": self.n, "p50": lat["p50"], "p99": lat["p99"],
                "max": lat["max"], "count": lat["count"], "http_connections_open": self.conns,
                "http_threads_cpu_percent": round(cpu, 3)}


def round_pair(n):
    """A quiet and a slow run side by side: the same moment's load on the machine.  Which
    starts first alternates by round; the results come quiet first."""
    pair = []
    try:
        for kind in ("quiet", "slow") if n % 2 else ("slow", "quiet"):
            pair.append(Run(kind, n))
        for r in pair:
            r.connect()
        while any([r.tick() for r in pair]):
            time.sleep(TICK_S)
        return sorted((r.result() for r in pair), key=lambda x: x["kind"])
    finally:
        for r in pair:
            r.close()


def measure():
    runs = []
    for n in range(1, ROUNDS + 1):
        runs += round_pair(n)
    res = {"rate": RATE, "seconds": SECS, "rounds": ROUNDS, "clients": CLIENTS, "runs": runs,
           "max_ratio": 1 + MAX_RISE, "min_samples": MIN_SAMPLES}
    for kind in ("quiet", "slow"):
        res[kind + "_p99_us"] = statistics.median(x["p99"] for x in runs if x["kind"] == kind)
    res["problems"] = ["%s run: %d samples, fewer than %d" % (x["kind"], x["count"], MIN_SAMPLES)
                       for x in runs if x["count"] < MIN_SAMPLES]
    res["problems"] += ["a slow run had %s of %d clients connected" %
                        (x["http_connections_open"], CLIENTS)
                        for x in runs if x["kind"] == "slow" and not CALIBRATE and
                        (x["http_connections_open"] or 0) < CLIENTS]
    q, s = res["quiet_p99_us"], res["slow_p99_us"]
    res["ratio"] = s / q if q > 0 else float("inf")
    res["round_ratios"] = [round(b["p99"] / a["p99"], 3) if a["p99"] > 0 else None
                           for a, b in zip(runs[0::2], runs[1::2])]
    res["nice"] = os.nice(0)
    res["met"] = not res["problems"] and res["ratio"] <= 1 + MAX_RISE
    return res


def main():
    out = sys.argv[2] if len(sys.argv) == 3 and sys.argv[1] == "--json" else None
    if NICE:
        try:
            os.nice(NICE)
        except OSError as ex:
            log("http: cannot set nice %d (%s); running at %d" % (NICE, ex, os.nice(0)))
    if CALIBRATE:
        log("http: calibration: the slow side's clients trickle into a sink too")
    log("http: %d slow clients, clobsim at %d msgs/s, %d rounds of %g s runs, nice %d, "
        "load average %s" % (CLIENTS, RATE, ROUNDS, SECS, os.nice(0),
                             " ".join(open("/proc/loadavg").read().split()[:3])))
    res = measure()
    log("http: pipeline p99 (median of %d runs each) quiet %s us, with %d slow clients %s us: "
        "ratio %.3f (limit %.2f); slow/quiet by round %s" %
        (ROUNDS, res["quiet_p99_us"], CLIENTS, res["slow_p99_us"], res["ratio"],
         res["max_ratio"], res["round_ratios"]))
    for p in res["problems"]:
        log("http: " + p)
    if out:
        with open(out, "w") as f:
            json.dump(res, f, indent=1)
    if res["problems"]:
        return 2
    return 0 if res["met"] else 1


if __name__ == "__main__":
    rc = 2
    try:
        rc = main()
    except (RuntimeError, OSError, subprocess.SubprocessError) as ex:
        log("http: FAILED: %s" % ex)
    except KeyboardInterrupt:
        log("http: interrupted")
    finally:
        bench.cleanup()
    sys.exit(rc)

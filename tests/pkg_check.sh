#!/bin/sh
# The Debian packages work: built by scripts/package (lintian without errors), unpacked
# with dpkg-deb -x, clobtop --version and clobsim --help run, a headless replay exports
# its snapshot, the unit's own command line runs against clobsim and writes the metrics
# file, the /etc files are conffiles, the unit is installed disabled and passes
# systemd-analyze verify (when systemd-analyze exists).  As root with CI set, the
# packages are also installed with apt, as the README says, and purged again.
# Usage: tests/pkg_check.sh [DIR]   DIR holds a scripts/package output (else it builds).
# Takes minutes: not in 'make check'; scripts/test-all runs it as the stage 'package'.
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
. "$top_srcdir/tests/lib.sh"

if [ $# -ge 1 ]; then
	debs=$(cd "$1" && pwd)
else
	debs=$WORK/deb
	"$top_srcdir/scripts/package" "$debs" >"$WORK/package.out" 2>&1 ||
		fail "scripts/package failed: $(tail -30 "$WORK/package.out")"
fi
set -- "$debs"/clobtop_*.deb
[ $# -eq 1 ] && [ -f "$1" ] || fail "expected one clobtop_*.deb in $debs, found: $*"
top_deb=$1
set -- "$debs"/clobsim_*.deb
[ $# -eq 1 ] && [ -f "$1" ] || fail "expected one clobsim_*.deb in $debs, found: $*"
sim_deb=$1

[ -f "$debs/lintian.txt" ] || fail "no lintian report in $debs (scripts/package writes it)"
n=$(grep -c '^E: ' "$debs/lintian.txt")
[ "$n" -eq 0 ] || fail "lintian reports $n errors: $(grep '^E: ' "$debs/lintian.txt")"

root=$WORK/root
mkdir -p "$root"
dpkg-deb -x "$top_deb" "$root" && dpkg-deb -x "$sim_deb" "$root" || fail "dpkg-deb -x failed"
for f in usr/bin/clobtop usr/bin/clobsim usr/share/man/man1/clobtop.1.gz \
	usr/share/man/man1/clobsim.1.gz lib/systemd/system/clobtop.service \
	etc/clobtop/assets etc/clobtop/clobtop.conf \
	usr/share/doc/clobtop/examples/clobtop.rules.yml usr/share/doc/clobtop/examples/clobtop.json; do
	[ -e "$root/$f" ] || fail "/$f is not in the packages"
done
dpkg-deb --ctrl-tarfile "$top_deb" | tar -xO ./conffiles >"$WORK/conffiles" || fail "no conffiles"
for f in /etc/clobtop/assets /etc/clobtop/clobtop.conf; do
	grep -qx "$f" "$WORK/conffiles" || fail "$f is not a conffile: $(cat "$WORK/conffiles")"
done
# dh_installsystemd --no-enable: only a unit enabled before an upgrade is enabled again.
dpkg-deb --ctrl-tarfile "$top_deb" | tar -xO ./postinst >"$WORK/postinst" || fail "no postinst"
grep -q "deb-systemd-helper debian-installed 'clobtop.service'" "$WORK/postinst" ||
	fail "clobtop.service would be enabled on installation: $(cat "$WORK/postinst")"
! grep -q 'deb-systemd-invoke.*start' "$WORK/postinst" || fail "the postinst starts clobtop.service"

CLOBTOP=$root/usr/bin/clobtop
CLOBSIM=$root/usr/bin/clobsim
ver=$(dpkg-deb -f "$top_deb" Version)
"$CLOBTOP" --version >"$WORK/version" 2>&1 || fail "clobtop --version exited $?"
grep -q "^clobtop $ver " "$WORK/version" || fail "clobtop --version is not $ver: $(cat "$WORK/version")"
"$CLOBSIM" --help >"$WORK/simhelp" 2>&1 || fail "clobsim --help exited $?"
grep -q '^Usage: clobsim' "$WORK/simhelp" || fail "clobsim --help: $(head -3 "$WORK/simhelp")"

timeout 30 "$CLOBTOP" --replay "$root/usr/share/doc/clobtop/examples/polymarket-burst-2026-09-29.jsonl" \
	--headless --export "$WORK/replay.json" </dev/null >"$WORK/replay.out" 2>&1 ||
	fail "the packaged clobtop's replay exited $?: $(cat "$WORK/replay.out")"
[ "$(json_get "$WORK/replay.json" "j['schema'], j['counters']['frames']")" = "clobtop.snapshot/1 51" ] ||
	fail "the replay snapshot is not 51 frames of clobtop.snapshot/1"

# The unit's ExecStart, with its paths moved into $WORK and CLOBTOP_OPTS pointing at clobsim.
unit=$root/lib/systemd/system/clobtop.service
start_sim --markets 2 --rate 100 --new-market-every 0 --assets-out "$WORK/assets"
mkdir -p "$WORK/state" "$WORK/run"
cmd=$(sed -e ':a' -e '/\\$/N; s/\\\n[[:space:]]*//; ta' "$unit" | sed -n 's/^ExecStart=//p')
case $cmd in /usr/bin/clobtop\ --headless\ *) ;; *) fail "unexpected ExecStart: $cmd" ;; esac
opts="--url ws://127.0.0.1:$SIM_PORT/ws/market --no-gamma --duration 3 --refresh 200"
cmd=$(printf '%s\n' "$cmd" | sed -e "s|^/usr/bin/clobtop|$CLOBTOP|" -e "s|/etc/clobtop/assets|$WORK/assets|" \
	-e "s|/var/lib/clobtop|$WORK/state|" -e "s|/run/clobtop|$WORK/run|" -e "s|--listen 127.0.0.1:9464|--listen 127.0.0.1:0|" -e "s|\$CLOBTOP_OPTS|$opts|")
# shellcheck disable=SC2086
timeout 30 $cmd </dev/null >"$WORK/service.out" 2>&1 || fail "the unit's command ($cmd) exited $?: $(cat "$WORK/service.out")"
# Written once more at exit (connected 0 then): frames prove it was connected.
grep -q '^clobtop_frames_total [1-9][0-9]*$' "$WORK/run/clobtop.prom" ||
	fail "the unit's command received no frames: $(cat "$WORK/run/clobtop.prom" 2>/dev/null | head -20)"
grep -q '^clobtop_asset_state{' "$WORK/run/clobtop.prom" || fail "the unit's metrics have no assets"

if command -v systemd-analyze >/dev/null 2>&1; then
	sed "s|^ExecStart=/usr/bin/clobtop|ExecStart=$CLOBTOP|" "$unit" >"$WORK/clobtop.service"
	MANPATH=$root/usr/share/man systemd-analyze verify "$WORK/clobtop.service" >"$WORK/verify" 2>&1 ||
		fail "systemd-analyze verify: $(cat "$WORK/verify")"
	[ ! -s "$WORK/verify" ] || fail "systemd-analyze verify is not clean: $(cat "$WORK/verify")"
else
	echo "systemd-analyze not installed: unit not verified (scripts/install-deps installs systemd)"
fi

if [ "$(id -u)" -eq 0 ] && [ -n "${CI:-}" ]; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$top_deb" "$sim_deb" >"$WORK/apt.out" 2>&1 ||
		fail "apt-get install of the packages failed: $(tail -20 "$WORK/apt.out")"
	/usr/bin/clobtop --version | grep -q "^clobtop $ver " || fail "the installed clobtop is not $ver"
	[ -f /lib/systemd/system/clobtop.service ] || fail "the unit is not installed"
	[ ! -e /etc/systemd/system/multi-user.target.wants/clobtop.service ] || fail "the unit was enabled"
	dpkg --purge clobtop clobsim >"$WORK/purge.out" 2>&1 || fail "dpkg --purge failed: $(cat "$WORK/purge.out")"
	[ ! -e /etc/clobtop ] || fail "/etc/clobtop is left after purge"
fi
echo "ok: $(basename "$top_deb") $(basename "$sim_deb")"

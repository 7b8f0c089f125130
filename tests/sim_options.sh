#!/bin/sh
# Every long option clobsim --help prints is documented in man/clobsim.1.
# The option table in src/sim/main.c drives --help; the manual is written by hand, so an
# option added to the table without a manual entry fails here.  No server is started.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
SIM=${SIM:-$top_builddir/src/clobsim}
MAN=${MAN:-$top_srcdir/man/clobsim.1}

help=$(timeout 10 "$SIM" --help) || { echo "FAIL: clobsim --help exited with $?"; exit 1; }
# The option column: "  -p, --port N" or "      --port-file FILE".
opts=$(printf '%s\n' "$help" | sed -n 's/^  \(-[A-Za-z], \|    \)--\([a-z0-9][a-z0-9-]*\).*/\2/p')
n=$(printf '%s\n' "$opts" | grep -c .)
if [ "$n" -lt 30 ]; then
	echo "FAIL: expected at least 30 long options in clobsim --help, found $n"
	exit 1
fi
fail=0
for o in $opts; do
	# troff spells --name as \-\-name; the name must not continue (--port vs --port-file)
	if ! grep -Eq "\\\\-\\\\-$o([^a-z0-9-]|\$)" "$MAN"; then
		echo "FAIL: clobsim --help lists --$o but $MAN does not document it"
		fail=1
	fi
done
[ "$fail" = 0 ] && echo "ok: all $n long options of clobsim --help are in $(basename "$MAN")"
exit $fail

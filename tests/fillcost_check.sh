#!/bin/sh
# Fill cost on the real captures in data/ agrees with an independent Decimal calculation.
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
exec timeout 120 /usr/bin/python3 "$top_srcdir/tests/fillcost_check.py" \
	"$top_builddir/tests/fillcost_tool" "$top_srcdir/data"

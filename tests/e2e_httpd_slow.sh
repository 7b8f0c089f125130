#!/bin/sh
# 200 slow HTTP clients do not delay a publish, a normal client or a stop, and the
# connection limit holds (tests/httpd_slow.py against tests/httpd_serve, the HTTP API on
# 127.0.0.1).
. "$(dirname "$0")/lib.sh"

timeout 150 "$PY" "$top_srcdir/tests/httpd_slow.py" "$top_builddir/tests/httpd_serve" "$WORK" ||
	fail "slow HTTP clients (exit $?)"

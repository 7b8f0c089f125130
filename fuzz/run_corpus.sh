#!/bin/sh
# Replays every fuzz corpus file (and the real captures) through the parser and book with
# a plain compiler build of the fuzz target; a crash or a broken invariant fails the test.
set -eu
: "${top_srcdir:=.}" "${top_builddir:=.}"
set -- $(ls "$top_srcdir"/fuzz/corpus/* | grep -v /README$) "$top_srcdir"/data/*.jsonl
echo "replaying $# corpus files"
exec "$top_builddir/fuzz/replay_proto" "$@"

#!/bin/sh
# The model's own suites once more, with every frame parsed and packed into REC_EVENTS
# first, as a live connection's receive thread hands it over (evpack.h): the model must
# give exactly the same books, states, counters and alerts either way.
set -e
for t in test_market test_health test_export; do
	echo "== $t through REC_EVENTS"
	CLOBTOP_TEST_EVPACK=1 "$top_builddir/tests/$t"
done

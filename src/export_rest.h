/*
 * export_rest: the REST truth's part of the snapshot and the metrics (called once each
 * from export.c): per asset where its book came from; the audit's counts and last
 * mismatch; the worker's requests and 429s; REST round trips apart from the socket's.
 *
 * Reads the model only.  Not on the hot path: may allocate.  UI thread only.
 */
#ifndef CLOBTOP_EXPORT_REST_H
#define CLOBTOP_EXPORT_REST_H

#include <jansson.h>

#include "export.h"
#include "market.h"

/* Adds "book_source", "book_source_time_ms", "book_rest_ts_ms", "rest_dropped_older". */
void export_rest_asset(const struct market_state *m, const struct asset *a,
                       const struct export_options *o, json_t *j);

/* Adds "audit" and "rest" to the snapshot's root. */
void export_rest_snapshot(const struct market_state *m, const struct export_options *o,
                          json_t *root);

/* The metrics text (malloc'd, "" when REST is off), or NULL when memory ran out. */
char *export_rest_metrics(const struct market_state *m, const struct export_options *o);

#endif

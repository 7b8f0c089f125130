/*
 * export_conn: the pool's connections in the snapshot ("connections", one object per
 * connection slot) and in the metrics (clobtop_connection_* series, one per slot,
 * labelled conn="N").  export.c calls these; they read the model (market_conn.h) and
 * never change it.  Model (UI) thread, or whoever holds a copy of the model (publish).
 */
#ifndef CLOBTOP_EXPORT_CONN_H
#define CLOBTOP_EXPORT_CONN_H

#include <jansson.h>

#include "export.h"

/* The "connections" array (empty without a pool), or NULL when memory ran out. */
json_t *export_conn_json(const struct market_state *m, const struct export_options *o);

/* The clobtop_connection_* families as exposition text (malloc'd, NUL-terminated, ""
 * without a pool), or NULL when memory ran out. */
char *export_conn_metrics(const struct market_state *m, const struct export_options *o);

#endif

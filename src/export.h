/*
 * export: the dashboard's state as a file.
 *
 * The snapshot (schema "clobtop.snapshot/1", JSON through jansson) is a stable contract
 * that tests, benchmarks and users script against; the metrics file is Prometheus text
 * exposition format for node_exporter's textfile collector.  Both are written atomically:
 * a temporary file in the same directory, fsync, rename, fsync of the directory, so a
 * reader never sees half a file and a full disk never damages the previous one.
 *
 * Reads the model; never changes it.  Never writes a secret (the model holds none).
 */
#ifndef CLOBTOP_EXPORT_H
#define CLOBTOP_EXPORT_H

#include <stddef.h>
#include <stdint.h>

#include "market.h"

struct export_handon;

struct export_options {
	int depth;              /* levels per side, 0 = all */
	const char *url;        /* source.url */
	int64_t now_mono_ns;    /* for ages */
	int64_t now_real_ns;    /* generated_at */
	const struct export_handon *handon; /* Redis, hooks, fill cost (export_redis.h), or NULL */
};

/* Writes the snapshot to path.  Returns 0, or -1 with a message in err. */
int export_snapshot(const struct market_state *m, const struct export_options *o,
		    const char *path, char *err, size_t errlen);

/* The snapshot as a JSON string (malloc'd, caller frees), or NULL. */
char *export_snapshot_string(const struct market_state *m, const struct export_options *o);

/* Writes dir/clobtop-snapshot-YYYYmmddTHHMMSSZ.json (a -N suffix when it exists);
 * the path written goes into path_out.  Returns 0, or -1 with a message in err. */
int export_snapshot_dir(const struct market_state *m, const struct export_options *o,
			const char *dir, char *path_out, size_t path_cap, char *err, size_t errlen);

/* Per-asset metric series are written for at most this many subscribed assets; the
 * counts by state cover every asset. */
#define EXPORT_METRICS_MAX_ASSETS 1000

/* The metrics as Prometheus text exposition (malloc'd, *len bytes, NUL-terminated; the
 * caller frees), or NULL when memory ran out.  Base units (seconds), a HELP and a TYPE
 * for every family: `promtool check metrics` finds nothing to say. */
char *export_metrics_string(const struct market_state *m, const struct export_options *o,
                            size_t *len);

/* Prometheus text format written to path. Returns 0, or -1 with a message in err. */
int export_metrics(const struct market_state *m, const struct export_options *o, const char *path,
		   char *err, size_t errlen);

/* Atomic write of len bytes to path (temp file beside it, fsync, rename).  A symbolic link
 * is followed and its target replaced, so the link stays; a directory, device or FIFO is
 * refused ("not a regular file"); an existing file keeps its mode.  "-" writes to standard
 * output.  Returns 0 or -1 with a message in err. */
int export_write_atomic(const char *path, const char *data, size_t len, char *err, size_t errlen);

#endif

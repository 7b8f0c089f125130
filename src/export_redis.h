/*
 * export_redis: the snapshot's "redis" and "hooks" sections, the per-asset "fill_cost",
 * and their metrics (clobtop_redis_*, clobtop_hooks_total).  The run loop (app_redis.c)
 * fills a struct export_handon with plain numbers and hands it to the exporter through
 * export_options.handon; NULL (tests, a run without these options) writes nothing.
 *
 * Reads; never changes anything.  Never writes the Redis password (url is the display
 * form, redisurl_display).  Called by export.c, from the thread that exports (the UI).
 */
#ifndef CLOBTOP_EXPORT_REDIS_H
#define CLOBTOP_EXPORT_REDIS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "assets.h"
#include "fillcost.h"
#include "hooks.h"

struct export_handon {
	bool redis;                        /* --redis given */
	char url[320];                     /* redisurl_display: password shown as *** */
	const char *link;                  /* Redis connection: up, connecting, down, stopped */
	uint64_t books;                    /* changed books Redis acknowledged */
	uint64_t trades;                   /* trades Redis acknowledged */
	uint64_t cache_writes;             /* cache-only rewrites acknowledged */
	uint64_t offered;                  /* records offered to the publisher */
	uint64_t dropped;                  /* ring full, Redis down, lost with a connection */
	uint64_t tape_missed;              /* trades gone from the tape before they were offered */
	uint64_t connects;                 /* connections made */
	uint64_t errors;                   /* error replies and failed connections */
	char last_error[160];              /* sanitised, "" none */
	bool hooks;                        /* --on-alert given */
	uint64_t hook[HOOK_OUTCOME_COUNT]; /* hook outcomes, by enum hook_outcome */
	uint64_t hooks_submitted;          /* alerts handed to the hook thread */
	uint64_t hooks_ring_dropped;       /* alerts the hook ring had no room for */
	size_t nsizes;                     /* --depth-sizes given */
	struct fill_size sizes[FILLCOST_MAX_SIZES]; /* their values */
};

/* A micro-unit value as an exact decimal string, or null for PRICE_NONE. */
json_t *export_redis_decimal(int64_t v);
/* Adds "redis" and "hooks" to the snapshot root (when configured). */
void export_redis_json(json_t *root, const struct export_handon *h);
/* Adds "fill_cost" to one asset's object (when --depth-sizes was given). */
void export_redis_asset(json_t *asset, const struct asset *a, const struct export_handon *h);
/* The metrics text (malloc'd, NUL-terminated) or NULL when there is nothing to add. */
char *export_redis_metrics(const struct export_handon *h);

#endif

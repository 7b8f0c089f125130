/*
 * export_redis: the hand-on sections of the snapshot and the metrics (see
 * export_redis.h).  Reads plain numbers; never changes anything.
 */
#include "export_redis.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "num.h"

json_t *export_redis_decimal(int64_t v)
{
	char t[NUM_BUF];
	if (v == PRICE_NONE)
		return json_null();
	num_format(v, t, sizeof(t));
	return json_string(t);
}

void export_redis_json(json_t *root, const struct export_handon *h)
{
	if (!h)
		return;
	if (h->redis)
		json_object_set_new(
		    root, "redis",
		    json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o}", "url",
		              h->url, "state", h->link, "published_books", (json_int_t)h->books,
		              "published_trades", (json_int_t)h->trades, "cache_writes",
		              (json_int_t)h->cache_writes, "offered", (json_int_t)h->offered,
		              "dropped", (json_int_t)h->dropped, "tape_missed",
		              (json_int_t)h->tape_missed, "connects", (json_int_t)h->connects,
		              "reconnects", (json_int_t)(h->connects ? h->connects - 1 : 0),
		              "errors", (json_int_t)h->errors, "last_error",
		              h->last_error[0] ? json_string(h->last_error) : json_null()));
	if (h->hooks) {
		uint64_t failed = h->hook[HOOK_EXIT] + h->hook[HOOK_SIGNAL] + h->hook[HOOK_SPAWN];
		json_object_set_new(
		    root, "hooks",
		    json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "submitted",
		              (json_int_t)h->hooks_submitted, "run",
		              (json_int_t)(h->hook[HOOK_OK] + failed + h->hook[HOOK_TIMEOUT]), "ok",
		              (json_int_t)h->hook[HOOK_OK], "failed", (json_int_t)failed,
		              "timed_out", (json_int_t)h->hook[HOOK_TIMEOUT], "dropped_rate",
		              (json_int_t)h->hook[HOOK_RATE], "dropped_busy",
		              (json_int_t)(h->hook[HOOK_BUSY] + h->hooks_ring_dropped)));
	}
}

void export_redis_asset(json_t *asset, const struct asset *a, const struct export_handon *h)
{
	if (!h || !h->nsizes)
		return;
	json_t *arr = json_array();
	for (size_t i = 0; i < h->nsizes; i++) {
		char size[NUM_BUF + 2];
		fillcost_size_text(&h->sizes[i], size, sizeof(size));
		json_t *row = json_pack("{s:s}", "size", size);
		for (int s = 0; s < 2; s++) {
			struct fill_cost fc;
			fillcost_compute(&a->book, s == 0 ? SIDE_BID : SIDE_ASK, &h->sizes[i], &fc);
			json_t *side =
			    fc.sufficient
			        ? json_pack("{s:o, s:o, s:o}", "vwap",
			                    export_redis_decimal(fc.vwap), "slippage_bps",
			                    export_redis_decimal(fc.slip_bps_x100 * 10000),
			                    "filled", export_redis_decimal(fc.filled))
			        : json_pack("{s:s, s:o}", "error", "insufficient depth", "filled",
			                    export_redis_decimal(fc.filled));
			json_object_set_new(row, s == 0 ? "buy" : "sell", side);
		}
		json_array_append_new(arr, row);
	}
	json_object_set_new(asset, "fill_cost", arr);
}

static void put(char **p, size_t *len, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void put(char **p, size_t *len, size_t cap, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(*p + *len, cap - *len, fmt, ap);
	va_end(ap);
	if (n > 0)
		*len = *len + (size_t)n < cap ? *len + (size_t)n : cap - 1;
}

char *export_redis_metrics(const struct export_handon *h)
{
	if (!h || (!h->redis && !h->hooks))
		return NULL;
	size_t cap = 4096, len = 0;
	char *p = malloc(cap);
	if (!p)
		return NULL;
	p[0] = '\0';
	if (h->redis) {
		put(&p, &len, cap,
		    "# HELP clobtop_redis_published_total Records Redis acknowledged, by kind.\n"
		    "# TYPE clobtop_redis_published_total counter\n"
		    "clobtop_redis_published_total{kind=\"book\"} %" PRIu64 "\n"
		    "clobtop_redis_published_total{kind=\"trade\"} %" PRIu64 "\n"
		    "clobtop_redis_published_total{kind=\"cache\"} %" PRIu64 "\n",
		    h->books, h->trades, h->cache_writes);
		put(&p, &len, cap,
		    "# HELP clobtop_redis_dropped_total Records not published (ring full, Redis "
		    "down).\n# TYPE clobtop_redis_dropped_total counter\n"
		    "clobtop_redis_dropped_total %" PRIu64 "\n",
		    h->dropped + h->tape_missed);
		put(&p, &len, cap,
		    "# HELP clobtop_redis_up Whether the Redis connection is up.\n"
		    "# TYPE clobtop_redis_up gauge\nclobtop_redis_up %d\n",
		    strcmp(h->link, "up") == 0);
		put(&p, &len, cap,
		    "# HELP clobtop_redis_connects_total Connections made to Redis.\n"
		    "# TYPE clobtop_redis_connects_total counter\n"
		    "clobtop_redis_connects_total %" PRIu64 "\n",
		    h->connects);
	}
	if (h->hooks) {
		put(&p, &len, cap,
		    "# HELP clobtop_hooks_total Alert hooks by result.\n"
		    "# TYPE clobtop_hooks_total counter\n");
		static const char *const name[HOOK_OUTCOME_COUNT] = {[HOOK_OK] = "ok",
		                                                     [HOOK_EXIT] = "failed",
		                                                     [HOOK_SIGNAL] = "killed",
		                                                     [HOOK_TIMEOUT] = "timeout",
		                                                     [HOOK_SPAWN] = "spawn_error",
		                                                     [HOOK_BUSY] = "busy",
		                                                     [HOOK_RATE] = "rate_limited"};
		for (int i = 0; i < HOOK_OUTCOME_COUNT; i++)
			put(&p, &len, cap, "clobtop_hooks_total{result=\"%s\"} %" PRIu64 "\n",
			    name[i], h->hook[i] + (i == HOOK_BUSY ? h->hooks_ring_dropped : 0));
	}
	return p;
}

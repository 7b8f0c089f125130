/*
 * app_redis: the run loop's side of the Redis output, the alert hooks and fill cost (see
 * app_redis.h).  Main (UI) thread only.
 */
#include "app_redis.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app.h"
#include "bookmsg.h"
#include "export_redis.h"
#include "market_conn.h"
#include "fillcost.h"
#include "hooks.h"
#include "mem.h"
#include "num.h"
#include "publish.h"
#include "redisurl.h"
#include "sanitize.h"
#include "ui/handon.h"

#define REFRESH_SCAN_NS (200 * NS_PER_MS) /* how often trusted books are looked at */
#define CACHE_EVERY_NS  (800 * NS_PER_MS) /* rewrite period: + the scan, within 1 s */

struct app_redis {
	struct publisher *pub;       /* --redis, or NULL */
	struct pub_conflate cf;      /* per-asset publish times */
	struct hooks *hooks;         /* --on-alert, or NULL */
	uint64_t *seen;              /* per asset: book.updates last handed on */
	size_t seen_cap;             /* slots in seen */
	struct market_dirty pending; /* assets changed, not yet published (interval) */
	uint64_t trade_cursor;       /* market_state.ntrades handed on */
	uint64_t alert_cursor;       /* market_state.nalerts rows looked at */
	uint32_t kinds;              /* --on-alert-kinds as a mask of enum alert_kind */
	int min_severity;            /* --on-alert-severity */
	int64_t interval_ms;         /* --redis-interval */
	int64_t next_scan_ns;        /* next cache refresh scan */
	enum pub_state link;         /* as last seen, for the alert when it changes */
	struct export_handon view;   /* for the exporter */
};

static int start_publisher(struct app_redis *r, const struct redis_options *ro, char *err,
                           size_t errlen)
{
	struct publish_config pc = {.stream_key = ro->stream, .stream_maxlen = ro->stream_maxlen};
	char why[256];
	if (redisurl_parse(ro->url, getenv("REDISCLI_AUTH"), &pc.url, why, sizeof(why)) != 0) {
		snprintf(err, errlen, "--redis: %s", why);
		return -1;
	}
	redisurl_display(&pc.url, r->view.url, sizeof(r->view.url));
	r->pub = publish_start(&pc, err, errlen);
	memset(&pc.url, 0, sizeof(pc.url)); /* the publisher keeps its own copy */
	if (!r->pub)
		return -1;
	pub_conflate_init(&r->cf, ro->interval_ms);
	r->cf.refresh_ns = CACHE_EVERY_NS;
	r->interval_ms = ro->interval_ms;
	r->view.redis = true;
	r->link = PUB_CONNECTING;
	return 0;
}

static int start_hooks(struct app_redis *r, const struct redis_options *ro, char *err,
                       size_t errlen)
{
	if (optredis_kinds(ro->on_alert_kinds, &r->kinds, err, errlen) != 0)
		return -1;
	r->min_severity = optredis_severity(ro->on_alert_severity);
	struct hooks_config hc = {.cmd = ro->on_alert,
	                          .rate_per_min = (int)ro->on_alert_rate,
	                          .timeout_ms = ro->on_alert_timeout_ms};
	r->hooks = hooks_start(&hc, err, errlen);
	r->view.hooks = r->hooks != NULL;
	return r->hooks ? 0 : -1;
}

int app_redis_open(struct app *a, char *err, size_t errlen)
{
	const struct redis_options *ro = &a->o->rcfg;
	a->rd = NULL;
	if (!ro->url && !ro->on_alert && !ro->depth_sizes)
		return 0;
	struct app_redis *r = calloc(1, sizeof(*r));
	if (!r) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	a->rd = r;
	r->view.link = "off";
	if (ro->depth_sizes) {
		int n = fillcost_parse_sizes(ro->depth_sizes, r->view.sizes, FILLCOST_MAX_SIZES,
		                             err, errlen);
		if (n < 0)
			return -1;
		r->view.nsizes = (size_t)n;
		ui_handon_sizes(r->view.sizes, r->view.nsizes);
	}
	if (ro->url && start_publisher(r, ro, err, errlen) != 0)
		return -1;
	if (ro->on_alert && start_hooks(r, ro, err, errlen) != 0)
		return -1;
	return 0;
}

static bool trusted(const struct market_state *m, const struct asset *as)
{
	return market_asset_alive(m, as) && as->subscribed && as->have_snapshot &&
	       (as->state == ASSET_FRESH || as->state == ASSET_QUIET);
}

static void push_book(struct app_redis *r, const struct market_state *m, const struct asset *as,
                      enum pub_kind kind)
{
	/* The receipt time of this asset's last event, from the newest record's two clocks. */
	int64_t recv = as->last_update_mono_ns && m->feed_real_ns
	                   ? m->feed_real_ns - (m->feed_mono_ns - as->last_update_mono_ns)
	                   : m->feed_real_ns;
	/* In field order (asset_id, ts_ms, hash, recv_real_ns, state, source, max_levels):
	 * test_health takes any assignment to a member named state outside health.c for a
	 * health transition. */
	struct bookmsg_meta meta = {
	    as->id, as->last_ts_ms, NULL, recv, asset_state_name(as->state), m->mode, 0};
	publish_push_book(r->pub, kind, as->id, &as->book, &meta); /* rendered by the publisher */
}

static void trades(struct app_redis *r, const struct market_state *m)
{
	if (m->ntrades - r->trade_cursor > TAPE_SIZE) {
		r->view.tape_missed += m->ntrades - TAPE_SIZE - r->trade_cursor;
		r->trade_cursor = m->ntrades - TAPE_SIZE;
	}
	for (; r->trade_cursor < m->ntrades; r->trade_cursor++) {
		const struct trade *t = &m->tape[r->trade_cursor % TAPE_SIZE];
		const char *id = m->assets[t->asset].id;
		struct bookmsg_trade bt = {.asset_id = id,
		                           .price = t->price,
		                           .size = t->size,
		                           .side = t->side,
		                           .ts_ms = t->ts_ms,
		                           .recv_real_ns = t->t_real_ns,
		                           .source = m->mode};
		size_t cap;
		char *buf = publish_scratch(r->pub, &cap);
		size_t len = bookmsg_trade(buf, cap, &bt);
		if (len)
			publish_push(r->pub, PUB_TRADE, id, len);
	}
}

struct books_pass {
	struct app_redis *r;          /* the publisher's side */
	const struct market_state *m; /* the model */
	int64_t now;                  /* CLOCK_MONOTONIC of this pass */
};

static void to_pending(void *ctx, size_t i)
{
	struct books_pass *p = ctx;
	market_dirty_mark(&p->r->pending, i);
}

/* Asset i changed or has a change waiting for its interval: publish it if it is due,
 * keep it pending if not.  An unsubscribed asset is dropped here; subscribing it again
 * marks it (market_add), and then its book is looked at again. */
static void consider(void *ctx, size_t i)
{
	struct books_pass *p = ctx;
	struct app_redis *r = p->r;
	const struct asset *as = &p->m->assets[i];
	if (!as->subscribed)
		return;
	if (as->book.updates != r->seen[i]) {
		r->seen[i] = as->book.updates;
		pub_conflate_mark(&r->cf, i);
	}
	if (pub_conflate_due(&r->cf, i, p->now))
		push_book(r, p->m, as, trusted(p->m, as) ? PUB_BOOK : PUB_BOOK_NOCACHE);
	else if (i < r->cf.cap && r->cf.slot[i].dirty)
		market_dirty_mark(&r->pending, i);
}

/* Changed books, published when their interval has passed: only the assets the model
 * marked since the last pass (market_dirty.h) and those still waiting, in asset order. */
static void books(struct app_redis *r, struct market_state *m, int64_t now)
{
	if (m->nassets > r->seen_cap) {
		size_t old = r->seen_cap;
		if (!mem_grow((void **)&r->seen, &r->seen_cap, m->nassets, sizeof(*r->seen), 64))
			return;
		memset(r->seen + old, 0, (r->seen_cap - old) * sizeof(*r->seen));
	}
	if (market_dirty_reserve(&r->pending, m->nassets) != 0)
		return;
	struct books_pass p = {r, m, now};
	market_dirty_take(&m->dirty, to_pending, &p);
	market_dirty_take(&r->pending, consider, &p);
}

/* The cache key of every trusted book, rewritten before it is a second old. */
static void refresh(struct app_redis *r, const struct market_state *m, int64_t now)
{
	if (now < r->next_scan_ns)
		return;
	r->next_scan_ns = now + REFRESH_SCAN_NS;
	for (size_t i = 0; i < m->nassets; i++)
		if (trusted(m, &m->assets[i]) && pub_conflate_refresh_due(&r->cf, i, now))
			push_book(r, m, &m->assets[i], PUB_CACHE);
}

void app_redis_record(struct app *a)
{
	struct app_redis *r = a->rd;
	if (!r || !r->pub)
		return;
	trades(r, &a->m);
	if (r->interval_ms == 0)
		books(r, &a->m, clock_mono_ns());
}

static void alert_to_hook(struct app_redis *r, const struct market_state *m, const struct alert *al)
{
	enum alert_severity sev = alert_kind_severity(al->kind);
	if (!(r->kinds & (UINT32_C(1) << al->kind)) || (int)sev < r->min_severity)
		return;
	struct hook_alert h = {.t_real_ns = al->t_real_ns, .kind = (uint32_t)al->kind};
	snprintf(h.kind_name, sizeof(h.kind_name), "%s", alert_kind_name(al->kind));
	snprintf(h.severity, sizeof(h.severity), "%s", alert_severity_name(sev));
	snprintf(h.asset_id, sizeof(h.asset_id), "%s", al->asset_id);
	if (al->nassets && al->asset_idx[0] < m->nassets)
		snprintf(h.label, sizeof(h.label), "%s", m->assets[al->asset_idx[0]].label);
	snprintf(h.message, sizeof(h.message), "%s", al->message);
	r->view.hooks_submitted++;
	if (!hooks_submit(r->hooks, &h))
		r->view.hooks_ring_dropped++;
}

/* New alert rows to the hooks; hook outcomes to the counters and failures to the log (the
 * cursor then skips those rows, so a failing hook never feeds itself). */
static void hooks_turn(struct app_redis *r, struct market_state *m)
{
	if (m->nalerts - r->alert_cursor > ALERT_LOG_SIZE)
		r->alert_cursor = m->nalerts - ALERT_LOG_SIZE;
	for (; r->alert_cursor < m->nalerts; r->alert_cursor++)
		alert_to_hook(r, m, &m->alerts[r->alert_cursor % ALERT_LOG_SIZE]);
	struct hook_result res;
	while (hooks_result(r->hooks, &res)) {
		if ((unsigned)res.outcome < HOOK_OUTCOME_COUNT)
			r->view.hook[res.outcome]++;
		if (res.outcome != HOOK_OK && res.outcome != HOOK_BUSY && res.outcome != HOOK_RATE)
			market_alert(m, ALERT_INFO, NULL, "%s", res.text);
	}
	r->alert_cursor = m->nalerts;
}

static void stats(struct app_redis *r, struct market_state *m)
{
	struct publish_stats ps;
	publish_stats(r->pub, &ps);
	r->view.link = pub_state_name(ps.link);
	r->view.books = ps.pub_books;
	r->view.trades = ps.pub_trades;
	r->view.cache_writes = ps.published - ps.pub_books - ps.pub_trades;
	r->view.offered = ps.offered;
	r->view.dropped = ps.dropped;
	r->view.connects = ps.connects;
	r->view.errors = ps.errors;
	memcpy(r->view.last_error, ps.last_error, sizeof(r->view.last_error));
	if (ps.link != r->link && (ps.link == PUB_UP || ps.link == PUB_DOWN)) {
		if (ps.link == PUB_UP)
			market_alert(m, ALERT_INFO, NULL, "Redis %s: publishing", r->view.url);
		else
			market_alert(m, ALERT_INFO, NULL, "Redis %s down: %s", r->view.url,
			             ps.last_error);
		r->link = ps.link;
	}
	char t[64];
	snprintf(t, sizeof(t), "redis:%s%s", r->view.link, ps.dropped ? " drops" : "");
	ui_handon_status(t);
}

void app_redis_tick(struct app *a, int64_t now)
{
	struct app_redis *r = a->rd;
	if (!r)
		return;
	if (r->pub) {
		trades(r, &a->m);
		books(r, &a->m, now);
		refresh(r, &a->m, now);
		stats(r, &a->m);
	}
	if (r->hooks)
		hooks_turn(r, &a->m);
}

int64_t app_redis_wake(const struct app *a, int64_t wake)
{
	const struct app_redis *r = a->rd;
	if (!r || (!r->pub && !r->hooks))
		return wake;
	int64_t soon = clock_mono_ns() + (r->interval_ms > 0 && r->interval_ms < 200
	                                      ? r->interval_ms * NS_PER_MS
	                                      : REFRESH_SCAN_NS);
	return soon < wake ? soon : wake;
}

const struct export_handon *app_redis_export(struct app *a)
{
	struct app_redis *r = a->rd;
	if (!r)
		return NULL;
	if (r->pub)
		stats(r, &a->m);
	return &r->view;
}

static void vwap_fail(const char *why)
{
	fprintf(stderr, "clobtop: vwap: %s (vwap ID BUY|SELL SIZE, SIZE in shares or $notional)\n",
	        why);
}

void app_redis_vwap(struct app *a, const char *args)
{
	char id[96] = "", side[8] = "", size[64] = "", extra[2] = "", why[200];
	if (sscanf(args, "%95s %7s %63s %1s", id, side, size, extra) != 3) {
		vwap_fail("three arguments wanted");
		return;
	}
	bool buy = strcasecmp(side, "BUY") == 0;
	if (!buy && strcasecmp(side, "SELL") != 0) {
		vwap_fail("the side is BUY or SELL");
		return;
	}
	struct fill_size sz;
	if (fillcost_parse_sizes(size, &sz, 1, why, sizeof(why)) != 1) {
		vwap_fail(why);
		return;
	}
	struct asset *as = market_find(&a->m, id, strlen(id));
	if (!as) {
		vwap_fail("no such asset");
		return;
	}
	struct fill_cost fc;
	fillcost_compute(&as->book, buy ? SIDE_BID : SIDE_ASK, &sz, &fc);
	char st[NUM_BUF + 2];
	fillcost_size_text(&sz, st, sizeof(st));
	json_t *j = json_pack(
	    "{s:s, s:s, s:s, s:b, s:o, s:o, s:o, s:o, s:o, s:s}", "asset_id", as->id, "side",
	    buy ? "BUY" : "SELL", "size", st, "sufficient", fc.sufficient, "vwap",
	    export_redis_decimal(fc.vwap), "slippage_bps",
	    fc.filled ? export_redis_decimal(fc.slip_bps_x100 * 10000) : json_null(), "filled",
	    export_redis_decimal(fc.filled), "notional", export_redis_decimal(fc.notional), "best",
	    export_redis_decimal(fc.best), "state", asset_state_name(as->state));
	if (!fc.sufficient)
		json_object_set_new(j, "error", json_string("insufficient depth"));
	char *s = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	if (s)
		printf("%s\n", s);
	fflush(stdout);
	free(s);
	json_decref(j);
}

void app_redis_close(struct app *a)
{
	struct app_redis *r = a->rd;
	if (!r)
		return;
	publish_stop(r->pub);
	pub_conflate_free(&r->cf);
	hooks_stop(r->hooks);
	ui_handon_sizes(NULL, 0);
	ui_handon_status("");
	free(r->seen);
	market_dirty_free(&r->pending);
	free(r);
	a->rd = NULL;
}

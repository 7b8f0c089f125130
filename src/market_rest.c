/*
 * market_rest: REST books applied to the model: resync in one request, fallback polling,
 * the per-slot update logs (see market_rest.h).  The audit is market_audit.c.
 * Must never block, touch the network or allocate per message.  Model (UI) thread only.
 */
#include "market_rest.h"
#include "market_conn.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "market_rest_int.h"
#include "proto.h"
#include "stats.h"

#define RESYNC_WAIT_NS (5 * NS_PER_S) /* a REST resync not answered by then: socket */
#define MISSING_NS     (3 * NS_PER_S) /* no snapshot this long on a live feed: REST */
#define POLL_MAX       1000           /* fallback ids asked for per poll */

const char *book_source_name(enum book_source s)
{
	return s == BOOK_SRC_SOCKET ? "socket" : s == BOOK_SRC_REST ? "rest" : "none";
}

int market_rest_init(struct market_state *m, const struct rest_options *o, rest_fetch_fn fetch,
                     void *ctx)
{
	struct market_rest *r = calloc(1, sizeof(*r));
	if (!r)
		return -1;
	r->o = *o;
	r->fetch = fetch;
	r->ctx = ctx;
	r->slots = calloc(RS_SLOTS, sizeof(struct rs_slot));
	r->lat_ms = lat_window_create();
	m->rest = r;
	if (!r->slots || !r->lat_ms) {
		market_rest_free(m);
		return -1;
	}
	for (size_t i = 0; i < RS_SLOTS; i++) {
		book_init(&r->slots[i].shadow);
		if (!(r->slots[i].log = calloc(RS_LOG, sizeof(struct rs_upd)))) {
			market_rest_free(m);
			return -1;
		}
	}
	return 0;
}

void market_rest_free(struct market_state *m)
{
	struct market_rest *r = m->rest;
	if (!r)
		return;
	for (size_t i = 0; r->slots && i < RS_SLOTS; i++) {
		book_free(&r->slots[i].shadow);
		free(r->slots[i].log);
	}
	free(r->slots);
	lat_window_destroy(r->lat_ms);
	free(r);
	m->rest = NULL;
}

/* ---- slots ---- */

struct rs_slot *rs_alloc(struct market_state *m, struct asset *a, enum rs_kind kind, int64_t now)
{
	struct market_rest *r = m->rest;
	for (size_t i = 0; i < RS_SLOTS; i++) {
		struct rs_slot *s = &r->slots[i];
		if (s->kind != RS_FREE)
			continue;
		s->kind = kind;
		s->asset = (uint32_t)(a - m->assets);
		s->answered = s->recheck = s->overflow = false;
		s->since_ns = now;
		s->answered_ns = s->ts_ms = 0;
		s->nlog = 0;
		a->rest.slot = (uint16_t)(i + 1);
		return s;
	}
	return NULL;
}

void rs_release(struct market_state *m, struct rs_slot *s)
{
	if (s->asset < m->nassets)
		m->assets[s->asset].rest.slot = 0;
	s->kind = RS_FREE;
}

static struct rs_slot *slot_of(struct market_state *m, const struct asset *a)
{
	return a->rest.slot ? &m->rest->slots[a->rest.slot - 1] : NULL;
}

int rs_build(const struct rs_slot *s, struct book *b, const struct rest_book *rb)
{
	if (book_apply_snapshot(b, rb->levels, rb->nbids, rb->levels + rb->nbids, rb->nasks) != 0)
		return -1;
	for (size_t i = 0; i < s->nlog; i++) {
		const struct rs_upd *u = &s->log[i];
		/* Sizes are absolute, so an update the REST book already holds (same ms) is
		 * harmless applied again; an older one would undo a newer state. */
		if ((!u->ts_ms || u->ts_ms >= rb->ts_ms) &&
		    book_apply_level(b, u->side, u->price, u->size) != 0)
			return -1;
	}
	return 0;
}

/* ---- the hot path hooks ---- */

bool market_rest_level(struct market_state *m, struct asset *a, const struct event *ev)
{
	struct asset_rest *ar = &a->rest;
	if (ar->floor_ms && ev->ts_ms) {
		if (ev->ts_ms < ar->floor_ms) {
			ar->dropped_older++;
			if (m->rest)
				m->rest->dropped_older++;
			return true;
		}
		ar->floor_ms = 0; /* in order from here on */
	}
	struct rs_slot *s = m->rest ? slot_of(m, a) : NULL;
	if (!s)
		return false;
	if (s->kind == RS_AUDIT && s->answered) {
		if (ev->ts_ms && s->ts_ms && ev->ts_ms > s->ts_ms) {
			audit_boundary(m, s); /* before this update can hide a difference */
			return false;
		}
		if (!ev->ts_ms || ev->ts_ms >= s->ts_ms)
			(void)book_apply_level(&s->shadow, ev->level.side, ev->level.price,
			                       ev->level.size);
		return false;
	}
	if (s->nlog < RS_LOG)
		s->log[s->nlog++] = (struct rs_upd){.ts_ms = ev->ts_ms,
		                                    .price = ev->level.price,
		                                    .size = ev->level.size,
		                                    .side = ev->level.side};
	else
		s->overflow = true;
	return s->kind == RS_RESYNC; /* that book is replaced when the answer comes */
}

void market_rest_socket_book(struct market_state *m, struct asset *a)
{
	struct asset_rest *ar = &a->rest;
	ar->source = BOOK_SRC_SOCKET;
	ar->source_mono_ns = m->cur_mono_ns ? m->cur_mono_ns : market_now_ns(m);
	ar->source_real_ns = m->cur_real_ns ? m->cur_real_ns : clock_real_ns();
	ar->floor_ms = 0;
	ar->fallback = false;
	struct rs_slot *s = m->rest ? slot_of(m, a) : NULL;
	if (s)
		rs_release(m, s); /* the snapshot wins; a late answer is ignored */
}

/* ---- resync ---- */

/* REST failed for a: the socket resyncs it (the old way). */
static void resync_by_socket(struct market_state *m, struct asset *a, const char *why)
{
	m->rest->socket_fallbacks++;
	m->rest->bypass = true;
	market_resync(m, a->id, why);
	m->rest->bypass = false;
}

static bool resync_one(struct market_state *m, struct asset *a, const char *why, int64_t now)
{
	struct market_rest *r = m->rest;
	struct rs_slot *s = slot_of(m, a);
	if (s && s->kind == RS_RESYNC)
		return true; /* already on its way */
	if (s && s->answered) {
		rs_release(m, s); /* an audit answered: ask again, from now */
		s = NULL;
	}
	if (s) {
		s->kind = RS_RESYNC; /* the audit's request and log serve the resync */
	} else {
		if (!(s = rs_alloc(m, a, RS_RESYNC, now)))
			return false;
		if (!r->fetch(r->ctx, a->id, true)) {
			rs_release(m, s);
			return false;
		}
	}
	r->resyncs++;
	a->resyncs++;
	a->resync_pending = true;
	health_untrust(a, now);
	m->cnt.resyncs++;
	market_alert(m, ALERT_RESYNC, a->id, "resync (%s) from REST", why);
	return true;
}

bool market_rest_resync(struct market_state *m, const char *id, const char *why)
{
	struct market_rest *r = m->rest;
	if (!r || r->bypass)
		return false;
	int64_t now = market_now_ns(m);
	if (id) {
		struct asset *a = market_find(m, id, strlen(id));
		return a && a->subscribed && resync_one(m, a, why, now);
	}
	/* Everything: through REST only when every asset gets a slot. */
	size_t need = 0, free_slots = 0;
	for (size_t i = 0; i < m->nassets; i++)
		need += m->assets[i].subscribed && !m->assets[i].rest.slot;
	for (size_t i = 0; i < RS_SLOTS; i++)
		free_slots += r->slots[i].kind == RS_FREE;
	if (need > free_slots)
		return false;
	for (size_t i = 0; i < m->nassets; i++)
		if (m->assets[i].subscribed && !resync_one(m, &m->assets[i], why, now))
			resync_by_socket(m, &m->assets[i], why);
	return true;
}

/* ---- answers ---- */

/* The REST book is the asset's book now (s: the resync's log, or NULL for a poll). */
static void apply_book(struct market_state *m, struct asset *a, struct rs_slot *s,
                       const struct rest_book *rb, int64_t now)
{
	market_book_changed(m, a);
	int rc = s ? rs_build(s, &a->book, rb)
	           : book_apply_snapshot(&a->book, rb->levels, rb->nbids, rb->levels + rb->nbids,
	                                 rb->nasks);
	if (rc != 0) {
		market_alert(m, ALERT_INFO, a->id, "out of memory applying a REST book");
		health_untrust(a, now);
		return;
	}
	if (rb->tick)
		a->tick = rb->tick;
	if (rb->last_trade != PRICE_NONE)
		a->last_trade_price_book = rb->last_trade;
	struct asset_rest *ar = &a->rest;
	ar->source = BOOK_SRC_REST;
	ar->source_mono_ns = now;
	ar->source_real_ns = clock_real_ns();
	ar->book_ts_ms = rb->ts_ms;
	ar->floor_ms = rb->ts_ms;
	ar->rest_books++;
	a->have_snapshot = true;
	a->resync_pending = false;
	a->last_book_mono_ns = now;
	a->last_update_mono_ns = now;
	if (rb->ts_ms > a->last_ts_ms)
		a->last_ts_ms = rb->ts_ms;
	health_snapshot(m, a, now);
}

static void resync_answer(struct market_state *m, struct asset *a, struct rs_slot *s,
                          const struct rest_book *rb, int64_t now)
{
	if (!rb->ok) {
		if (rb->will_retry)
			return; /* the worker asks again; the log keeps filling */
		rs_release(m, s);
		market_alert(m, ALERT_RESYNC, a->id, "REST resync failed (%s); resubscribing",
		             rb->error);
		resync_by_socket(m, a, "REST failed");
		return;
	}
	if (s->overflow) {
		/* Updates went unlogged: this answer cannot be brought up to date. */
		s->overflow = false;
		s->nlog = 0;
		if (!m->rest->fetch(m->rest->ctx, a->id, true)) {
			rs_release(m, s);
			resync_by_socket(m, a, "REST log full");
		}
		return;
	}
	apply_book(m, a, s, rb, now);
	rs_release(m, s);
	m->rest->resynced++;
}

void market_rest_answer(struct market_state *m, const struct rest_book *rb, int64_t now)
{
	struct market_rest *r = m->rest;
	if (!r)
		return;
	if (rb->recv_mono_ns > rb->sent_mono_ns && rb->sent_mono_ns)
		lat_window_record(r->lat_ms, market_now_s(m, now),
		                  (rb->recv_mono_ns - rb->sent_mono_ns) / NS_PER_MS);
	if (!rb->ok)
		r->errors++;
	struct asset *a = market_find(m, rb->asset_id, strnlen(rb->asset_id, sizeof(rb->asset_id)));
	if (!a || !a->subscribed)
		return;
	if (rb->ok || !rb->will_retry)
		a->rest.poll_asked = false;
	struct rs_slot *s = slot_of(m, a);
	if (s && s->kind == RS_RESYNC) {
		resync_answer(m, a, s, rb, now);
	} else if (s && s->kind == RS_AUDIT && !s->answered) {
		audit_answer(m, s, rb, now);
	} else if (a->rest.fallback && rb->ok) {
		apply_book(m, a, NULL, rb, now);
		r->polled++;
	}
}

/* ---- fallback ---- */

/* When a's feed went down, 0 while it is up.  The only place that asks about the
 * connection, and per asset, so that connections per shard can answer here. */
/* Per asset: the connection of its shard, so one connection down polls only its assets. */
static int64_t feed_down_since(const struct market_state *m, const struct asset *a)
{
	const struct conn_info *c = market_asset_conn(m, a);
	if (c->alive || !asset_state_info(a->state).needs_feed)
		return 0;
	if (c->down_since_ns)
		return c->down_since_ns;
	return c->started_mono_ns ? c->started_mono_ns : m->conn.started_mono_ns;
}

static bool feed_up_for(const struct market_state *m, const struct asset *a, int64_t ns,
                        int64_t now)
{
	const struct conn_info *c = market_asset_conn(m, a);
	return c->alive && c->connected_since_ns && now - c->connected_since_ns >= ns;
}

static void fallback_tick(struct market_state *m, int64_t now)
{
	struct market_rest *r = m->rest;
	bool poll = now >= r->poll_next_ns;
	size_t asked = 0;
	for (size_t i = 0; i < m->nassets; i++) {
		struct asset *a = &m->assets[i];
		struct asset_rest *ar = &a->rest;
		if (!a->subscribed || a->resolved) {
			ar->fallback = false;
			continue;
		}
		if (!ar->fallback) {
			int64_t down = feed_down_since(m, a);
			if (!down || now - down < r->o.fallback_after_ms * NS_PER_MS)
				continue;
			ar->fallback = true;
			market_alert(m, ALERT_CONNECTION, a->id,
			             "feed down for %" PRId64 " s: polling the book from REST",
			             (now - down) / NS_PER_S);
		} else if (feed_up_for(m, a, r->o.fallback_after_ms * NS_PER_MS, now)) {
			ar->fallback = false; /* back, but no snapshot came: stop anyway */
			continue;
		}
		if (poll && !ar->poll_asked && !ar->slot && asked < POLL_MAX &&
		    r->fetch(r->ctx, a->id, false)) {
			ar->poll_asked = true;
			r->polls++;
			asked++;
		}
	}
	if (poll)
		r->poll_next_ns = now + r->o.poll_ms * NS_PER_MS;
}

/* ---- the tick ---- */

/* Resyncs unanswered too long go to the socket; a live feed's missing snapshot to REST. */
static void resync_tick(struct market_state *m, int64_t now)
{
	struct market_rest *r = m->rest;
	for (size_t i = 0; i < RS_SLOTS; i++) {
		struct rs_slot *s = &r->slots[i];
		if (s->kind == RS_RESYNC && now - s->since_ns >= RESYNC_WAIT_NS &&
		    s->asset < m->nassets) {
			struct asset *a = &m->assets[s->asset];
			rs_release(m, s);
			market_alert(m, ALERT_RESYNC, a->id,
			             "REST resync unanswered after %d s; resubscribing",
			             (int)(RESYNC_WAIT_NS / NS_PER_S));
			resync_by_socket(m, a, "REST too slow");
		}
	}
	for (size_t i = 0; i < m->nassets; i++) {
		struct asset *a = &m->assets[i];
		if (!a->subscribed || a->resolved || a->have_snapshot || a->rest.slot ||
		    a->rest.fallback || !market_asset_alive(m, a) ||
		    a->rest.asked_awaiting_ns == a->awaiting_since_mono_ns ||
		    now - a->awaiting_since_mono_ns < MISSING_NS)
			continue;
		if (resync_one(m, a, "no snapshot", now))
			a->rest.asked_awaiting_ns = a->awaiting_since_mono_ns;
	}
}

void market_rest_tick(struct market_state *m, int64_t now)
{
	if (!m->rest)
		return;
	resync_tick(m, now);
	fallback_tick(m, now);
	audit_tick(m, now);
}

/*
 * market: applies ring records to the model every view reads (see market.h).
 *
 * One small function per event kind and per connection event.  The decisions about
 * health (trust, drift, quiet, stale) are health.c's; this file reports facts to it and
 * asks the feed for resyncs.  Must never block, touch the network, or allocate per
 * message: assets and their books are allocated when first seen and then only reused.
 */
#include "market.h"
#include "market_conn.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evpack.h"
#include "market_lost.h"
#include "proto.h"
#include "ring.h"
#include "sanitize.h"

void market_config_defaults(struct market_config *c)
{
	c->stale_warn_ms = 10000;
	c->stale_alert_ms = 30000;
	c->drift_grace_ms = 2000;
	c->drift_grace_msgs = 3;
	c->unknown_after_ms = 10000;
	c->auto_resync = true;
	c->auto_add = true;
	c->max_auto_assets = MARKET_MAX_AUTO_ASSETS;
}

int64_t market_now_s(const struct market_state *m, int64_t now_mono_ns)
{
	return (now_mono_ns - m->conn.started_mono_ns) / NS_PER_S;
}

int64_t market_now_ns(const struct market_state *m)
{
	return m->cur_mono_ns ? m->cur_mono_ns : clock_mono_ns();
}

int market_init(struct market_state *m, const struct market_config *cfg)
{
	memset(m, 0, sizeof(*m));
	if (cfg)
		m->cfg = *cfg;
	else
		market_config_defaults(&m->cfg);
	m->proto = proto_create();
	m->feed_ms = lat_window_create();
	m->pipeline_us = lat_window_create();
	if (assets_init(m) != 0 || !m->proto || !m->feed_ms || !m->pipeline_us) {
		market_free(m);
		return -1;
	}
	rate_init(&m->msg_rate);
	rate_init(&m->byte_rate);
	flow_init(&m->flow);
	m->conn.event = CONN_STOPPED;
	m->conn.started_mono_ns = clock_mono_ns();
	snprintf(m->mode, sizeof(m->mode), "live");
	return 0;
}

void market_free(struct market_state *m)
{
	market_rest_free(m);
	assets_free(m);
	if (m->proto)
		proto_destroy(m->proto);
	lat_window_destroy(m->feed_ms);
	lat_window_destroy(m->pipeline_us);
	market_conn_free(m);
	memset(m, 0, sizeof(*m));
}

void market_set_info_hook(struct market_state *m, void (*fn)(void *, const struct event *),
                          void *ctx)
{
	m->info_hook = fn;
	m->info_ctx = ctx;
}

void market_set_cmd(struct market_state *m, market_cmd_fn fn, void *ctx)
{
	m->cmd = fn;
	m->cmd_ctx = ctx;
}

void market_set_source(struct market_state *m, const char *mode, const char *url, bool alive)
{
	snprintf(m->mode, sizeof(m->mode), "%s", mode);
	snprintf(m->conn.url, sizeof(m->conn.url), "%s", url ? url : "");
	m->conn.alive = alive;
}

void market_set_transport_stats(struct market_state *m, const struct transport_stats *t)
{
	m->transport = *t;
}

/* ---- resync ---- */

/* Marks a as untrusted and resync-pending. */
static void resync_requested(struct market_state *m, struct asset *a)
{
	a->resyncs++;
	a->resync_pending = true;
	health_untrust(a, market_now_ns(m));
}

static void resync_one(struct market_state *m, const char *id, const char *why)
{
	struct asset *a = market_find(m, id, strlen(id));
	if (!a || !a->subscribed)
		return;
	if (!m->cmd(m->cmd_ctx, FEED_RESYNC, a->id)) {
		market_alert(m, ALERT_RESYNC, a->id, "resync (%s) could not be queued", why);
		return;
	}
	resync_requested(m, a);
	m->cnt.resyncs++;
	market_alert(m, ALERT_RESYNC, a->id, "resync (%s)", why);
}

/* Every subscribed asset of the connection in scope (lost_only: those marked lost, one at
 * a time through REST when it can), in commands of bounded size; how many. */
static size_t resync_batch(struct market_state *m, bool lost_only, const char *why)
{
	char ids[8192];
	size_t len = 0, n = 0;
	for (size_t i = 0; i <= m->nassets; i++) {
		struct asset *a = i < m->nassets ? &m->assets[i] : NULL;
		if (a && (!a->subscribed || (m->conn_scope && a->conn != m->cur_conn) ||
		          (lost_only && !a->lost)))
			continue;
		if (a && lost_only) {
			a->lost = false;
			n++;
			if (m->rest && market_rest_resync(m, a->id, why))
				continue;
			n--;
		}
		size_t idlen = a ? strlen(a->id) : 0;
		if (len && (!a || len + idlen + 2 > sizeof(ids))) {
			ids[len] = '\0';
			if (!m->cmd(m->cmd_ctx, FEED_RESYNC, ids))
				market_alert(m, ALERT_RESYNC, NULL,
				             "resync (%s) could not be queued", why);
			len = 0;
		}
		if (!a)
			break;
		if (len)
			ids[len++] = ' ';
		memcpy(ids + len, a->id, idlen);
		len += idlen;
		resync_requested(m, a);
		n++;
	}
	if (n || !lost_only)
		m->cnt.resyncs++;
	return n;
}

size_t market_resync_lost(struct market_state *m, const char *why)
{
	if (!m->cmd) /* only a live feed reports what it lost */
		return 0;
	return resync_batch(m, true, why);
}

/* Every subscribed asset, in commands of bounded size. */
static void resync_all(struct market_state *m, const char *why)
{
	size_t n = resync_batch(m, false, why);
	if (m->conn_scope)
		market_alert(m, ALERT_RESYNC, NULL, "%sresync of its %zu assets (%s)",
		             market_conn_prefix(m), n, why);
	else
		market_alert(m, ALERT_RESYNC, NULL, "resync of all %zu assets (%s)", n, why);
}

void market_resync(struct market_state *m, const char *id, const char *why)
{
	if (m->rest && market_rest_resync(m, id, why))
		return;
	if (!m->cmd)
		market_alert(m, ALERT_RESYNC, id, "resync needed (%s) but no live feed to ask",
		             why);
	else if (id)
		resync_one(m, id, why);
	else
		resync_all(m, why);
}

/* A pool connection's gaps within the second of its last gap resync: resynced now. */
static void conn_gap_pending(struct market_state *m, int64_t now_mono_ns)
{
	for (size_t k = 0; k < m->nconns; k++) {
		struct market_conn *c = &m->conns[k];
		if (!c->gap_resync_pending || now_mono_ns - c->gap_resync_mono_ns < NS_PER_S)
			continue;
		c->gap_resync_pending = false;
		c->gap_resync_mono_ns = now_mono_ns;
		m->cur_conn = k;
		m->conn_scope = true;
		market_alert(m, ALERT_GAP, NULL, "%smore records were dropped (ring full)",
		             market_conn_prefix(m));
		if (m->cfg.auto_resync)
			market_resync(m, NULL, "gap");
		m->conn_scope = false;
	}
}

void market_tick(struct market_state *m, int64_t now_mono_ns)
{
	conn_gap_pending(m, now_mono_ns);
	market_lost_tick(m, now_mono_ns);
	if (m->gap_resync_pending && now_mono_ns - m->gap_resync_mono_ns >= NS_PER_S) {
		m->gap_resync_pending = false;
		m->gap_resync_mono_ns = now_mono_ns;
		market_alert(m, ALERT_GAP, NULL, "more records were dropped (ring full)");
		if (m->cfg.auto_resync)
			market_resync(m, NULL, "gap");
	}
	/* Records waiting: the feed's time is the newest receipt applied (see market.h). */
	int64_t judge = now_mono_ns;
	if (m->transport.ring_used > 0 && m->feed_mono_ns && m->feed_mono_ns < now_mono_ns) {
		judge = m->feed_mono_ns;
		m->cur_real_ns = m->feed_real_ns;
	}
	health_tick(m, judge);
	m->cur_real_ns = 0;
	market_rest_tick(m, now_mono_ns);
}

/* ---- events, one function per kind ---- */

static void fmt_price(char *buf, int64_t p)
{
	if (p == PRICE_NONE)
		snprintf(buf, NUM_BUF, "-");
	else
		num_format(p, buf, NUM_BUF);
}

/* The subscribed asset an event is about, counted as touched; NULL when it is not ours. */
static struct asset *event_asset(struct market_state *m, const struct event *ev)
{
	if (!ev->asset_id.s)
		return NULL;
	struct asset *a = market_find(m, ev->asset_id.s, ev->asset_id.len);
	if (!a && !m->cfg.auto_add) {
		/* Live, the server also sends the complement token of a market: not ours. */
		m->cnt.unsolicited++;
		return NULL;
	}
	if (!a && m->nassets >= m->cfg.max_auto_assets) {
		if (m->cnt.over_cap++ == 0)
			market_alert(m, ALERT_INFO, NULL,
			             "more than %zu assets in this source: the others are ignored "
			             "(counted as unsolicited)",
			             m->cfg.max_auto_assets);
		m->cnt.unsolicited++;
		return NULL;
	}
	if (!a && !(a = assets_add_len(m, ev->asset_id.s, ev->asset_id.len)))
		return NULL;
	if (!a->subscribed) {
		m->cnt.unsolicited++; /* in flight when it was unsubscribed */
		return NULL;
	}
	if (!a->market[0] && ev->market.s && ev->market.len < sizeof(a->market))
		sanitize_text(a->market, sizeof(a->market), ev->market.s, ev->market.len);
	a->msgs++;
	rate_add(&a->msg_rate, market_now_s(m, m->cur_mono_ns), 1);
	a->last_update_mono_ns = m->cur_mono_ns;
	if (ev->ts_ms)
		a->last_ts_ms = ev->ts_ms;
	return a;
}

static void on_book(struct market_state *m, struct asset *a, const struct event *ev)
{
	market_book_changed(m, a);
	if (book_apply_snapshot(&a->book, ev->book.bids, ev->book.nbids, ev->book.asks,
	                        ev->book.nasks) != 0) {
		market_alert(m, ALERT_INFO, a->id, "out of memory applying a book");
		health_untrust(a, m->cur_mono_ns);
		return;
	}
	if (ev->book.tick)
		a->tick = ev->book.tick;
	if (ev->book.last_trade != PRICE_NONE)
		a->last_trade_price_book = ev->book.last_trade;
	a->have_snapshot = true;
	a->resync_pending = false;
	a->last_book_mono_ns = m->cur_mono_ns;
	market_rest_socket_book(m, a);
	health_snapshot(m, a, m->cur_mono_ns);
}

static void on_level(struct market_state *m, struct asset *a, const struct event *ev)
{
	if ((a->rest.slot || a->rest.floor_ms) && market_rest_level(m, a, ev))
		return;
	if (!a->have_snapshot) {
		/* Without a snapshot the book is unknown: applying would invent one. */
		a->orphan_updates++;
		return;
	}
	market_book_changed(m, a);
	if (book_apply_level(&a->book, ev->level.side, ev->level.price, ev->level.size) != 0)
		market_alert(m, ALERT_INFO, a->id, "out of memory applying a level");
	if (ev->level.last_in_frame && ev->level.has_bbo)
		health_check_bbo(m, a, ev->ts_ms, ev->level.best_bid, ev->level.best_ask,
		                 m->cur_mono_ns);
	health_level(m, a, m->cur_mono_ns);
}

static void on_trade(struct market_state *m, struct asset *a, const struct event *ev)
{
	int64_t now_s = market_now_s(m, m->cur_mono_ns);
	struct trade t = {
	    .t_real_ns = m->cur_real_ns,
	    .ts_ms = ev->ts_ms,
	    .price = ev->trade.price,
	    .size = ev->trade.size,
	    .side = ev->trade.side,
	    .asset = (uint32_t)(a - m->assets),
	};
	a->last_trade = t;
	a->have_trade = true;
	alerts_tape_add(m, &t);
	flow_add(&a->flow, now_s, &t);
	flow_add(&m->flow, now_s, &t);
}

static void on_tick_size(struct market_state *m, struct asset *a, const struct event *ev)
{
	if (!ev->tick.new_tick || ev->tick.new_tick == a->tick)
		return;
	char o[NUM_BUF], n[NUM_BUF];
	fmt_price(o, a->tick ? a->tick : ev->tick.old_tick);
	fmt_price(n, ev->tick.new_tick);
	market_alert(m, ALERT_TICK_SIZE, a->id, "tick size %s -> %s", o, n);
	a->tick = ev->tick.new_tick;
}

static void on_bbo(struct asset *a, const struct event *ev)
{
	a->ex_best_bid = ev->bbo.best_bid;
	a->ex_best_ask = ev->bbo.best_ask;
}

static void on_resolved(struct market_state *m, struct asset *a, const struct event *ev)
{
	size_t idlen = strlen(a->id);
	bool won = ev->resolved.winning_asset_id.s && ev->resolved.winning_asset_id.len == idlen &&
	           memcmp(ev->resolved.winning_asset_id.s, a->id, idlen) == 0;
	char outcome[64] = "";
	if (ev->resolved.winning_outcome.s)
		sanitize_text(outcome, sizeof(outcome), ev->resolved.winning_outcome.s,
		              ev->resolved.winning_outcome.len);
	market_alert(m, ALERT_RESOLVED, a->id, "resolved: %s%s%s", won ? "won" : "lost",
	             outcome[0] ? ", winner " : "", outcome);
	health_resolved(m, a);
}

/* new_market and market_resolved: metadata for every listed asset we know. */
static void on_info(struct market_state *m, const struct event *ev)
{
	m->cnt.market_infos++;
	if (m->info_hook)
		m->info_hook(m->info_ctx, ev); /* discover.c: --follow-new, resolved grace */
	for (size_t i = 0; i < ev->info.nassets; i++) {
		const struct ev_str *id = &ev->info.assets[i];
		struct asset *a = id->s ? market_find(m, id->s, id->len) : NULL;
		if (!a)
			continue;
		if (ev->info.question.s)
			sanitize_text(a->question, sizeof(a->question), ev->info.question.s,
			              ev->info.question.len);
		const struct ev_str *o = &ev->info.outcomes[i];
		assets_set_label(a, ev->info.question.s, ev->info.question.len, o->s, o->len);
		if (!a->market[0] && ev->market.s && ev->market.len < sizeof(a->market))
			sanitize_text(a->market, sizeof(a->market), ev->market.s, ev->market.len);
		if (ev->info.tick && !a->tick)
			a->tick = ev->info.tick;
		if (ev->kind == EV_RESOLVED && !a->resolved)
			on_resolved(m, a, ev);
	}
}

static void on_server_error(struct market_state *m, const struct event *ev)
{
	m->cnt.server_errors++;
	char txt[120];
	sanitize_text(txt, sizeof(txt), ev->other.text.s ? ev->other.text.s : "",
	              ev->other.text.s ? ev->other.text.len : 0);
	market_alert(m, ALERT_SERVER, NULL, "server says: %s", txt);
}

/* An event about one of our trusted books could not be applied (a size "1e2", a snapshot
 * with a 7-decimal size): the book missed an update, so it is untrusted and resynced as
 * after a ring gap.  True when it was (the alert names the asset). */
static bool untrust_for_bad_event(struct market_state *m, const struct event *ev)
{
	struct asset *a = ev->asset_id.s ? market_find(m, ev->asset_id.s, ev->asset_id.len) : NULL;
	if (!a || !a->subscribed || !a->have_snapshot)
		return false;
	market_alert(m, ALERT_MALFORMED, a->id,
	             "an update could not be applied (%s); book "
	             "untrusted until a new snapshot",
	             ev->bad.reason ? ev->bad.reason : "?");
	health_untrust(a, m->cur_mono_ns);
	if (m->cfg.auto_resync)
		market_resync(m, a->id, "update could not be applied");
	return true;
}

static void resync_everything(struct market_state *m, int64_t now_mono_ns, const char *why);

static void on_malformed(struct market_state *m, const struct event *ev)
{
	m->cnt.malformed++;
	if (ev->bad.frame_dropped) {
		/* A whole frame went unread: any book may have missed an update in it. */
		market_alert(m, ALERT_MALFORMED, NULL, "%s; every book may have missed updates",
		             ev->bad.reason ? ev->bad.reason : "frame dropped");
		resync_everything(m, m->cur_mono_ns, "frame dropped");
		return;
	}
	if (untrust_for_bad_event(m, ev))
		return;
	/* A flood is one row, counted and dated to its latest frame, until it pauses for
	 * ALERT_GROUP_NS (then the next one is a new row); the counter has it all. */
	if (m->cnt.malformed % 1000 == 1 ||
	    !market_alert_fold(m, ALERT_MALFORMED, "malformed frame: "))
		market_alert(m, ALERT_MALFORMED, NULL, "malformed frame: %s (%" PRIu64 " so far)",
		             ev->bad.reason ? ev->bad.reason : "?", m->cnt.malformed);
}

/* Events about one asset; false when ev is of another kind. */
static bool on_asset_event(struct market_state *m, const struct event *ev)
{
	struct asset *a;
	switch (ev->kind) {
	case EV_BOOK:
	case EV_LEVEL:
	case EV_TRADE:
	case EV_TICK_SIZE:
	case EV_BBO:
		break;
	default:
		return false;
	}
	if (!(a = event_asset(m, ev)))
		return true;
	if (ev->kind == EV_BOOK)
		on_book(m, a, ev);
	else if (ev->kind == EV_LEVEL)
		on_level(m, a, ev);
	else if (ev->kind == EV_TRADE)
		on_trade(m, a, ev);
	else if (ev->kind == EV_TICK_SIZE)
		on_tick_size(m, a, ev);
	else
		on_bbo(a, ev);
	return true;
}

static void on_event(struct market_state *m, const struct event *ev)
{
	m->cnt.events++;
	if (on_asset_event(m, ev))
		return;
	switch (ev->kind) {
	case EV_MARKET_INFO:
	case EV_RESOLVED:
		on_info(m, ev);
		break;
	case EV_PONG:
		m->cnt.pongs++;
		break;
	case EV_EMPTY:
		m->cnt.empty++;
		m->last_empty_mono_ns = m->cur_mono_ns;
		market_alert(m, ALERT_SERVER, NULL,
		             "server sent [] (an unknown or closed token was subscribed)");
		break;
	case EV_SERVER_ERROR:
		on_server_error(m, ev);
		break;
	case EV_UNKNOWN:
		m->cnt.unknown++;
		break;
	case EV_MALFORMED:
		on_malformed(m, ev);
		break;
	default:
		break;
	}
}

/* First exchange timestamp in the frame, for the feed latency. */
struct frame_ctx {
	struct market_state *m;
	int64_t first_ts_ms;
	bool data; /* something other than PONG */
};

static void on_frame_event(void *ctx, const struct event *ev)
{
	struct frame_ctx *f = ctx;
	if (!f->first_ts_ms && ev->ts_ms)
		f->first_ts_ms = ev->ts_ms;
	if (ev->kind != EV_PONG)
		f->data = true;
	on_event(f->m, ev);
}

/* ---- records ---- */

/* Every book may be wrong (records or a frame were lost).  Under overload this comes in
 * bursts; one resync of everything per second is enough, and more would feed the
 * overload with snapshots. */
static void resync_everything(struct market_state *m, int64_t now_mono_ns, const char *why)
{
	struct market_conn *mc = market_conn_cur(m);
	int64_t *last = mc ? &mc->gap_resync_mono_ns : &m->gap_resync_mono_ns;
	if (*last && now_mono_ns - *last < NS_PER_S) {
		*(mc ? &mc->gap_resync_pending : &m->gap_resync_pending) = true;
		return;
	}
	if (m->cfg.auto_resync)
		market_resync(m, NULL, why);
	*last = now_mono_ns;
}

/* A record flagged RING_F_GAP: records were lost, so every book may be wrong. */
void market_gap(struct market_state *m, int64_t now_mono_ns)
{
	struct market_conn *mc = market_conn_cur(m);
	int64_t last = mc ? mc->gap_resync_mono_ns : m->gap_resync_mono_ns;
	m->cnt.gaps++;
	if (mc)
		mc->gaps++;
	if (!(last && now_mono_ns - last < NS_PER_S))
		market_alert(m, ALERT_GAP, NULL,
		             "%srecords were dropped before this one (ring full)",
		             market_conn_prefix(m));
	resync_everything(m, now_mono_ns, "gap");
}

/* Counts one message (frame_len bytes) for the rates. */
static void frame_count(struct market_state *m, size_t frame_len, int64_t now_s)
{
	m->cnt.frames++;
	m->cnt.bytes += frame_len;
	rate_add(&m->msg_rate, now_s, 1);
	rate_add(&m->byte_rate, now_s, frame_len);
}

/* After a message's events: feed and pipeline latency. */
static void frame_done(struct market_state *m, const struct ring_rec *rec,
                       const struct frame_ctx *f, int64_t now_s)
{
	if (f->data)
		m->data_frames_since_subscribe++;
	/* Feed latency needs a real receipt time (unknown for raw replayed frames). */
	bool has_lat = rec->t_real_ns && f->first_ts_ms;
	int64_t lat = has_lat ? rec->t_real_ns / NS_PER_MS - f->first_ts_ms : 0;
	if (has_lat)
		lat_window_record(m->feed_ms, now_s, lat);
	market_conn_frame(m, now_s, has_lat ? &lat : NULL);
	if (rec->t_mono_ns)
		lat_window_record(m->pipeline_us, now_s, (clock_mono_ns() - rec->t_mono_ns) / 1000);
}

/* A raw frame: parsed here (replay, and feeds that do not parse). */
static void apply_frame(struct market_state *m, const struct ring_rec *rec, int64_t now_mono_ns)
{
	int64_t now_s = market_now_s(m, now_mono_ns);
	struct frame_ctx f = {.m = m};
	frame_count(m, rec->len, now_s);
	m->cnt.ui_parsed++;
	proto_parse(m->proto, rec->data, rec->len, on_frame_event, &f);
	frame_done(m, rec, &f, now_s);
}

/* A frame the feed thread already parsed: its events, exactly as proto emitted them. */
static void apply_events(struct market_state *m, const struct ring_rec *rec, int64_t now_mono_ns)
{
	int64_t now_s = market_now_s(m, now_mono_ns);
	struct frame_ctx f = {.m = m};
	struct evpack_info info;
	if (!evpack_read_info(rec->data, rec->len, &info)) {
		market_gap(m, now_mono_ns); /* cannot happen between our own threads */
		return;
	}
	frame_count(m, info.frame_len, now_s);
	evpack_each(rec->data, rec->len, on_frame_event, &f);
	frame_done(m, rec, &f, now_s);
}

void market_apply_record(struct market_state *m, const struct ring_rec *rec, int64_t now_mono_ns)
{
	m->cur_real_ns = rec->t_real_ns;
	m->cur_mono_ns = rec->t_mono_ns ? rec->t_mono_ns : now_mono_ns;
	/* A producer that reports its losses (REC_LOST) says itself which books missed what. */
	if ((rec->flags & RING_F_GAP) && !(rec->flags & MSG_F_LOSS_REPORTED))
		market_gap(m, now_mono_ns);
	if (rec->kind == REC_CONN) {
		struct conn_event ce;
		memset(&ce, 0, sizeof(ce));
		memcpy(&ce, rec->data, rec->len < sizeof(ce) ? rec->len : sizeof(ce));
		ce.text[sizeof(ce.text) - 1] = '\0';
		market_apply_conn(m, &ce);
	} else if (rec->kind == REC_EVENTS) {
		apply_events(m, rec, now_mono_ns);
	} else if (rec->kind == REC_LOST) {
		market_lost_apply(m, rec->data, rec->len, now_mono_ns);
	} else if (rec->kind == REC_FRAME) {
		apply_frame(m, rec, now_mono_ns);
	}
	if (m->cur_mono_ns > m->feed_mono_ns) {
		m->feed_mono_ns = m->cur_mono_ns;
		m->feed_real_ns = m->cur_real_ns;
	}
	m->cur_real_ns = m->cur_mono_ns = 0;
}

void market_apply_record_on(struct market_state *m, const struct ring_rec *rec, int64_t now_mono_ns,
                            size_t conn)
{
	m->cur_conn = conn;
	m->conn_scope = market_conn_get(m, conn) != NULL;
	market_apply_record(m, rec, now_mono_ns);
	m->conn_scope = false;
}

/*
 * market: applies ring records to the model every view reads (see market.h).
 *
 * All decisions about health live here: when a book is trusted (a snapshot arrived since
 * the last (re)subscription), when an exchange/book disagreement becomes drift (it
 * persists past a grace), when an asset is quiet or stale, and when to ask the feed for a
 * resync.  Must never block, touch the network, or allocate per message: assets and their
 * books are allocated when first seen and then only reused.
 */
#include "market.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "mem.h"
#include "sanitize.h"


static const char *const state_names[] = {
#define X(e, s, t) s,
    ASSET_STATES(X)
#undef X
};
static const char *const state_shorts[] = {
#define X(e, s, t) t,
    ASSET_STATES(X)
#undef X
};
static const char *const alert_names[] = {
#define X(e, s) s,
    ALERT_KINDS(X)
#undef X
};

const char *asset_state_name(enum asset_state s)
{
	return (unsigned)s < ASSET_STATE_COUNT ? state_names[s] : "?";
}

const char *asset_state_short(enum asset_state s)
{
	return (unsigned)s < ASSET_STATE_COUNT ? state_shorts[s] : "?";
}

const char *alert_kind_name(enum alert_kind k)
{
	return (unsigned)k < ALERT_KIND_COUNT ? alert_names[k] : "?";
}

void market_config_defaults(struct market_config *c)
{
	c->stale_warn_ms = 10000;
	c->stale_alert_ms = 30000;
	c->drift_grace_ms = 2000;
	c->drift_grace_msgs = 3;
	c->auto_resync = true;
	c->auto_add = true;
}

int64_t market_now_s(const struct market_state *m, int64_t now_mono_ns)
{
	return (now_mono_ns - m->conn.started_mono_ns) / NS_PER_S;
}

static void flow_init(struct flow *f)
{
	rate_init(&f->trades);
	rate_init(&f->buy_vol);
	rate_init(&f->sell_vol);
	rate_init(&f->notional);
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
	m->index_cap = 64;
	m->index = calloc(m->index_cap, sizeof(*m->index));
	if (!m->proto || !m->feed_ms || !m->pipeline_us || !m->index) {
		market_free(m);
		return -1;
	}
	rate_init(&m->msg_rate);
	rate_init(&m->byte_rate);
	flow_init(&m->flow);
	m->conn.state = CONN_STOPPED;
	m->conn.started_mono_ns = clock_mono_ns();
	snprintf(m->mode, sizeof(m->mode), "live");
	return 0;
}

void market_free(struct market_state *m)
{
	for (size_t i = 0; i < m->nassets; i++)
		book_free(&m->assets[i].book);
	free(m->assets);
	free(m->index);
	if (m->proto)
		proto_destroy(m->proto);
	lat_window_destroy(m->feed_ms);
	lat_window_destroy(m->pipeline_us);
	memset(m, 0, sizeof(*m));
}

void market_set_cmd(struct market_state *m, market_cmd_fn fn, void *ctx)
{
	m->cmd = fn;
	m->cmd_ctx = ctx;
}

/* ---- the id index: open addressing, FNV-1a, slots hold index + 1 ---- */

static bool id_equals(const struct asset *a, const char *id, size_t len)
{
	return strlen(a->id) == len && memcmp(a->id, id, len) == 0;
}

struct asset *market_find(struct market_state *m, const char *id, size_t len)
{
	size_t mask = m->index_cap - 1;
	for (size_t i = mem_hash(id, len) & mask;; i = (i + 1) & mask) {
		uint32_t slot = m->index[i];
		if (!slot)
			return NULL;
		if (id_equals(&m->assets[slot - 1], id, len))
			return &m->assets[slot - 1];
	}
}

static void index_insert(uint32_t *index, size_t cap, const char *id, size_t len, uint32_t value)
{
	size_t mask = cap - 1;
	size_t i = mem_hash(id, len) & mask;
	while (index[i])
		i = (i + 1) & mask;
	index[i] = value;
}

static int index_grow(struct market_state *m)
{
	size_t cap = m->index_cap * 2;
	uint32_t *index = calloc(cap, sizeof(*index));
	if (!index)
		return -1;
	for (size_t i = 0; i < m->nassets; i++)
		index_insert(index, cap, m->assets[i].id, strlen(m->assets[i].id), (uint32_t)i + 1);
	free(m->index);
	m->index = index;
	m->index_cap = cap;
	return 0;
}

/* "76670567…71111": enough to tell tokens apart at a glance. */
static void short_label(char *dst, size_t cap, const char *id)
{
	size_t n = strlen(id);
	if (n <= 14)
		snprintf(dst, cap, "%s", id);
	else
		snprintf(dst, cap, "%.6s\u2026%s", id, id + n - 6);
}

static struct asset *add_len(struct market_state *m, const char *id, size_t len)
{
	struct asset *a = market_find(m, id, len);
	if (a)
		return a;
	if (!token_id_valid(id, len))
		return NULL;
	if ((m->nassets + 1) * 2 > m->index_cap && index_grow(m) != 0)
		return NULL;
	if (m->nassets == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 16;
		struct asset *as = realloc(m->assets, cap * sizeof(*as));
		if (!as)
			return NULL;
		m->assets = as;
		m->cap = cap;
	}
	a = &m->assets[m->nassets];
	memset(a, 0, sizeof(*a));
	memcpy(a->id, id, len);
	a->id[len] = '\0';
	short_label(a->label, sizeof(a->label), a->id);
	book_init(&a->book);
	rate_init(&a->msg_rate);
	flow_init(&a->flow);
	a->state = ASSET_AWAITING;
	a->subscribed = true;
	a->ex_best_bid = a->ex_best_ask = PRICE_NONE;
	a->last_trade_price_book = PRICE_NONE;
	index_insert(m->index, m->index_cap, a->id, len, (uint32_t)m->nassets + 1);
	m->nassets++;
	return a;
}

struct asset *market_add(struct market_state *m, const char *id, const char *label)
{
	struct asset *a = add_len(m, id, strlen(id));
	if (!a)
		return NULL;
	if (!a->subscribed) {
		a->subscribed = true;
		a->have_snapshot = false;
		a->state = ASSET_AWAITING;
	}
	if (label && *label) {
		sanitize_text(a->label, sizeof(a->label), label, strlen(label));
		a->label_from_user = true;
	}
	return a;
}

void market_remove(struct market_state *m, const char *id)
{
	struct asset *a = market_find(m, id, strlen(id));
	if (!a)
		return;
	a->subscribed = false;
	a->have_snapshot = false;
	a->resync_pending = false;
	book_clear(&a->book);
	a->state = ASSET_AWAITING;
}

/* ---- alerts ---- */

void market_alert(struct market_state *m, enum alert_kind kind, const char *asset_id,
                  const char *fmt, ...)
{
	char raw[sizeof(m->alerts[0].message)];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(raw))
		n = sizeof(raw) - 1;
	struct alert *al = &m->alerts[m->nalerts % ALERT_LOG_SIZE];
	al->t_real_ns = clock_real_ns();
	al->kind = kind;
	snprintf(al->asset_id, sizeof(al->asset_id), "%s", asset_id ? asset_id : "");
	sanitize_text(al->message, sizeof(al->message), raw, (size_t)n);
	m->nalerts++;
}

const struct alert *market_alert_at(const struct market_state *m, size_t i)
{
	if (i >= m->nalerts || i >= ALERT_LOG_SIZE)
		return NULL;
	return &m->alerts[(m->nalerts - 1 - i) % ALERT_LOG_SIZE];
}

const struct trade *market_trade_at(const struct market_state *m, size_t i)
{
	if (i >= m->ntrades || i >= TAPE_SIZE)
		return NULL;
	return &m->tape[(m->ntrades - 1 - i) % TAPE_SIZE];
}

/* ---- resync ---- */

static void mark_awaiting(struct asset *a)
{
	a->have_snapshot = false;
	a->mismatch_streak = 0;
	a->mismatch_since_mono_ns = 0;
	if (!a->resolved)
		a->state = ASSET_AWAITING;
}

void market_resync(struct market_state *m, const char *id, const char *why)
{
	if (!m->cmd) {
		market_alert(m, ALERT_RESYNC, id, "resync needed (%s) but no live feed to ask",
		             why);
		return;
	}
	if (id) {
		struct asset *a = market_find(m, id, strlen(id));
		if (!a || !a->subscribed)
			return;
		if (!m->cmd(m->cmd_ctx, FEED_RESYNC, a->id)) {
			market_alert(m, ALERT_RESYNC, a->id, "resync (%s) could not be queued",
			             why);
			return;
		}
		a->resyncs++;
		a->resync_pending = true;
		mark_awaiting(a);
		m->cnt.resyncs++;
		market_alert(m, ALERT_RESYNC, a->id, "resync %s (%s)", a->label, why);
		return;
	}
	/* Every subscribed asset, in commands of bounded size. */
	char ids[8192];
	size_t len = 0, n = 0;
	for (size_t i = 0; i <= m->nassets; i++) {
		struct asset *a = i < m->nassets ? &m->assets[i] : NULL;
		if (a && !a->subscribed)
			continue;
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
		a->resyncs++;
		a->resync_pending = true;
		mark_awaiting(a);
		n++;
	}
	m->cnt.resyncs++;
	market_alert(m, ALERT_RESYNC, NULL, "resync of all %zu assets (%s)", n, why);
}

/* ---- state ---- */

static enum asset_state compute_state(const struct market_state *m, const struct asset *a,
                                      int64_t now_mono_ns)
{
	if (a->resolved)
		return ASSET_RESOLVED;
	if (!a->have_snapshot)
		return ASSET_AWAITING;
	if (a->state == ASSET_DRIFT && a->mismatch_streak)
		return ASSET_DRIFT;
	if (book_cross(&a->book) != BOOK_NORMAL)
		return ASSET_CROSSED;
	int64_t age_ms = (now_mono_ns - a->last_update_mono_ns) / NS_PER_MS;
	if (age_ms >= m->cfg.stale_alert_ms)
		return ASSET_STALE;
	if (age_ms >= m->cfg.stale_warn_ms)
		return ASSET_QUIET;
	return ASSET_FRESH;
}

static void fmt_price(char *buf, int64_t p)
{
	if (p == PRICE_NONE)
		snprintf(buf, NUM_BUF, "-");
	else
		num_format(p, buf, NUM_BUF);
}

/* Moves an asset to its new state and raises the alerts a transition deserves. */
static void set_state(struct market_state *m, struct asset *a, enum asset_state s)
{
	enum asset_state old = a->state;
	if (s == old)
		return;
	a->state = s;
	if (s == ASSET_CROSSED && !a->crossed_alerted) {
		char b[NUM_BUF], k[NUM_BUF];
		fmt_price(b, book_best(&a->book, SIDE_BID));
		fmt_price(k, book_best(&a->book, SIDE_ASK));
		market_alert(m, ALERT_CROSSED, a->id, "%s book %s: bid %s >= ask %s", a->label,
		             book_cross(&a->book) == BOOK_LOCKED ? "locked" : "crossed", b, k);
		a->crossed_alerted = true;
	} else if (s == ASSET_STALE && !a->stale_alerted) {
		market_alert(m, ALERT_STALE, a->id, "%s: no update for %" PRId64 " s%s", a->label,
		             m->cfg.stale_alert_ms / 1000, m->conn.alive ? "" : " (feed down)");
		a->stale_alerted = true;
	} else if (s == ASSET_FRESH || s == ASSET_QUIET) {
		if (a->stale_alerted || a->crossed_alerted || old == ASSET_DRIFT)
			market_alert(m, ALERT_RECOVERED, a->id, "%s recovered (was %s)", a->label,
			             asset_state_name(old));
		a->stale_alerted = false;
		a->crossed_alerted = false;
	}
}

void market_tick(struct market_state *m, int64_t now_mono_ns)
{
	if (m->gap_resync_pending && now_mono_ns - m->gap_resync_mono_ns >= NS_PER_S) {
		m->gap_resync_pending = false;
		m->gap_resync_mono_ns = now_mono_ns;
		market_alert(m, ALERT_GAP, NULL, "more records were dropped (ring full)");
		if (m->cfg.auto_resync)
			market_resync(m, NULL, "gap");
	}
	for (size_t i = 0; i < m->nassets; i++) {
		struct asset *a = &m->assets[i];
		if (!a->subscribed)
			continue;
		set_state(m, a, compute_state(m, a, now_mono_ns));
	}
}

/* ---- events ---- */

static void flow_add(struct flow *f, int64_t now_s, const struct trade *t)
{
	rate_add(&f->trades, now_s, 1);
	rate_add(t->side == SIDE_BID ? &f->buy_vol : &f->sell_vol, now_s, t->size);
	rate_add(&f->notional, now_s, (int64_t)((__int128)t->price * t->size / NUM_SCALE));
}

/* Checks the exchange's view of the top of book against ours after a change. */
static void check_bbo(struct market_state *m, struct asset *a, const struct event *ev)
{
	a->ex_best_bid = ev->level.best_bid;
	a->ex_best_ask = ev->level.best_ask;
	a->bbo_checks++;
	if (book_bbo_agrees(&a->book, ev->level.best_bid, ev->level.best_ask)) {
		/* A disagreement that healed within the grace is not drift, but the operator
		 * still sees that the book was briefly not the exchange's. */
		if (a->mismatch_streak && a->state != ASSET_DRIFT)
			market_alert(m, ALERT_MISMATCH, a->id,
			             "%s: exchange best prices disagreed for %u update%s, then "
			             "agreed again",
			             a->label, a->mismatch_streak,
			             a->mismatch_streak > 1 ? "s" : "");
		a->mismatch_streak = 0;
		a->mismatch_since_mono_ns = 0;
		if (a->state == ASSET_DRIFT)
			set_state(m, a, compute_state(m, a, m->cur_mono_ns));
		return;
	}
	a->bbo_mismatches++;
	if (a->mismatch_streak++ == 0)
		a->mismatch_since_mono_ns = ev->ts_ms ? ev->ts_ms * NS_PER_MS : m->cur_mono_ns;
	if (a->state == ASSET_DRIFT)
		return;
	/* A transient disagreement is normal (the real feed crosses for a message or two);
	 * it is drift once it outlasts the grace in messages or in exchange time. */
	int64_t now = ev->ts_ms ? ev->ts_ms * NS_PER_MS : m->cur_mono_ns;
	bool long_streak = a->mismatch_streak > m->cfg.drift_grace_msgs;
	bool long_time = a->mismatch_streak > 1 &&
	                 now - a->mismatch_since_mono_ns >= m->cfg.drift_grace_ms * NS_PER_MS;
	if (!long_streak && !long_time)
		return;
	char ob[NUM_BUF], oa[NUM_BUF], xb[NUM_BUF], xa[NUM_BUF];
	fmt_price(ob, book_best(&a->book, SIDE_BID));
	fmt_price(oa, book_best(&a->book, SIDE_ASK));
	fmt_price(xb, ev->level.best_bid);
	fmt_price(xa, ev->level.best_ask);
	a->state = ASSET_DRIFT;
	market_alert(m, ALERT_DRIFT, a->id,
	             "%s drift: book %s/%s, exchange says %s/%s for %u updates", a->label, ob, oa,
	             xb, xa, a->mismatch_streak);
	if (m->cfg.auto_resync && m->cmd)
		market_resync(m, a->id, "drift");
}

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
	if (!a && !(a = add_len(m, ev->asset_id.s, ev->asset_id.len)))
		return NULL;
	if (!a->subscribed) {
		m->cnt.unsolicited++; /* in flight when it was unsubscribed */
		return NULL;
	}
	if (!a->market[0] && ev->market.s && ev->market.len < sizeof(a->market))
		sanitize_text(a->market, sizeof(a->market), ev->market.s, ev->market.len);
	return a;
}

static void touch(struct market_state *m, struct asset *a, const struct event *ev)
{
	a->msgs++;
	rate_add(&a->msg_rate, market_now_s(m, m->cur_mono_ns), 1);
	a->last_update_mono_ns = m->cur_mono_ns;
	if (ev->ts_ms)
		a->last_ts_ms = ev->ts_ms;
}

/* "Yes · Will it rain?": the outcome first, so the two tokens of a market stay apart
 * even in a narrow column. */
static void set_label(struct asset *a, const char *q, size_t qlen, const char *o, size_t olen)
{
	if (a->label_from_user || !q || !qlen)
		return;
	char raw[ASSET_LABEL_MAX * 2];
	int n = snprintf(raw, sizeof(raw), "%.*s%s%.*s", o ? (int)olen : 0, o ? o : "",
	                 o && olen ? " \u00b7 " : "", (int)qlen, q);
	if (n > 0)
		sanitize_text(a->label, sizeof(a->label), raw,
		              (size_t)n < sizeof(raw) ? (size_t)n : sizeof(raw) - 1);
}

void market_set_info(struct market_state *m, const char *id, const char *question,
                     const char *outcome, const char *condition_id, int64_t tick)
{
	struct asset *a = market_find(m, id, strlen(id));
	if (!a)
		return;
	if (question && *question) {
		sanitize_text(a->question, sizeof(a->question), question, strlen(question));
		set_label(a, question, strlen(question), outcome, outcome ? strlen(outcome) : 0);
	}
	if (condition_id && *condition_id && !a->market[0])
		sanitize_text(a->market, sizeof(a->market), condition_id, strlen(condition_id));
	if (tick > 0 && !a->tick)
		a->tick = tick;
}

static void apply_info(struct market_state *m, const struct event *ev)
{
	for (size_t i = 0; i < ev->info.nassets; i++) {
		const struct ev_str *id = &ev->info.assets[i];
		if (!id->s)
			continue;
		struct asset *a = market_find(m, id->s, id->len);
		if (!a)
			continue;
		if (ev->info.question.s)
			sanitize_text(a->question, sizeof(a->question), ev->info.question.s,
			              ev->info.question.len);
		const struct ev_str *o = &ev->info.outcomes[i];
		set_label(a, ev->info.question.s, ev->info.question.len, o->s, o->len);
		if (!a->market[0] && ev->market.s && ev->market.len < sizeof(a->market))
			sanitize_text(a->market, sizeof(a->market), ev->market.s, ev->market.len);
		if (ev->info.tick && !a->tick)
			a->tick = ev->info.tick;
		if (ev->kind == EV_RESOLVED && !a->resolved) {
			a->resolved = true;
			bool won =
			    ev->resolved.winning_asset_id.s &&
			    ev->resolved.winning_asset_id.len == strlen(a->id) &&
			    memcmp(ev->resolved.winning_asset_id.s, a->id, strlen(a->id)) == 0;
			char outcome[64] = "";
			if (ev->resolved.winning_outcome.s)
				sanitize_text(outcome, sizeof(outcome),
				              ev->resolved.winning_outcome.s,
				              ev->resolved.winning_outcome.len);
			market_alert(m, ALERT_RESOLVED, a->id, "%s resolved: %s%s%s", a->label,
			             won ? "won" : "lost", outcome[0] ? ", winner " : "", outcome);
			set_state(m, a, ASSET_RESOLVED);
		}
	}
}

static void on_event(void *ctx, const struct event *ev)
{
	struct market_state *m = ctx;
	m->cnt.events++;
	int64_t now_s = market_now_s(m, m->cur_mono_ns);
	struct asset *a;

	switch (ev->kind) {
	case EV_BOOK:
		if (!(a = event_asset(m, ev)))
			break;
		touch(m, a, ev);
		if (book_apply_snapshot(&a->book, ev->book.bids, ev->book.nbids, ev->book.asks,
		                        ev->book.nasks) != 0) {
			market_alert(m, ALERT_INFO, a->id, "out of memory applying a book");
			mark_awaiting(a);
			break;
		}
		if (ev->book.tick)
			a->tick = ev->book.tick;
		if (ev->book.last_trade != PRICE_NONE)
			a->last_trade_price_book = ev->book.last_trade;
		a->have_snapshot = true;
		a->resync_pending = false;
		a->mismatch_streak = 0;
		a->mismatch_since_mono_ns = 0;
		a->last_book_mono_ns = m->cur_mono_ns;
		if (a->state == ASSET_DRIFT)
			a->state = ASSET_AWAITING; /* the snapshot ends the drift */
		set_state(m, a, compute_state(m, a, m->cur_mono_ns));
		break;
	case EV_LEVEL:
		if (!(a = event_asset(m, ev)))
			break;
		touch(m, a, ev);
		if (!a->have_snapshot) {
			/* Without a snapshot the book is unknown: applying would invent one. */
			a->orphan_updates++;
			break;
		}
		if (book_apply_level(&a->book, ev->level.side, ev->level.price, ev->level.size) !=
		    0)
			market_alert(m, ALERT_INFO, a->id, "out of memory applying a level");
		if (ev->level.last_in_frame && ev->level.has_bbo)
			check_bbo(m, a, ev);
		if (a->state != ASSET_DRIFT)
			set_state(m, a, compute_state(m, a, m->cur_mono_ns));
		break;
	case EV_TRADE: {
		if (!(a = event_asset(m, ev)))
			break;
		touch(m, a, ev);
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
		m->tape[m->ntrades % TAPE_SIZE] = t;
		m->ntrades++;
		flow_add(&a->flow, now_s, &t);
		flow_add(&m->flow, now_s, &t);
		break;
	}
	case EV_TICK_SIZE:
		if (!(a = event_asset(m, ev)))
			break;
		touch(m, a, ev);
		if (ev->tick.new_tick && ev->tick.new_tick != a->tick) {
			char o[NUM_BUF], n[NUM_BUF];
			fmt_price(o, a->tick ? a->tick : ev->tick.old_tick);
			fmt_price(n, ev->tick.new_tick);
			market_alert(m, ALERT_TICK_SIZE, a->id, "%s tick size %s -> %s", a->label,
			             o, n);
			a->tick = ev->tick.new_tick;
		}
		break;
	case EV_BBO:
		if (!(a = event_asset(m, ev)))
			break;
		touch(m, a, ev);
		a->ex_best_bid = ev->bbo.best_bid;
		a->ex_best_ask = ev->bbo.best_ask;
		break;
	case EV_MARKET_INFO:
	case EV_RESOLVED:
		m->cnt.market_infos++;
		apply_info(m, ev);
		break;
	case EV_PONG:
		m->cnt.pongs++;
		break;
	case EV_EMPTY:
		m->cnt.empty++;
		market_alert(m, ALERT_SERVER, NULL,
		             "server sent [] (an unknown or closed token was subscribed)");
		break;
	case EV_SERVER_ERROR: {
		m->cnt.server_errors++;
		char txt[120];
		sanitize_text(txt, sizeof(txt), ev->other.text.s ? ev->other.text.s : "",
		              ev->other.text.s ? ev->other.text.len : 0);
		market_alert(m, ALERT_SERVER, NULL, "server says: %s", txt);
		break;
	}
	case EV_UNKNOWN:
		m->cnt.unknown++;
		break;
	case EV_MALFORMED:
		m->cnt.malformed++;
		/* One alert per reason change keeps a flood readable; the counter has it all. */
		if (m->nalerts == 0 || market_alert_at(m, 0)->kind != ALERT_MALFORMED ||
		    m->cnt.malformed % 1000 == 1)
			market_alert(m, ALERT_MALFORMED, NULL,
			             "malformed frame: %s (%" PRIu64 " so far)",
			             ev->bad.reason ? ev->bad.reason : "?", m->cnt.malformed);
		break;
	case EV_KIND_COUNT:
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

static void apply_conn(struct market_state *m, const struct conn_event *ce)
{
	struct conn_info *c = &m->conn;
	char text[sizeof(ce->text)];
	sanitize_text(text, sizeof(text), ce->text, strnlen(ce->text, sizeof(ce->text)));
	if (ce->kind != CONN_SENT && ce->kind != CONN_OVERSIZE)
		c->state = (enum conn_kind)ce->kind;
	switch ((enum conn_kind)ce->kind) {
	case CONN_CONNECTING:
		if (text[0])
			snprintf(c->url, sizeof(c->url), "%s", text);
		break;
	case CONN_CONNECTED:
		c->connects++;
		c->alive = true;
		c->connected_since_ns = m->cur_mono_ns;
		if (c->connects > 1) {
			c->reconnects++;
			market_alert(m, ALERT_RECONNECT, NULL, "reconnected (%" PRIu64 " so far)",
			             c->reconnects);
		} else {
			market_alert(m, ALERT_CONNECTION, NULL, "connected to %s", c->url);
		}
		/* Subscriptions do not survive a reconnect: every book must be rebuilt. */
		for (size_t i = 0; i < m->nassets; i++)
			if (m->assets[i].subscribed)
				mark_awaiting(&m->assets[i]);
		break;
	case CONN_SUBSCRIBED:
		m->data_frames_since_subscribe = 0;
		break;
	case CONN_CLOSED:
		c->alive = false;
		c->connected_since_ns = 0;
		snprintf(c->last_error, sizeof(c->last_error), "closed %d%s%s", ce->code,
		         text[0] ? ": " : "", text);
		market_alert(m, ALERT_CONNECTION, NULL, "connection %s", c->last_error);
		break;
	case CONN_DEAD:
		c->alive = false;
		c->connected_since_ns = 0;
		snprintf(c->last_error, sizeof(c->last_error), "no frame for %" PRId64 " ms",
		         ce->value);
		market_alert(m, ALERT_CONNECTION, NULL, "connection dead: %s", c->last_error);
		break;
	case CONN_ERROR:
		c->alive = false;
		c->connected_since_ns = 0;
		snprintf(c->last_error, sizeof(c->last_error), "%s", text);
		market_alert(m, ALERT_CONNECTION, NULL, "connection error: %s", text);
		break;
	case CONN_BACKOFF:
		market_alert(m, ALERT_CONNECTION, NULL, "reconnecting in %.1f s",
		             (double)ce->value / 1000.0);
		break;
	case CONN_FREEZE:
		if (ce->code == 1) {
			c->alive = false;
			c->connected_since_ns = 0;
			snprintf(c->last_error, sizeof(c->last_error),
			         "silent freeze: no data for %" PRId64
			         " s even after resubscribing",
			         ce->value / 1000);
			market_alert(m, ALERT_FREEZE, NULL, "%s; reconnecting", c->last_error);
		} else {
			market_alert(m, ALERT_FREEZE, NULL,
			             "silent freeze: only PONGs for %" PRId64 " s; resubscribed",
			             ce->value / 1000);
		}
		for (size_t i = 0; i < m->nassets; i++)
			if (m->assets[i].subscribed)
				mark_awaiting(&m->assets[i]);
		break;
	case CONN_OVERSIZE:
		m->cnt.malformed++;
		market_alert(m, ALERT_MALFORMED, NULL,
		             "message of %" PRId64 " bytes dropped (too large)", ce->value);
		break;
	case CONN_SENT:
		break;
	case CONN_STOPPED:
		c->alive = false;
		c->connected_since_ns = 0;
		break;
	case CONN_KIND_COUNT:
		break;
	}
}

void market_apply_record(struct market_state *m, const struct ring_rec *rec, int64_t now_mono_ns)
{
	m->cur_real_ns = rec->t_real_ns;
	m->cur_mono_ns = rec->t_mono_ns ? rec->t_mono_ns : now_mono_ns;
	int64_t now_s = market_now_s(m, now_mono_ns);

	if (rec->flags & RING_F_GAP) {
		m->cnt.gaps++;
		/* Under overload gaps come in bursts; one resync of everything per second is
		 * enough, and more would feed the overload with snapshots. */
		if (m->gap_resync_mono_ns && now_mono_ns - m->gap_resync_mono_ns < NS_PER_S) {
			m->gap_resync_pending = true;
		} else {
			market_alert(m, ALERT_GAP, NULL,
			             "records were dropped before this one (ring full)");
			if (m->cfg.auto_resync)
				market_resync(m, NULL, "gap");
			m->gap_resync_mono_ns = now_mono_ns;
		}
	}

	if (rec->kind == REC_CONN) {
		struct conn_event ce;
		memset(&ce, 0, sizeof(ce));
		memcpy(&ce, rec->data, rec->len < sizeof(ce) ? rec->len : sizeof(ce));
		ce.text[sizeof(ce.text) - 1] = '\0';
		apply_conn(m, &ce);
		return;
	}
	if (rec->kind != REC_FRAME)
		return;

	m->cnt.frames++;
	m->cnt.bytes += rec->len;
	rate_add(&m->msg_rate, now_s, 1);
	rate_add(&m->byte_rate, now_s, rec->len);

	struct frame_ctx f = {.m = m};
	proto_parse(m->proto, rec->data, rec->len, on_frame_event, &f);
	if (f.data)
		m->data_frames_since_subscribe++;

	/* Feed latency needs a real receipt time (unknown for raw replayed frames). */
	if (rec->t_real_ns && f.first_ts_ms)
		lat_window_record(m->feed_ms, now_s, rec->t_real_ns / NS_PER_MS - f.first_ts_ms);
	if (rec->t_mono_ns)
		lat_window_record(m->pipeline_us, now_s, (clock_mono_ns() - rec->t_mono_ns) / 1000);
}

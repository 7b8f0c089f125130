/*
 * health: the state table and every state transition (see health.h).
 *
 * set_state() is the one place that writes asset.state; every rule below decides a state
 * and hands it there, so a transition always raises the alert it deserves.  Must never
 * block, allocate, or change a book.
 */
#include "health.h"

#include <inttypes.h>
#include <stdio.h>

#include "clock.h"
#include "market.h"
#include "market_conn.h"

static void fmt_price(char *buf, int64_t p)
{
	if (p == PRICE_NONE)
		snprintf(buf, NUM_BUF, "-");
	else
		num_format(p, buf, NUM_BUF);
}

static void alert_crossed(struct market_state *m, struct asset *a)
{
	char b[NUM_BUF], k[NUM_BUF];
	fmt_price(b, book_best(&a->book, SIDE_BID));
	fmt_price(k, book_best(&a->book, SIDE_ASK));
	market_alert(m, ALERT_CROSSED, a->id, "book %s: bid %s >= ask %s",
	             book_cross(&a->book) == BOOK_LOCKED ? "locked" : "crossed", b, k);
}

static void alert_drift(struct market_state *m, struct asset *a)
{
	char ob[NUM_BUF], oa[NUM_BUF], xb[NUM_BUF], xa[NUM_BUF];
	fmt_price(ob, book_best(&a->book, SIDE_BID));
	fmt_price(oa, book_best(&a->book, SIDE_ASK));
	fmt_price(xb, a->ex_best_bid);
	fmt_price(xa, a->ex_best_ask);
	market_alert(m, ALERT_DRIFT, a->id,
	             "book %s/%s, exchange says %s/%s for %u updates", ob, oa,
	             xb, xa, a->mismatch_streak);
}

/* Moves an asset to its new state and raises the alerts a transition deserves.  m may be
 * NULL only for transitions that deserve none (into AWAITING). */
static void set_state(struct market_state *m, struct asset *a, enum asset_state s)
{
	enum asset_state old = a->state;
	if (s == old)
		return;
	a->state = s;
	if (!m)
		return;
	if (s == ASSET_DRIFT) {
		alert_drift(m, a);
	} else if (s == ASSET_CROSSED && !a->crossed_alerted) {
		alert_crossed(m, a);
		a->crossed_alerted = true;
	} else if (s == ASSET_STALE && !a->stale_alerted) {
		market_alert(m, ALERT_STALE, a->id, "%sno update for %" PRId64 " s",
		             market_asset_alive(m, a) ? "" : "connection lost: ",
		             m->cfg.stale_alert_ms / 1000);
		a->stale_alerted = true;
	} else if (s == ASSET_UNKNOWN) {
		market_alert(
		    m, ALERT_SERVER, a->id,
		    "unknown to the exchange (it answered [] and sent no book in %" PRId64
		    " s)",
		    m->cfg.unknown_after_ms / 1000);
	} else if (s == ASSET_FRESH || s == ASSET_QUIET) {
		if (a->stale_alerted || a->crossed_alerted || old == ASSET_DRIFT ||
		    old == ASSET_UNKNOWN)
			market_alert(m, ALERT_RECOVERED, a->id, "recovered (was %s)",
			             asset_state_name(old));
		a->stale_alerted = false;
		a->crossed_alerted = false;
	}
}

/* The server answers [] (naming no token) when a subscribed token does not exist; the
 * asset that then gets no book within unknown_after_ms is the one it meant. */
static bool unknown_to_exchange(const struct market_state *m, const struct asset *a,
                                int64_t now_mono_ns)
{
	return m->last_empty_mono_ns && m->last_empty_mono_ns >= a->awaiting_since_mono_ns &&
	       now_mono_ns - a->awaiting_since_mono_ns >= m->cfg.unknown_after_ms * NS_PER_MS;
}

/* The state the asset's facts call for; drift persists until something ends it. */
static enum asset_state compute_state(const struct market_state *m, const struct asset *a,
                                      int64_t now_mono_ns)
{
	if (a->resolved)
		return ASSET_RESOLVED;
	if (a->rest.fallback && a->have_snapshot)
		return ASSET_REST;
	if (!a->have_snapshot)
		return unknown_to_exchange(m, a, now_mono_ns) ? ASSET_UNKNOWN : ASSET_AWAITING;
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

void health_init(struct asset *a, int64_t now_mono_ns)
{
	a->have_snapshot = false;
	a->awaiting_since_mono_ns = now_mono_ns;
	set_state(NULL, a, ASSET_AWAITING);
}

void health_untrust(struct asset *a, int64_t now_mono_ns)
{
	a->have_snapshot = false;
	a->awaiting_since_mono_ns = now_mono_ns;
	a->mismatch_streak = 0;
	a->mismatch_since_mono_ns = 0;
	if (!a->resolved)
		set_state(NULL, a, ASSET_AWAITING);
}

void health_resolved(struct market_state *m, struct asset *a)
{
	a->resolved = true;
	set_state(m, a, ASSET_RESOLVED);
}

void health_snapshot(struct market_state *m, struct asset *a, int64_t now_mono_ns)
{
	a->mismatch_streak = 0;
	a->mismatch_since_mono_ns = 0;
	/* The snapshot ends the drift; through AWAITING, so the way out is not "recovered"
	 * but a fresh book (as it was before this module owned the transitions). */
	if (a->state == ASSET_DRIFT)
		set_state(NULL, a, ASSET_AWAITING);
	set_state(m, a, compute_state(m, a, now_mono_ns));
}

void health_level(struct market_state *m, struct asset *a, int64_t now_mono_ns)
{
	if (a->state != ASSET_DRIFT)
		set_state(m, a, compute_state(m, a, now_mono_ns));
}

/* A disagreement that healed within the grace is not drift, but the operator still sees
 * that the book was briefly not the exchange's. */
static void bbo_agreed(struct market_state *m, struct asset *a, int64_t now_mono_ns)
{
	if (a->mismatch_streak && a->state != ASSET_DRIFT)
		market_alert(
		    m, ALERT_MISMATCH, a->id,
		    "exchange best prices disagreed for %u update%s, then agreed again",
		    a->mismatch_streak, a->mismatch_streak > 1 ? "s" : "");
	a->mismatch_streak = 0;
	a->mismatch_since_mono_ns = 0;
	if (a->state == ASSET_DRIFT)
		set_state(m, a, compute_state(m, a, now_mono_ns));
}

void health_check_bbo(struct market_state *m, struct asset *a, int64_t ts_ms, int64_t best_bid,
                      int64_t best_ask, int64_t now_mono_ns)
{
	a->ex_best_bid = best_bid;
	a->ex_best_ask = best_ask;
	a->bbo_checks++;
	if (book_bbo_agrees(&a->book, best_bid, best_ask)) {
		bbo_agreed(m, a, now_mono_ns);
		return;
	}
	a->bbo_mismatches++;
	int64_t now = ts_ms ? num_mul_div(ts_ms, NS_PER_MS, 1) : now_mono_ns; /* hostile ts */
	if (a->mismatch_streak++ == 0)
		a->mismatch_since_mono_ns = now;
	if (a->state == ASSET_DRIFT)
		return;
	/* A transient disagreement is normal (the real feed crosses for a message or two);
	 * it is drift once it outlasts the grace in messages or in exchange time. */
	bool long_streak = a->mismatch_streak > m->cfg.drift_grace_msgs;
	bool long_time = a->mismatch_streak > 1 &&
	                 now - a->mismatch_since_mono_ns >= m->cfg.drift_grace_ms * NS_PER_MS;
	if (!long_streak && !long_time)
		return;
	set_state(m, a, ASSET_DRIFT);
	if (m->cfg.auto_resync && m->cmd)
		market_resync(m, a->id, "drift");
}

void health_tick(struct market_state *m, int64_t now_mono_ns)
{
	for (size_t i = 0; i < m->nassets; i++) {
		struct asset *a = &m->assets[i];
		if (a->subscribed)
			set_state(m, a, compute_state(m, a, now_mono_ns));
	}
}

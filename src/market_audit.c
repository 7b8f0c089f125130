/*
 * market_audit: --audit-every, assets compared round-robin with the exchange's REST book
 * (see market_rest.h).
 *
 * An audit asks for the book and logs the asset's socket updates meanwhile; the answer
 * plus the logged updates not older than it make the shadow book, which then follows the
 * socket's updates not older than the REST timestamp.  Once the socket has applied an
 * update after that timestamp, everything up to it has arrived (several frames may share
 * the REST book's millisecond, so an equal timestamp is not enough), and the asset's book
 * and the shadow must be equal: a difference is a mismatch at once.  Without that (a quiet
 * market, a stalled feed) the books are compared after AUDIT_WAIT_NS, and a difference is
 * looked at once more before it counts.
 *
 * Must never block, touch the network or allocate per message.  Model (UI) thread only.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "market_conn.h"
#include "market_rest_int.h"

#define AUDIT_WAIT_NS   (3 * NS_PER_S)  /* socket not caught up by then: compare anyway */
#define AUDIT_LOST_NS   (30 * NS_PER_S) /* no answer by then: given up */
#define AUDIT_MAX_SLOTS (RS_SLOTS / 2)  /* the rest stay free for resyncs */
#define AUDIT_PER_TICK  64

static void fmt_level(char *buf, size_t cap, const struct ev_level *l)
{
	char p[NUM_BUF], z[NUM_BUF];
	if (!l) {
		snprintf(buf, cap, "none");
		return;
	}
	num_format(l->price, p, sizeof(p));
	num_format(l->size, z, sizeof(z));
	snprintf(buf, cap, "%s x %s", p, z);
}

/* The first level, from the best, where ours and theirs differ: false when equal. */
static bool first_diff(const struct book *ours, const struct book *theirs, char *what, size_t cap)
{
	for (int sd = 0; sd < 2; sd++) {
		enum side side = sd == 0 ? SIDE_BID : SIDE_ASK;
		size_t n1 = book_levels(ours, side), n2 = book_levels(theirs, side);
		size_t n = n1 > n2 ? n1 : n2;
		for (size_t i = 0; i < n; i++) {
			const struct ev_level *a = i < n1 ? book_level(ours, side, i) : NULL;
			const struct ev_level *b = i < n2 ? book_level(theirs, side, i) : NULL;
			if (a && b && a->price == b->price && a->size == b->size)
				continue;
			char o[2 * NUM_BUF + 4], t[2 * NUM_BUF + 4];
			fmt_level(o, sizeof(o), a);
			fmt_level(t, sizeof(t), b);
			snprintf(what, cap, "%s level %zu: ours %s, REST %s",
			         side == SIDE_BID ? "bid" : "ask", i + 1, o, t);
			return true;
		}
	}
	return false;
}

static void mismatch(struct market_state *m, struct rs_slot *s, struct asset *a, const char *what)
{
	struct audit_stats *st = &m->rest->audit;
	st->done++;
	st->mismatched++;
	snprintf(st->last_asset, sizeof(st->last_asset), "%s", a->id);
	snprintf(st->last_level, sizeof(st->last_level), "%s", what);
	st->last_real_ns = clock_real_ns();
	market_alert(m, ALERT_AUDIT, a->id, "book differs from the exchange's: %s", what);
	rs_release(m, s);
	market_rest_resync(m, a->id, "audit mismatch");
}

/* Compares the asset's book with the shadow; synced: the socket has caught up. */
static void judge(struct market_state *m, struct rs_slot *s, bool synced, int64_t now)
{
	struct market_rest *r = m->rest;
	struct asset *a = &m->assets[s->asset];
	char what[sizeof(r->audit.last_level)];
	if (!first_diff(&a->book, &s->shadow, what, sizeof(what))) {
		r->audit.done++;
		r->audit.agreed++;
		rs_release(m, s);
		return;
	}
	if (synced || s->recheck) {
		mismatch(m, s, a, what);
		return;
	}
	/* Updates may have been in flight: look again before calling it a mismatch. */
	r->audit.rechecks++;
	s->recheck = true;
	s->answered = false;
	s->nlog = 0;
	s->overflow = false;
	s->since_ns = now;
	if (!r->fetch(r->ctx, a->id, false))
		rs_release(m, s);
}

void audit_boundary(struct market_state *m, struct rs_slot *s)
{
	judge(m, s, true, market_now_ns(m));
}

void audit_answer(struct market_state *m, struct rs_slot *s, const struct rest_book *rb,
                  int64_t now)
{
	struct asset *a = &m->assets[s->asset];
	if (!rb->ok) {
		if (!rb->will_retry) {
			m->rest->audit.errors++;
			rs_release(m, s);
		}
		return;
	}
	if (s->overflow || !a->have_snapshot || rs_build(s, &s->shadow, rb) != 0) {
		rs_release(m, s); /* not comparable: no verdict */
		return;
	}
	s->answered = true;
	s->answered_ns = now;
	s->ts_ms = rb->ts_ms;
	if (rb->ts_ms && a->last_ts_ms > rb->ts_ms)
		judge(m, s, true, now);
}

/* The next asset to audit after the last one, or NULL when none is fit for it. */
static struct asset *next_asset(struct market_state *m)
{
	struct market_rest *r = m->rest;
	for (size_t k = 0; k < m->nassets; k++) {
		size_t i = (r->audit_next + k) % m->nassets;
		struct asset *a = &m->assets[i];
		if (a->subscribed && a->have_snapshot && !a->rest.slot && !a->rest.fallback &&
		    market_asset_alive(m, a) &&
		    (a->state == ASSET_FRESH || a->state == ASSET_QUIET)) {
			r->audit_next = i + 1;
			return a;
		}
	}
	return NULL;
}

/* Audits due at now, spread evenly over --audit-every. */
static void audit_start(struct market_state *m, int64_t now)
{
	struct market_rest *r = m->rest;
	size_t n = 0, busy = 0;
	for (size_t i = 0; i < m->nassets; i++)
		n += m->assets[i].subscribed;
	for (size_t i = 0; i < RS_SLOTS; i++)
		busy += r->slots[i].kind == RS_AUDIT;
	int64_t step = r->o.audit_every_ms * NS_PER_MS / (int64_t)(n ? n : 1);
	if (step < NS_PER_MS)
		step = NS_PER_MS;
	if (r->audit_next_ns && now - r->audit_next_ns > r->o.audit_every_ms * NS_PER_MS)
		r->audit_next_ns = now; /* far behind (slots full, feed down): no burst */
	for (int k = 0; k < AUDIT_PER_TICK && now >= r->audit_next_ns && m->conn.alive; k++) {
		struct asset *a = busy < AUDIT_MAX_SLOTS ? next_asset(m) : NULL;
		struct rs_slot *s = a ? rs_alloc(m, a, RS_AUDIT, now) : NULL;
		if (!s)
			break;
		if (!r->fetch(r->ctx, a->id, false)) {
			rs_release(m, s);
			break;
		}
		busy++;
		r->audit_next_ns = (r->audit_next_ns ? r->audit_next_ns : now) + step;
	}
}

void audit_tick(struct market_state *m, int64_t now)
{
	struct market_rest *r = m->rest;
	if (!r->o.audit_every_ms)
		return;
	for (size_t i = 0; i < RS_SLOTS; i++) {
		struct rs_slot *s = &r->slots[i];
		if (s->kind != RS_AUDIT || s->asset >= m->nassets)
			continue;
		struct asset *a = &m->assets[s->asset];
		if (!a->subscribed || !a->have_snapshot) {
			rs_release(m, s); /* untrusted meanwhile: nothing to compare */
		} else if (s->answered) {
			bool synced = s->ts_ms && a->last_ts_ms > s->ts_ms;
			if (synced || now - s->answered_ns >= AUDIT_WAIT_NS)
				judge(m, s, synced, now);
		} else if (now - s->since_ns >= AUDIT_LOST_NS) {
			r->audit.errors++;
			rs_release(m, s);
		}
	}
	audit_start(m, now);
}

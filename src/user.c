/* user: see user.h. */
#include "user.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "alerts.h"
#include "market.h"
#include "sanitize.h"

const char *user_tstatus_name(enum user_tstatus s)
{
	static const char *const names[] = {
#define X(e, n) n,
	    USER_TSTATUS(X)
#undef X
	};
	return (unsigned)s < UT_COUNT ? names[s] : "other";
}

void user_init(struct user_model *u, int64_t stuck_ns)
{
	memset(u, 0, sizeof(*u));
	u->stuck_ns = stuck_ns;
	snprintf(u->state, sizeof(u->state), "user channel: waiting for the markets' ids");
}

int64_t user_ts_to_ms(int64_t v)
{
	return v > 0 && v < INT64_C(100000000000) ? v * 1000 : v;
}

/* Index of the entry to drop for room: the oldest finished, else the oldest. */
static size_t oldest_finished_order(const struct user_model *u)
{
	for (size_t i = 0; i < u->norders; i++)
		if (!u->orders[i].open)
			return i;
	return 0;
}

static size_t oldest_finished_trade(const struct user_model *u)
{
	for (size_t i = 0; i < u->ntrades; i++) {
		enum user_tstatus st = u->trades[i].st;
		if (st == UT_CONFIRMED || st == UT_FAILED)
			return i;
	}
	return 0;
}

struct user_order *user_order_get(struct user_model *u, const char *id, size_t len,
                                  int64_t now_mono_ns)
{
	char clean[USER_ID_MAX];
	if (!id || !len)
		return NULL;
	sanitize_text(clean, sizeof(clean), id, len);
	for (size_t i = u->norders; i-- > 0;)
		if (strcmp(u->orders[i].id, clean) == 0)
			return &u->orders[i];
	if (u->norders == USER_ORDERS_MAX) {
		size_t k = oldest_finished_order(u);
		memmove(&u->orders[k], &u->orders[k + 1],
		        (u->norders - k - 1) * sizeof(u->orders[0]));
		u->norders--;
	}
	struct user_order *o = &u->orders[u->norders++];
	memset(o, 0, sizeof(*o));
	memcpy(o->id, clean, sizeof(o->id));
	o->side = -1;
	o->price = o->original_size = o->size_matched = -1;
	o->first_mono_ns = now_mono_ns;
	return o;
}

struct user_trade *user_trade_get(struct user_model *u, const char *id, size_t len,
                                  int64_t now_mono_ns)
{
	char clean[USER_ID_MAX];
	(void)now_mono_ns;
	if (!id || !len)
		return NULL;
	sanitize_text(clean, sizeof(clean), id, len);
	for (size_t i = u->ntrades; i-- > 0;)
		if (strcmp(u->trades[i].id, clean) == 0)
			return &u->trades[i];
	if (u->ntrades == USER_TRADES_MAX) {
		size_t k = oldest_finished_trade(u);
		memmove(&u->trades[k], &u->trades[k + 1],
		        (u->ntrades - k - 1) * sizeof(u->trades[0]));
		u->ntrades--;
	}
	struct user_trade *t = &u->trades[u->ntrades++];
	memset(t, 0, sizeof(*t));
	memcpy(t->id, clean, sizeof(t->id));
	t->side = -1;
	t->price = t->size = -1;
	t->st = UT_OTHER;
	return t;
}

static enum user_tstatus classify(const char *s)
{
	for (int k = 0; k < UT_OTHER; k++)
		if (strcasecmp(s, user_tstatus_name((enum user_tstatus)k)) == 0)
			return (enum user_tstatus)k;
	return UT_OTHER;
}

void user_trade_status(struct user_model *u, struct market_state *m, struct user_trade *t,
                       const char *status, size_t len, int64_t now_mono_ns)
{
	char clean[USER_STATUS_MAX];
	sanitize_text(clean, sizeof(clean), status, len);
	if (!clean[0] || (t->nhist && strcmp(t->hist[t->nhist - 1].status, clean) == 0))
		return;
	if (t->nhist == USER_HIST) {
		memmove(&t->hist[0], &t->hist[1], (USER_HIST - 1) * sizeof(t->hist[0]));
		t->nhist--;
	}
	memcpy(t->hist[t->nhist].status, clean, sizeof(clean));
	t->hist[t->nhist++].since_mono_ns = now_mono_ns;
	t->st = classify(clean);
	t->stuck_alerted = false;
	if (t->st == UT_FAILED && !t->failed_alerted) {
		t->failed_alerted = true;
		market_alert(m, ALERT_TRADE_FAILED, t->asset, "your trade %s FAILED (%s)", t->id,
		             t->outcome[0] ? t->outcome : "?");
	}
	(void)u;
}

void user_tick(struct user_model *u, struct market_state *m, int64_t now_mono_ns)
{
	for (size_t i = 0; i < u->ntrades; i++) {
		struct user_trade *t = &u->trades[i];
		if ((t->st != UT_MATCHED && t->st != UT_MINED) || t->stuck_alerted || !t->nhist)
			continue;
		int64_t in = now_mono_ns - t->hist[t->nhist - 1].since_mono_ns;
		if (in < u->stuck_ns)
			continue;
		t->stuck_alerted = true;
		market_alert(m, ALERT_TRADE_STUCK, t->asset, "your trade %s stuck in %s for %lld s",
		             t->id, user_tstatus_name(t->st), (long long)(in / 1000000000));
	}
}

size_t user_open_orders(const struct user_model *u)
{
	size_t n = 0;
	for (size_t i = 0; i < u->norders; i++)
		n += u->orders[i].open;
	return n;
}

int64_t user_open_size_at(const struct user_model *u, const char *asset, int side, int64_t price)
{
	int64_t sum = 0;
	for (size_t i = 0; i < u->norders; i++) {
		const struct user_order *o = &u->orders[i];
		if (!o->open || o->side != side || o->price != price || strcmp(o->asset, asset))
			continue;
		int64_t left = o->original_size - (o->size_matched > 0 ? o->size_matched : 0);
		sum += left > 0 ? left : 1; /* an order of unknown size still marks its level */
	}
	return sum;
}

void user_trade_counts(const struct user_model *u, uint64_t out[UT_COUNT])
{
	memset(out, 0, UT_COUNT * sizeof(out[0]));
	for (size_t i = 0; i < u->ntrades; i++)
		out[u->trades[i].st]++;
}

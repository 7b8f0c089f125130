/*
 * fillcost: VWAP and slippage of a taker order, exact (see fillcost.h for the rules).
 */
#include "fillcost.h"

#include <stdio.h>
#include <string.h>

int fillcost_parse_sizes(const char *s, struct fill_size *out, size_t max, char *err, size_t errlen)
{
	size_t n = 0;
	const char *p = s;
	if (!s || !*s) {
		snprintf(err, errlen, "--depth-sizes: empty list");
		return -1;
	}
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		struct fill_size sz = {FILL_SHARES, 0};
		const char *num = p;
		if (len > 0 && *p == '$') {
			sz.unit = FILL_NOTIONAL;
			num++;
			len--;
		}
		enum num_err e = num_parse(num, len, &sz.amount);
		if (e != NUM_OK || sz.amount <= 0) {
			snprintf(err, errlen, "--depth-sizes: '%.*s' is not a positive size (%s)",
			         (int)(len + (num != p)), p,
			         e != NUM_OK ? num_strerror(e) : "zero");
			return -1;
		}
		if (n >= max) {
			snprintf(err, errlen, "--depth-sizes: at most %zu sizes", max);
			return -1;
		}
		out[n++] = sz;
		if (!comma)
			return (int)n;
		p = comma + 1;
	}
}

size_t fillcost_size_text(const struct fill_size *sz, char *buf, size_t cap)
{
	char t[NUM_BUF];
	num_format(sz->amount, t, sizeof(t));
	int n = snprintf(buf, cap, "%s%s", sz->unit == FILL_NOTIONAL ? "$" : "", t);
	return n < 0 ? 0 : (size_t)n;
}

/* Rounds num/den (den > 0) to the nearest integer, halves away from zero. */
static int64_t div_round(__int128 num, __int128 den)
{
	__int128 mag = num < 0 ? -num : num;
	__int128 q = (2 * mag + den) / (2 * den);
	return (int64_t)(num < 0 ? -q : q);
}

/* Walks side s taking up to amount micro-dollars of notional. */
static void walk_notional(const struct book *b, enum side s, int64_t amount, __int128 *notional,
                          int64_t *got, bool *sufficient)
{
	__int128 left = (__int128)amount * NUM_SCALE; /* micro-dollars * micro-shares */
	*notional = 0;
	*got = 0;
	*sufficient = false;
	for (size_t i = 0;; i++) {
		const struct ev_level *lv = book_level(b, s, i);
		if (!lv)
			return;
		__int128 whole = (__int128)lv->price * lv->size;
		if (whole < left && lv->price > 0) {
			*notional += whole;
			*got += lv->size;
			left -= whole;
			continue;
		}
		int64_t take = lv->price > 0 ? (int64_t)(left / lv->price) : lv->size;
		if (take > lv->size)
			take = lv->size;
		*notional += (__int128)lv->price * take;
		*got += take;
		*sufficient = true;
		return;
	}
}

void fillcost_compute(const struct book *b, enum side taker, const struct fill_size *sz,
                      struct fill_cost *out)
{
	enum side take = taker == SIDE_BID ? SIDE_ASK : SIDE_BID;
	__int128 notional = 0; /* micro-dollars * micro-shares */
	int64_t got = 0;
	memset(out, 0, sizeof(*out));
	out->best = book_best(b, take);
	if (sz->unit == FILL_SHARES) {
		for (size_t i = 0; got < sz->amount; i++) {
			const struct ev_level *lv = book_level(b, take, i);
			if (!lv)
				break;
			int64_t t = lv->size < sz->amount - got ? lv->size : sz->amount - got;
			notional += (__int128)lv->price * t;
			got += t;
		}
		out->sufficient = got == sz->amount;
	} else {
		walk_notional(b, take, sz->amount, &notional, &got, &out->sufficient);
	}
	out->filled = got;
	out->notional = (int64_t)(notional / NUM_SCALE);
	out->vwap = got > 0 ? div_round(notional, got) : PRICE_NONE;
	if (got > 0 && out->best > 0) {
		/* (N/Q - best) / best * 10^6 = (N - best*Q) * 10^6 / (best*Q) */
		__int128 diff = notional - (__int128)out->best * got;
		if (take == SIDE_BID)
			diff = -diff;
		out->slip_bps_x100 = div_round(diff * NUM_SCALE, (__int128)out->best * got);
	}
}

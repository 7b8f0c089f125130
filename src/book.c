/*
 * book: one token's L2 order book, exact, with the best level last on each side.
 *
 * Internally both sides are kept ascending in a "key" that grows toward the best price:
 * the price itself for bids, ~price for asks (~p == -p - 1 is strictly decreasing and,
 * unlike -p, cannot overflow).  One search routine then serves both sides.
 *
 * Must never use floating point, never allocate once a side has reached its working
 * size, and never leave a side unsorted, holding a duplicate price or a size <= 0.
 */
#include "book.h"

#include <stdlib.h>
#include <string.h>

#define BOOK_MIN_CAP    8u   /* levels allocated the first time a side grows one by one */
#define BOOK_SORT_STACK 256u /* snapshots up to this many levels sort in stack scratch */

static inline int64_t book_key(enum side s, int64_t price)
{
	return s == SIDE_BID ? price : ~price;
}

void book_init(struct book *b)
{
	memset(b, 0, sizeof *b);
}

void book_free(struct book *b)
{
	free(b->side[SIDE_BID].lv);
	free(b->side[SIDE_ASK].lv);
	memset(b, 0, sizeof *b);
}

void book_clear(struct book *b)
{
	b->side[SIDE_BID].n = 0;
	b->side[SIDE_ASK].n = 0;
}

/* Make room for at least `need` levels.  The first snapshot gets exactly what it holds
 * (10,000 books rounded up to powers of two were half empty); after that a side grows by
 * half, so growth stays amortised and stops once a book has reached its working size. */
static int book_reserve(struct book_side *bs, size_t need, bool snapshot)
{
	if (need <= bs->cap)
		return 0;
	if (need > UINT32_MAX / 2)
		return -1;
	size_t more = bs->cap ? (size_t)bs->cap + bs->cap / 2 : snapshot ? 0 : BOOK_MIN_CAP;
	size_t cap = more > need ? more : need;
	struct ev_level *lv = realloc(bs->lv, cap * sizeof *lv);
	if (lv == NULL)
		return -1;
	bs->lv = lv;
	bs->cap = (uint32_t)cap;
	return 0;
}

/* Collapse runs of equal price in a key-sorted array, keeping the first or last entry of
 * each run (whichever was sent last), and drop sizes <= 0.  Returns the new count. */
static uint32_t book_compact(struct ev_level *lv, size_t n, bool keep_first)
{
	uint32_t out = 0;
	size_t i = 0;
	while (i < n) {
		size_t j = i + 1;
		while (j < n && lv[j].price == lv[i].price)
			j++;
		struct ev_level win = keep_first ? lv[i] : lv[j - 1];
		if (win.size > 0)
			lv[out++] = win;
		i = j;
	}
	return out;
}

/* Stable bottom-up merge sort by key using tmp (n levels) as scratch, so equal prices
 * keep their arrival order and "the last one sent wins" survives the sort. */
static void book_sort_stable(enum side s, struct ev_level *lv, struct ev_level *tmp, size_t n)
{
	struct ev_level *src = lv, *dst = tmp;
	for (size_t width = 1; width < n; width *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * width) {
			size_t mid = lo + width < n ? lo + width : n;
			size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
			size_t a = lo, c = mid, k = lo;
			while (a < mid && c < hi) {
				if (book_key(s, src[c].price) < book_key(s, src[a].price))
					dst[k++] = src[c++];
				else
					dst[k++] = src[a++];
			}
			while (a < mid)
				dst[k++] = src[a++];
			while (c < hi)
				dst[k++] = src[c++];
		}
		struct ev_level *t = src;
		src = dst;
		dst = t;
	}
	if (src != lv)
		memcpy(lv, src, n * sizeof *lv);
}

static int book_load_side(struct book_side *bs, enum side s, const struct ev_level *in, size_t n)
{
	bs->n = 0;
	if (n == 0)
		return 0;

	/* The exchange sends best last (ascending key); the REST book may come best first.
	 * Both are copied in one pass; anything else is sorted. */
	bool asc = true, desc = true;
	for (size_t i = 1; i < n && (asc || desc); i++) {
		int64_t prev = book_key(s, in[i - 1].price), cur = book_key(s, in[i].price);
		if (cur < prev)
			asc = false;
		if (cur > prev)
			desc = false;
	}

	if (asc || desc) {
		if (book_reserve(bs, n, true) != 0)
			return -1;
		if (asc) {
			memcpy(bs->lv, in, n * sizeof *in);
		} else {
			for (size_t i = 0; i < n; i++)
				bs->lv[i] = in[n - 1 - i];
		}
		/* Reversed input puts the last-sent duplicate first in its run. */
		bs->n = book_compact(bs->lv, n, !asc);
		return 0;
	}

	/* Scratch for the merge sort: on the stack for a usual book, else the upper half of
	 * the array (kept: a book that large is rare and will likely come again). */
	struct ev_level stack[BOOK_SORT_STACK];
	bool small = n <= BOOK_SORT_STACK;
	if (n > SIZE_MAX / 2 || book_reserve(bs, small ? n : 2 * n, true) != 0)
		return -1;
	memcpy(bs->lv, in, n * sizeof *in);
	book_sort_stable(s, bs->lv, small ? stack : bs->lv + n, n);
	bs->n = book_compact(bs->lv, n, false);
	return 0;
}

int book_apply_snapshot(struct book *b, const struct ev_level *bids, size_t nbids,
                        const struct ev_level *asks, size_t nasks)
{
	if (book_load_side(&b->side[SIDE_BID], SIDE_BID, bids, nbids) != 0 ||
	    book_load_side(&b->side[SIDE_ASK], SIDE_ASK, asks, nasks) != 0) {
		book_clear(b);
		return -1;
	}
	b->updates++;
	return 0;
}

/* First index whose key is >= k in lv[0..n). */
static inline uint32_t book_lower_bound(const struct ev_level *lv, uint32_t n, enum side s,
                                        int64_t k)
{
	uint32_t lo = 0, hi = n;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (book_key(s, lv[mid].price) < k)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int book_apply_level(struct book *b, enum side s, int64_t price, int64_t size)
{
	if (price < 0 || size < 0)
		return -1;
	struct book_side *bs = &b->side[s];
	int64_t k = book_key(s, price);
	uint32_t n = bs->n;

	/* Most changes land at or beyond the best level, which is the end of the array. */
	uint32_t i;
	if (n == 0 || book_key(s, bs->lv[n - 1].price) < k)
		i = n;
	else if (bs->lv[n - 1].price == price)
		i = n - 1;
	else
		i = book_lower_bound(bs->lv, n - 1, s, k);

	if (i < n && bs->lv[i].price == price) {
		if (size == 0)
			memmove(&bs->lv[i], &bs->lv[i + 1], (size_t)(n - i - 1) * sizeof bs->lv[0]);
		else
			bs->lv[i].size = size;
		bs->n -= size == 0;
		b->updates++;
		return 0;
	}
	if (size == 0) {
		b->updates++; /* removing a level we do not have is a valid no-op */
		return 0;
	}
	if (n == bs->cap && book_reserve(bs, (size_t)n + 1, false) != 0)
		return -1;
	memmove(&bs->lv[i + 1], &bs->lv[i], (size_t)(n - i) * sizeof bs->lv[0]);
	bs->lv[i].price = price;
	bs->lv[i].size = size;
	bs->n = n + 1;
	b->updates++;
	return 0;
}

int64_t book_best(const struct book *b, enum side s)
{
	const struct book_side *bs = &b->side[s];
	return bs->n ? bs->lv[bs->n - 1].price : PRICE_NONE;
}

int64_t book_best_size(const struct book *b, enum side s)
{
	const struct book_side *bs = &b->side[s];
	return bs->n ? bs->lv[bs->n - 1].size : 0;
}

size_t book_levels(const struct book *b, enum side s)
{
	return b->side[s].n;
}

const struct ev_level *book_level(const struct book *b, enum side s, size_t i)
{
	const struct book_side *bs = &b->side[s];
	return i < bs->n ? &bs->lv[bs->n - 1 - i] : NULL;
}

int64_t book_spread(const struct book *b)
{
	int64_t bid = book_best(b, SIDE_BID), ask = book_best(b, SIDE_ASK);
	if (bid == PRICE_NONE || ask == PRICE_NONE)
		return PRICE_NONE;
	return ask - bid;
}

/* Half-micro mids (only possible with ticks finer than 0.000002) round up. */
int64_t book_mid(const struct book *b)
{
	int64_t bid = book_best(b, SIDE_BID), ask = book_best(b, SIDE_ASK);
	if (bid == PRICE_NONE || ask == PRICE_NONE)
		return PRICE_NONE;
	return (int64_t)(((__int128)bid + ask + 1) / 2);
}

/* spread / mid * 10^6 == 2 * spread * 10^6 / (bid + ask), computed exactly and rounded
 * to nearest, halves away from zero (a crossed book gives a negative figure).  0 when
 * bid + ask is 0 (both sides at price 0: no spread to speak of). */
int64_t book_spread_bps_x100(const struct book *b)
{
	int64_t bid = book_best(b, SIDE_BID), ask = book_best(b, SIDE_ASK);
	if (bid == PRICE_NONE || ask == PRICE_NONE)
		return PRICE_NONE;
	__int128 den = (__int128)bid + ask;
	if (den == 0)
		return 0;
	__int128 num = ((__int128)ask - bid) * 2 * 1000000;
	__int128 q = (num < 0 ? num - den / 2 : num + den / 2) / den;
	return (int64_t)q;
}

enum book_cross book_cross(const struct book *b)
{
	int64_t bid = book_best(b, SIDE_BID), ask = book_best(b, SIDE_ASK);
	if (bid == PRICE_NONE || ask == PRICE_NONE || bid < ask)
		return BOOK_NORMAL;
	return bid == ask ? BOOK_LOCKED : BOOK_CROSSED;
}

int64_t book_depth(const struct book *b, enum side s, int64_t tick, int n_ticks)
{
	const struct book_side *bs = &b->side[s];
	if (bs->n == 0 || n_ticks < 0)
		return 0;
	__int128 reach = tick > 0 ? (__int128)tick * n_ticks : 0;
	__int128 best = book_key(s, bs->lv[bs->n - 1].price);
	__int128 total = 0;
	for (uint32_t i = bs->n; i-- > 0;) {
		if (best - book_key(s, bs->lv[i].price) > reach)
			break;
		total += bs->lv[i].size;
	}
	return total > INT64_MAX ? INT64_MAX : (int64_t)total;
}

int64_t book_vwap(const struct book *b, enum side s, int64_t size, int64_t *filled, int64_t *vwap)
{
	const struct book_side *bs = &b->side[s];
	__int128 notional = 0; /* micro-dollars * micro-shares */
	int64_t got = 0;
	for (uint32_t i = bs->n; i-- > 0 && got < size;) {
		int64_t take = bs->lv[i].size < size - got ? bs->lv[i].size : size - got;
		notional += (__int128)bs->lv[i].price * take;
		got += take;
	}
	if (filled)
		*filled = got;
	if (vwap)
		*vwap = got > 0 ? (int64_t)((notional + got / 2) / got) : PRICE_NONE;
	__int128 cost = notional / NUM_SCALE;
	return cost > INT64_MAX ? INT64_MAX : (int64_t)cost;
}

bool book_bbo_agrees(const struct book *b, int64_t best_bid, int64_t best_ask)
{
	return book_best(b, SIDE_BID) == best_bid && book_best(b, SIDE_ASK) == best_ask;
}

size_t book_memory(const struct book *b)
{
	return ((size_t)b->side[SIDE_BID].cap + b->side[SIDE_ASK].cap) * sizeof(struct ev_level);
}

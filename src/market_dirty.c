/*
 * market_dirty: the set of assets whose books changed since a consumer last took it (see
 * market_dirty.h).  Allocates only in market_dirty_reserve().  Model (UI) thread only.
 */
#include "market_dirty.h"

#include <stdlib.h>
#include <string.h>

#include "market.h"

int market_dirty_reserve(struct market_dirty *d, size_t nassets)
{
	if (nassets <= d->cap)
		return 0;
	size_t cap = d->cap ? d->cap : 64;
	while (cap < nassets)
		cap *= 2;
	uint8_t *listed = realloc(d->listed, cap * sizeof(*listed));
	if (!listed)
		return -1;
	d->listed = listed;
	memset(listed + d->cap, 0, (cap - d->cap) * sizeof(*listed));
	uint32_t *idx = realloc(d->idx, cap * sizeof(*idx));
	if (!idx)
		return -1;
	d->idx = idx;
	uint32_t *spare = realloc(d->spare, cap * sizeof(*spare));
	if (!spare)
		return -1;
	d->spare = spare;
	d->cap = cap; /* only now: every array holds cap slots */
	return 0;
}

void market_dirty_free(struct market_dirty *d)
{
	free(d->listed);
	free(d->idx);
	free(d->spare);
	memset(d, 0, sizeof(*d));
}

static int cmp_index(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

/* list[0..n) in ascending order: sorted when few, rebuilt from the flags when many (a
 * byte scan of every asset is then cheaper than the sort). */
static void order(const struct market_dirty *d, uint32_t *list, size_t n)
{
	if (n < 2)
		return;
	if (n < d->cap / 16) {
		qsort(list, n, sizeof(*list), cmp_index);
		return;
	}
	size_t k = 0;
	for (size_t i = 0; i < d->cap && k < n; i++)
		if (d->listed[i])
			list[k++] = (uint32_t)i;
}

size_t market_dirty_take(struct market_dirty *d, market_dirty_fn fn, void *ctx)
{
	size_t n = d->n;
	if (!n)
		return 0;
	uint32_t *list = d->idx;
	order(d, list, n);
	for (size_t k = 0; k < n; k++)
		d->listed[list[k]] = 0;
	/* The callbacks' marks go to the other array, so they never overwrite this one. */
	d->idx = d->spare;
	d->spare = list;
	d->n = 0;
	d->taken += n;
	for (size_t k = 0; k < n; k++)
		fn(ctx, list[k]);
	return n;
}

void market_book_changed(struct market_state *m, const struct asset *a)
{
	market_dirty_mark(&m->dirty, (size_t)(a - m->assets));
}

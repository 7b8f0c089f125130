/*
 * market_dirty: which assets' books changed since a consumer last looked, so that a
 * consumer visits only those instead of scanning every asset (10,000 with the whole
 * exchange subscribed).
 *
 * A struct market_dirty is a set of asset indices: a flag per asset and the list of the
 * flagged ones.  market_dirty_mark() is O(1) and allocates nothing (the arrays are sized
 * by market_dirty_reserve(), which the asset table calls when it adds an asset, never per
 * message); an asset marked twice is listed once.  market_dirty_take() empties the list
 * and hands each listed asset to a callback, in ascending index order (the order a scan
 * of every asset would visit them); marks made during a take, from the callback or not,
 * land on the next take, so nothing is lost across one.
 *
 * The model's list (market_state.dirty) is marked by market_book_changed() at every place
 * an asset's book may change (book_apply_snapshot or book_apply_level on asset->book:
 * market.c on_book/on_level, market_rest.c apply_book) and when an asset is subscribed
 * again (assets.c market_add), so a change made while it was unsubscribed is looked at.
 * A mark is a hint, not a proof of change: consumers still compare book.updates.
 *
 * Owner: the list has ONE consumer, the Redis publisher (app_redis.c), which takes it
 * after each record (--redis-interval 0) and on each tick; a take empties it for
 * everybody.  A second consumer needs a list of its own, marked from
 * market_book_changed() beside this one.  app_redis.c also keeps a private set of its own
 * (books changed but not yet due) with the same functions.
 *
 * Must never: allocate in market_dirty_mark() or market_dirty_take(), or be used from
 * two threads.  Model (UI) thread only.
 */
#ifndef CLOBTOP_MARKET_DIRTY_H
#define CLOBTOP_MARKET_DIRTY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct market_state;
struct asset;

struct market_dirty {
	uint8_t *listed; /* per asset: 1 while it is on the list */
	uint32_t *idx;   /* the list: indices of the listed assets, n of them, unordered */
	uint32_t *spare; /* the list being taken (swapped with idx by market_dirty_take) */
	size_t n;        /* assets on the list */
	size_t cap;      /* assets provided for: slots in listed, idx and spare */
	uint64_t marks;  /* market_dirty_mark calls that listed an asset, ever */
	uint64_t taken;  /* assets handed to take callbacks, ever */
};

/* Called with each taken asset index; may mark any asset, this one included. */
typedef void (*market_dirty_fn)(void *ctx, size_t i);

/* Provides for assets 0..nassets-1 (grows, never shrinks).  0, or -1 when memory ran
 * out (the set is then unchanged). */
int market_dirty_reserve(struct market_dirty *d, size_t nassets);
void market_dirty_free(struct market_dirty *d);

/* Asset i changed.  O(1), no allocation; an index not reserved is ignored. */
static inline void market_dirty_mark(struct market_dirty *d, size_t i)
{
	if (i < d->cap && !d->listed[i]) {
		d->listed[i] = 1;
		d->idx[d->n++] = (uint32_t)i;
		d->marks++;
	}
}

/* Empties the list, then calls fn for each asset that was on it, in ascending index
 * order.  Returns how many.  Not reentrant on the same d (fn must not take d). */
size_t market_dirty_take(struct market_dirty *d, market_dirty_fn fn, void *ctx);

/* The model's hook: asset a's book (or its subscription) may have changed. */
void market_book_changed(struct market_state *m, const struct asset *a);

#endif

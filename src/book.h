/*
 * book: one token's L2 order book in exact fixed point.
 *
 * Each side is a sorted array of (price, size) with the best level LAST (bids ascending,
 * asks descending), the order the exchange sends, so the busy end of the book is the
 * cheap end to insert and delete at.  Arrays only grow (amortised); setting a level never
 * allocates once the book has reached its working size.  Never uses floating point.
 */
#ifndef CLOBTOP_BOOK_H
#define CLOBTOP_BOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clob.h" /* side, level, PRICE_NONE */

struct book_side {
	struct ev_level *lv; /* sorted, best last; sizes > 0 */
	uint32_t n;          /* levels in use */
	uint32_t cap;        /* levels allocated */
};

struct book {
	struct book_side side[2]; /* [SIDE_BID], [SIDE_ASK] */
	uint64_t updates;         /* snapshots + level changes applied */
};

enum book_cross {
	BOOK_NORMAL = 0, /* best bid < best ask, or a side is empty */
	BOOK_LOCKED,     /* best bid == best ask */
	BOOK_CROSSED,    /* best bid > best ask */
};

void book_init(struct book *b);
void book_free(struct book *b);
void book_clear(struct book *b);

/* Replace the whole book.  Levels may come in any order; a price given twice keeps the
 * last size; then sizes <= 0 are dropped.  Returns 0, or -1 when memory ran out (the
 * book is then empty). */
int book_apply_snapshot(struct book *b, const struct ev_level *bids, size_t nbids,
                        const struct ev_level *asks, size_t nasks);

/* Set one level to an absolute size; size 0 removes it (a missing level: no-op).
 * Returns 0, or -1 when memory ran out or price/size is negative (the book is unchanged). */
int book_apply_level(struct book *b, enum side s, int64_t price, int64_t size);

int64_t book_best(const struct book *b, enum side s);      /* price, or PRICE_NONE */
int64_t book_best_size(const struct book *b, enum side s); /* size at best, or 0 */
size_t book_levels(const struct book *b, enum side s);
/* The i-th level from the best (i = 0 is the best), or NULL past the end. */
const struct ev_level *book_level(const struct book *b, enum side s, size_t i);

int64_t book_spread(const struct book *b); /* ask - bid, PRICE_NONE if a side is empty */
/* (bid + ask) / 2, half a micro-dollar rounded up; PRICE_NONE if a side is empty */
int64_t book_mid(const struct book *b);
/* spread / mid in hundredths of a bp, rounded to nearest (halves away from zero; negative
 * when crossed); PRICE_NONE if a side is empty, 0 if bid + ask == 0.  Check book_spread()
 * first: a crossed book can also give -1. */
int64_t book_spread_bps_x100(const struct book *b);
enum book_cross book_cross(const struct book *b);

/* Total size resting within n_ticks ticks of the best price on side s (the best level
 * counts as tick 0).  tick in micro-dollars. */
int64_t book_depth(const struct book *b, enum side s, int64_t tick, int n_ticks);

/* Cost of taking `size` micro-shares from side s (SIDE_ASK to buy, SIDE_BID to sell),
 * walking from the best level.  *filled gets what the book could fill; *vwap the
 * volume-weighted average price in micro-dollars (rounded to nearest), PRICE_NONE if
 * nothing filled.  Returns the notional in micro-dollars * shares (i.e. price * size /
 * NUM_SCALE, truncated). */
int64_t book_vwap(const struct book *b, enum side s, int64_t size, int64_t *filled, int64_t *vwap);

/* True when the exchange's best_bid/best_ask (PRICE_NONE for an empty side) agree with
 * this book's best prices. */
bool book_bbo_agrees(const struct book *b, int64_t best_bid, int64_t best_ask);

/* Bytes of heap this book holds (for the memory benchmark). */
size_t book_memory(const struct book *b);

#endif

/*
 * fillcost: what filling an order of a given size against a book would cost: the VWAP
 * and the slippage from the best price, or "insufficient depth".
 *
 * Sizes come from --depth-sizes ("100,1000,$10000"): a plain number is shares, a
 * leading '$' is notional in dollars.  Everything is exact fixed point:
 *   - shares: the book is walked from the best level, taking whole levels then the
 *     remainder (book_vwap);
 *   - notional $X: whole levels while their notional (price * size) is within what is
 *     left of X, then floor(left * 10^6 / price) micro-shares of the next level, so the
 *     order never spends more than X;
 *   - vwap = notional / shares, rounded to the nearest micro-dollar, halves up;
 *   - slippage in hundredths of a bp = (vwap - best) / best * 10^6 for a buy (best - vwap
 *     for a sell), computed from the exact notional (not the rounded vwap), rounded to the
 *     nearest, halves away from zero.  Never negative for a well-formed book.
 * Insufficient depth: the side ran out before the size (or notional) was reached; the
 * partial figures are still filled in.
 *
 * Pure functions; safe from any thread; never allocates; no floating point.
 */
#ifndef CLOBTOP_FILLCOST_H
#define CLOBTOP_FILLCOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "book.h"
#include "clob.h"

#define FILLCOST_MAX_SIZES 8 /* sizes --depth-sizes accepts */

enum fill_unit {
	FILL_SHARES = 0,   /* amount in micro-shares */
	FILL_NOTIONAL = 1, /* amount in micro-dollars */
};

struct fill_size {
	enum fill_unit unit; /* shares or $ notional */
	int64_t amount;      /* micro-shares or micro-dollars, > 0 */
};

struct fill_cost {
	bool sufficient;       /* the book held the whole size */
	int64_t filled;        /* micro-shares taken */
	int64_t notional;      /* micro-dollars paid or received (truncated) */
	int64_t vwap;          /* micro-dollars, PRICE_NONE when nothing filled */
	int64_t best;          /* best price of the side taken, PRICE_NONE when empty */
	int64_t slip_bps_x100; /* hundredths of a bp from best; 0 when nothing filled */
};

/* Parses "100,1000,$10000" (up to max entries, decimals allowed: "$2.5").  Returns the
 * number of sizes, or -1 with a message in err. */
int fillcost_parse_sizes(const char *s, struct fill_size *out, size_t max, char *err,
                         size_t errlen);

/* "100" or "$10000": the text of a size, for headers and the snapshot. */
size_t fillcost_size_text(const struct fill_size *sz, char *buf, size_t cap);

/* The cost of a taker order on side taker (SIDE_BID = BUY, which takes the asks). */
void fillcost_compute(const struct book *b, enum side taker, const struct fill_size *sz,
                      struct fill_cost *out);

#endif

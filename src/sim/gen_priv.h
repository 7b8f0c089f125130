/*
 * gen_priv: what gen.c (the market truth and its flow) and gen_json.c (the frames it
 * sends) share, and nobody else may use.
 *
 * Inline helpers on the hot path and the frame writers gen.c calls; nothing here
 * allocates.  clobsim is single-threaded: only its one thread calls these.
 */
#ifndef CLOBSIM_GEN_PRIV_H
#define CLOBSIM_GEN_PRIV_H

#include "gen.h"

enum { BID = 0, ASK = 1 };
#define TOP (GEN_SLOTS - 1) /* the slot of price 1 */

static const char gen_hexd[] = "0123456789abcdef";

/* xoshiro256**: fast, good enough, and reproducible across platforms. */
static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t rng_next(struct gen *g)
{
	uint64_t *s = g->rng;
	uint64_t r = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return r;
}
/* Token-relative best prices: token 1's book is token 0's mirrored. */
static inline int tok_best(const struct gen_market *m, int k, int side)
{
	if (k == 0)
		return side == BID ? m->best[BID] : (m->best[ASK] <= TOP ? m->best[ASK] : -1);
	if (side == BID)
		return m->best[ASK] <= TOP ? TOP - m->best[ASK] : -1;
	return m->best[BID] >= 0 ? TOP - m->best[BID] : -1;
}

/* Frame writers (gen_json.c): each appends one or two frames of the current step to
 * g->out and g->msg, stamped g->now_ms. */

/* price_change for one level of token 0's book (already applied), naming both tokens. */
void gen_json_price_change(struct gen *g, int mi, int side, int slot, int32_t size,
                           bool top_changed);
/* last_trade_price of token k; taker is BID for a buy. */
void gen_json_trade(struct gen *g, int mi, int k, int taker, int price_slot, int32_t size);
/* The book snapshot of token k that follows a trade. */
void gen_json_book(struct gen *g, int mi, int k);
/* best_bid_ask of token k (custom feature). */
void gen_json_bbo(struct gen *g, int mi, int k, int bb, int ba);
/* tick_size_change for both tokens. */
void gen_json_tick(struct gen *g, int mi, int old_tick);
/* new_market (kind GEN_NEW_MARKET) or market_resolved with its winning token. */
void gen_json_market_info(struct gen *g, int mi, enum gen_kind kind, int winner);

#endif

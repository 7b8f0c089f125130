/*
 * gen: clobsim's synthetic markets and their order flow.
 *
 * Holds the truth: every market's books on a 0.001 price grid, in exact integers
 * (hundredths of a share), and turns random order flow into market-channel frames
 * byte-compatible with Polymarket's (numbers as strings, best level last, event_type
 * last, both tokens of a market in one price_change).  Deterministic for a given seed
 * apart from timestamps.  The hot path (gen_step, frames written by gen_json.c) formats
 * JSON by hand into buffers it owns; it must never call jansson or allocate once the
 * buffers have grown, and never let a book cross except when a fault asks for it.
 *
 * Thread: clobsim is single-threaded; only its one thread (or a test) calls this.
 */
#ifndef CLOBSIM_GEN_H
#define CLOBSIM_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sbuf.h"

#define GEN_SLOTS       1001 /* price grid: 0.000 .. 1.000 in steps of 0.001 */
#define GEN_ID_LEN      78   /* digits of a token id */
#define GEN_MAX_MSGS    64   /* frames one gen_step can produce */
#define GEN_MAX_MARKETS 20000

enum gen_kind {
	GEN_PRICE_CHANGE,
	GEN_TRADE,      /* last_trade_price */
	GEN_BOOK,       /* a book snapshot after a trade */
	GEN_BBO,        /* best_bid_ask (custom feature) */
	GEN_TICK,       /* tick_size_change */
	GEN_NEW_MARKET, /* global, custom feature */
	GEN_RESOLVED,   /* market_resolved: global, custom feature */
};

struct gen_msg {
	enum gen_kind kind; /* what the frame is */
	int market;         /* market index; -1 never happens (global frames name theirs) */
	bool global;        /* for every subscribed connection, not only the market's */
	bool custom;        /* only for connections with custom_feature_enabled */
	bool top_changed;   /* a price_change that moved a best price (a drop reveals itself) */
	size_t off;         /* byte offset of the JSON text in gen's output buffer */
	size_t len;         /* bytes of JSON text */
};

struct gen_market {
	char token[2][GEN_ID_LEN + 1]; /* decimal token ids: [0] first outcome, [1] complement */
	char cond[67];                 /* condition id, 0x + 64 hex */
	char gamma_id[12];             /* Gamma's numeric market id, as text */
	char event_id[12];             /* Gamma's numeric event id, as text */
	char question[120];            /* human question */
	char slug[120];                /* URL slug */
	char outcome[2][24];           /* outcome names, index-aligned with token */
	int tick;                      /* tick size in 0.001 units: 10 (0.01) or 1 (0.001) */
	int32_t sz[2][GEN_SLOTS];      /* token 0's book: [side][slot] hundredths of a share */
	int best[2];       /* token 0's best slot: bid (-1 empty), ask (GEN_SLOTS empty) */
	int nlev[2];       /* token 0's levels per side */
	int last_trade[2]; /* last trade slot per token, -1 none */
	int fair;          /* slot the mid wanders around (mean reversion) */
	bool visible;      /* announced: known to subscribers and REST */
	bool closed;       /* resolved: no more flow, subscriptions get [] */
	bool quiet;        /* visible but never updated (--quiet-markets): goes stale */
	int announced;     /* new_market frames sent for it */
	int nsub;          /* connections subscribed to either token */
	int64_t book_ms;   /* Unix ms stamped on the step that last changed the book, 0 never */
};

struct gen_cfg {
	uint64_t seed;            /* PRNG seed: same seed, same markets and flow */
	int markets;              /* markets visible at start */
	int extra_markets;        /* hidden markets revealed by new_market announcements */
	int min_levels;           /* levels per side kept at least */
	int max_levels;           /* levels per side kept at most */
	uint64_t cross_every;     /* every N generated frames: a transient cross (0 off) */
	uint64_t wrong_bbo_every; /* every N frames: a best_bid_ask that disagrees (0 off) */
	bool book_after_trade;    /* send a book snapshot after each trade, as the live feed does */
	int quiet_markets;        /* the last N visible markets get no flow at all (stale) */
};

struct gen {
	struct gen_cfg cfg;               /* as given */
	struct gen_market *m;             /* markets (heap), cfg.markets + cfg.extra_markets */
	int nmarkets;                     /* entries at m */
	uint64_t rng[4];                  /* xoshiro256** state */
	struct sbuf out;                  /* JSON of the frames of the current step */
	struct gen_msg msg[GEN_MAX_MSGS]; /* frames of the current step */
	int nmsg;                         /* entries at msg */
	uint64_t frames;                  /* frames generated so far */
	int64_t now_ms;                   /* Unix ms stamped on the current step's frames */
	uint64_t cross_ctr;               /* frames since the last injected cross */
	uint64_t wrong_bbo_ctr;           /* frames since the last wrong best_bid_ask */
	int cross_market;                 /* market with a pending cross to undo, -1 none */
	int cross_slot;                   /* the crossing bid's slot */
	bool want_cross;                  /* inject a cross at the next step */
	bool want_wrong_bbo;              /* inject a wrong best_bid_ask at the next step */
	int next_reveal;                  /* next hidden market to announce */
	uint32_t *hidx;                   /* token id hash table: token index + 1, 0 empty */
	size_t hcap;                      /* slots in hidx (power of two) */
};

int gen_init(struct gen *g, const struct gen_cfg *cfg);
void gen_free(struct gen *g);

/* Generate the next step of flow on the subscribed markets (any market when
 * all_markets): one to a few frames, in g->msg[0..g->nmsg), text in g->out.  Returns
 * g->nmsg.  now_ms stamps the frames. */
int gen_step(struct gen *g, int64_t now_ms, bool all_markets);

/* Announce a market with new_market: the next hidden one if any is left, otherwise a
 * duplicate of one already announced.  Replaces the current step's frames. */
int gen_announce(struct gen *g, int64_t now_ms);

/* Resolve a random open market: market_resolved frame, market closed.  Replaces the
 * current step's frames; returns 0 when no market is left open. */
int gen_resolve(struct gen *g, int64_t now_ms);

/* Token index (2 * market + outcome) of a token id, or -1 when unknown or hidden. */
int gen_find_token(const struct gen *g, const char *id, size_t len);
/* A market by slug, or -1. */
int gen_find_slug(const struct gen *g, const char *slug);

/* Append one token's `book` object (wire format, best level last).  first adds
 * tick_size and last_trade_price as the first snapshot of a subscription does. */
void gen_book_json(const struct gen *g, int token, int64_t now_ms, bool first, struct sbuf *b);

/* Levels of a token, best first, in micro-units: returns the count written (<= max). */
int gen_levels(const struct gen *g, int token, int side, int64_t *price, int64_t *size, int max);
/* Best price of a token in micro-dollars, or -1 for an empty side. */
int64_t gen_best(const struct gen *g, int token, int side);
/* Tick size of a token's market in micro-dollars. */
int64_t gen_tick(const struct gen *g, int token);
/* The canonical text of a slot as a price ("0.31", "1"). */
const char *gen_price_text(int slot);

/* Check that no book is crossed and every level count and best slot is consistent.
 * Returns -1 when consistent, else the index of the first bad market. */
int gen_check(const struct gen *g);

#endif

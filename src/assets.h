/*
 * assets: the model's table of assets (tokens) and its id index.
 *
 * market_state.assets is an array in order of first appearance with an open-addressing
 * hash of the ids beside it.  Assets are never removed (an unsubscribed asset stays, so
 * indexes stay valid), but ADDING AN ASSET MAY MOVE EVERY ASSET IN MEMORY (the array is
 * reallocated): keep indexes, not struct asset pointers, across a market_add() or an
 * applied record (which may add an asset in replay).
 *
 * Must never: allocate except when an asset is added, or change an asset's health (that
 * is health.c).  Model (UI) thread only.
 */
#ifndef CLOBTOP_ASSETS_H
#define CLOBTOP_ASSETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "book.h"
#include "clob.h"
#include "health.h"
#include "market_rest.h"
#include "stats.h"

#define ASSET_ID_MAX    TOKEN_ID_SIZE /* a token id and its NUL */
#define ASSET_LABEL_MAX 96            /* bytes of sanitised UTF-8 */
#define MARKET_ID_MAX   68            /* 0x + 64 hex + NUL */
#define QUESTION_MAX    160

struct trade {
	int64_t t_real_ns; /* our receipt time */
	int64_t ts_ms;     /* exchange timestamp */
	int64_t price;     /* micro-dollars */
	int64_t size;      /* micro-shares */
	enum side side;    /* taker's side */
	uint32_t asset;    /* index into market_state.assets */
};

struct flow {
	struct rate trades;   /* trades per second slot */
	struct rate buy_vol;  /* micro-shares bought (taker BUY) per second slot */
	struct rate sell_vol; /* micro-shares sold (taker SELL) per second slot */
	struct rate notional; /* micro-dollars traded per second slot (price * size / 1e6) */
};

void flow_init(struct flow *f);
void flow_add(struct flow *f, int64_t now_s, const struct trade *t);

struct asset {
	char id[ASSET_ID_MAX];          /* token id, decimal string */
	char label[ASSET_LABEL_MAX];    /* what the operator sees; sanitised */
	bool label_from_user;           /* --asset ID=LABEL: never overwritten */
	bool label_requested;           /* a metadata lookup was queued (asked once only) */
	char market[MARKET_ID_MAX];     /* condition id, "" until known */
	char question[QUESTION_MAX];    /* market question, sanitised, "" until known */
	struct book book;               /* L2 book */
	int64_t tick;                   /* micro-dollars, 0 until known */
	enum asset_state state;         /* health; written only by health.c */
	bool subscribed;                /* in the subscription set */
	bool pooled;                    /* counted on a pool connection (pool.c) */
	uint16_t conn;                  /* that connection's slot (market_conn.h); 0 without */
	bool have_snapshot;             /* a book arrived since (re)subscription */
	bool resolved;                  /* market_resolved seen */
	bool resync_pending;            /* resync requested, snapshot not yet arrived */
	bool lost;                      /* a record the ring dropped was about it: resync
	                                   pending at its connection's next turn (market_lost.c) */
	int64_t awaiting_since_mono_ns; /* receipt time the wait for a snapshot began */
	int64_t last_update_mono_ns;    /* last event of any kind for this asset, 0 never */
	int64_t last_book_mono_ns;      /* last book snapshot */
	int64_t last_ts_ms;             /* exchange timestamp of the last event */
	struct trade last_trade;        /* valid when have_trade */
	bool have_trade;                /* last_trade is valid */
	int64_t last_trade_price_book;  /* last_trade_price from the snapshot, or PRICE_NONE */
	uint64_t msgs;                  /* events applied for this asset */
	struct rate msg_rate;           /* events per second */
	struct flow flow;               /* trade flow */
	uint64_t bbo_checks;            /* exchange best_bid/best_ask comparisons */
	uint64_t bbo_mismatches;        /* of which disagreed */
	uint32_t mismatch_streak;       /* consecutive disagreements */
	int64_t mismatch_since_mono_ns; /* first of the current streak, 0 when none */
	int64_t ex_best_bid;            /* last exchange-reported best bid, PRICE_NONE */
	int64_t ex_best_ask;            /* last exchange-reported best ask, PRICE_NONE */
	uint64_t resyncs;               /* resync requests made */
	uint64_t orphan_updates;        /* level events before any snapshot */
	bool stale_alerted;             /* an ALERT_STALE is outstanding */
	bool crossed_alerted;           /* an ALERT_CROSSED is outstanding */
	struct asset_rest rest;         /* REST: book source, resync, fallback (market_rest.c) */
};

struct market_state;

/* The empty table (allocates the index); 0, or -1 when memory ran out. */
int assets_init(struct market_state *m);
void assets_free(struct market_state *m);

/* Add an asset to watch (idempotent).  label may be NULL (a shortened id is shown until
 * a better one is known).  Returns the asset or NULL on allocation failure or an invalid
 * id.  May move every asset (see above). */
struct asset *market_add(struct market_state *m, const char *id, const char *label);
/* The same for an id that is not NUL-terminated; does not re-subscribe an existing one. */
struct asset *assets_add_len(struct market_state *m, const char *id, size_t len);
/* Find an asset by id, or NULL. */
struct asset *market_find(struct market_state *m, const char *id, size_t len);
/* Stop watching: marks it unsubscribed and drops its book (kept in the table so
 * indexes stay valid; hidden by the UI). */
void market_remove(struct market_state *m, const char *id);
/* Metadata from elsewhere (Gamma): question, outcome, condition id, tick.  Any may be
 * NULL/0.  The label becomes "outcome · question" unless the operator named the asset.
 * Strings are sanitised here. */
void market_set_info(struct market_state *m, const char *id, const char *question,
                     const char *outcome, const char *condition_id, int64_t tick);
/* The same from a new_market frame (strings not NUL-terminated, sanitised here). */
void assets_set_label(struct asset *a, const char *q, size_t qlen, const char *o, size_t olen);
/* A metadata lookup for assets[i] was queued: it is not asked about again. */
void market_label_requested(struct market_state *m, size_t i);

#endif

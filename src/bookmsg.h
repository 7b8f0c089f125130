/*
 * bookmsg: the JSON messages clobtop hands on to other processes (Redis channels, the
 * cache key and the stream): one book, or one trade.
 *
 *   {"schema":"clobtop.book/1","asset_id":"…","timestamp_ms":1790658661234,
 *    "hash":"…","received_ms":1790658661240,"state":"fresh","source":"live",
 *    "bids":[{"price":"0.48","size":"120.5"},…],"asks":[…],"truncated":false}
 *   {"schema":"clobtop.trade/1","asset_id":"…","price":"0.5","size":"10","side":"BUY",
 *    "timestamp_ms":…,"received_ms":…,"source":"live"}
 *
 * Prices and sizes are exact decimal strings (num_format), best level first on each side.
 * timestamp_ms is the exchange's (null when unknown), received_ms our receipt time;
 * hash is null when unknown.  A book that does not fit the caller's buffer keeps the
 * best levels of both sides (alternating, so neither side starves), ends at a level
 * boundary and says "truncated":true: the output is always complete, valid JSON.
 *
 * Renders into a caller buffer; never allocates, never locks: safe on the hot path of
 * any one thread.  Strings the caller passes are JSON-escaped; bytes >= 0x80 and control
 * bytes become \u escapes or '?', so the output is valid JSON even from raw input.
 */
#ifndef CLOBTOP_BOOKMSG_H
#define CLOBTOP_BOOKMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "book.h"
#include "clob.h"

#define BOOKMSG_BOOK_SCHEMA  "clobtop.book/1"
#define BOOKMSG_TRADE_SCHEMA "clobtop.trade/1"
#define BOOKMSG_MIN_BUF      1024 /* smaller buffers are refused (the header must fit) */

struct bookmsg_meta {
	const char *asset_id; /* token id */
	int64_t ts_ms;        /* exchange timestamp, ms since the epoch; <= 0 unknown */
	const char *hash;     /* exchange book hash, NULL or "" unknown */
	int64_t recv_real_ns; /* our receipt time, CLOCK_REALTIME ns */
	const char *state;    /* asset health name ("fresh") */
	const char *source;   /* "live" or "replay" */
	uint32_t max_levels;  /* levels per side at most, 0 = all */
};

struct bookmsg_out {
	size_t len;     /* bytes written, without the NUL */
	uint32_t bids;  /* bid levels written */
	uint32_t asks;  /* ask levels written */
	bool truncated; /* levels were left out to fit the buffer */
};

/* Renders the book message.  Returns 0, or -1 when cap < BOOKMSG_MIN_BUF (nothing
 * written).  buf is NUL-terminated. */
int bookmsg_book(char *buf, size_t cap, const struct book *b, const struct bookmsg_meta *m,
                 struct bookmsg_out *out);

struct bookmsg_trade {
	const char *asset_id; /* token id */
	int64_t price;        /* micro-dollars */
	int64_t size;         /* micro-shares */
	enum side side;       /* taker's side: SIDE_BID is "BUY" */
	int64_t ts_ms;        /* exchange timestamp, <= 0 unknown */
	int64_t recv_real_ns; /* our receipt time */
	const char *source;   /* "live" or "replay" */
};

/* Renders the trade message; returns its length, or 0 when it did not fit in cap. */
size_t bookmsg_trade(char *buf, size_t cap, const struct bookmsg_trade *t);

#endif

/*
 * proto: one Polymarket market-channel frame in, normalised events out.
 *
 * Every Polymarket quirk lives here and nowhere else: field names, numbers sent as
 * strings, best level last, the three price_change schemas, bids/asks or buys/sells,
 * array frames, "[]", "PONG", "INVALID OPERATION", "" / "0" / "1" for an empty side.
 * Nothing past this file knows JSON or Polymarket field names.
 *
 * It never crashes on input and never allocates per message: jansson's allocations are
 * served from a per-thread arena that is reset at each frame (jarena.h), and level
 * arrays live in scratch space owned by struct proto that only grows.
 *
 * Pointers inside an event (strings, level arrays) are valid only during the callback.
 */
#ifndef CLOBTOP_PROTO_H
#define CLOBTOP_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clob.h"
#include "num.h"

#define EV_KINDS(X)                                                                                \
	X(EV_BOOK, "book")                 /* full replacement of one token's book */              \
	X(EV_LEVEL, "level")               /* one price level set to an absolute size */           \
	X(EV_TRADE, "trade")               /* last_trade_price: a fill */                          \
	X(EV_TICK_SIZE, "tick_size")       /* tick_size_change */                                  \
	X(EV_BBO, "bbo")                   /* best_bid_ask from the exchange */                    \
	X(EV_MARKET_INFO, "market_info")   /* new_market announcement */                           \
	X(EV_RESOLVED, "resolved")         /* market_resolved */                                   \
	X(EV_PONG, "pong")                 /* the text frame PONG */                               \
	X(EV_EMPTY, "empty")               /* the frame [] (unknown or closed token) */            \
	X(EV_SERVER_ERROR, "server_error") /* plain-text error such as INVALID OPERATION */        \
	X(EV_UNKNOWN, "unknown")           /* well-formed, unknown event_type */                   \
	X(EV_MALFORMED, "malformed")       /* could not be understood; reason says why */

enum ev_kind {
#define X(e, s) e,
	EV_KINDS(X)
#undef X
	    EV_KIND_COUNT
};

const char *ev_kind_name(enum ev_kind k);

struct ev_str {
	const char *s; /* not NUL-terminated necessarily; NULL when absent */
	size_t len;
};

#define PROTO_MAX_OUTCOMES 8

struct event {
	enum ev_kind kind;
	struct ev_str asset_id; /* token id, decimal string (up to 78 digits) */
	struct ev_str market;   /* condition id, 0x + 64 hex */
	int64_t ts_ms;          /* exchange timestamp, Unix ms; 0 when absent */
	union {
		struct {
			const struct ev_level *bids; /* in the order sent (live: best last) */
			size_t nbids;
			const struct ev_level *asks;
			size_t nasks;
			int64_t tick;       /* micro-dollars, 0 when absent */
			int64_t last_trade; /* micro-dollars, PRICE_NONE when absent or "" */
		} book;
		struct {
			enum side side;
			int64_t price; /* micro-dollars */
			int64_t size;  /* micro-shares, absolute; 0 removes the level */
			bool has_bbo;  /* best_bid/best_ask were present */
			int64_t
			    best_bid; /* exchange's top of book after the change, or PRICE_NONE */
			int64_t best_ask;   /* ditto */
			bool last_in_frame; /* last level event for this asset in the frame */
		} level;
		struct {
			enum side side;  /* taker's side */
			int64_t price;   /* micro-dollars */
			int64_t size;    /* micro-shares */
			int32_t fee_bps; /* -1 when absent */
		} trade;
		struct {
			int64_t old_tick; /* micro-dollars, 0 when absent */
			int64_t new_tick;
		} tick;
		struct {
			int64_t best_bid; /* micro-dollars or PRICE_NONE */
			int64_t best_ask;
		} bbo;
		struct {
			struct ev_str question;
			struct ev_str slug;
			size_t nassets; /* asset ids, outcomes index-aligned when present */
			struct ev_str assets[PROTO_MAX_OUTCOMES];
			struct ev_str outcomes[PROTO_MAX_OUTCOMES];
			int64_t tick; /* order_price_min_tick_size, 0 when absent */
		} info; /* EV_MARKET_INFO, and EV_RESOLVED which also fills .resolved */
		struct {
			struct ev_str
			    text; /* EV_SERVER_ERROR: the text; EV_UNKNOWN: the event_type */
		} other;
		struct {
			const char *reason; /* EV_MALFORMED: English text, valid in the callback */
			bool frame_dropped; /* the whole frame was dropped unparsed (too dense):
			                       any asset may have missed updates */
		} bad;
	};
	struct {
		struct ev_str winning_asset_id;
		struct ev_str winning_outcome;
	} resolved; /* EV_RESOLVED only (outside the union: info is filled too) */
};

/* Bounds on what one frame may cost.  A book side with more levels than the finest price
 * grid holds (0.0001 ticks on [0, 1]) is malformed.  A frame opening more objects and
 * arrays than PROTO_MAX_CONTAINERS, or one per 12 bytes, is dropped unparsed with one
 * EV_MALFORMED whose bad.frame_dropped is set.  Past PROTO_MAX_BAD_PER_FRAME malformed
 * elements in a frame, one more EV_MALFORMED says how many others there were. */
#define PROTO_MAX_LEVELS        10001
#define PROTO_MAX_CONTAINERS    500000
#define PROTO_MAX_BAD_PER_FRAME 8

typedef void (*proto_sink)(void *ctx, const struct event *ev);

struct proto_counters {
	uint64_t frames;       /* frames given to proto_parse */
	uint64_t events;       /* events emitted (all kinds) */
	uint64_t malformed;    /* EV_MALFORMED emitted */
	uint64_t unknown;      /* EV_UNKNOWN emitted */
	uint64_t unknown_keys; /* object keys not recognised (tolerated) */
	uint64_t by_kind[EV_KIND_COUNT];
};

struct proto;

/* The first call installs jansson's allocator process-wide (jarena.h): every jansson
 * allocation in the process, on any thread, then goes through the arena's hooks. */
struct proto *proto_create(void);
void proto_destroy(struct proto *p);

/* Parse one frame and call sink once per event, in order.  A frame yields at least one
 * event (EV_MALFORMED when nothing else).  A bad element inside an array or a bad entry
 * in a price_change yields EV_MALFORMED for that element only; the good ones still pass. */
void proto_parse(struct proto *p, const char *buf, size_t len, proto_sink sink, void *ctx);

const struct proto_counters *proto_counters(const struct proto *p);

#endif

/*
 * user: the model of the user channel: your orders and trades, keyed by id, with every
 * trade's statuses and the time it entered each; your open orders per asset and price;
 * the channel's state as the operator sees it ("user channel: authentication rejected").
 *
 * Fed by proto_user.c (the frames) and app_user.c (connection events); read by the user
 * pane, the book ladder's markers and the snapshot and metrics writers.  Raises alerts
 * (alerts.c) for a FAILED trade and a trade stuck in MATCHED or MINED longer than
 * --trade-stuck-after.  Every string in it was sanitised on the way in; it never holds a
 * credential.  Fixed-size tables (the oldest finished entries make room), so it never
 * grows.  Model (UI) thread only.
 */
#ifndef CLOBTOP_USER_H
#define CLOBTOP_USER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "assets.h"
#include "clob.h"

#define USER_ORDERS_MAX 512 /* orders kept */
#define USER_TRADES_MAX 512 /* trades kept */
#define USER_ID_MAX     80  /* bytes of an order or trade id, sanitised */
#define USER_STATUS_MAX 32  /* bytes of a status */
#define USER_HIST       8   /* statuses a trade remembers */
#define USER_TEXT_MAX   32  /* bytes of an outcome or an order type */

/* Trade statuses: the known ones, and OTHER for free text. */
#define USER_TSTATUS(X)                                                                            \
	X(UT_MATCHED, "MATCHED")                                                                   \
	X(UT_MINED, "MINED")                                                                       \
	X(UT_CONFIRMED, "CONFIRMED")                                                               \
	X(UT_RETRYING, "RETRYING")                                                                 \
	X(UT_FAILED, "FAILED")                                                                     \
	X(UT_OTHER, "other")

enum user_tstatus {
#define X(e, s) e,
	USER_TSTATUS(X)
#undef X
	    UT_COUNT
};

const char *user_tstatus_name(enum user_tstatus s);

struct user_order {
	char id[USER_ID_MAX];           /* order id */
	char market[MARKET_ID_MAX];     /* condition id, "" unknown */
	char asset[ASSET_ID_MAX];       /* token id, "" unknown */
	char outcome[USER_TEXT_MAX];    /* "Yes", "" unknown */
	char type[USER_TEXT_MAX];       /* last event: PLACEMENT, UPDATE, CANCELLATION */
	char status[USER_STATUS_MAX];   /* LIVE, MATCHED, CANCELED, or what came */
	char order_type[USER_TEXT_MAX]; /* GTC, FOK, ... */
	int side;                       /* enum side, -1 unknown */
	int64_t price;                  /* micro-dollars, -1 unknown */
	int64_t original_size;          /* micro-shares, -1 unknown */
	int64_t size_matched;           /* micro-shares, -1 unknown */
	int64_t ts_ms;                  /* last exchange timestamp, Unix ms, 0 unknown */
	int64_t first_mono_ns;          /* first event received */
	int64_t last_mono_ns;           /* last event received */
	bool open;                      /* resting: not cancelled, not fully matched */
};

struct user_status_at {
	char status[USER_STATUS_MAX]; /* as received (sanitised) */
	int64_t since_mono_ns;        /* when it was first received */
};

struct user_trade {
	char id[USER_ID_MAX];                  /* trade id */
	char taker_order[USER_ID_MAX];         /* taker_order_id, "" unknown */
	char market[MARKET_ID_MAX];            /* condition id */
	char asset[ASSET_ID_MAX];              /* token id */
	char outcome[USER_TEXT_MAX];           /* outcome name */
	int side;                              /* enum side, -1 unknown */
	int64_t price;                         /* micro-dollars, -1 unknown */
	int64_t size;                          /* micro-shares, -1 unknown */
	int64_t match_ms;                      /* match_time / matchtime, Unix ms, 0 unknown */
	int64_t ts_ms;                         /* last timestamp, Unix ms, 0 unknown */
	enum user_tstatus st;                  /* current status, classified */
	struct user_status_at hist[USER_HIST]; /* statuses in order; the last is current */
	int nhist;                             /* entries in hist */
	bool stuck_alerted;                    /* the stuck alert fired for the current status */
	bool failed_alerted;                   /* the FAILED alert fired */
};

struct user_model {
	struct user_order orders[USER_ORDERS_MAX]; /* oldest first */
	size_t norders;                            /* in use */
	struct user_trade trades[USER_TRADES_MAX]; /* oldest first */
	size_t ntrades;                            /* in use */
	int64_t stuck_ns;                          /* --trade-stuck-after, ns */
	uint64_t frames;                           /* frames received */
	uint64_t order_events;                     /* order events applied */
	uint64_t trade_events;                     /* trade events applied */
	uint64_t malformed;                        /* frames or events not understood */
	uint64_t rejections;                       /* authentication rejections seen */
	bool connected;                            /* the channel is up and authenticated */
	char state[160];                           /* "user channel: ..." for the header */
};

struct market_state;

void user_init(struct user_model *u, int64_t stuck_ns);
/* The order with this id, created when absent (the oldest closed one makes room); NULL
 * only for an empty id. */
struct user_order *user_order_get(struct user_model *u, const char *id, size_t len,
                                  int64_t now_mono_ns);
struct user_trade *user_trade_get(struct user_model *u, const char *id, size_t len,
                                  int64_t now_mono_ns);
/* A trade's status arrived: a new one is appended with its time (and may raise the
 * FAILED alert); a repeat changes nothing. */
void user_trade_status(struct user_model *u, struct market_state *m, struct user_trade *t,
                       const char *status, size_t len, int64_t now_mono_ns);
/* Once per refresh: the stuck-trade alerts. */
void user_tick(struct user_model *u, struct market_state *m, int64_t now_mono_ns);

/* Open orders counted; and for the book ladder: your open size at (asset, side, price),
 * 0 when none. */
size_t user_open_orders(const struct user_model *u);
int64_t user_open_size_at(const struct user_model *u, const char *asset, int side, int64_t price);
/* Trades by current status. */
void user_trade_counts(const struct user_model *u, uint64_t out[UT_COUNT]);

/* Timestamps arrive in seconds or milliseconds: below 1e11 it is seconds (1e11 ms is
 * 1973, 1e11 s the year 5138). */
int64_t user_ts_to_ms(int64_t v);

/* proto_user.c: apply one user-channel frame (an event object or an array of them).
 * Returns the events applied; malformed ones are counted. */
int user_apply_frame(struct user_model *u, struct market_state *m, const char *p, size_t n,
                     int64_t now_mono_ns);

#endif

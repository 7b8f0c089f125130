/*
 * market_rest: the model's side of the REST truth: books fetched from the exchange's
 * REST API (through the worker in rest.c, driven by app_rest.c) applied to assets.
 *
 *   resync    drift, a gap, a missing snapshot or 'r' fetch the book in one request
 *             instead of resubscribing; the REST book replaces the rebuilt one and the
 *             socket updates newer than its timestamp are applied on top (older ones are
 *             dropped).
 *   audit     --audit-every compares assets round-robin with the REST book, once the
 *             socket has caught up with the REST book's timestamp (otherwise it looks
 *             twice before calling a difference a mismatch); a mismatch is one alert,
 *             a count and a REST resync.
 *   fallback  an asset whose feed has been down longer than --rest-fallback-after is
 *             polled every --rest-poll (state "rest") until the socket's snapshot wins.
 *
 * While a resync or an audit waits for its answer, the asset's socket updates are logged
 * (a fixed log per slot, allocated once), so that the answer can be brought up to date.
 * Must never block, touch the network (it asks through the fetch hook) or allocate per
 * message.  Model (UI) thread only.
 */
#ifndef CLOBTOP_MARKET_REST_H
#define CLOBTOP_MARKET_REST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clob.h"
#include "rest.h"

/* Where an asset's book came from. */
enum book_source {
	BOOK_SRC_NONE,   /* no book yet */
	BOOK_SRC_SOCKET, /* a snapshot on the market channel */
	BOOK_SRC_REST,   /* GET /book or POST /books */
};

const char *book_source_name(enum book_source s); /* "none", "socket", "rest" */

/* The REST options (struct options.rest). */
struct rest_options {
	const char *url;           /* --rest-url; NULL: the public host with the default --url
	                              (or clobsim's with --demo), otherwise REST is off */
	bool off;                  /* --no-rest */
	int64_t audit_every_ms;    /* --audit-every (60000), 0 = no audit */
	int64_t fallback_after_ms; /* --rest-fallback-after (15000) */
	int64_t poll_ms;           /* --rest-poll (2000) */
};

/* Per asset: a member of struct asset, written here only. */
struct asset_rest {
	enum book_source source;   /* of the current book */
	int64_t source_mono_ns;    /* when it was applied (CLOCK_MONOTONIC), 0 never */
	int64_t source_real_ns;    /* the same, CLOCK_REALTIME */
	int64_t book_ts_ms;        /* exchange timestamp of the last REST book, 0 none */
	int64_t floor_ms;          /* socket updates older than this are dropped, 0 none */
	uint16_t slot;             /* 1 + the resync/audit slot waiting, 0 none */
	bool fallback;             /* polled from REST while its feed is down */
	bool poll_asked;           /* a fallback poll is on its way */
	int64_t asked_awaiting_ns; /* the wait for a snapshot REST was asked about */
	uint64_t dropped_older;    /* socket updates dropped as older than the REST book */
	uint64_t rest_books;       /* REST books applied */
};

struct audit_stats {
	uint64_t done;                  /* comparisons judged */
	uint64_t agreed;                /* of which equal */
	uint64_t mismatched;            /* of which confirmed different */
	uint64_t rechecks;              /* differences looked at twice */
	uint64_t errors;                /* audits whose answer was an error */
	char last_asset[TOKEN_ID_SIZE]; /* of the last mismatch, "" none */
	char last_level[200];           /* its first differing level, in words */
	int64_t last_real_ns;           /* when, 0 never */
};

/* Asks the REST worker for one book; false when it could not be queued. */
typedef bool (*rest_fetch_fn)(void *ctx, const char *id, bool urgent);

struct rs_slot;
struct lat_window;

struct market_rest {
	struct rest_options o;
	rest_fetch_fn fetch;
	void *ctx;
	struct rs_slot *slots;     /* resyncs and audits waiting (RS_SLOTS) */
	struct audit_stats audit;  /* see above */
	struct rest_counters wc;   /* the worker's counters, as last handed in */
	struct lat_window *lat_ms; /* REST round trips, ms (apart from the socket's) */
	uint64_t resyncs;          /* REST resyncs asked for */
	uint64_t resynced;         /* of which applied */
	uint64_t polls;            /* fallback books asked for */
	uint64_t polled;           /* fallback books applied */
	uint64_t errors;           /* answers that were errors */
	uint64_t socket_fallbacks; /* resyncs that went to the socket after REST failed */
	uint64_t dropped_older;    /* socket updates older than a REST book */
	size_t audit_next;         /* round-robin position */
	int64_t audit_next_ns;     /* when the next audit starts */
	int64_t poll_next_ns;      /* when the next fallback poll goes out */
	bool bypass;               /* market_resync goes to the socket (REST failed) */
};

struct market_state;
struct asset;
struct event;

/* REST on for m: fetch is how books are asked for.  0, or -1 when memory ran out. */
int market_rest_init(struct market_state *m, const struct rest_options *o, rest_fetch_fn fetch,
                     void *ctx);
void market_rest_free(struct market_state *m);

/* market_resync's REST path: true when the resync of id (NULL: every subscribed asset)
 * went to REST, false when the socket must do it. */
bool market_rest_resync(struct market_state *m, const char *id, const char *why);

/* Hot path, for a level change of an asset with a slot or a floor: true when the event is
 * consumed (older than the REST book, or logged while the book is being replaced). */
bool market_rest_level(struct market_state *m, struct asset *a, const struct event *ev);

/* A socket snapshot was applied to a: it wins over REST (fallback and floor end). */
void market_rest_socket_book(struct market_state *m, struct asset *a);

/* One answer of the worker. */
void market_rest_answer(struct market_state *m, const struct rest_book *rb, int64_t now_mono_ns);

/* Once per refresh: audits due, audits to judge, fallback polls, missing snapshots. */
void market_rest_tick(struct market_state *m, int64_t now_mono_ns);

#endif

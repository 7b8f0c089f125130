/*
 * rest: order books from the CLOB REST API (GET /book?token_id=, POST /books), fetched
 * on a worker thread inside a request budget.
 *
 * The UI thread asks for books with rest_fetch() and collects them with rest_peek() /
 * rest_release(); neither ever blocks.  The worker de-duplicates ids already queued or
 * in flight, batches them (at most REST_MAX_BATCH per POST /books, a single id by GET
 * /book), keeps each kind of request under its token bucket, pauses for 429 and its
 * Retry-After, backs off exponentially with jitter on errors and re-queues the ids of a
 * failed request, so an id asked for is always answered: with its book, or with an error
 * for that asset (unknown token, malformed book, book too large for a record).
 *
 * Requests travel in an SPSC ring as REC_REST_REQ records; answers come back in a second
 * SPSC ring as REC_REST_BOOK records, each a struct rest_book followed by its levels.
 * Hence exactly one thread (the UI) may call rest_fetch, rest_peek and rest_release;
 * rest_counters and rest_wake_fd are safe from any thread.
 *
 * Must never: block the caller, let an unsanitised network string into a record, read an
 * unbounded answer, exceed its budget, or drop an id it was asked for without an answer.
 */
#ifndef CLOBTOP_REST_H
#define CLOBTOP_REST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clob.h"

#define REST_BASE_URL  "https://clob.polymarket.com"
#define REST_MAX_BATCH 250 /* ids per POST /books: the exchange's limit */

/* Published limits, requests per 10 s. */
#define REST_LIMIT_BOOK  1500 /* GET /book */
#define REST_LIMIT_BOOKS 500  /* POST /books */

struct rest_config {
	const char *base_url;    /* e.g. REST_BASE_URL, no trailing path needed */
	const char *ca_file;     /* PEM bundle for a private CA, or NULL */
	bool insecure;           /* skip TLS verification (warned about by the caller) */
	long connect_ms;         /* connect timeout (5000) */
	long timeout_ms;         /* whole-request timeout (10000) */
	size_t max_body;         /* larger answers are refused (32 MiB) */
	double book_per_10s;     /* GET /book budget, requests per 10 s (80 % of the limit) */
	double books_per_10s;    /* POST /books budget, requests per 10 s (80 % of the limit) */
	size_t max_batch;        /* ids per POST /books, 1 .. REST_MAX_BATCH (250) */
	size_t max_inflight;     /* concurrent requests (4) */
	long backoff_min_ms;     /* first pause after an error (500) */
	long backoff_max_ms;     /* longest pause after errors (30000) */
	long retry_after_max_ms; /* a longer Retry-After is cut to this (120000) */
	size_t answer_ring;      /* bytes of the answer ring (8 MiB); a book whose record
	                            does not fit is an error for its asset */
};

void rest_config_defaults(struct rest_config *c);

/* One answer for one asset.  The levels follow the struct in the same record: bids
 * first, then asks, each side in the order the exchange sent it (best last). */
struct rest_book {
	char asset_id[TOKEN_ID_SIZE]; /* the id asked for */
	bool ok;                      /* a book came; false: error says why */
	bool will_retry;              /* !ok and the worker asks again (transient failure) */
	int32_t http_status;          /* of the answer; 0 when no HTTP answer came */
	char error[160];              /* sanitised, in words; "" when ok */
	char hash[72];                /* exchange's book hash, sanitised; "" when absent */
	int64_t ts_ms;                /* exchange timestamp, Unix ms; 0 when absent */
	int64_t tick;                 /* micro-dollars, 0 when absent */
	int64_t last_trade;           /* micro-dollars, PRICE_NONE when absent */
	int64_t sent_mono_ns;         /* CLOCK_MONOTONIC when the request went out */
	int64_t recv_mono_ns;         /* CLOCK_MONOTONIC when the answer was complete */
	uint32_t nbids;               /* levels in levels[0 .. nbids) */
	uint32_t nasks;               /* levels in levels[nbids .. nbids + nasks) */
	struct ev_level levels[];     /* micro-dollars / micro-shares */
};

/* Counters since rest_start, each read atomically. */
struct rest_counters {
	uint64_t requests;  /* HTTP requests sent (both kinds) */
	uint64_t req_book;  /* of which GET /book */
	uint64_t req_books; /* of which POST /books */
	uint64_t books;     /* books answered ok */
	uint64_t errors;    /* failed requests and per-asset errors */
	uint64_t http_429;  /* answers 429 */
	uint64_t bytes;     /* answer bytes received */
	uint64_t deduped;   /* ids asked for while already queued or in flight */
	uint64_t in_flight; /* requests in flight now */
	uint64_t queued;    /* ids waiting for a request now */
	uint64_t paused_ms; /* ms left of a 429 or back-off pause now; 0 when none */
};

struct rest;

/* Start the worker.  NULL with a message in err on failure (bad URL, libcurl refused an
 * option, no memory). */
struct rest *rest_start(const struct rest_config *cfg, char *err, size_t errlen);

/* Abort the requests in flight, join the worker and free everything; returns promptly
 * even with a slow request in flight.  NULL is fine. */
void rest_stop(struct rest *r);

/* Ask for the books of n ids (each a valid token id; invalid ones are skipped).  Returns
 * how many of ids[] were taken, from the front: fewer than n only when the request ring
 * is full, and the caller asks for the rest later.  urgent ids go before ids already
 * waiting (a resync), others after (an audit). */
size_t rest_fetch(struct rest *r, const char *const *ids, size_t n, bool urgent);

/* Non-blocking: the oldest answer, valid until rest_release(), or NULL when none is
 * ready.  After rest_wake_fd() becomes readable, call until NULL. */
const struct rest_book *rest_peek(struct rest *r);
void rest_release(struct rest *r);

/* Readable when answers are waiting (an eventfd; rest_peek rearms it). */
int rest_wake_fd(const struct rest *r);

void rest_counters(const struct rest *r, struct rest_counters *out);

#endif

/*
 * gamma: market metadata (question, slug, outcomes, token ids, tick size, closed) from
 * Polymarket's Gamma REST API, looked up on a worker thread.
 *
 * The UI thread queues lookups (gamma_lookup_tokens, gamma_lookup_slug) and collects
 * answers with gamma_poll; neither ever blocks.  The worker owns its own libcurl handle,
 * does plain HTTP(S) GETs with bounded time and size, parses the JSON with jansson and
 * sends back a ready struct gamma_result, every network string already sanitised.
 *
 * Requests travel in an SPSC ring as REC_GAMMA_REQ records (one kind byte, then the query
 * text); results come back in a second SPSC ring as REC_GAMMA_RESULT records holding the bytes
 * of a struct gamma_result cut after its last used market.  Hence exactly one thread
 * (the UI) may call gamma_lookup_* and gamma_poll.
 *
 * Discovery (gamma_discover, worker side in gamma_disc.c) pages through a listing and
 * sends its markets back in several results of kind GAMMA_DISCOVER (more set on all but
 * the last).  Every request the worker makes is paced to at most cfg.rate per 10 s.
 *
 * Must never: block the caller, let an unsanitised network string into a result, or
 * read an unbounded answer.
 */
#ifndef CLOBTOP_GAMMA_H
#define CLOBTOP_GAMMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clob.h"

#define GAMMA_BASE_URL    "https://gamma-api.polymarket.com"
#define GAMMA_MAX_IDS     16  /* token ids per gamma_lookup_tokens call */
#define GAMMA_MAX_MARKETS 16  /* markets per result; more are counted in .truncated */
#define GAMMA_MAX_TOKENS  8   /* outcomes kept per market */
#define GAMMA_PAGE        500 /* markets asked for per listing page */
#define GAMMA_RATE        300 /* default requests per 10 s (Gamma's limit for /markets) */

enum gamma_kind {
	GAMMA_TOKENS = 1, /* gamma_lookup_tokens: markets holding the given token ids */
	GAMMA_SLUG,       /* gamma_lookup_slug: a market slug, else an event slug */
	GAMMA_DISCOVER,   /* gamma_discover: a page (or part of one) of a listing */
};

struct gamma_market {
	char question[160];                          /* sanitised, cut at a character boundary */
	char slug[128];                              /* sanitised */
	char condition_id[68];                       /* sanitised, "0x" + 64 hex when complete */
	int64_t tick;                                /* micro-dollars, 0 when unknown */
	bool closed;                                 /* the market no longer trades */
	size_t ntokens;                              /* entries used in token[] and outcome[] */
	char token[GAMMA_MAX_TOKENS][TOKEN_ID_SIZE]; /* sanitised decimal token ids */
	char outcome[GAMMA_MAX_TOKENS][48];          /* sanitised outcome names ("" when missing) */
};

struct gamma_result {
	int kind;                                       /* enum gamma_kind */
	char query[GAMMA_MAX_IDS * TOKEN_ID_SIZE];      /* the ids or slug asked for, sanitised */
	bool ok;                                        /* every request answered and parsed */
	char error[200];                                /* in words; "" when none */
	size_t truncated;                               /* markets dropped past the array */
	bool more;                                      /* more results follow for this query */
	unsigned page;                                  /* GAMMA_DISCOVER: pages fetched so far */
	unsigned retries;                               /* GAMMA_DISCOVER: failed fetches retried */
	size_t total;                                   /* markets sent so far for this query */
	size_t nmarkets;                                /* entries used in markets[] */
	struct gamma_market markets[GAMMA_MAX_MARKETS]; /* in the order found */
};

struct gamma_config {
	const char *base_url; /* e.g. GAMMA_BASE_URL, no trailing path needed */
	const char *ca_file;  /* PEM bundle for a private CA, or NULL */
	bool insecure;        /* skip TLS verification (warned about by the caller) */
	long connect_ms;      /* connect timeout (5000) */
	long timeout_ms;      /* whole-request timeout (10000) */
	size_t max_body;      /* larger answers are refused (4 MiB) */
	unsigned rate;        /* requests per 10 s at most (GAMMA_RATE); 0 = unpaced */
};

void gamma_config_defaults(struct gamma_config *c);

struct gamma;

/* Start the worker.  NULL with a message in err on failure. */
struct gamma *gamma_start(const char *base_url, const char *ca_file, bool insecure, char *err,
                          size_t errlen);
struct gamma *gamma_start_config(const struct gamma_config *cfg, char *err, size_t errlen);

/* Abort any request in flight, join the worker and free everything.  NULL is fine. */
void gamma_stop(struct gamma *g);

/* Queue a lookup.  False when it was not queued: empty, too long, more than
 * GAMMA_MAX_IDS ids, or the request queue is full.
 *
 * Tokens: ids separated by spaces.  The result holds each distinct market that lists one
 * of them, open or closed; ok is false when a request failed or no id was found, and
 * error names the ids not found even when ok is true.
 *
 * Slug: a market slug, else an event slug (all of the event's markets); ok is false with
 * "no market or event with slug X" when neither exists. */
bool gamma_lookup_tokens(struct gamma *g, const char *ids_space_separated);
bool gamma_lookup_slug(struct gamma *g, const char *slug);

/* Queue a discovery: scope 'A' every active market (slug ignored), 'E' the event with
 * that slug, 'T' every active market with that tag.  Results of kind GAMMA_DISCOVER carry
 * the open markets found, page by page; a failed page is retried with back-off (a result
 * with ok false and the error says so) until it is answered or gamma_stop. */
bool gamma_discover(struct gamma *g, char scope, const char *slug);

/* Non-blocking: copies the oldest answer into *out and returns true, or returns false
 * when none is ready.  After gamma_wake_fd() becomes readable, call it until false. */
bool gamma_poll(struct gamma *g, struct gamma_result *out);

/* Readable when answers are waiting (an eventfd; gamma_poll rearms it). */
int gamma_wake_fd(const struct gamma *g);

#endif

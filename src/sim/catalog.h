/*
 * catalog: clobsim's Gamma-like listing service: markets grouped into events and tagged,
 * served page by page (GET /markets?limit&offset&tag_id, GET /events?slug|tag_slug,
 * GET /events/slug/S, GET /tags/slug/S), behind a rate limiter like Gamma's (a fixed
 * number of requests per 10 s window, 429 with Retry-After beyond) and a fault that
 * fails the next N listing requests with 500 (GET /fault?kind=gamma500&count=N).
 * Counters are served at GET /stats/gamma.
 *
 * Reads the generator's truth and never changes it; builds JSON with jansson (off the
 * hot path).  clobsim is single-threaded: only its poll loop (or a test) calls this.
 */
#ifndef CLOBSIM_CATALOG_H
#define CLOBSIM_CATALOG_H

#include <stdbool.h>
#include <stdint.h>

#include "gen.h"
#include "sbuf.h"

#define CATALOG_EVENT_MARKETS 4             /* markets per event: market i is in event i / 4 */
#define CATALOG_MAX_LIMIT     500           /* largest page a listing serves */
#define CATALOG_WINDOW_NS     10000000000LL /* the rate limiter's window, ns */

struct catalog {
	int rate;              /* Gamma requests allowed per window; 0 = unlimited */
	int64_t window_start;  /* monotonic ns the current window began */
	uint64_t window_count; /* requests in the current window */
	uint64_t window_max;   /* most requests answered (not 429) in one window */
	uint64_t requests;     /* Gamma requests received */
	uint64_t pages;        /* listing pages answered 200 (limit given) */
	uint64_t throttled;    /* answered 429 */
	uint64_t failed;       /* answered 500 by the gamma500 fault */
	uint64_t fail_next;    /* listing requests still to fail (gamma500) */
	int retry_after;       /* seconds in the last 429's Retry-After */
	char retry_hdr[48];    /* "Retry-After: N\r\n" of the last 429 */
};

/* The tag of an event: its slug and Gamma-like numeric id. */
const char *catalog_tag_slug(int event);
int catalog_tag_id(int event);

/* Answers a Gamma route (and GET /fault?kind=gamma500, GET /stats/gamma): the HTTP
 * status with the body in b, or 0 when path is not one of them. */
int catalog_route(struct catalog *c, const struct gen *g, const char *path, const char *target,
                  int64_t now_mono, struct sbuf *b);

#endif

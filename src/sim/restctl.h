/*
 * restctl: the pure parts of clobsim's REST book service: the POST /books body parser,
 * the sliding-window request limiter, and the armed REST faults (rest500, rest429,
 * restslow, restwrong) with their command-line and GET /fault spellings.
 *
 * Plain data and arithmetic: nothing here touches a socket, the generator or the clock
 * (callers pass the time), so every rule is unit-tested on its own.  Hostile input (a
 * body, a query) is bounded and never trusted.  clobsim is single-threaded: only its one
 * thread (or a test) calls this.
 */
#ifndef CLOBSIM_RESTCTL_H
#define CLOBSIM_RESTCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rest.h"

#define REST_BOOKS_MAX   250         /* token ids in one POST /books, as the exchange allows */
#define REST_BODY_MAX    65536       /* bytes of a request body; more is answered 413 */
#define REST_ID_CAP      REST_ID_LEN /* bytes kept of one token id; longer ids are unknown */
#define REST_WINDOW_NS   10000000000 /* the limiter's sliding window: 10 s */
#define REST_LIMIT_MAX   100000      /* requests per window one limiter may allow */
#define REST_SLOW_MS_MAX 600000      /* longest restslow delay, ms */

/* The token ids of a POST /books body, in request order. */
struct rest_ids {
	int n;                                /* entries in the request (all of them) */
	char id[REST_BOOKS_MAX][REST_ID_CAP]; /* the ids; "" for one too long to be known */
};

enum rest_parse {
	REST_IDS_OK = 0,        /* ids filled */
	REST_IDS_INVALID = -1,  /* not a JSON array of {"token_id": "..."} objects */
	REST_IDS_TOO_MANY = -2, /* more than REST_BOOKS_MAX entries (ids->n says how many) */
};

/* Parse a /books body (n bytes, not NUL-terminated).  An error text for the client goes
 * to err. */
enum rest_parse restctl_parse_ids(const char *body, size_t n, struct rest_ids *ids, char *err,
                                  size_t errcap);

/* A sliding-window limiter: at most `limit` admitted requests in any REST_WINDOW_NS. */
struct rlimit {
	int64_t *t;     /* admission times, ns, a ring of `limit` entries (heap) */
	uint32_t limit; /* requests per window; 0 = no limit */
	uint32_t head;  /* index of the oldest admission */
	uint32_t n;     /* admissions in the ring */
	int64_t window; /* ns */
};

/* Returns 0, or -1 when memory ran out.  limit 0 turns the limiter off. */
int rlimit_init(struct rlimit *rl, uint32_t limit, int64_t window_ns);
void rlimit_free(struct rlimit *rl);
/* Admit a request at now_ns (returns 0) or refuse it: returns the whole seconds until
 * the window has room again, at least 1.  Refused requests do not count. */
int rlimit_take(struct rlimit *rl, int64_t now_ns);

enum rest_fault_kind { RF_500, RF_429, RF_SLOW, RF_WRONG, RF_KINDS };

/* REST faults waiting for the next requests. */
struct rest_faults {
	uint64_t left[RF_KINDS];       /* answers still to be spoiled, per kind */
	int retry_after;               /* rest429: the Retry-After seconds, >= 1 */
	int slow_ms;                   /* restslow: the delay, ms */
	char wrong_asset[REST_ID_CAP]; /* restwrong: only this asset's book, "" any */
};

/* The kind named "rest500", "rest429", "restslow" or "restwrong", or -1. */
int restctl_kind(const char *name);
const char *restctl_kind_name(int kind);

/* Arm from the command line: "KIND[:COUNT]", "rest429=S[:COUNT]", "restslow=MS[:COUNT]",
 * "restwrong=ASSET[:COUNT]".  Returns 0, or -1 with a message in err. */
int restctl_arm_spec(struct rest_faults *f, const char *spec, char *err, size_t errcap);

/* Arm kind with count (default 1) and its parameter given as text (NULL = default):
 * Retry-After seconds for rest429, ms for restslow, the asset id for restwrong.
 * Replaces what that kind had pending.  Returns 0, or -1 with a message in err. */
int restctl_arm(struct rest_faults *f, int kind, const char *count, const char *param, char *err,
                size_t errcap);

/* Take one pending fault of kind (true when one was pending). */
bool restctl_take(struct rest_faults *f, int kind);

#endif

/*
 * restq: the REST worker's bookkeeping, kept apart so it can be tested without a
 * network: the ids waiting for a request (a FIFO that urgent ids and failed requests can
 * jump), the set of ids waiting or in flight (an id asked for twice is fetched once), and
 * the token buckets that keep each kind of request under its budget.
 *
 * Pure data structures: no I/O, no clock of their own (times are passed in), no locks.
 * Owned and used by one thread (the REST worker).
 */
#ifndef CLOBTOP_RESTQ_H
#define CLOBTOP_RESTQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clob.h"

#define RESTQ_MAX_IDS 65536 /* ids waiting or in flight at once */

struct restq_id {
	char id[TOKEN_ID_SIZE]; /* a valid token id, NUL-terminated */
	bool solo;              /* ask for it alone (GET /book): a batch holding it failed */
};

enum restq_add {
	RESTQ_ADDED, /* now waiting */
	RESTQ_DUP,   /* already waiting or in flight: nothing done */
	RESTQ_FULL,  /* RESTQ_MAX_IDS reached, or no memory: not added */
};

struct restq;

struct restq *restq_create(void);
void restq_destroy(struct restq *q);

/* A new id at the back, or at the front when urgent. */
enum restq_add restq_add(struct restq *q, const char *id, bool urgent);

/* Moves up to max ids from the front into out[] for one request; they stay in the set
 * (in flight) until restq_done or restq_requeue.  A solo id is only ever taken alone:
 * when the front id is solo, or max is 1, exactly one is taken; a batch stops before the
 * first solo id.  Returns how many were taken. */
size_t restq_take(struct restq *q, struct restq_id *out, size_t max);

/* Puts an id taken earlier back at the front (it stays in the set).  Requeue a failed
 * batch from its last id to its first to keep its order. */
bool restq_requeue(struct restq *q, const char *id, bool solo);

/* The id was answered: out of the set, so asking again fetches it again. */
void restq_done(struct restq *q, const char *id);

size_t restq_waiting(const struct restq *q);  /* ids waiting for a request */
size_t restq_known(const struct restq *q);    /* ids waiting or in flight */
bool restq_front_solo(const struct restq *q); /* the next id must go alone */

/* A token bucket holding at most a tenth of the budget, refilled so that no 10 s window
 * ever holds more requests than the budget: capacity + rate x 10 s = per_10s. */
struct bucket {
	double tokens;   /* requests that may start now */
	double cap;      /* most tokens held: max(1, per_10s / 10) */
	double per_ns;   /* tokens added per ns */
	int64_t last_ns; /* CLOCK_MONOTONIC of the last refill */
};

/* per_10s must be at least 2.  The bucket starts full. */
void bucket_init(struct bucket *b, double per_10s, int64_t now_ns);
bool bucket_take(struct bucket *b, int64_t now_ns);
/* ns until a token is there; 0 when one is. */
int64_t bucket_wait_ns(struct bucket *b, int64_t now_ns);

#endif

/*
 * lostids: which assets the records a full ring dropped were about, so that the UI
 * resynchronises only those (REC_LOST) instead of every asset of the connection.
 *
 * A receive thread that parses its frames (evpack.h) knows what it drops: it adds each
 * dropped REC_EVENTS payload here, and before its next record it pushes lostids_payload()
 * as one REC_LOST record, then clears the set.  When what was lost cannot be told (a
 * connection event, a frame that could not be packed, more distinct assets than
 * LOSTIDS_MAX, a frame dropped unparsed by proto) the set says "all".
 *
 * REC_LOST payload: struct lost_head, then the ids separated by single spaces (no NUL).
 *
 * Producer: one thread per set, allocation only at the first loss (then reused).  The
 * payload reader (lostids_next) is for the consumer and allocates nothing.
 */
#ifndef CLOBTOP_LOSTIDS_H
#define CLOBTOP_LOSTIDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LOSTIDS_MAX 1024 /* distinct ids remembered; more and the set says "all" */

struct lost_head {
	uint64_t records; /* records lost since the previous REC_LOST */
	uint32_t nids;    /* ids that follow */
	uint32_t all;     /* 1: every asset of the connection may have missed updates */
};

struct lostids;

struct lostids *lostids_create(void);
void lostids_destroy(struct lostids *l);

/* A dropped REC_EVENTS payload: its assets are added. */
void lostids_add_events(struct lostids *l, const void *payload, size_t len);
/* A lost record whose assets cannot be told. */
void lostids_add_all(struct lostids *l);
/* Something was lost since the last clear. */
bool lostids_pending(const struct lostids *l);
/* The REC_LOST payload for what was lost (valid until the set changes). */
const void *lostids_payload(const struct lostids *l, size_t *len);
void lostids_clear(struct lostids *l);

/* Consumer: the next id of a REC_LOST payload after *pos (start with *pos = 0); false at
 * the end.  *id points into the payload. */
bool lostids_next(const void *payload, size_t len, size_t *pos, const char **id, size_t *n);
/* The head of a REC_LOST payload; false when it is too short. */
bool lostids_read_head(const void *payload, size_t len, struct lost_head *h);

#endif

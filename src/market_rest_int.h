/*
 * market_rest_int: what market_rest.c (resync, fallback, answers) and market_audit.c
 * (the audit) share: the slots of resyncs and audits waiting for their REST answer.
 * Private to those two files.  Model (UI) thread only.
 */
#ifndef CLOBTOP_MARKET_REST_INT_H
#define CLOBTOP_MARKET_REST_INT_H

#include "book.h"
#include "market.h"
#include "market_rest.h"

#define RS_SLOTS 64   /* resyncs and audits waiting at once */
#define RS_LOG   1024 /* socket updates logged per slot while its answer is on its way */

struct rs_upd {
	int64_t ts_ms; /* exchange timestamp, 0 unknown */
	int64_t price; /* micro-dollars */
	int64_t size;  /* micro-shares, 0 removes the level */
	enum side side;
};

enum rs_kind {
	RS_FREE,
	RS_RESYNC, /* the REST book replaces the asset's */
	RS_AUDIT,  /* the REST book is compared with the asset's */
};

struct rs_slot {
	enum rs_kind kind;
	uint32_t asset;      /* index into market_state.assets */
	bool answered;       /* audit: shadow holds the REST book and the updates since */
	bool recheck;        /* audit: this is the second look */
	int64_t since_ns;    /* when the request went out (CLOCK_MONOTONIC) */
	int64_t answered_ns; /* when the answer was applied to shadow */
	int64_t ts_ms;       /* the REST book's timestamp */
	struct book shadow;  /* audit: REST book + socket updates since its timestamp */
	struct rs_upd *log;  /* RS_LOG entries, allocated once */
	size_t nlog;         /* entries used */
	bool overflow;       /* the log was full: an update was not logged */
};

/* market_rest.c */
struct rs_slot *rs_alloc(struct market_state *m, struct asset *a, enum rs_kind kind, int64_t now);
void rs_release(struct market_state *m, struct rs_slot *s);
/* The REST book's levels into b, then the logged updates not older than it. */
int rs_build(const struct rs_slot *s, struct book *b, const struct rest_book *rb);

/* market_audit.c */
void audit_answer(struct market_state *m, struct rs_slot *s, const struct rest_book *rb,
                  int64_t now);
void audit_tick(struct market_state *m, int64_t now);
/* The socket's first update after the REST book's timestamp is about to be applied: the
 * book holds everything up to that timestamp, so it is judged now, before that update
 * can overwrite the difference.  The slot is released. */
void audit_boundary(struct market_state *m, struct rs_slot *s);

#endif

/*
 * publish: hands books and trades on to Redis from a thread of its own.
 *
 * The UI thread hands a book on with publish_push_book(), which copies the book into the
 * ring as a binary record (bookrec.h) that the publisher thread renders to JSON
 * (bookmsg.h), or renders a message itself into publish_scratch() and pushes it with
 * publish_push(); the publisher thread takes records from its own SPSC ring and sends,
 * pipelined (all the records waiting, up to a batch, then all their replies):
 *   PUB_BOOK   PUBLISH polymarket:orderbook:<id> <json>; SET orderbook:polymarket:<id> <json> EX 5
 *   PUB_CACHE  SET orderbook:polymarket:<id> <json> EX 5      (refresh of an unchanged book)
 *   PUB_TRADE  PUBLISH polymarket:trade:<id> <json>
 *   PUB_BOOK_NOCACHE  PUBLISH polymarket:orderbook:<id> <json>   (a book not trusted)
 * and, with a stream key, XADD <key> MAXLEN ~ <n> * type book|trade asset_id <id>
 * seq <n> data <json> for every kind but PUB_CACHE.  seq counts every record offered to
 * publish_push() (including dropped ones), so a stream reader sees a gap as a jump.
 *
 * The UI thread never blocks: a full ring drops the record and counts it.  While Redis is
 * down the thread keeps draining the ring and counts what it throws away (stale books
 * are not worth replaying), reconnecting with back-off (100 ms doubling to 5 s).
 *
 * Conflation (--redis-interval) is the caller's decision; struct pub_conflate below keeps
 * the per-asset times for it.
 *
 * Threads: publish_start/stop, publish_scratch, publish_push(_book) and the pub_conflate
 * functions from ONE producer thread (the UI); publish_stats from any thread.  Never
 * prints the Redis password (errors are sanitised and never carry it).
 */
#ifndef CLOBTOP_PUBLISH_H
#define CLOBTOP_PUBLISH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "book.h"
#include "bookmsg.h"
#include "redisurl.h"

#define PUB_CHANNEL_BOOK  "polymarket:orderbook:"
#define PUB_CHANNEL_TRADE "polymarket:trade:"
#define PUB_CACHE_PREFIX  "orderbook:polymarket:"
#define PUB_CACHE_TTL_S   5
#define PUB_STREAM_MAXLEN 100000       /* default MAXLEN ~ of the stream */
#define PUB_MSG_MAX       (256 * 1024) /* largest rendered message */

enum pub_kind {
	PUB_BOOK = 1,         /* a changed book: publish + cache (+ stream) */
	PUB_CACHE = 2,        /* an unchanged trusted book: cache only */
	PUB_TRADE = 3,        /* a trade: publish (+ stream) */
	PUB_BOOK_NOCACHE = 4, /* a changed book clobtop does not vouch for: publish (+ stream),
	                         the cache key is left to expire */
};

#define PUB_STATES(X)                                                                              \
	X(PUB_CONNECTING, "connecting")                                                            \
	X(PUB_UP, "up")                                                                            \
	X(PUB_DOWN, "down")                                                                        \
	X(PUB_STOPPED, "stopped")

enum pub_state {
#define X(e, s) e,
	PUB_STATES(X)
#undef X
	    PUB_STATE_COUNT
};

const char *pub_state_name(enum pub_state s);

struct publish_config {
	struct redisurl url;    /* where to connect */
	const char *stream_key; /* --redis-stream, NULL for none */
	int64_t stream_maxlen;  /* MAXLEN ~ for XADD, 0 for PUB_STREAM_MAXLEN */
	size_t ring_bytes;      /* ring capacity, 0 for 8 MiB */
	int64_t io_timeout_ms;  /* connect/read/write timeout, 0 for 2000 */
};

struct publish_stats {
	enum pub_state link;  /* the Redis connection now */
	uint64_t offered;     /* records offered to publish_push */
	uint64_t published;   /* records whose every command Redis acknowledged */
	uint64_t pub_books;   /* of which changed books (PUB_BOOK, PUB_BOOK_NOCACHE) */
	uint64_t pub_trades;  /* of which trades */
	uint64_t dropped;     /* ring full, Redis down, or lost with a connection */
	uint64_t errors;      /* error replies + failed connections */
	uint64_t connects;    /* successful connections */
	char last_error[160]; /* sanitised, "" when none */
};

struct publisher;

/* Starts the thread (which connects in the background).  NULL with err on failure to
 * allocate or to start the thread: never for Redis being unreachable. */
struct publisher *publish_start(const struct publish_config *c, char *err, size_t errlen);
void publish_stop(struct publisher *p); /* joins the thread; NULL is a no-op */

/* A buffer of *cap bytes (PUB_MSG_MAX) to render the next message into. */
char *publish_scratch(struct publisher *p, size_t *cap);
/* Queues the len bytes rendered in publish_scratch() for asset_id.  False when dropped. */
bool publish_push(struct publisher *p, enum pub_kind kind, const char *asset_id, size_t len);
/* Queues book b with meta m (m->asset_id unused) for asset_id: copied now, rendered as
 * bookmsg_book() would into a PUB_MSG_MAX buffer on the publisher thread.  No allocation;
 * false when dropped (ring full, or a string of m too long for bookrec). */
bool publish_push_book(struct publisher *p, enum pub_kind kind, const char *asset_id,
                       const struct book *b, const struct bookmsg_meta *m);

void publish_stats(struct publisher *p, struct publish_stats *out);

/* Per-asset conflation, indexed by the caller's asset index. */
struct pub_conflate {
	int64_t interval_ns; /* --redis-interval; 0: every change */
	int64_t refresh_ns;  /* cache rewrite period for unchanged books (1 s) */
	struct pub_conflate_slot {
		int64_t last_pub_ns;   /* CLOCK_MONOTONIC of the last book publish, 0 never */
		int64_t last_cache_ns; /* of the last cache write (publish or refresh) */
		bool dirty;            /* changed since the last publish */
	} * slot;
	size_t cap; /* slots allocated */
};

void pub_conflate_init(struct pub_conflate *c, int64_t interval_ms);
void pub_conflate_free(struct pub_conflate *c);
/* The book of asset i changed.  False only when memory ran out. */
bool pub_conflate_mark(struct pub_conflate *c, size_t i);
/* True (and the slot updated) when asset i has an unpublished change and its interval
 * has passed: publish it as PUB_BOOK now.  Call on every change and on every tick. */
bool pub_conflate_due(struct pub_conflate *c, size_t i, int64_t now_mono_ns);
/* True (and the slot updated) when asset i's cache key was last written refresh_ns ago
 * or more: rewrite it (PUB_CACHE) if the book is trusted. */
bool pub_conflate_refresh_due(struct pub_conflate *c, size_t i, int64_t now_mono_ns);

#endif

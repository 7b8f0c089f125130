/*
 * pool: the shard pool.  Spreads the subscribed assets over several WebSocket
 * connections of at most --per-connection assets each; every connection is one struct
 * feed (its own receive thread) with its own data ring and command ring.
 *
 *   - a new asset goes to the least-loaded open connection; a new connection opens only
 *     when every open one is full (at most MARKET_CONN_MAX connections);
 *   - an unsubscribe goes to the asset's connection only: no other asset ever moves or
 *     is resubscribed;
 *   - a connection left without assets closes after POOL_IDLE_GRACE_NS (30 s); the first
 *     connection (slot 0) stays open, so an empty clobtop still shows a live feed;
 *   - subscription frames never carry more than --batch ids (feed_subs.c splits them);
 *   - each feed gets its own random seed, so the full-jitter reconnect delays of
 *     connections that drop together are independent.
 * The asset -> connection map is asset.conn in the model (the slot; see market_conn.h).
 *
 * Must never block on a feed (commands go through the rings; only pool_stop and the
 * idle close join a feed thread, which returns within about 2 s) and never take a lock.
 * Main (UI) thread only.
 */
#ifndef CLOBTOP_POOL_H
#define CLOBTOP_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "feed.h"
#include "msg.h"
#include "ring.h"

struct market_state;
struct ring_rec;

#define POOL_PER_CONN_DEFAULT 200
#define POOL_PER_CONN_MAX     500
#define POOL_IDLE_GRACE_NS    (30 * INT64_C(1000000000)) /* an empty connection closes */
#define POOL_CMD_RING         (256u * 1024u)             /* bytes per command ring */
#define POOL_RING_FLOOR       ((size_t)1 << 20)          /* smallest share of --ring-size */

struct pool_conn {
	bool open;              /* feed running */
	struct feed *feed;      /* its receive thread */
	struct ring *data;      /* feed -> UI */
	struct ring *cmd;       /* UI -> feed */
	size_t nassets;         /* assets subscribed on it */
	int64_t empty_since_ns; /* CLOCK_MONOTONIC it lost its last asset, 0 when it has some */
	uint64_t drops;         /* its ring's drops, kept once the ring is gone */
	uint64_t frames_prev;   /* feed frames at the previous pool_rates() */
	double msgs_per_s;      /* frames per second over the last pool_rates() interval */
};

/* Applies one record of slot k to whatever consumes them (the run loop). */
typedef void (*pool_apply_fn)(void *ctx, size_t k, const struct ring_rec *rec, int64_t now_mono);

struct pool {
	struct feed_config fc;    /* shared settings; assets/nassets unused */
	size_t per_conn;          /* --per-connection */
	size_t ring_size;         /* --ring-size: the data rings' budget (pool_ring_bytes) */
	struct market_state *m;   /* the model: asset.conn lives there */
	struct pool_conn *c;      /* slots, MARKET_CONN_MAX of them */
	size_t n;                 /* slots ever used (open or closed) */
	size_t rr;                /* slot the next drain starts with (fairness) */
	uint64_t closed_drops;    /* ring drops of connections closed since */
	uint64_t closed_oversize; /* oversize messages of connections closed since */
	int64_t rates_at_ns;      /* CLOCK_MONOTONIC of the last pool_rates() */
	char *scratch;            /* per-slot id lists while routing a command; only grows */
	size_t scratch_cap;       /* bytes allocated */
};

/* Starts the pool with the model's subscribed assets (at least one connection).  0, or
 * -1 with a message in err. */
int pool_start(struct pool *p, const struct feed_config *fc, size_t per_conn, size_t ring_size,
               struct market_state *m, char *err, size_t errlen);
/* Bytes of the data ring a connection opened now gets: --ring-size (budget) is shared
 * by the connections that subscribed assets need at per_conn each -- the largest power of
 * two at or below budget / connections -- but never less than POOL_RING_FLOOR or than
 * the ring an explicit max_message (0: none) needs, and never more than budget.  The
 * number is taken when a connection opens, so a pool that grows later may hold a little
 * more than the budget (at most the floor per extra connection). */
size_t pool_ring_bytes(size_t budget, size_t per_conn, size_t subscribed, size_t max_message);
/* Stops every feed (each within about 2 s), applies what their rings still hold with fn,
 * and frees the rings. */
void pool_stop(struct pool *p, pool_apply_fn fn, void *ctx);

/* Routes a command: SUB assigns unassigned assets, UNSUB/RESYNC go to each asset's
 * connection, RECONNECT to every connection.  Ids must be in the model (market_add
 * first).  False when a command could not be queued. */
bool pool_command(struct pool *p, enum feed_op op, const char *ids);
/* Forces slot k to reconnect now.  False when it is not open or its ring is full. */
bool pool_reconnect(struct pool *p, size_t k);

/* Applies up to budget records of each ring in turn, starting one slot later each call,
 * until every ring is empty (returns false) or until_mono has passed (returns true). */
bool pool_drain(struct pool *p, pool_apply_fn fn, void *ctx, int64_t until_mono);
/* Once per refresh: closes connections idle past the grace, updates the rates. */
void pool_tick(struct pool *p, pool_apply_fn fn, void *ctx, int64_t now_mono);

/* Fills fds with every open ring's wake fd; returns how many (at most max). */
size_t pool_wake_fds(const struct pool *p, int *fds, size_t max);
/* Rearms every wake fd. */
void pool_wake_drain(struct pool *p);

/* Counts for the header and exports. */
size_t pool_open(const struct pool *p);
size_t pool_up(const struct pool *p);
/* Sum of every ring's drops, bytes used, capacity; oversize of every feed. */
void pool_totals(const struct pool *p, uint64_t *drops, size_t *used, size_t *cap,
                 uint64_t *oversize);

#endif

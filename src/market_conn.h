/*
 * market_conn: the model's view of each connection of the shard pool (pool.c), so that
 * a connection that closes, stalls or freezes moves only its own assets ("no feed", then
 * "awaiting snapshot", then fresh) and every other connection's assets stay as they are.
 *
 * Each connection has a slot (its id, from 0); asset.conn names the slot an asset is
 * subscribed on.  Records are applied with market_state.cur_conn set to the slot of the
 * ring they came from (market_apply_record_on).  A model that never opened a slot (replay,
 * unit tests) has one implicit connection, market_state.conn, and every asset on it, as
 * before the pool existed.
 *
 * market_state.conn stays the roll-up: alive while any connection is up, connects and
 * reconnects summed, the latest event and error of any connection.
 *
 * Must never: block, touch the network, or allocate except when a slot is opened.
 * Model (UI) thread only.
 */
#ifndef CLOBTOP_MARKET_CONN_H
#define CLOBTOP_MARKET_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stats.h"

struct market_state;
struct asset;
struct conn_info;
struct ring_rec;

#define MARKET_CONN_MAX 1024 /* slots: 10,000 assets at 10 a connection */

struct market_conn {
	bool open;                   /* the slot is in use (pool.c opened it) */
	struct conn_info *info;      /* this connection as seen through its REC_CONN records */
	uint64_t frames;             /* REC_FRAME records applied */
	uint64_t gaps;               /* records flagged RING_F_GAP (its ring dropped before) */
	int64_t last_frame_mono_ns;  /* receipt time of its latest frame, 0 none */
	struct rate msg_rate;        /* frames per second */
	struct lat_window *feed_ms;  /* receipt - exchange timestamp, ms */
	int64_t gap_resync_mono_ns;  /* last resync of its assets for a gap, 0 never */
	bool gap_resync_pending;     /* another gap within the second: resync at the next tick */
	int64_t lost_resync_mono_ns; /* last resync of assets named by REC_LOST, 0 never */
	bool lost_resync_pending;    /* more were marked lost within the second: at next tick */
	/* handed in by the pool once per refresh (the model knows no ring or feed) */
	uint64_t drops;    /* records its ring dropped (full) */
	size_t nassets;    /* assets subscribed on it */
	double msgs_per_s; /* frames the feed received per second, last refresh interval */
};

/* Opens slot k (0 <= k < MARKET_CONN_MAX), url shown for it.  0, or -1 out of memory. */
int market_conn_open(struct market_state *m, size_t k, const char *url);
/* The slot is closed (its assets were moved or unsubscribed); its numbers are kept. */
void market_conn_close(struct market_state *m, size_t k);
/* Slot k, or NULL when it was never opened. */
struct market_conn *market_conn_get(const struct market_state *m, size_t k);
void market_conn_free(struct market_state *m);

/* The connection of the record being applied, or NULL (no pool: market_state.conn). */
struct market_conn *market_conn_cur(const struct market_state *m);
/* A connection event of the connection being applied (market_connev.c). */
struct conn_event;
void market_apply_conn(struct market_state *m, const struct conn_event *ce);
/* Where the record being applied changes connection state. */
struct conn_info *market_conn_info_cur(struct market_state *m);
/* After a connection event on the current slot: recompute the roll-up. */
void market_conn_rollup(struct market_state *m);
/* True when a belongs to the connection being applied (always true outside a pooled
 * record, and without a pool). */
bool market_conn_owns(const struct market_state *m, const struct asset *a);
/* "connection N: " when there is more than one slot, "" otherwise (for alert texts). */
const char *market_conn_prefix(const struct market_state *m);
/* A frame of the current slot arrived (now_s: the model's second counter; lat_ms: its
 * feed latency, NULL when the frame carried no exchange timestamp). */
void market_conn_frame(struct market_state *m, int64_t now_s, const int64_t *lat_ms);

/* The connection a is subscribed on (market_state.conn without a pool). */
const struct conn_info *market_asset_conn(const struct market_state *m, const struct asset *a);
/* Is the connection a is subscribed on up?  (market_state.conn.alive without a pool.) */
bool market_asset_alive(const struct market_state *m, const struct asset *a);

#endif

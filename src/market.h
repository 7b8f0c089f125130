/*
 * market: everything the UI thread knows about the feed, and the only code that changes it.
 *
 * It consumes ring records (frames and connection events), runs them through proto, and
 * applies the events to per-asset state: the L2 book, last trade, tick size, message
 * counts, trade flow, health and alerts.  The model is split by what it owns:
 *   assets.h  the asset table and its id index (adding an asset may move assets)
 *   health.h  the state table and every state transition (the only writer of state)
 *   alerts.h  the alert log and the trade tape
 *   market.h  this file: the model as a whole, records in, one function per event kind
 * Drift (the exchange's best_bid/best_ask disagreeing with our book beyond a short grace)
 * and ring gaps raise resync requests, which go to the feed through the command hook.
 * The UI panes, the headless summary and the snapshot exporter all read this one model;
 * they change it only through the functions declared in these headers.
 *
 * Data flows one way: network -> ring -> proto -> model -> panes/export.  The model knows
 * neither the feed nor the ring: it is handed records, and the run loop hands it the
 * transport's numbers (market_set_transport_stats) when it refreshes the screen.
 *
 * Must never: block, touch the network, or allocate per message once its assets exist.
 * Every string stored here that came from the network has been through sanitize_text().
 * Model (UI) thread only.
 */
#ifndef CLOBTOP_MARKET_H
#define CLOBTOP_MARKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alerts.h"
#include "assets.h"
#include "clock.h"
#include "health.h"
#include "market_dirty.h"
#include "msg.h"
#include "stats.h"

struct event;

struct proto;
struct ring_rec;

struct conn_info {
	enum conn_kind event;       /* latest connection event */
	char url[512];              /* where we connect */
	char last_error[300];       /* last CLOSED/ERROR/DEAD text, "" when none */
	int64_t connected_since_ns; /* CLOCK_MONOTONIC of the last CONNECTED, 0 when down */
	int64_t started_mono_ns;    /* program start */
	uint64_t reconnects;        /* CONNECTED events after the first */
	uint64_t connects;          /* CONNECTED events */
	uint64_t attempts;          /* CONNECTING events since the last CONNECTED */
	int64_t down_since_ns;      /* CLOCK_MONOTONIC the connection was lost, 0 when up or
	                               never connected */
	int64_t retry_at_ns;        /* CLOCK_MONOTONIC of the next attempt (BACKOFF), 0 none */
	bool alive;                 /* connected (or replaying) and not declared dead */
};

struct market_counters {
	uint64_t frames;        /* REC_FRAME records consumed */
	uint64_t bytes;         /* their payload bytes */
	uint64_t events;        /* events applied */
	uint64_t malformed;     /* EV_MALFORMED */
	uint64_t unknown;       /* EV_UNKNOWN */
	uint64_t gaps;          /* records flagged RING_F_GAP */
	uint64_t pongs;         /* EV_PONG */
	uint64_t empty;         /* [] frames */
	uint64_t server_errors; /* INVALID OPERATION and the like */
	uint64_t market_infos;  /* new_market frames, duplicates included */
	uint64_t resyncs;       /* resync requests raised */
	uint64_t ui_parsed;     /* frames parsed on the UI thread (raw: replay, the user
	                           channel, or a busy connection's hand-over) */
	uint64_t unsolicited;   /* events for assets not subscribed (ignored) */
	uint64_t over_cap;      /* events for assets past max_auto_assets (ignored) */
};

struct market_config {
	int64_t stale_warn_ms;     /* quiet after this long without updates (10000) */
	int64_t stale_alert_ms;    /* stale after this long (30000) */
	int64_t drift_grace_ms;    /* a bbo disagreement older than this is drift (2000) */
	uint32_t drift_grace_msgs; /* ...or persisting over this many checks (3) */
	int64_t unknown_after_ms;  /* no book this long after subscribing, and the server
	                              answered []: unknown to the exchange (10000) */
	bool auto_resync;          /* request a resync on drift and gaps (true) */
	bool auto_add;             /* events for unknown assets add them (replay: true); live,
	                              only subscribed assets are tracked (false) */
	size_t max_auto_assets;    /* auto_add stops here: 100,000 ids once cost 1.25 GB
	                              (MARKET_MAX_AUTO_ASSETS) */
};

#define MARKET_MAX_AUTO_ASSETS 20000 /* more than the whole exchange lists today */

void market_config_defaults(struct market_config *c);

/* What the transport (feed thread and data ring) reports, in plain numbers.  The run loop
 * reads them from the feed and the ring and hands them over with
 * market_set_transport_stats(); the model only shows and exports them. */
struct transport_stats {
	uint64_t oversize;    /* messages the feed dropped for exceeding --max-message */
	uint64_t ring_drops;  /* records the data ring dropped (full) */
	size_t ring_used;     /* bytes in the data ring now: > 0 means records are waiting, so
	                         health is judged at the newest receipt time, not the clock */
	size_t ring_capacity; /* bytes; 0 when there is no ring to show */
};

/* Called when market wants the feed to (re)subscribe: op is FEED_SUB/UNSUB/RESYNC and
 * ids a space-separated list.  Returns false when it could not be queued. */
typedef bool (*market_cmd_fn)(void *ctx, enum feed_op op, const char *ids);

struct market_state {
	struct market_config cfg;            /* thresholds */
	struct asset *assets;                /* array, in order of first appearance */
	size_t nassets;                      /* in use */
	size_t cap;                          /* allocated */
	uint32_t *index;                     /* open-addressing hash of asset ids -> index+1 */
	size_t index_cap;                    /* power of two */
	struct proto *proto;                 /* frame parser */
	struct market_counters cnt;          /* totals */
	struct conn_info conn;               /* connection as seen through REC_CONN records */
	struct lat_window *feed_ms;          /* receipt - exchange timestamp, ms */
	struct lat_window *pipeline_us;      /* applied - received, us */
	struct rate msg_rate;                /* frames per second */
	struct rate byte_rate;               /* bytes per second */
	struct flow flow;                    /* all assets together */
	struct alert alerts[ALERT_LOG_SIZE]; /* ring of alerts */
	uint64_t nalerts;          /* rows ever made; newest is alerts[(nalerts-1) % SIZE] */
	uint64_t alerts_raised;    /* alerts ever raised, grouped ones included */
	uint64_t alert_seq;        /* bumped by every raise; a row keeps the value of its latest */
	uint64_t alerts_acked_seq; /* rows with seq above this are unread */
	uint64_t alerts_cleared;   /* rows below this index were cleared by the operator */
	struct trade tape[TAPE_SIZE];         /* ring of trades */
	uint64_t ntrades;                     /* ever seen */
	uint64_t data_frames_since_subscribe; /* non-PONG frames since the last (re)subscribe */
	int64_t gap_resync_mono_ns;           /* last resync of everything for a gap, 0 never */
	bool gap_resync_pending;          /* a gap arrived within a second of that: at next tick */
	struct transport_stats transport; /* as last handed in by the run loop */
	char mode[16];                    /* "live", "demo" or "replay" */
	market_cmd_fn cmd;                /* where resync requests go, or NULL */
	struct user_model *user;          /* --user: your orders and trades (user.h), or NULL */
	void *cmd_ctx;                    /* its context */
	void (*info_hook)(void *ctx, const struct event *ev); /* new_market/resolved, or NULL */
	void *info_ctx;                                       /* its context */
	int64_t last_empty_mono_ns; /* receipt time of the last [] frame, 0 never */
	int64_t feed_mono_ns;       /* newest receipt time applied (CLOCK_MONOTONIC), 0 none */
	int64_t feed_real_ns;       /* the same record's CLOCK_REALTIME receipt time */
	/* transient, while one record is applied (0 otherwise) */
	int64_t cur_real_ns;       /* receipt time of the record being applied */
	int64_t cur_mono_ns;       /* ditto, monotonic */
	size_t cur_conn;           /* pool slot of the record being applied (market_conn.h) */
	bool conn_scope;           /* set with cur_conn: "every asset" means cur_conn's assets */
	struct market_conn *conns; /* one per pool connection slot, NULL without a pool */
	size_t nconns;             /* slots allocated */

	struct market_rest *rest; /* REST truth (market_rest.h), NULL when off */

	struct market_dirty dirty; /* assets whose books changed, for app_redis (market_dirty.h) */
};

int market_init(struct market_state *m, const struct market_config *cfg);
void market_free(struct market_state *m);
void market_set_cmd(struct market_state *m, market_cmd_fn fn, void *ctx);
/* Called with every new_market and market_resolved event before the model applies it. */
void market_set_info_hook(struct market_state *m, void (*fn)(void *, const struct event *),
                          void *ctx);
/* Where the records come from: mode "live", "demo" or "replay", the url shown, and
 * whether the source counts as connected before any connection event (replay: true). */
void market_set_source(struct market_state *m, const char *mode, const char *url, bool alive);
/* The transport's latest numbers (see struct transport_stats). */
void market_set_transport_stats(struct market_state *m, const struct transport_stats *t);

/* Request a resync of one asset (or all when id is NULL) through the command hook. */
void market_resync(struct market_state *m, const char *id, const char *why);
/* Resyncs the subscribed assets marked lost (of the connection in scope), clearing the
 * marks; how many were asked for. */
size_t market_resync_lost(struct market_state *m, const char *why);
/* Records were lost before the one being applied and nobody can say which books they
 * were about: every book of the connection is untrusted and resynced (at most once a
 * second). */
void market_gap(struct market_state *m, int64_t now_mono_ns);

/* Apply one ring record (frame, connection event).  now_mono_ns is when it is applied
 * (for the pipeline latency). */
void market_apply_record(struct market_state *m, const struct ring_rec *rec, int64_t now_mono_ns);
/* The same for a record of pool connection slot conn (market_conn.h): its connection
 * events, gaps and dropped frames affect only that connection's assets. */
void market_apply_record_on(struct market_state *m, const struct ring_rec *rec, int64_t now_mono_ns,
                            size_t conn);

/* Once per refresh: recompute every asset's state, raise stale and recovered alerts.
 * Verdicts are judged on the feed's receipt times: while records are waiting in the ring
 * (transport.ring_used > 0) "now" is the newest receipt time applied, so draining a
 * backlog after a stall does not make a healthy feed look stale; once caught up it is
 * now_mono_ns, so real silence still ages. */
void market_tick(struct market_state *m, int64_t now_mono_ns);

/* The model's time: the receipt time of the record being applied, or the clock between
 * records (CLOCK_MONOTONIC, ns). */
int64_t market_now_ns(const struct market_state *m);

/* Monotonic seconds since start, for the rate and latency windows. */
int64_t market_now_s(const struct market_state *m, int64_t now_mono_ns);

#endif

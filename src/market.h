/*
 * market: everything the UI thread knows about the feed, and the only code that changes it.
 *
 * It consumes ring records (frames and connection events), runs them through proto, and
 * applies the events to per-asset state: the L2 book, last trade, tick size, message
 * counts, trade flow, health (fresh, quiet, stale, crossed, drift, awaiting snapshot,
 * resolved) and alerts.  Drift (the exchange's best_bid/best_ask disagreeing with our book
 * beyond a short grace) and ring gaps raise resync requests, which the caller forwards to
 * the feed.  The UI panes, the headless summary and the snapshot exporter all read this
 * one model; none of them changes it.
 *
 * Must never: block, touch the network, or allocate per message once its assets exist.
 * Every string stored here that came from the network has been through sanitize_text().
 */
#ifndef CLOBTOP_MARKET_H
#define CLOBTOP_MARKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "book.h"
#include "clob.h"
#include "clock.h"
#include "feed.h"
#include "proto.h"
#include "ring.h"
#include "stats.h"

/* Asset health, worst last.  X(enum, name in snapshots, short name on screen) */
#define ASSET_STATES(X)                                                                            \
	X(ASSET_FRESH, "fresh", "fresh")                                                           \
	X(ASSET_QUIET, "quiet", "quiet")                                                           \
	X(ASSET_AWAITING, "awaiting_snapshot", "await")                                            \
	X(ASSET_RESOLVED, "resolved", "resolved")                                                  \
	X(ASSET_STALE, "stale", "STALE")                                                           \
	X(ASSET_CROSSED, "crossed", "CROSSED")                                                     \
	X(ASSET_DRIFT, "drift", "DRIFT")

enum asset_state {
#define X(e, s, t) e,
	ASSET_STATES(X)
#undef X
	ASSET_STATE_COUNT
};

const char *asset_state_name(enum asset_state s);  /* "awaiting_snapshot" */
const char *asset_state_short(enum asset_state s); /* "await" */

#define ALERT_KINDS(X)                                                                             \
	X(ALERT_STALE, "stale")                                                                    \
	X(ALERT_RECOVERED, "recovered")                                                            \
	X(ALERT_CROSSED, "crossed")                                                                \
	X(ALERT_DRIFT, "drift")                                                                    \
	X(ALERT_MISMATCH, "mismatch")                                                              \
	X(ALERT_RESYNC, "resync")                                                                  \
	X(ALERT_GAP, "gap")                                                                        \
	X(ALERT_CONNECTION, "connection")                                                          \
	X(ALERT_RECONNECT, "reconnect")                                                            \
	X(ALERT_FREEZE, "freeze")                                                                  \
	X(ALERT_TICK_SIZE, "tick_size")                                                            \
	X(ALERT_RESOLVED, "resolved")                                                              \
	X(ALERT_MALFORMED, "malformed")                                                            \
	X(ALERT_SERVER, "server")                                                                  \
	X(ALERT_EXPORT, "export")                                                                  \
	X(ALERT_INFO, "info")

enum alert_kind {
#define X(e, s) e,
	ALERT_KINDS(X)
#undef X
	ALERT_KIND_COUNT
};

const char *alert_kind_name(enum alert_kind k);

#define ASSET_ID_MAX   TOKEN_ID_SIZE
#define ASSET_LABEL_MAX 96 /* bytes of sanitised UTF-8 */
#define MARKET_ID_MAX  68  /* 0x + 64 hex + NUL */
#define QUESTION_MAX   160

struct trade {
	int64_t t_real_ns;  /* our receipt time */
	int64_t ts_ms;      /* exchange timestamp */
	int64_t price;      /* micro-dollars */
	int64_t size;       /* micro-shares */
	enum side side;     /* taker's side */
	uint32_t asset;     /* index into market_state.assets */
};

struct flow {
	struct rate trades;   /* trades per second slot */
	struct rate buy_vol;  /* micro-shares bought (taker BUY) per second slot */
	struct rate sell_vol; /* micro-shares sold (taker SELL) per second slot */
	struct rate notional; /* micro-dollars traded per second slot (price * size / 1e6) */
};

struct asset {
	char id[ASSET_ID_MAX];          /* token id, decimal string */
	char label[ASSET_LABEL_MAX];    /* what the operator sees; sanitised */
	bool label_from_user;           /* --asset ID=LABEL: never overwritten */
	bool label_requested;           /* a metadata lookup was queued (asked once only) */
	char market[MARKET_ID_MAX];     /* condition id, "" until known */
	char question[QUESTION_MAX];    /* market question, sanitised, "" until known */
	struct book book;               /* L2 book */
	int64_t tick;                   /* micro-dollars, 0 until known */
	enum asset_state state;         /* health, updated by market_tick() and on events */
	bool subscribed;                /* in the subscription set */
	bool have_snapshot;             /* a book arrived since (re)subscription */
	bool resolved;                  /* market_resolved seen */
	bool resync_pending;            /* resync requested, snapshot not yet arrived */
	int64_t last_update_mono_ns;    /* last event of any kind for this asset, 0 never */
	int64_t last_book_mono_ns;      /* last book snapshot */
	int64_t last_ts_ms;             /* exchange timestamp of the last event */
	struct trade last_trade;        /* valid when last_trade.ts_ms or price set */
	bool have_trade;                /* last_trade is valid */
	int64_t last_trade_price_book;  /* last_trade_price from the snapshot, or PRICE_NONE */
	uint64_t msgs;                  /* events applied for this asset */
	struct rate msg_rate;           /* events per second */
	struct flow flow;               /* trade flow */
	uint64_t bbo_checks;            /* exchange best_bid/best_ask comparisons */
	uint64_t bbo_mismatches;        /* of which disagreed */
	uint32_t mismatch_streak;       /* consecutive disagreements */
	int64_t mismatch_since_mono_ns; /* first of the current streak, 0 when none */
	int64_t ex_best_bid;            /* last exchange-reported best bid, PRICE_NONE */
	int64_t ex_best_ask;            /* last exchange-reported best ask, PRICE_NONE */
	uint64_t resyncs;               /* resync requests made */
	uint64_t orphan_updates;        /* level events before any snapshot */
	bool stale_alerted;             /* an ALERT_STALE is outstanding */
	bool crossed_alerted;           /* an ALERT_CROSSED is outstanding */
};

struct alert {
	int64_t t_real_ns;            /* when it was raised */
	enum alert_kind kind;         /* what happened */
	char asset_id[ASSET_ID_MAX];  /* "" when not about one asset */
	char message[200];            /* sanitised, human readable */
};

#define ALERT_LOG_SIZE 512 /* alerts kept, newest overwrite oldest */
#define TAPE_SIZE      512 /* trades kept for the tape */

struct conn_info {
	enum conn_kind state;        /* latest connection event */
	char url[512];               /* where we connect */
	char last_error[300];        /* last CLOSED/ERROR/DEAD text, "" when none */
	int64_t connected_since_ns;  /* CLOCK_MONOTONIC of the last CONNECTED, 0 when down */
	int64_t started_mono_ns;     /* program start */
	uint64_t reconnects;         /* CONNECTED events after the first */
	uint64_t connects;           /* CONNECTED events */
	bool alive;                  /* connected (or replaying) and not declared dead */
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
	uint64_t unsolicited;   /* events for assets not subscribed (ignored) */
};

struct market_config {
	int64_t stale_warn_ms;  /* quiet after this long without updates (10000) */
	int64_t stale_alert_ms; /* stale after this long (30000) */
	int64_t drift_grace_ms; /* a bbo disagreement older than this is drift (2000) */
	uint32_t drift_grace_msgs; /* ...or persisting over this many checks (3) */
	bool auto_resync;       /* request a resync on drift and gaps (true) */
	bool auto_add;          /* events for unknown assets add them (replay: true); live,
				   only subscribed assets are tracked (false) */
};

void market_config_defaults(struct market_config *c);

/* Called when market wants the feed to (re)subscribe: op is FEED_SUB/UNSUB/RESYNC and
 * ids a space-separated list.  Returns false when it could not be queued. */
typedef bool (*market_cmd_fn)(void *ctx, enum feed_op op, const char *ids);

struct market_state {
	struct market_config cfg;     /* thresholds */
	struct asset *assets;         /* array, in order of first appearance */
	size_t nassets;               /* in use */
	size_t cap;                   /* allocated */
	uint32_t *index;              /* open-addressing hash of asset ids -> index+1 */
	size_t index_cap;             /* power of two */
	struct proto *proto;          /* frame parser */
	struct market_counters cnt;   /* totals */
	struct conn_info conn;        /* connection as seen through REC_CONN records */
	struct lat_window *feed_ms;   /* receipt - exchange timestamp, ms */
	struct lat_window *pipeline_us; /* applied - received, us */
	struct rate msg_rate;         /* frames per second */
	struct rate byte_rate;        /* bytes per second */
	struct flow flow;             /* all assets together */
	struct alert alerts[ALERT_LOG_SIZE]; /* ring of alerts */
	uint64_t nalerts;             /* ever raised; newest is alerts[(nalerts-1) % SIZE] */
	struct trade tape[TAPE_SIZE]; /* ring of trades */
	uint64_t ntrades;             /* ever seen */
	uint64_t data_frames_since_subscribe; /* non-PONG frames since the last (re)subscribe */
	int64_t gap_resync_mono_ns;   /* last resync of everything for a gap, 0 never */
	bool gap_resync_pending;      /* a gap arrived within a second of that: at next tick */
	const struct ring *ring;      /* the data ring, for fill and drops (set by main) */
	struct feed_stats feed;       /* copy of the feed thread's counters (main refreshes it) */
	char mode[16];                /* "live", "demo" or "replay" */
	market_cmd_fn cmd;            /* where resync requests go, or NULL */
	void *cmd_ctx;                /* its context */
	/* transient, while one record is applied */
	int64_t cur_real_ns;          /* receipt time of the record being applied */
	int64_t cur_mono_ns;          /* ditto, monotonic */
};

int market_init(struct market_state *m, const struct market_config *cfg);
void market_free(struct market_state *m);
void market_set_cmd(struct market_state *m, market_cmd_fn fn, void *ctx);

/* Add an asset to watch (idempotent).  label may be NULL (a shortened id is shown until
 * a better one is known).  Returns the asset or NULL on allocation failure. */
struct asset *market_add(struct market_state *m, const char *id, const char *label);
/* Find an asset by id, or NULL. */
struct asset *market_find(struct market_state *m, const char *id, size_t len);
/* Stop watching: marks it unsubscribed and drops its book (kept in the table so
 * indexes stay valid; hidden by the UI). */
void market_remove(struct market_state *m, const char *id);
/* Metadata from elsewhere (Gamma): question, outcome, condition id, tick.  Any may be
 * NULL/0.  The label becomes "question · outcome" unless the operator named the asset.
 * Strings are sanitised here. */
void market_set_info(struct market_state *m, const char *id, const char *question,
		     const char *outcome, const char *condition_id, int64_t tick);
/* Request a resync of one asset (or all when id is NULL) through the command hook. */
void market_resync(struct market_state *m, const char *id, const char *why);

/* Apply one ring record (frame, connection event).  now_mono_ns is when it is applied
 * (for the pipeline latency). */
void market_apply_record(struct market_state *m, const struct ring_rec *rec, int64_t now_mono_ns);

/* Once per refresh: recompute every asset's state from the clock, raise stale and
 * recovered alerts. */
void market_tick(struct market_state *m, int64_t now_mono_ns);

/* Raise an alert (message is sanitised). */
void market_alert(struct market_state *m, enum alert_kind kind, const char *asset_id,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* The i-th most recent alert / trade (0 = newest), or NULL. */
const struct alert *market_alert_at(const struct market_state *m, size_t i);
const struct trade *market_trade_at(const struct market_state *m, size_t i);

/* Monotonic seconds since start, for the rate and latency windows. */
int64_t market_now_s(const struct market_state *m, int64_t now_mono_ns);

#endif

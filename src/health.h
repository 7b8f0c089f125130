/*
 * health: each asset's health state, and the only code that changes it.
 *
 * ASSET_STATES is the one table of states: the name in snapshots and metrics, the short
 * name on screen, the sort severity, the colour class, whether the state means anything
 * with the connection down, and the help text all come from it.  Adding a state is one
 * line there plus the rule in health.c that enters it; the UI, the exporter and the help
 * read the table.
 *
 * Every transition goes through one function here (set_state in health.c), so the alerts
 * a transition deserves (stale, crossed, drift, recovered) are never skipped.  The model
 * (market.c) reports what happened (a snapshot arrived, a level changed, the exchange's
 * best prices were compared, the clock moved) and health decides the state.
 *
 * Must never: block, allocate, or touch the book.  Model (UI) thread only.
 */
#ifndef CLOBTOP_HEALTH_H
#define CLOBTOP_HEALTH_H

#include <stdbool.h>
#include <stdint.h>

/* Colour classes the UI maps to its palette. */
enum health_class {
	HEALTH_OK,     /* all is well */
	HEALTH_NORMAL, /* nothing to say */
	HEALTH_INFO,   /* transient, expected */
	HEALTH_DIM,    /* no longer relevant */
	HEALTH_WARN,   /* look at it */
	HEALTH_BAD,    /* the data is wrong */
};

/* Asset health.  X(suffix, snapshot name, screen name, severity (higher is worse, for the
 * state sort; 4 is the UI's "no feed"), colour class, shown as "no feed" when the
 * connection is down, help text) */
#define ASSET_STATES(X)                                                                            \
	X(FRESH, "fresh", "fresh", 0, HEALTH_OK, true, "updates arriving, book trusted")           \
	X(QUIET, "quiet", "quiet", 1, HEALTH_NORMAL, true, "no update for --stale-warn seconds")   \
	X(AWAITING, "awaiting_snapshot", "await", 3, HEALTH_INFO, true,                            \
	  "waiting for a book snapshot; the book is not trusted yet")                              \
	X(RESOLVED, "resolved", "resolved", 2, HEALTH_DIM, false,                                  \
	  "the market resolved; no more trading")                                                  \
	X(UNKNOWN, "unknown_token", "UNKNOWN", 5, HEALTH_WARN, false,                              \
	  "the exchange answered [] and sent no book: not a live token")                           \
	X(STALE, "stale", "STALE", 6, HEALTH_WARN, true, "no update for --stale-alert seconds")    \
	X(CROSSED, "crossed", "CROSSED", 7, HEALTH_BAD, false, "best bid >= best ask in our book") \
	X(DRIFT, "drift", "DRIFT", 8, HEALTH_BAD, false,                                           \
	  "the exchange's best prices disagree with our book; resyncing")                          \
	X(REST, "rest", "rest", 9, HEALTH_WARN, false,                                             \
	  "feed down: the book is polled from REST (--rest-poll); sorts first")

enum asset_state {
#define X(e, name, screen, sev, cls, feed, help) ASSET_##e,
	ASSET_STATES(X)
#undef X
	    ASSET_STATE_COUNT
};

/* One row of the table.  Inline, so that readers (the UI, tests) need not link the model. */
struct asset_state_info {
	const char *name;      /* in snapshots and metrics: "awaiting_snapshot" */
	const char *screen;    /* in the assets table: "await" */
	int severity;          /* for the state sort, higher is worse */
	enum health_class cls; /* colour */
	bool needs_feed;       /* shown as "no feed" while the connection is down */
	const char *help;      /* one line for the help screen */
};

static inline struct asset_state_info asset_state_info(enum asset_state s)
{
	switch (s) {
#define X(e, name, screen, sev, cls, feed, help)                                                   \
	case ASSET_##e:                                                                            \
		return (struct asset_state_info){name, screen, sev, cls, feed, help};
		ASSET_STATES(X)
#undef X
	default:
		return (struct asset_state_info){"?", "?", 0, HEALTH_BAD, false, ""};
	}
}

static inline const char *asset_state_name(enum asset_state s)
{
	return asset_state_info(s).name;
}

static inline const char *asset_state_short(enum asset_state s)
{
	return asset_state_info(s).screen;
}

static inline const char *asset_state_help(enum asset_state s)
{
	return asset_state_info(s).help;
}

struct market_state;
struct asset;

/* A new, re-subscribed or unsubscribed asset: its book is unknown until a snapshot
 * arrives (resolved or not).  The wait for it starts at now_mono_ns. */
void health_init(struct asset *a, int64_t now_mono_ns);
/* The book can no longer be trusted (resync, reconnect, freeze, an update that could not
 * be applied): awaiting a snapshot from now_mono_ns, unless resolved.  Clears the drift
 * streak. */
void health_untrust(struct asset *a, int64_t now_mono_ns);
/* The asset's market resolved: raises no alert (the caller says who won). */
void health_resolved(struct market_state *m, struct asset *a);
/* A snapshot was applied: ends any drift and re-evaluates. */
void health_snapshot(struct market_state *m, struct asset *a, int64_t now_mono_ns);
/* A level change was applied: re-evaluates (a drifting asset stays drifting until the
 * exchange agrees again or a snapshot arrives). */
void health_level(struct market_state *m, struct asset *a, int64_t now_mono_ns);
/* The exchange's best prices after a change (PRICE_NONE for an empty side), at exchange
 * time ts_ms (0: unknown, now_mono_ns is used).  A disagreement that outlasts the grace
 * is drift: alerted, and a resync requested when configured. */
void health_check_bbo(struct market_state *m, struct asset *a, int64_t ts_ms, int64_t best_bid,
                      int64_t best_ask, int64_t now_mono_ns);
/* Re-evaluates every subscribed asset at now_mono_ns (the feed's time: see market_tick):
 * quiet, stale, recovered, and unknown to the exchange (no book unknown_after_ms after
 * the wait began, and the server answered [] since). */
void health_tick(struct market_state *m, int64_t now_mono_ns);

#endif

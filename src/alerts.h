/*
 * alerts: the model's alert log and trade tape, two fixed rings (newest overwrite oldest).
 *
 * ALERT_KINDS is the one table of alert kinds: the name (snapshots, filters) and the
 * severity (info, warn, crit) come from it.  Storms are grouped here, in the model: an
 * alert of the same kind and the same diagnosis (message) as the newest row, raised within
 * ALERT_GROUP_NS of it, is merged into that row (a count and the assets it names), so
 * "24 assets stale" is one row for the screen and the exporter alike.  A message is the
 * diagnosis only; the asset it is about travels beside it (asset_id), never inside it.
 *
 * Alert messages are sanitised here, once, so the panes, the exporter and the logs can
 * show them as they are.  Must never allocate.  Model (UI) thread only: market_alert()
 * may be called by the run loop (export and recording failures) as well as the model.
 */
#ifndef CLOBTOP_ALERTS_H
#define CLOBTOP_ALERTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "assets.h"

/* X(enum, name, severity) */
#define ALERT_KINDS(X)                                                                             \
	X(ALERT_STALE, "stale", ALERT_SEV_WARN)                                                    \
	X(ALERT_RECOVERED, "recovered", ALERT_SEV_INFO)                                            \
	X(ALERT_CROSSED, "crossed", ALERT_SEV_CRIT)                                                \
	X(ALERT_DRIFT, "drift", ALERT_SEV_CRIT)                                                    \
	X(ALERT_MISMATCH, "mismatch", ALERT_SEV_WARN)                                              \
	X(ALERT_RESYNC, "resync", ALERT_SEV_INFO)                                                  \
	X(ALERT_GAP, "gap", ALERT_SEV_CRIT)                                                        \
	X(ALERT_CONNECTION, "connection", ALERT_SEV_WARN)                                          \
	X(ALERT_RECONNECT, "reconnect", ALERT_SEV_INFO)                                            \
	X(ALERT_FREEZE, "freeze", ALERT_SEV_CRIT)                                                  \
	X(ALERT_TICK_SIZE, "tick_size", ALERT_SEV_INFO)                                            \
	X(ALERT_RESOLVED, "resolved", ALERT_SEV_INFO)                                              \
	X(ALERT_MALFORMED, "malformed", ALERT_SEV_WARN)                                            \
	X(ALERT_SERVER, "server", ALERT_SEV_WARN)                                                  \
	X(ALERT_EXPORT, "export", ALERT_SEV_CRIT)                                                  \
	X(ALERT_TRADE_FAILED, "trade_failed", ALERT_SEV_CRIT)                                      \
	X(ALERT_TRADE_STUCK, "trade_stuck", ALERT_SEV_WARN)                                        \
	X(ALERT_AUDIT, "audit", ALERT_SEV_CRIT)                                                    \
	X(ALERT_INFO, "info", ALERT_SEV_INFO)

enum alert_severity {
	ALERT_SEV_INFO, /* expected, for the record */
	ALERT_SEV_WARN, /* look at it */
	ALERT_SEV_CRIT, /* data is wrong or lost, or something the operator asked for failed */
	ALERT_SEV_COUNT
};

enum alert_kind {
#define X(e, s, sev) e,
	ALERT_KINDS(X)
#undef X
	    ALERT_KIND_COUNT
};

const char *alert_kind_name(enum alert_kind k);
enum alert_severity alert_kind_severity(enum alert_kind k);
const char *alert_severity_name(enum alert_severity s); /* "info", "warn", "crit" */

#define ALERT_GROUP_IDS 64                   /* assets a grouped row remembers */
#define ALERT_GROUP_NS  INT64_C(10000000000) /* a storm's alerts within 10 s group */

struct alert {
	int64_t t_real_ns;                   /* when the first of the row was raised */
	int64_t t_last_real_ns;              /* when the latest of the row was raised */
	int64_t t_last_mono_ns;              /* ditto, monotonic (the grouping window) */
	uint64_t seq;                        /* market_state.alert_seq at the latest */
	enum alert_kind kind;                /* what happened */
	uint32_t count;                      /* alerts in this row: > 1 for a grouped storm */
	uint32_t nassets;                    /* distinct assets named (may exceed the list) */
	uint32_t asset_idx[ALERT_GROUP_IDS]; /* the first of them, indexes into assets */
	char asset_id[ASSET_ID_MAX];         /* the first asset, "" when not about one */
	char message[200];                   /* sanitised diagnosis, without the label */
};

#define ALERT_LOG_SIZE 512 /* alert rows kept, newest overwrite oldest */
#define TAPE_SIZE      512 /* trades kept for the tape */

struct market_state;

/* Raise an alert (message is sanitised).  Merged into the newest row when that has the
 * same kind and message and is younger than ALERT_GROUP_NS and not cleared. */
void market_alert(struct market_state *m, enum alert_kind kind, const char *asset_id,
                  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Count one more alert into the newest row when that row is of this kind, its message
 * starts with prefix and it is younger than ALERT_GROUP_NS (a storm whose message carries
 * a running count, "(12 so far)"); false when there is no such row: raise a new one. */
bool market_alert_fold(struct market_state *m, enum alert_kind kind, const char *prefix);

/* Append a trade to the tape. */
void alerts_tape_add(struct market_state *m, const struct trade *t);

/* The operator read every alert so far (market_state.alerts_acked_seq). */
void market_alerts_ack(struct market_state *m);
/* The operator cleared the log: every row so far is gone from it (and from exports). */
void market_alerts_clear(struct market_state *m);
/* The row names the asset with this index (its first asset, or one of its group). */
bool alert_names_asset(const struct alert *al, uint32_t idx);

/* The i-th most recent alert row / trade (0 = newest), or NULL. */
const struct alert *market_alert_at(const struct market_state *m, size_t i);
const struct trade *market_trade_at(const struct market_state *m, size_t i);

#endif

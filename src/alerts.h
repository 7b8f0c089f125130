/*
 * alerts: the model's alert log and trade tape, two fixed rings (newest overwrite oldest).
 *
 * Alert messages are sanitised here, once, so the panes, the exporter and the logs can
 * show them as they are.  Must never allocate.  Model (UI) thread only: market_alert()
 * may be called by the run loop (export and recording failures) as well as the model.
 */
#ifndef CLOBTOP_ALERTS_H
#define CLOBTOP_ALERTS_H

#include <stddef.h>
#include <stdint.h>

#include "assets.h"

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

struct alert {
	int64_t t_real_ns;           /* when it was raised */
	enum alert_kind kind;        /* what happened */
	char asset_id[ASSET_ID_MAX]; /* "" when not about one asset */
	char message[200];           /* sanitised, human readable */
};

#define ALERT_LOG_SIZE 512 /* alerts kept, newest overwrite oldest */
#define TAPE_SIZE      512 /* trades kept for the tape */

struct market_state;

/* Raise an alert (message is sanitised). */
void market_alert(struct market_state *m, enum alert_kind kind, const char *asset_id,
                  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Append a trade to the tape. */
void alerts_tape_add(struct market_state *m, const struct trade *t);

/* The i-th most recent alert / trade (0 = newest), or NULL. */
const struct alert *market_alert_at(const struct market_state *m, size_t i);
const struct trade *market_trade_at(const struct market_state *m, size_t i);

#endif

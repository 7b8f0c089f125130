/*
 * export_user: the user channel's part of the snapshot ("user": state, open orders,
 * recent orders and trades with their statuses) and of the metrics (counts only:
 * clobtop_user_trades{status}, clobtop_user_orders_open, ...).
 *
 * Never writes a credential (the model holds none) and, in metrics, nothing but counts.
 * UI thread, like export.c.
 */
#ifndef CLOBTOP_EXPORT_USER_H
#define CLOBTOP_EXPORT_USER_H

#include <jansson.h>
#include <stddef.h>

#include "market.h"

#define EXPORT_USER_RECENT 200 /* orders and trades in a snapshot, newest */

/* Adds "user" to the snapshot root when --user is on. */
void export_user_json(const struct market_state *m, json_t *root);
/* Prometheus text of the counts into buf; returns its length (0 when --user is off or it
 * does not fit). */
size_t export_user_metrics(const struct market_state *m, char *buf, size_t cap);

#endif

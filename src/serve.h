/*
 * serve: what the HTTP API (httpd.h) publishes, made from the model once per refresh: the
 * snapshot with every level whatever --depth says (so /book and /vwap see whole books),
 * the metrics text plus the server's own counters, and the verdict /healthz gives.
 *
 * Reads the model, never changes it.  Never publishes anything but market data, health
 * and counters (no user-channel data, no credentials: the model holds none).
 * UI thread only (it owns the model).
 */
#ifndef CLOBTOP_SERVE_H
#define CLOBTOP_SERVE_H

#include <stdbool.h>
#include <stddef.h>

#include "export.h"
#include "httpd.h"
#include "market.h"

/* Healthy while the feed is connected (or replaying) and at least one subscribed asset is
 * not stale; reason says why, in one line. */
bool serve_healthy(const struct market_state *m, char *reason, size_t cap);

/* Renders and publishes.  Returns 0, or -1 when memory ran out (the previous publication
 * stays, and a message goes to err). */
int serve_publish(struct httpd *h, const struct market_state *m, const struct export_options *o,
                  char *err, size_t errlen);

#endif

/*
 * market_connev: the model's side of connection events (REC_CONN, struct conn_event):
 * connecting, connected, closed, dead, errors, back-off, silent freezes and oversized
 * messages, each moving only the assets of the connection being applied (market_conn.h)
 * and raising the alert that says what happened.
 *
 * Model (UI) thread only; never blocks or allocates.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "health.h"
#include "market.h"
#include "market_conn.h"
#include "sanitize.h"

/* Every subscribed book of the connection is unknown again (reconnect, freeze). */
static void untrust_all(struct market_state *m)
{
	for (size_t i = 0; i < m->nassets; i++)
		if (m->assets[i].subscribed && market_conn_owns(m, &m->assets[i]))
			health_untrust(&m->assets[i], market_now_ns(m));
}

/* The connection is down: last_error says why (already formatted by the caller). */
static void conn_down(struct conn_info *c, int64_t now_mono_ns)
{
	c->alive = false;
	c->connected_since_ns = 0;
	if (!c->down_since_ns)
		c->down_since_ns = now_mono_ns;
}

static void on_connected(struct market_state *m)
{
	struct conn_info *c = market_conn_info_cur(m);
	c->connects++;
	c->alive = true;
	c->connected_since_ns = m->cur_mono_ns;
	c->attempts = 0;
	c->down_since_ns = 0;
	c->retry_at_ns = 0;
	if (c->connects > 1) {
		c->reconnects++;
		market_alert(m, ALERT_RECONNECT, NULL, "%sreconnected (%" PRIu64 " so far)",
		             market_conn_prefix(m), c->reconnects);
	} else {
		market_alert(m, ALERT_CONNECTION, NULL, "%sconnected to %s", market_conn_prefix(m),
		             c->url);
	}
	/* Subscriptions do not survive a reconnect: every book must be rebuilt. */
	untrust_all(m);
}

static void on_freeze(struct market_state *m, const struct conn_event *ce)
{
	struct conn_info *c = market_conn_info_cur(m);
	if (ce->code == 1) {
		conn_down(c, market_now_ns(m));
		snprintf(c->last_error, sizeof(c->last_error),
		         "silent freeze: no data for %" PRId64 " s even after resubscribing",
		         ce->value / 1000);
		market_alert(m, ALERT_FREEZE, NULL, "%s%s; reconnecting", market_conn_prefix(m),
		             c->last_error);
	} else {
		market_alert(m, ALERT_FREEZE, NULL,
		             "%ssilent freeze: only PONGs for %" PRId64 " s; resubscribed",
		             market_conn_prefix(m), ce->value / 1000);
	}
	untrust_all(m);
}

/* CLOSED, DEAD, ERROR: the connection ended; the alert says why. */
static void on_conn_lost(struct market_state *m, const struct conn_event *ce, const char *text)
{
	struct conn_info *c = market_conn_info_cur(m);
	const char *what = "connection";
	conn_down(c, market_now_ns(m));
	if (ce->kind == CONN_CLOSED) {
		snprintf(c->last_error, sizeof(c->last_error), "closed %d%s%s", ce->code,
		         text[0] ? ": " : "", text);
	} else if (ce->kind == CONN_DEAD) {
		snprintf(c->last_error, sizeof(c->last_error), "no frame for %" PRId64 " ms",
		         ce->value);
		what = "connection dead:";
	} else {
		snprintf(c->last_error, sizeof(c->last_error), "%s", text);
		what = "connection error:";
	}
	market_alert(m, ALERT_CONNECTION, NULL, "%s%s %s", market_conn_prefix(m), what,
	             c->last_error);
}

void market_apply_conn(struct market_state *m, const struct conn_event *ce)
{
	struct conn_info *c = market_conn_info_cur(m);
	char text[sizeof(ce->text)];
	sanitize_text(text, sizeof(text), ce->text, strnlen(ce->text, sizeof(ce->text)));
	if (ce->kind != CONN_SENT && ce->kind != CONN_OVERSIZE)
		c->event = (enum conn_kind)ce->kind;
	switch ((enum conn_kind)ce->kind) {
	case CONN_CONNECTING:
		if (text[0])
			snprintf(c->url, sizeof(c->url), "%s", text);
		c->attempts++;
		c->retry_at_ns = 0;
		break;
	case CONN_CONNECTED:
		on_connected(m);
		break;
	case CONN_SUBSCRIBED:
		m->data_frames_since_subscribe = 0;
		break;
	case CONN_CLOSED:
	case CONN_DEAD:
	case CONN_ERROR:
		on_conn_lost(m, ce, text);
		break;
	case CONN_BACKOFF:
		c->retry_at_ns = market_now_ns(m) + ce->value * NS_PER_MS;
		market_alert(m, ALERT_CONNECTION, NULL, "%sreconnecting in %.1f s",
		             market_conn_prefix(m), (double)ce->value / 1000.0);
		break;
	case CONN_FREEZE:
		on_freeze(m, ce);
		break;
	case CONN_OVERSIZE:
		m->cnt.malformed++;
		market_alert(m, ALERT_MALFORMED, NULL,
		             "message of %" PRId64 " bytes dropped (too large): the feed ends the "
		             "connection and every book comes back with the new snapshots",
		             ce->value);
		break;
	case CONN_STOPPED:
		conn_down(c, market_now_ns(m));
		break;
	default:
		break;
	}
	market_conn_rollup(m);
}

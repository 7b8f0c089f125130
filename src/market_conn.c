/*
 * market_conn: each pool connection as the model sees it (see market_conn.h).
 * Model (UI) thread only.
 */
#include "market_conn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "market.h"

int market_conn_open(struct market_state *m, size_t k, const char *url)
{
	if (k >= MARKET_CONN_MAX)
		return -1;
	if (k >= m->nconns) {
		size_t n = k + 1;
		struct market_conn *v = realloc(m->conns, n * sizeof(*v));
		if (!v)
			return -1;
		memset(v + m->nconns, 0, (n - m->nconns) * sizeof(*v));
		m->conns = v;
		m->nconns = n;
	}
	struct market_conn *c = &m->conns[k];
	if (!c->info) {
		c->info = calloc(1, sizeof(*c->info));
		c->feed_ms = lat_window_create();
		if (!c->info || !c->feed_ms)
			return -1;
		rate_init(&c->msg_rate);
	}
	c->open = true;
	c->info->connects = 0; /* a reopened slot's first connection is no reconnect */
	c->info->alive = false;
	c->info->event = CONN_CONNECTING;
	c->info->started_mono_ns = clock_mono_ns();
	snprintf(c->info->url, sizeof(c->info->url), "%s", url ? url : "");
	return 0;
}

void market_conn_close(struct market_state *m, size_t k)
{
	if (k < m->nconns) {
		m->conns[k].open = false;
		m->conns[k].info->alive = false;
		m->conns[k].info->event = CONN_STOPPED;
		market_conn_rollup(m);
	}
}

struct market_conn *market_conn_get(const struct market_state *m, size_t k)
{
	return k < m->nconns && m->conns[k].info ? &m->conns[k] : NULL;
}

void market_conn_free(struct market_state *m)
{
	for (size_t k = 0; k < m->nconns; k++) {
		free(m->conns[k].info);
		lat_window_destroy(m->conns[k].feed_ms);
	}
	free(m->conns);
	m->conns = NULL;
	m->nconns = 0;
}

struct market_conn *market_conn_cur(const struct market_state *m)
{
	return m->conn_scope ? market_conn_get(m, m->cur_conn) : NULL;
}

struct conn_info *market_conn_info_cur(struct market_state *m)
{
	struct market_conn *c = market_conn_cur(m);
	return c ? c->info : &m->conn;
}

void market_conn_rollup(struct market_state *m)
{
	if (!m->nconns)
		return;
	struct conn_info *r = &m->conn, *cur = market_conn_info_cur(m);
	bool alive = false;
	uint64_t connects = 0, reconnects = 0, attempts = 0;
	int64_t since = 0, down = 0, retry = 0;
	for (size_t k = 0; k < m->nconns; k++) {
		const struct conn_info *c = m->conns[k].info;
		if (!c || !m->conns[k].open)
			continue;
		alive |= c->alive;
		connects += c->connects;
		reconnects += c->reconnects;
		attempts += c->attempts;
		if (c->connected_since_ns && (!since || c->connected_since_ns < since))
			since = c->connected_since_ns;
		if (c->down_since_ns && (!down || c->down_since_ns < down))
			down = c->down_since_ns;
		if (c->retry_at_ns && (!retry || c->retry_at_ns < retry))
			retry = c->retry_at_ns;
	}
	/* Closed slots keep their history in the totals. */
	for (size_t k = 0; k < m->nconns; k++)
		if (m->conns[k].info && !m->conns[k].open)
			reconnects += m->conns[k].info->reconnects;
	r->alive = alive;
	r->connects = connects;
	r->reconnects = reconnects;
	r->attempts = attempts;
	r->connected_since_ns = since;
	r->down_since_ns = alive ? 0 : down;
	r->retry_at_ns = retry;
	if (cur != r) {
		r->event = cur->event;
		if (cur->last_error[0]) {
			const char *pfx = market_conn_prefix(m);
			int n = snprintf(r->last_error, sizeof(r->last_error), "%s", pfx);
			if (n >= 0 && (size_t)n < sizeof(r->last_error)) {
				size_t len =
				    strnlen(cur->last_error, sizeof(r->last_error) - (size_t)n - 1);
				memcpy(r->last_error + n, cur->last_error, len);
				r->last_error[(size_t)n + len] = '\0';
			}
		}
		if (cur->url[0])
			snprintf(r->url, sizeof(r->url), "%s", cur->url);
	}
}

bool market_conn_owns(const struct market_state *m, const struct asset *a)
{
	return !m->conn_scope || a->conn == m->cur_conn;
}

const char *market_conn_prefix(const struct market_state *m)
{
	if (m->nconns <= 1 || !m->conn_scope)
		return "";
	static char buf[32]; /* model thread only */
	snprintf(buf, sizeof(buf), "connection %zu: ", m->cur_conn);
	return buf;
}

void market_conn_frame(struct market_state *m, int64_t now_s, const int64_t *lat_ms)
{
	struct market_conn *c = market_conn_cur(m);
	if (!c)
		return;
	c->frames++;
	c->last_frame_mono_ns = m->cur_mono_ns;
	rate_add(&c->msg_rate, now_s, 1);
	if (lat_ms)
		lat_window_record(c->feed_ms, now_s, *lat_ms);
}

const struct conn_info *market_asset_conn(const struct market_state *m, const struct asset *a)
{
	const struct market_conn *c = market_conn_get(m, a->conn);
	return c ? c->info : &m->conn;
}

bool market_asset_alive(const struct market_state *m, const struct asset *a)
{
	return market_asset_conn(m, a)->alive;
}

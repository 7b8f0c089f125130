/*
 * market_lost: see market_lost.h.
 */
#include "market_lost.h"

#include <inttypes.h>
#include <stdbool.h>

#include "health.h"
#include "lostids.h"
#include "market.h"
#include "market_conn.h"

/* True when the connection had its turn less than a second ago (a turn now is then due
 * at the next tick); otherwise this is its turn. */
static bool held_back(struct market_conn *mc, int64_t now)
{
	if (mc && mc->lost_resync_mono_ns && now - mc->lost_resync_mono_ns < NS_PER_S) {
		mc->lost_resync_pending = true;
		return true;
	}
	if (mc) {
		mc->lost_resync_mono_ns = now;
		mc->lost_resync_pending = false;
	}
	return false;
}

/* The marked assets of the connection in scope are resynced now, or at the next tick
 * when the last such resync was less than a second ago. */
static void flush(struct market_state *m, struct market_conn *mc, int64_t now, uint64_t records)
{
	if (held_back(mc, now))
		return;
	size_t n = market_resync_lost(m, "gap");
	if (!n)
		return;
	if (records)
		market_alert(m, ALERT_GAP, NULL,
		             "%s%" PRIu64 " records dropped (ring full): resync of the %zu assets "
		             "they were about",
		             market_conn_prefix(m), records, n);
	else
		market_alert(m, ALERT_GAP, NULL,
		             "%smore records dropped (ring full): resync of the %zu assets they "
		             "were about",
		             market_conn_prefix(m), n);
}

void market_lost_apply(struct market_state *m, const void *payload, size_t len, int64_t now_mono_ns)
{
	struct lost_head h;
	struct market_conn *mc = market_conn_cur(m);
	if (!lostids_read_head(payload, len, &h) || h.all) {
		market_gap(m, now_mono_ns); /* nobody can say which books missed what */
		return;
	}
	m->cnt.gaps++;
	if (mc)
		mc->gaps++;
	/* --no-auto-resync: untrusted and reported, never asked for again. */
	bool resync = m->cfg.auto_resync && m->cmd;
	size_t pos = 0, n, touched = 0;
	const char *id;
	while (lostids_next(payload, len, &pos, &id, &n)) {
		struct asset *a = market_find(m, id, n);
		if (!a || !a->subscribed || !market_conn_owns(m, a))
			continue;
		/* Untrusted at once: the screen must not show a book that missed an update. */
		health_untrust(a, now_mono_ns);
		a->lost = resync;
		touched++;
	}
	if (resync)
		flush(m, mc, now_mono_ns, h.records);
	else if (touched && !held_back(mc, now_mono_ns))
		market_alert(m, ALERT_GAP, NULL,
		             "%s%" PRIu64 " records dropped (ring full): %zu books untrusted until "
		             "their next snapshot (no automatic resync)",
		             market_conn_prefix(m), h.records, touched);
}

void market_lost_tick(struct market_state *m, int64_t now_mono_ns)
{
	size_t cur = m->cur_conn;
	bool scope = m->conn_scope;
	for (size_t k = 0; k < m->nconns; k++) {
		struct market_conn *mc = &m->conns[k];
		if (!mc->lost_resync_pending || now_mono_ns - mc->lost_resync_mono_ns < NS_PER_S)
			continue;
		m->cur_conn = k;
		m->conn_scope = true;
		flush(m, mc, now_mono_ns, 0);
	}
	m->cur_conn = cur;
	m->conn_scope = scope;
}

/*
 * pane_header: connection, uptime, rates, ring fill and counters on one or two rows.
 *
 * Reads the model only; the URL and error text come from the model already sanitised
 * and still go through ui_put.  Never changes state.
 * Runs on the UI thread only and never touches the network.
 */
#include "ui_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static enum ui_color conn_color(const struct market_state *m)
{
	if (m->conn.alive) {
		return UC_OK;
	}
	switch (m->conn.event) {
	case CONN_CONNECTING:
	case CONN_BACKOFF:
		return UC_WARN;
	default:
		return UC_BAD;
	}
}

/* While the connection is down: how long, which attempt, and when the next one is. */
static void outage(struct ui_flow *fl, const struct ui_frame *f)
{
	const struct market_state *m = f->m;
	const struct ui *u = f->u;
	char a[32], t[96];
	if (m->conn.down_since_ns > 0) {
		ui_fmt_uptime(f->now_mono - m->conn.down_since_ns, a, sizeof a);
		snprintf(t, sizeof t, "DOWN %s", a);
		ui_flow_put(fl, ui_attr(u, UC_BAD) | A_BOLD, t);
	}
	if (m->conn.attempts > 0) {
		snprintf(t, sizeof t, "attempt %" PRIu64, m->conn.attempts);
		ui_flow_put(fl, ui_attr(u, UC_WARN), t);
	}
	if (m->conn.event == CONN_BACKOFF && m->conn.retry_at_ns > 0) {
		int64_t left = m->conn.retry_at_ns - f->now_mono;
		int64_t ds = left > 0 ? (left + 99999999) / 100000000 : 0; /* tenths, up */
		snprintf(t, sizeof t, "retry in %" PRId64 ".%" PRId64 "s (R: now)", ds / 10,
		         ds % 10);
		ui_flow_put(fl, ui_attr(u, UC_WARN), t);
	}
}

static void header_draw(WINDOW *w, const struct ui_frame *f, const struct ui_rect *r)
{
	const struct market_state *m = f->m;
	const struct ui *u = f->u;
	struct ui_flow fl;
	char a[64], b[64], t[160];
	bool clock = r->w > 30;
	ui_flow_init(&fl, w, 0, r->h, clock ? r->w - 9 : r->w);

	ui_flow_put(&fl, ui_attr(u, UC_LABEL) | A_BOLD, "clobtop");
	if (m->mode[0]) {
		snprintf(t, sizeof t, "[%s]", m->mode);
		ui_flow_put(&fl, ui_attr(u, UC_DIM), t);
	}
	bool replay = strcmp(m->mode, "replay") == 0;
	snprintf(t, sizeof t, "%s",
	         m->conn.alive ? (replay ? "REPLAY" : "LIVE") : conn_kind_name(m->conn.event));
	ui_flow_put(&fl, ui_attr(u, conn_color(m)) | A_BOLD, t);
	if (!m->conn.alive && !replay) {
		outage(&fl, f);
	}
	/* The URL gets what is left of the first row, so the figures stay together. */
	int room = fl.width - fl.x - 1;
	char url[sizeof m->conn.url];
	size_t k = ui_text_fit(m->conn.url[0] ? m->conn.url : "-", room > 12 ? room : 12, NULL);
	snprintf(url, sizeof url, "%.*s", (int)k, m->conn.url[0] ? m->conn.url : "-");
	ui_flow_put(&fl, ui_attr(u, UC_DIM), url);
	if (!m->conn.alive && m->conn.last_error[0]) {
		snprintf(t, sizeof t, "(%.100s)", m->conn.last_error);
		ui_flow_put(&fl, ui_attr(u, UC_BAD), t);
	}
	ui_fmt_uptime(f->now_mono - m->conn.started_mono_ns, a, sizeof a);
	snprintf(t, sizeof t, "up %s", a);
	ui_flow_put(&fl, A_NORMAL, t);
	if (m->conn.connected_since_ns > 0) {
		ui_fmt_uptime(f->now_mono - m->conn.connected_since_ns, a, sizeof a);
		snprintf(t, sizeof t, "conn %s", a);
	} else {
		snprintf(t, sizeof t, "conn -");
	}
	ui_flow_put(&fl, A_NORMAL, t);
	snprintf(t, sizeof t, "reconn %" PRIu64, m->conn.reconnects);
	ui_flow_put(&fl, ui_attr(u, m->conn.reconnects ? UC_WARN : UC_NORMAL), t);
	ui_conn_header(&fl, f);

	double mps = rate_per_sec(&m->msg_rate, f->now_s, 1);
	double bps = rate_per_sec(&m->byte_rate, f->now_s, 1);
	ui_fmt_compact((int64_t)(mps * 1e6), a, sizeof a);
	ui_fmt_compact((int64_t)(bps * 1e6), b, sizeof b);
	snprintf(t, sizeof t, "%s msg/s %sB/s", a, b);
	ui_flow_put(&fl, A_NORMAL, t);

	ui_header_counts(&fl, u);

	if (m->transport.ring_capacity) {
		size_t cap = m->transport.ring_capacity;
		unsigned pct = (unsigned)(m->transport.ring_used * 100 / cap);
		uint64_t drops = m->transport.ring_drops;
		snprintf(t, sizeof t, "ring %u%%", pct);
		ui_flow_put(&fl,
		            ui_attr(u, pct >= 80   ? UC_BAD
		                       : pct >= 50 ? UC_WARN
		                                   : UC_NORMAL),
		            t);
		snprintf(t, sizeof t, "drops %" PRIu64, drops);
		ui_flow_put(&fl, ui_attr(u, drops ? UC_BAD : UC_NORMAL), t);
	}
	snprintf(t, sizeof t, "malformed %" PRIu64, m->cnt.malformed);
	ui_flow_put(&fl, ui_attr(u, m->cnt.malformed ? UC_WARN : UC_NORMAL), t);
	snprintf(t, sizeof t, "unknown %" PRIu64, m->cnt.unknown);
	ui_flow_put(&fl, ui_attr(u, m->cnt.unknown ? UC_WARN : UC_NORMAL), t);
	if (m->rest && m->rest->o.audit_every_ms) {
		const struct audit_stats *au = &m->rest->audit;
		snprintf(t, sizeof t, "audit %" PRIu64 " ok %" PRIu64 " bad", au->agreed,
		         au->mismatched);
		ui_flow_put(&fl, ui_attr(u, au->mismatched ? UC_BAD : UC_NORMAL), t);
	}

	if (!clock) {
		return;
	}
	ui_clock_text(f->now_real, a, sizeof a);
	ui_put_right(w, r->h - 1, 0, r->w, A_BOLD, a);
}

const struct pane ui_header_pane = {
    .name = "header",
    .draw = header_draw,
    .key = NULL,
};

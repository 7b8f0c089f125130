/*
 * pane_conn: the connections view (key c) and the header's connections item.  The view
 * covers the panes like a detail view and lists every connection of the shard pool: id,
 * state, assets, messages per second, feed latency p95, age of the last frame,
 * reconnects and ring drops; the moves select a row and Enter or R forces that one
 * connection to reconnect (ui_hooks.reconnect_conn).  Esc or c closes it.
 *
 * Reads the model only (market_conn.h); never changes it.
 * Runs on the UI thread only and never touches the network.
 */
#include "ui_int.h"

#include <inttypes.h>
#include <stdio.h>

#include "market_conn.h"

static size_t conns_up(const struct market_state *m, size_t *open)
{
	size_t up = 0;
	*open = 0;
	for (size_t k = 0; k < m->nconns; k++) {
		const struct market_conn *c = market_conn_get(m, k);
		if (c && c->open) {
			(*open)++;
			up += c->info->alive;
		}
	}
	return up;
}

void ui_conn_header(struct ui_flow *fl, const struct ui_frame *f)
{
	size_t open, up = conns_up(f->m, &open);
	if (open < 2)
		return; /* one connection: the header's LIVE says it all */
	char t[48];
	snprintf(t, sizeof t, "conns %zu/%zu up", up, open);
	ui_flow_put(fl, ui_attr(f->u, up == open ? UC_OK : UC_WARN), t);
}

static void conn_row(WINDOW *w, const struct ui_frame *f, int y, int width, size_t k,
                     const struct market_conn *c, bool selected)
{
	char lat[24], age[24], t[160];
	struct lat_summary s;
	lat_window_summary(c->feed_ms, f->now_s, STATS_WINDOW_SECS, &s);
	if (s.count)
		snprintf(lat, sizeof lat, "%" PRId64, s.p95);
	else
		snprintf(lat, sizeof lat, "-");
	if (c->last_frame_mono_ns)
		snprintf(age, sizeof age, "%.1fs",
		         (double)(f->now_mono - c->last_frame_mono_ns) / (double)NS_PER_S);
	else
		snprintf(age, sizeof age, "-");
	const char *state = !c->open ? "closed" : conn_kind_name(c->info->event);
	snprintf(t, sizeof t, "%4zu  %-11s %6zu %8.0f %7s %7s %7" PRIu64 " %7" PRIu64, k, state,
	         c->nassets, c->msgs_per_s, lat, age, c->info->reconnects, c->drops);
	enum ui_color col = !c->open         ? UC_DIM
	                    : c->info->alive ? (c->drops ? UC_WARN : UC_NORMAL)
	                                     : UC_BAD;
	attr_t a = selected ? ui_attr(f->u, UC_SELECT) : ui_attr(f->u, col);
	if (selected)
		ui_fill(w, y, 0, width, a);
	ui_put(w, y, 0, width, a, t);
}

void ui_draw_conns(const struct ui_frame *f)
{
	WINDOW *w = f->u->detail_win;
	const struct ui_rect *r = &f->u->lay.detail;
	const struct market_state *m = f->m;
	werase(w);
	size_t open, up = conns_up(m, &open);
	char t[160];
	snprintf(t, sizeof t,
	         " connections: %zu/%zu up   Enter or R: reconnect the selected one"
	         "   Esc: close ",
	         up, open);
	ui_fill(w, 0, 0, r->w, ui_attr(f->u, UC_TITLE_FOCUS));
	ui_put(w, 0, 0, r->w, ui_attr(f->u, UC_TITLE_FOCUS), t);
	ui_put(w, 1, 0, r->w, ui_attr(f->u, UC_LABEL),
	       "  id  state       assets   msgs/s  p95 ms    last  reconn   drops");
	int rows = r->h - 2;
	if (!m->nconns) {
		ui_put(w, 2, 2, r->w - 2, ui_attr(f->u, UC_DIM), "no connections (not live)");
	}
	int sel = f->u->view_off, first = sel >= rows ? sel - rows + 1 : 0;
	for (int i = 0; i < rows && (size_t)(first + i) < m->nconns; i++) {
		size_t k = (size_t)(first + i);
		const struct market_conn *c = market_conn_get(m, k);
		if (c)
			conn_row(w, f, 2 + i, r->w, k, c, (int)k == sel);
	}
	wnoutrefresh(w);
}

void ui_conns_key(struct ui *u, const struct market_state *m, enum ui_action a)
{
	if (a == ACT_ENTER || a == ACT_RECONNECT) {
		size_t k = (size_t)u->view_off;
		const struct market_conn *c = market_conn_get(m, k);
		bool ok = c && c->open && u->hooks.reconnect_conn &&
		          u->hooks.reconnect_conn(u->hooks.ctx, k);
		if (ok)
			ui_status(u, "connection %zu: reconnect requested", k);
		else
			ui_status(u, "connection %zu cannot be reconnected (closed, or not live)",
			          k);
		return;
	}
	/* The list is drawn from the top: the selection is view_off, 0 = first. */
	int max = m->nconns ? (int)m->nconns - 1 : 0;
	ui_scroll_offset(&u->view_off, a, max);
}

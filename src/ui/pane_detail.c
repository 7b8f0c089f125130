/*
 * pane_detail: the two detail views that cover the panes: an asset's drill-down (full
 * label and question, figures, the whole book, its own trades and alerts) and an alert's
 * full text (every field, every asset of a grouped storm).  Enter opens them, Esc or
 * Enter closes them; the moves scroll the book or the list of assets.
 *
 * Reads the model only; network text in it is sanitised and still goes through ui_put.
 * Runs on the UI thread only and never touches the network.
 */
#include "handon.h"
#include "ui_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "user.h"

/* Text that wraps over the rows from *y (one item per call); advances *y past it. */
static void wrapped(WINDOW *w, int *y, int y_end, int width, attr_t a, const char *s)
{
	struct ui_flow fl;
	ui_flow_init(&fl, w, *y, y_end - *y, width);
	char word[256];
	const char *p = s;
	while (*p) {
		size_t n = strcspn(p, " ");
		snprintf(word, sizeof word, "%.*s",
		         (int)(n < sizeof word - 1 ? n : sizeof word - 1), p);
		ui_flow_put(&fl, a, word);
		p += n;
		while (*p == ' ') {
			p++;
		}
	}
	*y = fl.y + 1;
}

static void figures(WINDOW *w, const struct ui_frame *f, const struct asset *a, int *y, int width)
{
	char bid[NUM_BUF], ask[NUM_BUF], sp[NUM_BUF], mid[NUM_BUF], last[NUM_BUF], tick[NUM_BUF];
	char t[512];
	ui_fmt_price(book_best(&a->book, SIDE_BID), bid, sizeof bid);
	ui_fmt_price(book_best(&a->book, SIDE_ASK), ask, sizeof ask);
	ui_fmt_price(book_spread(&a->book), sp, sizeof sp);
	ui_fmt_price(book_mid(&a->book), mid, sizeof mid);
	ui_fmt_price(a->have_trade ? a->last_trade.price : a->last_trade_price_book, last,
	             sizeof last);
	ui_fmt_price(a->tick ? a->tick : PRICE_NONE, tick, sizeof tick);
	enum ui_dstate ds = ui_display_state(a->state, market_asset_alive(f->m, a));
	snprintf(t, sizeof t,
	         "state %s  bid %s  ask %s  spread %s  mid %s  last %s  tick %s  msgs %" PRIu64
	         "  resyncs %" PRIu64 "  bbo checks %" PRIu64 " (%" PRIu64
	         " disagreed)  book from %s %" PRId64 " s ago",
	         ui_dstate_text(ds), bid, ask, sp, mid, last, tick, a->msgs, a->resyncs,
	         a->bbo_checks, a->bbo_mismatches, book_source_name(a->rest.source),
	         a->rest.source_mono_ns ? (f->now_mono - a->rest.source_mono_ns) / NS_PER_S : 0);
	wrapped(w, y, *y + 2, width, A_NORMAL, t);
	snprintf(t, sizeof t, "id %s%s%s", a->id, a->market[0] ? "  market " : "", a->market);
	wrapped(w, y, *y + 3, width, ui_attr(f->u, UC_DIM), t);
}

/* The whole book, bids and asks side by side from the best, scrolled by view_off. */
static void full_book(WINDOW *w, const struct ui_frame *f, const struct asset *a, int y, int h,
                      int width)
{
	const struct ui *u = f->u;
	attr_t hd = ui_attr(u, UC_DIM) | A_UNDERLINE;
	ui_fill(w, y, 0, width, hd);
	ui_putf(w, y, 0, width, hd, "%4s %8s %8s  %8s %8s  (%zu bids, %zu asks)", "#", "bid",
	        "size", "ask", "size", book_levels(&a->book, SIDE_BID),
	        book_levels(&a->book, SIDE_ASK));
	for (int row = 1; row < h; row++) {
		size_t i = (size_t)u->view_off + (size_t)row - 1;
		const struct ev_level *b = book_level(&a->book, SIDE_BID, i);
		const struct ev_level *k = book_level(&a->book, SIDE_ASK, i);
		if (!b && !k) {
			break;
		}
		char p[NUM_BUF], s[32], t[16];
		snprintf(t, sizeof t, "%4zu", i + 1);
		ui_put(w, y + row, 0, 4, ui_attr(u, UC_DIM), t);
		if (b) {
			ui_fmt_price(b->price, p, sizeof p);
			ui_fmt_compact(b->size, s, sizeof s);
			ui_put_right(w, y + row, 5, 8, ui_attr(u, UC_BID), p);
			ui_put_right(w, y + row, 14, 8, A_NORMAL, s);
		}
		if (k) {
			ui_fmt_price(k->price, p, sizeof p);
			ui_fmt_compact(k->size, s, sizeof s);
			ui_put_right(w, y + row, 24, 8, ui_attr(u, UC_ASK), p);
			ui_put_right(w, y + row, 33, 8, A_NORMAL, s);
		}
	}
}

/* The asset's own trades (from the tape), then its alerts, in a column at x. */
static void own_history(WINDOW *w, const struct ui_frame *f, uint32_t idx, int y, int h, int x,
                        int width)
{
	const struct ui *u = f->u;
	const struct market_state *m = f->m;
	int half = h / 2, row = y;
	ui_put(w, row++, x, width, ui_attr(u, UC_LABEL) | A_BOLD, "its trades (newest first)");
	const struct trade *t;
	for (size_t i = 0; row < y + half && (t = market_trade_at(m, i)) != NULL; i++) {
		if (t->asset != idx) {
			continue;
		}
		char clk[16], p[NUM_BUF], sz[32];
		ui_clock_text(t->t_real_ns, clk, sizeof clk);
		ui_fmt_price(t->price, p, sizeof p);
		ui_fmt_compact(t->size, sz, sizeof sz);
		ui_putf(w, row++, x, width, ui_attr(u, t->side == SIDE_BID ? UC_BID : UC_ASK),
		        "%s %s %8s %8s", clk, t->side == SIDE_BID ? "BUY " : "SELL", p, sz);
	}
	row = y + half;
	ui_put(w, row++, x, width, ui_attr(u, UC_LABEL) | A_BOLD, "its alerts (newest first)");
	const struct alert *al;
	for (size_t i = 0; row < y + h && (al = market_alert_at(m, i)) != NULL; i++) {
		if (!alert_names_asset(al, idx)) {
			continue;
		}
		char clk[16];
		ui_clock_text(al->t_last_real_ns, clk, sizeof clk);
		ui_putf(w, row++, x, width, A_NORMAL, "%s %s %s: %s", clk,
		        alert_severity_name(alert_kind_severity(al->kind)),
		        alert_kind_name(al->kind), al->message);
	}
}

static void asset_view(WINDOW *w, const struct ui_frame *f, const struct ui_rect *r)
{
	const struct market_state *m = f->m;
	const struct ui *u = f->u;
	if (u->view_asset >= m->nassets) {
		return;
	}
	const struct asset *a = &m->assets[u->view_asset];
	ui_title(w, f, UI_PANE_ASSETS,
	         " asset  %s   (Esc or Enter closes; Up/Down scroll the book)", ui_asset_label(a));
	int y = 1;
	if (a->question[0]) {
		char q[QUESTION_MAX + 16];
		snprintf(q, sizeof q, "question: %s", a->question);
		wrapped(w, &y, y + 3, r->w, A_BOLD, q);
	}
	wrapped(w, &y, y + 3, r->w, ui_attr(u, UC_LABEL), ui_asset_label(a));
	figures(w, f, a, &y, r->w);
	y = ui_handon_draw_fill(u, w, a, y, r->w);
	y++;
	int h = r->h - y;
	if (h <= 1) {
		return;
	}
	int left = r->w >= 90 ? 64 : r->w;
	full_book(w, f, a, y, h, left);
	if (left < r->w) {
		own_history(w, f, u->view_asset, y, h, left + 1, r->w - left - 1);
	}
}

static void alert_view(WINDOW *w, const struct ui_frame *f, const struct ui_rect *r)
{
	const struct market_state *m = f->m;
	const struct ui *u = f->u;
	const struct alert *al = ui_alert_by_abs(m, u->view_alert);
	ui_title(w, f, UI_PANE_ALERTS, " alert  %s %s   (Esc or Enter closes)",
	         al ? alert_severity_name(alert_kind_severity(al->kind)) : "",
	         al ? alert_kind_name(al->kind) : "");
	if (!al) {
		ui_put(w, 1, 1, r->w - 1, ui_attr(u, UC_DIM), "this alert is no longer in the log");
		return;
	}
	char first[16], last[16], t[256];
	ui_clock_text(al->t_real_ns, first, sizeof first);
	ui_clock_text(al->t_last_real_ns, last, sizeof last);
	int y = 1;
	snprintf(t, sizeof t, "first %s  latest %s  alerts %" PRIu32 "  assets %" PRIu32 "%s",
	         first, last, al->count, al->nassets,
	         al->seq > m->alerts_acked_seq ? "  unread" : "");
	ui_put(w, y++, 0, r->w, ui_attr(u, UC_DIM), t);
	y++;
	wrapped(w, &y, r->h, r->w, A_BOLD, al->message);
	y++;
	uint32_t listed = al->nassets < ALERT_GROUP_IDS ? al->nassets : ALERT_GROUP_IDS;
	for (uint32_t i = (uint32_t)u->view_off; i < listed && y < r->h; i++, y++) {
		const struct asset *a = &m->assets[al->asset_idx[i]];
		ui_putf(w, y, 0, r->w, A_NORMAL, "%s  %s", a->id, ui_asset_label(a));
	}
	if (y < r->h && al->nassets > listed) {
		ui_putf(w, y, 0, r->w, ui_attr(u, UC_DIM), "... and %" PRIu32 " more",
		        al->nassets - listed);
	}
}

void ui_draw_detail(const struct ui_frame *f)
{
	WINDOW *w = f->u->detail_win;
	const struct ui_rect *r = &f->u->lay.detail;
	werase(w);
	if (f->u->mode == UI_MODE_ASSET_VIEW) {
		asset_view(w, f, r);
	} else if (f->u->mode == UI_MODE_USER_VIEW) {
		ui_draw_user(w, f, r);
	} else {
		alert_view(w, f, r);
	}
	wnoutrefresh(w);
}

void ui_detail_key(struct ui *u, const struct market_state *m, enum ui_action a)
{
	int max = 0;
	if (u->mode == UI_MODE_ASSET_VIEW && u->view_asset < m->nassets) {
		const struct book *b = &m->assets[u->view_asset].book;
		size_t nb = book_levels(b, SIDE_BID), na = book_levels(b, SIDE_ASK);
		max = (int)(nb > na ? nb : na) - 1;
	} else if (u->mode == UI_MODE_USER_VIEW && m->user) {
		size_t n =
		    m->user->norders > m->user->ntrades ? m->user->norders : m->user->ntrades;
		max = (int)n - 1;
	} else if (u->mode == UI_MODE_ALERT_VIEW) {
		const struct alert *al = ui_alert_by_abs(m, u->view_alert);
		max = al ? (int)(al->nassets < ALERT_GROUP_IDS ? al->nassets : ALERT_GROUP_IDS) - 1
		         : 0;
	}
	ui_scroll_offset(&u->view_off, a, max > 0 ? max : 0);
}

/*
 * pane_user: the user-channel view ('u', with --user): your orders (placement, update,
 * cancellation; side, price, original and matched size, status, outcome, market label)
 * and your trades (status and the time spent in each status so far), newest first.  It
 * covers the panes like the detail views; Esc or u closes it, the moves scroll it.
 *
 * Reads the model only (the user model's strings were sanitised on the way in and
 * still go through ui_put).  Never shows a credential (the model holds none).  UI
 * thread only.
 */
#include "ui_int.h"

#include <stdio.h>
#include <string.h>

#include "user.h"

static const char *side_text(int side)
{
	return side < 0 ? "?" : side == SIDE_BID ? "BUY" : "SELL";
}

static const char *dec(int64_t v, char *buf, size_t cap)
{
	if (v < 0)
		snprintf(buf, cap, "-");
	else
		num_format(v, buf, cap);
	return buf;
}

/* The label of the asset the order or trade is on, else its market's condition id. */
static const char *where(const struct market_state *m, const char *asset, const char *market)
{
	const struct asset *a =
	    asset[0] ? market_find((struct market_state *)m, asset, strlen(asset)) : NULL;
	return a ? ui_asset_label(a) : market[0] ? market : "?";
}

static int orders(WINDOW *w, const struct ui_frame *f, int y, int rows, int width)
{
	const struct user_model *u = f->m->user;
	attr_t dim = ui_attr(f->u, UC_DIM);
	ui_putf(w, y++, 0, width, A_BOLD, "ORDERS  %zu open, %zu kept", user_open_orders(u),
	        u->norders);
	ui_put(w, y++, 0, width, dim,
	       "type          side  price     original  matched   status     outcome  market");
	for (size_t k = (size_t)f->u->view_off; k < u->norders && rows > 2; k++, rows--) {
		const struct user_order *o = &u->orders[u->norders - 1 - k];
		char p[NUM_BUF], os[NUM_BUF], ms[NUM_BUF];
		ui_putf(w, y++, 0, width, o->open ? A_BOLD : A_NORMAL,
		        "%-13.13s %-5s %-9s %-9s %-9s %-10.10s %-8.8s %s", o->type,
		        side_text(o->side), dec(o->price, p, sizeof p),
		        dec(o->original_size, os, sizeof os), dec(o->size_matched, ms, sizeof ms),
		        o->status, o->outcome, where(f->m, o->asset, o->market));
	}
	return y;
}

/* "MATCHED 3s > MINED 12s" : each status and how long it lasted (the last: until now). */
static void history(const struct user_trade *t, int64_t now, char *buf, size_t cap)
{
	size_t len = 0;
	buf[0] = '\0';
	for (int i = 0; i < t->nhist && len < cap; i++) {
		int64_t end = i + 1 < t->nhist ? t->hist[i + 1].since_mono_ns : now;
		len += (size_t)snprintf(buf + len, cap - len, "%s%s %llds", i ? " > " : "",
		                        t->hist[i].status,
		                        (long long)((end - t->hist[i].since_mono_ns) / NS_PER_S));
	}
}

static void trades(WINDOW *w, const struct ui_frame *f, int y, int rows, int width)
{
	const struct user_model *u = f->m->user;
	ui_putf(w, y++, 0, width, A_BOLD, "TRADES  %zu kept", u->ntrades);
	ui_put(w, y++, 0, width, ui_attr(f->u, UC_DIM),
	       "id        side  price     size      status      statuses (time in each)");
	for (size_t k = (size_t)f->u->view_off; k < u->ntrades && rows > 2; k++, rows--) {
		const struct user_trade *t = &u->trades[u->ntrades - 1 - k];
		char p[NUM_BUF], s[NUM_BUF], h[USER_HIST * (USER_STATUS_MAX + 16)];
		history(t, f->now_mono, h, sizeof h);
		attr_t a = t->st == UT_FAILED ? ui_attr(f->u, UC_BAD)
		           : t->stuck_alerted ? ui_attr(f->u, UC_WARN)
		                              : A_NORMAL;
		ui_putf(w, y++, 0, width, a, "%-9.9s %-5s %-9s %-9s %-11.11s %s  %s", t->id,
		        side_text(t->side), dec(t->price, p, sizeof p), dec(t->size, s, sizeof s),
		        t->nhist ? t->hist[t->nhist - 1].status : "?", h,
		        where(f->m, t->asset, t->market));
	}
}

void ui_draw_user(WINDOW *w, const struct ui_frame *f, const struct ui_rect *r)
{
	const struct user_model *u = f->m->user;
	if (!u) {
		ui_title(w, f, UI_PANE_ASSETS, " your orders and trades   (Esc or u closes)");
		ui_put(w, 2, 1, r->w - 2, A_NORMAL, "the user channel is off: start with --user");
		return;
	}
	ui_title(w, f, UI_PANE_ASSETS, " your orders and trades   %s   (Esc or u closes)",
	         u->state);
	int h = r->h - 1;
	int y = orders(w, f, 1, h / 2, r->w);
	trades(w, f, y + 1, r->h - y - 1, r->w);
}

void ui_user_marker(WINDOW *w, const struct ui_frame *f, int y, int side, int64_t price)
{
	const struct asset *a = f->m->user ? ui_selected(f->u, f->m) : NULL;
	if (a && user_open_size_at(f->m->user, a->id, side, price) > 0)
		ui_put(w, y, 0, 1, ui_attr(f->u, UC_WARN) | A_BOLD, "*");
}

/*
 * layout: pane rectangles from the terminal size (see layout.h).
 *
 * Three shapes: wide (>= 120 columns: assets | book over trades | alerts), medium
 * (>= 60 columns: assets across, then book | trades over alerts) and narrow (a stack).
 * Small heights drop panes in order of importance: alerts/trades, book, latency,
 * assets, status, and the header goes last.  Must never touch curses.
 * Runs on the UI thread only and never touches the network.
 */
#include "layout.h"

#include <string.h>

#define WIDE_COLS   120 /* side-by-side assets and book from here */
#define MEDIUM_COLS 60  /* book beside trades/alerts from here */

static struct ui_rect rect(int x, int y, int w, int h)
{
	struct ui_rect r = {x, y, w, h};
	if (w <= 0 || h <= 0) {
		r.x = r.y = r.w = r.h = 0;
	}
	return r;
}

static int clamp(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* Splits a w x h area at (x, y) into a left and right part with a one-column gap. */
static void split_h(int x, int y, int w, int h, int left_w, struct ui_rect *l, struct ui_rect *r)
{
	left_w = clamp(left_w, 0, w);
	*l = rect(x, y, left_w, h);
	*r = rect(x + left_w + 1, y, w - left_w - 1, h);
}

/* Trades above alerts in one column: trades get the larger half. */
static void trades_alerts(struct ui_layout *o, int x, int y, int w, int h)
{
	if (h < 6) {
		o->pane[UI_PANE_ALERTS] = rect(x, y, w, h);
		return;
	}
	int th = (h + 1) / 2;
	o->pane[UI_PANE_TRADES] = rect(x, y, w, th);
	o->pane[UI_PANE_ALERTS] = rect(x, y + th, w, h - th);
}

static void body_wide(struct ui_layout *o, int y, int cols, int bh)
{
	/* The ladder needs ~40 columns; the assets table's label gets the rest first. */
	int bw = clamp(cols / 3, 40, 72);
	int th = bh >= 14 ? bh * 3 / 5 : bh;
	split_h(0, y, cols, th, cols - bw - 1, &o->pane[UI_PANE_ASSETS], &o->pane[UI_PANE_BOOK]);
	if (bh - th >= 3) {
		/* The alert log gets the larger share: its diagnoses are long. */
		split_h(0, y + th, cols, bh - th, cols * 2 / 5, &o->pane[UI_PANE_TRADES],
		        &o->pane[UI_PANE_ALERTS]);
	}
}

static void body_medium(struct ui_layout *o, int y, int cols, int bh)
{
	if (bh < 8) {
		o->pane[UI_PANE_ASSETS] = rect(0, y, cols, bh);
		return;
	}
	int ah = bh / 2;
	int lh = bh - ah;
	o->pane[UI_PANE_ASSETS] = rect(0, y, cols, ah);
	int bw = clamp(cols * 9 / 20, 28, 48);
	struct ui_rect right;
	split_h(0, y + ah, cols, lh, bw, &o->pane[UI_PANE_BOOK], &right);
	if (!ui_rect_empty(&right)) {
		trades_alerts(o, right.x, right.y, right.w, right.h);
	}
}

static void body_narrow(struct ui_layout *o, int y, int cols, int bh)
{
	if (bh < 8) {
		o->pane[UI_PANE_ASSETS] = rect(0, y, cols, bh);
		return;
	}
	int ah = bh < 16 ? bh / 2 : bh * 2 / 5;
	int rest = bh - ah;
	o->pane[UI_PANE_ASSETS] = rect(0, y, cols, ah);
	if (rest < 8) {
		o->pane[UI_PANE_BOOK] = rect(0, y + ah, cols, rest);
		return;
	}
	int kh = rest / 2;
	o->pane[UI_PANE_BOOK] = rect(0, y + ah, cols, kh);
	trades_alerts(o, 0, y + ah + kh, cols, rest - kh);
}

void ui_layout(int cols, int rows, struct ui_layout *out)
{
	memset(out, 0, sizeof *out);
	cols = cols < 0 ? 0 : cols;
	rows = rows < 0 ? 0 : rows;
	out->cols = cols;
	out->rows = rows;
	if (cols == 0 || rows == 0) {
		return;
	}
	if (rows == 1) {
		out->pane[UI_PANE_HEADER] = rect(0, 0, cols, 1);
		return;
	}
	out->status = rect(0, rows - 1, cols, 1);
	int avail = rows - 1;
	int hh = (cols >= 100 || avail < 6) ? 1 : 2;
	out->pane[UI_PANE_HEADER] = rect(0, 0, cols, hh);
	avail -= hh;
	int lh = rows >= 20 ? 3 : rows >= 12 ? 2 : 0;
	out->pane[UI_PANE_LATENCY] = rect(0, hh, cols, lh);
	avail -= lh;
	int y = hh + lh;
	if (avail > 0) {
		if (cols >= WIDE_COLS) {
			body_wide(out, y, cols, avail);
		} else if (cols >= MEDIUM_COLS) {
			body_medium(out, y, cols, avail);
		} else {
			body_narrow(out, y, cols, avail);
		}
	}
	int hw = cols - 4 < 74 ? cols - 4 : 74;
	int hr = rows - 2 < 48 ? rows - 2 : 48;
	out->help = rect((cols - hw) / 2, (rows - hr) / 2, hw, hr);
	out->detail = rect(0, 0, cols, rows - 1);
}

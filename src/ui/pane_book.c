/*
 * pane_book: the ladder of the selected asset: asks above, a spread row, bids below,
 * with sizes, cumulative depth from the best price and proportional size bars.
 *
 * Reads the book through book.h only.  Scrolling skips levels from the best outward on
 * both sides; cumulative depth still counts the skipped levels.  Never changes state.
 * Runs on the UI thread only and never touches the network.
 */
#include "ui_int.h"

#include <inttypes.h>
#include <stdio.h>

#define PRICE_W 8
#define SIZE_W  7
#define CUM_W   7

static void level_row(WINDOW *w, const struct ui_frame *f, int y, int width, enum side s,
                      const struct ev_level *lv, int64_t cum, int64_t max_size)
{
	const struct ui *u = f->u;
	char p[NUM_BUF], sz[32], c[32];
	ui_fmt_price(lv->price, p, sizeof p);
	ui_fmt_compact(lv->size, sz, sizeof sz);
	ui_fmt_compact(cum, c, sizeof c);
	attr_t col = ui_attr(u, s == SIDE_BID ? UC_BID : UC_ASK);
	ui_put_right(w, y, 0, PRICE_W, col | A_BOLD, p);
	ui_put_right(w, y, PRICE_W + 1, SIZE_W, A_NORMAL, sz);
	int x = PRICE_W + 1 + SIZE_W + 1;
	if (width >= x + CUM_W + 4) {
		ui_put_right(w, y, x, CUM_W, ui_attr(u, UC_DIM), c);
		x += CUM_W + 1;
	}
	int bar_w = width - x;
	if (bar_w <= 0 || max_size <= 0) {
		return;
	}
	/* Display ratio only: a double is fine here. */
	int n = (int)((double)lv->size / (double)max_size * bar_w + 0.5);
	if (n < 1) {
		n = 1;
	}
	if (n > bar_w) {
		n = bar_w;
	}
	if (u->color) {
		ui_fill(w, y, x, n, ui_attr(u, s == SIDE_BID ? UC_BID_BAR : UC_ASK_BAR));
	} else {
		for (int i = 0; i < n; i++) {
			ui_put(w, y, x + i, 1, A_NORMAL, s == SIDE_BID ? "+" : "-");
		}
	}
}

/* One side's levels from off, best nearest the spread row: asks go up from y, bids down. */
static void draw_side(WINDOW *w, const struct ui_frame *f, const struct ui_rect *r,
                      const struct book *b, enum side s, size_t off, int n, int y, int dir,
                      int64_t cum, int64_t max_size)
{
	for (int i = 0; i < n && y + dir * i > 0 && y + dir * i < r->h; i++) {
		const struct ev_level *lv = book_level(b, s, off + (size_t)i);
		if (!lv) {
			break;
		}
		cum += lv->size;
		level_row(w, f, y + dir * i, r->w, s, lv, cum, max_size);
	}
}

static void spread_row(WINDOW *w, const struct ui *u, const struct ui_rect *r, const struct book *b,
                       int y, size_t off)
{
	char sp[NUM_BUF], bps[32], mid[NUM_BUF], t[160];
	int64_t spread = book_spread(b);
	ui_fmt_price(spread, sp, sizeof sp);
	ui_fmt_price(book_mid(b), mid, sizeof mid);
	if (spread == PRICE_NONE) {
		snprintf(bps, sizeof bps, "-");
	} else {
		ui_fmt_bps(book_spread_bps_x100(b), bps, sizeof bps);
	}
	enum book_cross cr = book_cross(b);
	snprintf(t, sizeof t, "spread %s (%s bps) mid %s%s%s", sp, bps, mid,
	         cr == BOOK_CROSSED  ? "  CROSSED"
	         : cr == BOOK_LOCKED ? "  LOCKED"
	                             : "",
	         off ? "  (deeper levels)" : "");
	ui_fill(w, y, 0, r->w, ui_attr(u, UC_DIM) | A_UNDERLINE);
	ui_put(w, y, 1, r->w - 1, ui_attr(u, cr != BOOK_NORMAL ? UC_BAD : UC_SPREAD) | A_UNDERLINE,
	       t);
}

/* The largest size in view (bars compare within it) and, per side, the sum of the
 * levels scrolled past (cumulative depth still counts them). */
static int64_t view_sizes(const struct book *b, size_t off, int per_side, int64_t cum_skip[2])
{
	int64_t max_size = 0;
	for (int s = 0; s < 2; s++) {
		cum_skip[s] = 0;
		for (size_t i = 0; i < off + (size_t)per_side; i++) {
			const struct ev_level *lv = book_level(b, (enum side)s, i);
			if (!lv) {
				break;
			}
			if (i < off) {
				cum_skip[s] += lv->size;
			} else if (lv->size > max_size) {
				max_size = lv->size;
			}
		}
	}
	return max_size;
}

/* The title; false when there is nothing more to draw. */
static bool book_title(WINDOW *w, const struct ui_frame *f, const struct ui_rect *r,
                       const struct asset *a)
{
	const struct ui *u = f->u;
	if (!a) {
		ui_title(w, f, UI_PANE_BOOK, " book");
		ui_put(w, 1, 1, r->w - 1, ui_attr(u, UC_DIM), "no asset selected");
		return false;
	}
	char tick[NUM_BUF];
	ui_fmt_price(a->tick ? a->tick : PRICE_NONE, tick, sizeof tick);
	size_t nb = book_levels(&a->book, SIDE_BID), na = book_levels(&a->book, SIDE_ASK);
	char lab[ASSET_LABEL_MAX + 8];
	snprintf(lab, sizeof lab, "%s", ui_asset_label(a));
	ui_title(w, f, UI_PANE_BOOK, " book %s  tick %s  %zu bids %zu asks", lab, tick, nb, na);
	if (r->h < 2) {
		return false;
	}
	if (!a->have_snapshot && nb == 0 && na == 0) {
		ui_put(w, 1, 1, r->w - 1, ui_attr(u, UC_INFO),
		       f->m->conn.alive ? "awaiting snapshot" : "no feed");
		return false;
	}
	return true;
}

static void book_draw(WINDOW *w, const struct ui_frame *f, const struct ui_rect *r)
{
	const struct ui *u = f->u;
	const struct asset *a = ui_selected(u, f->m);
	if (!book_title(w, f, r, a)) {
		return;
	}
	const struct book *b = &a->book;
	int per_side = (r->h - 2) / 2;
	if (per_side > u->opt.book_levels) {
		per_side = u->opt.book_levels;
	}
	if (per_side < 0) {
		per_side = 0;
	}
	size_t off = (size_t)(u->book_off > 0 ? u->book_off : 0);
	int64_t cum_skip[2];
	int64_t max_size = view_sizes(b, off, per_side, cum_skip);
	/* The best ask sits just above the spread row, the best bid just below. */
	int spread_y = 1 + per_side;
	draw_side(w, f, r, b, SIDE_ASK, off, per_side, spread_y - 1, -1, cum_skip[SIDE_ASK],
	          max_size);
	spread_row(w, u, r, b, spread_y, off);
	draw_side(w, f, r, b, SIDE_BID, off, per_side, spread_y + 1, 1, cum_skip[SIDE_BID],
	          max_size);
}

static void book_key(struct ui *u, struct market_state *m, enum ui_action a)
{
	const struct asset *as = ui_selected(u, m);
	int deepest = 0;
	if (as) {
		size_t nb = book_levels(&as->book, SIDE_BID), na = book_levels(&as->book, SIDE_ASK);
		deepest = (int)(nb > na ? nb : na) - 1;
	}
	switch (a) {
	case ACT_UP:
		u->book_off--;
		break;
	case ACT_DOWN:
		u->book_off++;
		break;
	case ACT_PGUP:
		u->book_off -= 10;
		break;
	case ACT_PGDN:
		u->book_off += 10;
		break;
	case ACT_TOP:
		u->book_off = 0;
		break;
	case ACT_BOTTOM:
		u->book_off = deepest;
		break;
	default:
		break;
	}
	if (u->book_off > deepest) {
		u->book_off = deepest;
	}
	if (u->book_off < 0) {
		u->book_off = 0;
	}
}

const struct pane ui_book_pane = {
    .name = "book",
    .draw = book_draw,
    .key = book_key,
};

/*
 * pane_book: the ladder of the selected asset under column headings: asks above, a
 * spread row, bids below, with sizes, cumulative depth from the best price and
 * proportional size bars.  Scrolling stops where the deepest level is at the edge.
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
	ui_user_marker(w, f, y, s, lv->price);
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
	for (int i = 0; i < n && y + dir * i > 1 && y + dir * i < r->h; i++) {
		const struct ev_level *lv = book_level(b, s, off + (size_t)i);
		if (!lv) {
			break;
		}
		cum = num_sat_add(cum, lv->size); /* a hostile size must not wrap */
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
				cum_skip[s] = num_sat_add(cum_skip[s], lv->size);
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
	/* The counts first: a long label is what the narrow title cuts. */
	ui_title(w, f, UI_PANE_BOOK, " book %zu bids %zu asks  tick %s  %s", nb, na, tick,
	         ui_asset_label(a));
	if (r->h < 2) {
		return false;
	}
	if (!a->have_snapshot && nb == 0 && na == 0) {
		ui_put(w, 1, 1, r->w - 1, ui_attr(u, UC_INFO),
		       market_asset_alive(f->m, a) ? "awaiting snapshot" : "no feed");
		return false;
	}
	return true;
}

/* Levels shown per side in a pane of h rows (title, headings and spread rows aside). */
static int levels_per_side(const struct ui *u, int h)
{
	int per_side = (h - 3) / 2;
	if (per_side > u->opt.book_levels) {
		per_side = u->opt.book_levels;
	}
	return per_side > 0 ? per_side : 0;
}

static void headings(WINDOW *w, const struct ui *u, int width)
{
	attr_t a = ui_attr(u, UC_DIM) | A_UNDERLINE;
	ui_fill(w, 1, 0, width, a);
	ui_put_right(w, 1, 0, PRICE_W, a, "price");
	ui_put_right(w, 1, PRICE_W + 1, SIZE_W, a, "size");
	int x = PRICE_W + 1 + SIZE_W + 1;
	if (width >= x + CUM_W + 4) {
		ui_put_right(w, 1, x, CUM_W, a, "cum");
		x += CUM_W + 1;
	}
	ui_put(w, 1, x, width - x, a, "depth (asks above, bids below)");
}

static void book_draw(WINDOW *w, const struct ui_frame *f, const struct ui_rect *r)
{
	const struct ui *u = f->u;
	const struct asset *a = ui_selected(u, f->m);
	if (!book_title(w, f, r, a)) {
		return;
	}
	const struct book *b = &a->book;
	int per_side = levels_per_side(u, r->h);
	headings(w, u, r->w);
	size_t off = (size_t)(u->book_off > 0 ? u->book_off : 0);
	size_t nb = book_levels(b, SIDE_BID), na = book_levels(b, SIDE_ASK);
	size_t deepest =
	    (nb > na ? nb : na) > (size_t)per_side ? (nb > na ? nb : na) - (size_t)per_side : 0;
	if (off > deepest) {
		off = deepest; /* the book shrank since the scroll */
	}
	int64_t cum_skip[2];
	int64_t max_size = view_sizes(b, off, per_side, cum_skip);
	/* The best ask sits just above the spread row, the best bid just below. */
	int spread_y = 2 + per_side;
	draw_side(w, f, r, b, SIDE_ASK, off, per_side, spread_y - 1, -1, cum_skip[SIDE_ASK],
	          max_size);
	spread_row(w, u, r, b, spread_y, off);
	draw_side(w, f, r, b, SIDE_BID, off, per_side, spread_y + 1, 1, cum_skip[SIDE_BID],
	          max_size);
}

static void book_key(struct ui *u, struct market_state *m, enum ui_action a)
{
	const struct asset *as = ui_selected(u, m);
	int page = levels_per_side(u, u->lay.pane[UI_PANE_BOOK].h);
	page = page > 1 ? page : 1;
	/* The deepest offset still fills the ladder: PgDn never scrolls it empty. */
	int deepest = 0;
	if (as) {
		size_t nb = book_levels(&as->book, SIDE_BID), na = book_levels(&as->book, SIDE_ASK);
		deepest =
		    (int)(nb > na ? nb : na) - levels_per_side(u, u->lay.pane[UI_PANE_BOOK].h);
	}
	switch (a) {
	case ACT_UP:
		u->book_off--;
		break;
	case ACT_DOWN:
		u->book_off++;
		break;
	case ACT_PGUP:
		u->book_off -= page;
		break;
	case ACT_PGDN:
		u->book_off += page;
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

/*
 * pane_assets: the assets table: label, best bid/ask, spread (bps), mid, last trade,
 * msgs/min, age and state, sorted and filtered, scrolling past the screen.
 *
 * Only visible rows are formatted.  The rows (sort keys, filter, counts by state) are
 * built by one scan of the assets per refresh tick and kept until the next one, so a key
 * (paging, moving) costs O(rows on screen), whatever the number of assets.  Never
 * changes the model: selection and scroll live in struct ui.  Runs on the UI thread only
 * and never touches the network.
 */
#include "ui_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* X(enum, title, width, prio (higher dropped first), flex, right-aligned).  In the order
 * of UI_SORTS, so that a heading's column is its sort key.  The label keeps LABEL_MIN
 * columns before the lower priorities are shown; the sorted column is always shown. */
#define ASSET_COLS(X)                                                                              \
	X(COL_LABEL, "label", 0, 0, true, false)                                                   \
	X(COL_BID, "bid", 7, 1, false, true)                                                       \
	X(COL_ASK, "ask", 7, 1, false, true)                                                       \
	X(COL_SPREAD, "spread", 6, 3, false, true)                                                 \
	X(COL_BPS, "bps", 6, 8, false, true)                                                       \
	X(COL_MID, "mid", 7, 4, false, true)                                                       \
	X(COL_LAST, "last", 7, 6, false, true)                                                     \
	X(COL_MSGS, "msg/m", 5, 5, false, true)                                                    \
	X(COL_AGE, "age", 5, 7, false, true)                                                       \
	X(COL_STATE, "state", 8, 2, false, false)

enum asset_col {
#define X(e, t, w, p, f, r) e,
	ASSET_COLS(X)
#undef X
	    COL_COUNT
};

static const struct ui_col cols[COL_COUNT] = {
#define X(e, t, w, p, f, r) [e] = {t, w, p, f, r},
    ASSET_COLS(X)
#undef X
};

_Static_assert((int)COL_COUNT == (int)UI_SORT_WORST, "one sort key per column, then worst");
_Static_assert((int)COL_MSGS == (int)UI_SORT_MSGS, "columns in the order of UI_SORTS");

#define LABEL_MIN 24
#define LABEL_MAX 64

/* The column the sort is by: worst first is by state. */
static int sort_col(const struct ui *u)
{
	return u->sort == UI_SORT_WORST ? COL_STATE : (int)u->sort;
}

/* The columns shown at this width (the sorted one always); returns the label's width. */
static int fit(const struct ui *u, int width, bool *shown)
{
	struct ui_col c[COL_COUNT];
	memcpy(c, cols, sizeof c);
	if ((unsigned)sort_col(u) < COL_COUNT) {
		c[sort_col(u)].prio = 0;
	}
	return ui_fit_columns(c, COL_COUNT, width, LABEL_MIN, LABEL_MAX, shown);
}

static int visible_rows(const struct ui *u)
{
	int h = u->lay.pane[UI_PANE_ASSETS].h - 2;
	return h > 0 ? h : 0;
}

static void keep_visible(struct ui *u, int row)
{
	int vis = visible_rows(u);
	if (vis <= 0) {
		u->top = row < 0 ? 0 : row;
		return;
	}
	if (row < u->top) {
		u->top = row;
	}
	if (row >= u->top + vis) {
		u->top = row - vis + 1;
	}
	int max_top = (int)u->nrows - vis;
	if (u->top > max_top) {
		u->top = max_top;
	}
	if (u->top < 0) {
		u->top = 0;
	}
}

int ui_rows_find(const struct ui *u, uint32_t idx)
{
	for (size_t i = 0; i < u->nrows; i++) {
		if (u->rows[i].idx == idx) {
			return (int)i;
		}
	}
	return -1;
}

/* A row's sort keys.  Only the key sorted by is computed (the cells on screen read the
 * asset): at 10,000 assets the minute's message count alone (60 slots each) would cost
 * more than the rest of the frame. */
static void fill_row(struct ui_row *r, const struct market_state *m, size_t i, enum ui_dstate d,
                     enum ui_sort key, int64_t now_mono, int64_t now_s)
{
	const struct asset *a = &m->assets[i];
	*r = (struct ui_row){.idx = (uint32_t)i,
	                     .state = d,
	                     .spread = PRICE_NONE,
	                     .label = ui_asset_label(a),
	                     .bid = PRICE_NONE,
	                     .ask = PRICE_NONE,
	                     .mid = PRICE_NONE,
	                     .last = PRICE_NONE};
	r->age_ns = a->last_update_mono_ns ? now_mono - a->last_update_mono_ns : INT64_MAX;
	if (key == UI_SORT_MSGS) {
		r->msgs_min = rate_sum(&a->msg_rate, now_s, 60);
	} else if (key != UI_SORT_LABEL && key != UI_SORT_AGE && key != UI_SORT_STATE &&
	           key != UI_SORT_WORST) {
		r->spread = book_spread(&a->book);
		r->bid = book_best(&a->book, SIDE_BID);
		r->ask = book_best(&a->book, SIDE_ASK);
		r->mid = book_mid(&a->book);
		r->bps_x100 = r->spread == PRICE_NONE ? 0 : book_spread_bps_x100(&a->book);
		r->last = a->have_trade ? a->last_trade.price : a->last_trade_price_book;
	}
}

/* The view the rows are built for, so that a key frame can tell they still fit. */
static void remember_view(struct ui *u, const struct market_state *m)
{
	u->rows_built = true;
	u->built_sort = u->sort;
	u->built_rev = u->sort_rev;
	u->built_nassets = m->nassets;
	memcpy(u->built_filter, u->filter, sizeof u->built_filter);
}

void ui_rows_ensure(struct ui *u, const struct market_state *m, int64_t now_mono, int64_t now_s)
{
	if (!u->rows_built || u->built_sort != u->sort || u->built_rev != u->sort_rev ||
	    u->built_nassets != m->nassets || strcmp(u->built_filter, u->filter) != 0) {
		ui_rows_build(u, m, now_mono, now_s);
	}
}

void ui_rows_build(struct ui *u, const struct market_state *m, int64_t now_mono, int64_t now_s)
{
	if (u->rows_cap < m->nassets) {
		size_t cap = m->nassets + 64;
		struct ui_row *r = realloc(u->rows, cap * sizeof *r);
		if (!r) {
			return; /* keep the old table; the next frame retries */
		}
		u->rows = r;
		u->rows_cap = cap;
	}
	ui_filter_parse(u->filter, &u->filt);
	memset(u->state_count, 0, sizeof u->state_count);
	u->nsubscribed = 0;
	size_t n = 0;
	for (size_t i = 0; i < m->nassets; i++) {
		const struct asset *a = &m->assets[i];
		if (!a->subscribed) {
			continue;
		}
		enum ui_dstate d = ui_display_state(a->state, market_asset_alive(m, a));
		u->state_count[d]++;
		u->nsubscribed++;
		if (ui_filter_pass(&u->filt, d, a->label, a->id)) {
			fill_row(&u->rows[n++], m, i, d, u->sort, now_mono, now_s);
		}
	}
	u->nrows = n;
	ui_rows_sort(u->rows, n, u->sort, u->sort_rev);
	remember_view(u, m);
	int row = u->have_sel ? ui_rows_find(u, u->sel) : -1;
	if (row < 0) {
		u->have_sel = n > 0;
		u->sel = n > 0 ? u->rows[0].idx : 0;
		row = 0;
	}
	u->sel_row = n > 0 ? row : -1;
	keep_visible(u, row);
}

static void select_row(struct ui *u, int row)
{
	if (u->nrows == 0) {
		return;
	}
	if (row < 0) {
		row = 0;
	}
	if (row >= (int)u->nrows) {
		row = (int)u->nrows - 1;
	}
	u->sel = u->rows[row].idx;
	u->sel_row = row;
	u->have_sel = true;
	u->book_off = 0;
	keep_visible(u, row);
}

static void assets_key(struct ui *u, struct market_state *m, enum ui_action a)
{
	(void)m;
	int row = u->have_sel && u->sel_row >= 0 ? u->sel_row : 0;
	int page = visible_rows(u) > 1 ? visible_rows(u) - 1 : 1;
	switch (a) {
	case ACT_UP:
		select_row(u, row - 1);
		break;
	case ACT_DOWN:
		select_row(u, row + 1);
		break;
	case ACT_PGUP:
		select_row(u, row - page);
		break;
	case ACT_PGDN:
		select_row(u, row + page);
		break;
	case ACT_TOP:
		select_row(u, 0);
		break;
	case ACT_BOTTOM:
		select_row(u, (int)u->nrows - 1);
		break;
	default:
		break;
	}
}

void ui_sort_by(struct ui *u, enum ui_sort key, bool toggle)
{
	if (toggle && key == u->sort) {
		u->sort_rev = !u->sort_rev;
	} else {
		u->sort = key;
		u->sort_rev = false;
	}
	ui_status(u, "sort by %s%s", ui_sort_name(u->sort), u->sort_rev ? ", reversed" : "");
}

/* A click on a row selects it; on a column heading, sorts by that column (again:
 * reverses). */
void ui_assets_click(struct ui *u, struct market_state *m, int row_in_pane, int x)
{
	(void)m;
	if (row_in_pane == 1) {
		bool shown[COL_COUNT];
		int label_w = fit(u, u->lay.pane[UI_PANE_ASSETS].w, shown);
		int cx = 0;
		for (int c = 0; c < COL_COUNT; c++) {
			if (!shown[c]) {
				continue;
			}
			int cw = cols[c].flex ? label_w : cols[c].width;
			if (x >= cx && x <= cx + cw) {
				ui_sort_by(u, (enum ui_sort)c, true);
				return;
			}
			cx += cw + 1;
		}
		return;
	}
	int row = u->top + row_in_pane - 2;
	if (row_in_pane >= 2 && row < (int)u->nrows) {
		select_row(u, row);
	}
}

static void cell(WINDOW *w, int y, int x, int width, bool right, attr_t a, const char *s)
{
	if (right) {
		ui_put_right(w, y, x, width, a, s);
	} else {
		ui_put(w, y, x, width, a, s);
	}
}

/* The text of one price-like cell (every column but label and state) into t, from the
 * asset itself (the row holds only the sort key); returns its attributes. */
static attr_t number_cell(const struct ui_frame *f, const struct ui_row *row, const struct asset *a,
                          int c, bool selected, char *t, size_t cap)
{
	const struct ui *u = f->u;
	attr_t base = selected ? ui_attr(u, UC_SELECT) : A_NORMAL;
	int64_t spread = book_spread(&a->book);
	switch (c) {
	case COL_BID:
		ui_fmt_price(book_best(&a->book, SIDE_BID), t, cap);
		return selected ? base : ui_attr(u, UC_BID);
	case COL_ASK:
		ui_fmt_price(book_best(&a->book, SIDE_ASK), t, cap);
		return selected ? base : ui_attr(u, UC_ASK);
	case COL_SPREAD:
		ui_fmt_price(spread, t, cap);
		return spread != PRICE_NONE && spread <= 0 && !selected ? ui_attr(u, UC_BAD) : base;
	case COL_BPS:
		if (spread == PRICE_NONE) {
			snprintf(t, cap, "-");
		} else {
			ui_fmt_bps(book_spread_bps_x100(&a->book), t, cap);
		}
		return base;
	case COL_MID:
		ui_fmt_price(book_mid(&a->book), t, cap);
		return base;
	case COL_LAST:
		if (!a->have_trade) {
			ui_fmt_price(a->last_trade_price_book, t, cap);
			return base;
		}
		ui_fmt_price(a->last_trade.price, t, cap);
		return selected ? base
		                : ui_attr(u, a->last_trade.side == SIDE_BID ? UC_BID : UC_ASK);
	case COL_MSGS:
		snprintf(t, cap, "%" PRId64, rate_sum(&a->msg_rate, f->now_s, 60));
		return base;
	case COL_AGE:
		if (row->age_ns == INT64_MAX) {
			snprintf(t, cap, "-");
		} else {
			ui_fmt_age(row->age_ns, t, cap);
		}
		return base;
	default:
		t[0] = '\0';
		return base;
	}
}

static void draw_row(WINDOW *w, const struct ui_frame *f, int y, const struct ui_row *row,
                     const bool *shown, int label_w, int width, bool selected)
{
	const struct ui *u = f->u;
	const struct asset *a = &f->m->assets[row->idx];
	attr_t base = selected ? ui_attr(u, UC_SELECT) : A_NORMAL;
	if (selected) {
		ui_fill(w, y, 0, width, base);
	}
	int x = 0;
	char t[64];
	for (int c = 0; c < COL_COUNT; c++) {
		if (!shown[c]) {
			continue;
		}
		int cw = cols[c].flex ? label_w : cols[c].width;
		if (c == COL_LABEL) {
			ui_put(w, y, x, cw, base, ui_asset_label(a));
		} else if (c == COL_STATE) {
			attr_t at =
			    selected ? base | A_BOLD : ui_attr(u, ui_dstate_color(row->state));
			cell(w, y, x, cw, cols[c].right, at, ui_dstate_text(row->state));
		} else {
			attr_t at = number_cell(f, row, a, c, selected, t, sizeof t);
			cell(w, y, x, cw, cols[c].right, at, t);
		}
		x += cw + 1;
	}
}

static void assets_draw(WINDOW *w, const struct ui_frame *f, const struct ui_rect *r)
{
	const struct ui *u = f->u;
	char filt[80] = "";
	if (u->filter[0]) {
		snprintf(filt, sizeof filt, "  filter \"%.40s\"", u->filter);
	}
	int row = u->have_sel ? u->sel_row : -1;
	ui_title(w, f, UI_PANE_ASSETS, " assets %d/%zu of %zu  sort %s%s%s", row + 1, u->nrows,
	         u->nsubscribed, ui_sort_name(u->sort), u->sort_rev ? " (reversed)" : "", filt);
	if (r->h < 2) {
		return;
	}
	bool shown[COL_COUNT];
	int label_w = fit(u, r->w, shown);
	int x = 0;
	attr_t ha = ui_attr(u, UC_DIM) | A_UNDERLINE;
	for (int c = 0; c < COL_COUNT; c++) {
		if (!shown[c]) {
			continue;
		}
		int cw = cols[c].flex ? label_w : cols[c].width;
		cell(w, 1, x, cw, cols[c].right, c == sort_col(u) ? A_BOLD | A_UNDERLINE : ha,
		     cols[c].title);
		x += cw + 1;
	}
	if (u->nrows == 0) {
		ui_put(w, 2, 1, r->w - 1, ui_attr(u, UC_DIM),
		       u->filter[0] ? "no asset matches the filter (/ then Esc clears it)"
		                    : "no assets: press a to add token ids or a market slug");
		return;
	}
	for (int y = 2; y < r->h; y++) {
		size_t i = (size_t)u->top + (size_t)(y - 2);
		if (i >= u->nrows) {
			break;
		}
		draw_row(w, f, y, &u->rows[i], shown, label_w, r->w,
		         u->have_sel && u->rows[i].idx == u->sel);
	}
	if (u->top > 0) {
		ui_put(w, 2, r->w - 1, 1, ui_attr(u, UC_DIM), "^");
	}
	if ((size_t)u->top + (size_t)(r->h - 2) < u->nrows) {
		ui_put(w, r->h - 1, r->w - 1, 1, ui_attr(u, UC_DIM), "v");
	}
}

const struct pane ui_assets_pane = {
    .name = "assets",
    .draw = assets_draw,
    .key = assets_key,
};

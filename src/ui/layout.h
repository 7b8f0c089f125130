/*
 * layout: where each pane goes, as a pure function of the terminal size.
 *
 * No curses here: ui_layout() is unit-tested over many sizes without a terminal.  It must
 * never produce a rectangle outside the screen, two overlapping non-empty rectangles, or a
 * negative number, whatever the size (1x1 included).
 * Runs on the UI thread only and never touches the network.
 */
#ifndef CLOBTOP_UI_LAYOUT_H
#define CLOBTOP_UI_LAYOUT_H

#include <stdbool.h>

struct ui_rect {
	int x; /* column of the top-left cell */
	int y; /* row of the top-left cell */
	int w; /* columns; 0 when the pane is hidden */
	int h; /* rows; 0 when the pane is hidden */
};

/* X(enum, name shown in titles and help, focusable with Tab) */
#define UI_PANES(X)                                                                                \
	X(UI_PANE_HEADER, "header", false)                                                         \
	X(UI_PANE_LATENCY, "latency", false)                                                       \
	X(UI_PANE_ASSETS, "assets", true)                                                          \
	X(UI_PANE_BOOK, "book", true)                                                              \
	X(UI_PANE_TRADES, "trades", true)                                                          \
	X(UI_PANE_ALERTS, "alerts", true)

enum ui_pane_id {
#define X(e, s, f) e,
	UI_PANES(X)
#undef X
	    UI_PANE_COUNT
};

struct ui_layout {
	int cols;                           /* terminal columns the layout is for */
	int rows;                           /* terminal rows */
	struct ui_rect pane[UI_PANE_COUNT]; /* by enum ui_pane_id */
	struct ui_rect status;              /* the status / prompt line */
	struct ui_rect help;                /* the help overlay (drawn over the panes) */
	struct ui_rect detail;              /* detail views: every row above the status line */
};

void ui_layout(int cols, int rows, struct ui_layout *out);

static inline bool ui_rect_empty(const struct ui_rect *r)
{
	return r->w <= 0 || r->h <= 0;
}

static inline bool ui_rect_contains(const struct ui_rect *r, int x, int y)
{
	return !ui_rect_empty(r) && x >= r->x && x < r->x + r->w && y >= r->y && y < r->y + r->h;
}

#endif

/*
 * ui_int: what the ui core and its panes share (not for the rest of the program).
 *
 * A pane is data: a const struct pane naming its draw and key functions, listed in one
 * table (ui.c).  Panes read the model through struct ui_frame and never change it.
 * Runs on the UI thread only and never touches the network.
 */
#ifndef CLOBTOP_UI_INT_H
#define CLOBTOP_UI_INT_H

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <curses.h>

#include "filter.h"
#include "fmt.h"
#include "keymap.h"
#include "layout.h"
#include "market_conn.h"
#include "prompt.h"
#include "ui.h"

/* X(enum, fg, bg, extra attributes with colour, attributes in monochrome) */
#define UI_COLORS(X)                                                                               \
	X(UC_NORMAL, -1, -1, A_NORMAL, A_NORMAL)                                                   \
	X(UC_TITLE, COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE)                                  \
	X(UC_TITLE_FOCUS, COLOR_BLACK, COLOR_YELLOW, A_BOLD, A_REVERSE | A_BOLD)                   \
	X(UC_LABEL, COLOR_CYAN, -1, A_NORMAL, A_BOLD)                                              \
	X(UC_OK, COLOR_GREEN, -1, A_NORMAL, A_NORMAL)                                              \
	X(UC_WARN, COLOR_YELLOW, -1, A_BOLD, A_BOLD)                                               \
	X(UC_BAD, COLOR_RED, -1, A_BOLD, A_BOLD | A_UNDERLINE)                                     \
	X(UC_DIM, COLOR_WHITE, -1, A_DIM, A_DIM)                                                   \
	X(UC_INFO, COLOR_CYAN, -1, A_NORMAL, A_NORMAL)                                             \
	X(UC_BID, COLOR_GREEN, -1, A_NORMAL, A_NORMAL)                                             \
	X(UC_ASK, COLOR_RED, -1, A_NORMAL, A_BOLD)                                                 \
	X(UC_BID_BAR, COLOR_BLACK, COLOR_GREEN, A_NORMAL, A_REVERSE)                               \
	X(UC_ASK_BAR, COLOR_BLACK, COLOR_RED, A_NORMAL, A_REVERSE)                                 \
	X(UC_NEG, COLOR_WHITE, COLOR_MAGENTA, A_BOLD, A_REVERSE | A_BOLD)                          \
	X(UC_SELECT, COLOR_BLACK, COLOR_WHITE, A_NORMAL, A_REVERSE)                                \
	X(UC_STATUS, COLOR_WHITE, COLOR_BLUE, A_NORMAL, A_REVERSE)                                 \
	X(UC_PAUSED, COLOR_BLACK, COLOR_YELLOW, A_BOLD, A_REVERSE | A_BOLD | A_BLINK)              \
	X(UC_SPREAD, COLOR_YELLOW, -1, A_NORMAL, A_BOLD)

enum ui_color {
#define X(e, fg, bg, ca, ma) e,
	UI_COLORS(X)
#undef X
	    UC_COUNT
};

enum ui_mode {
	UI_MODE_NORMAL = 0,   /* keys are commands */
	UI_MODE_ADD,          /* the add prompt has the keyboard */
	UI_MODE_FILTER,       /* the filter prompt has the keyboard */
	UI_MODE_CONFIRM,      /* y/n for an unsubscribe */
	UI_MODE_HELP,         /* the help overlay is up: moves scroll it, any other key closes */
	UI_MODE_ALERT_FILTER, /* the alert filter prompt has the keyboard */
	UI_MODE_ASSET_VIEW,   /* an asset's drill-down covers the panes; Esc/Enter close it */
	UI_MODE_ALERT_VIEW,   /* an alert's detail covers the panes; Esc/Enter close it */
	UI_MODE_USER_VIEW,    /* your orders and trades (pane_user.c) cover the panes */
	UI_MODE_CONN_VIEW,    /* the connections view covers the panes; Esc/c close it */
};

#define UI_SPARK_SECS   300 /* seconds of p95 history for the sparkline */
#define UI_PENDING_KEYS 64  /* keys queued by ui_push_key */

struct ui {
	struct ui_options opt;                /* as given, with defaults filled */
	struct ui_hooks hooks;                /* to the feed, exporter and Gamma */
	SCREEN *scr;                          /* our terminal */
	FILE *own_out;                        /* opened by us for newterm, closed on destroy */
	FILE *own_in;                         /* ditto */
	bool color;                           /* colour pairs in use */
	bool utf8;                            /* the locale is UTF-8: block glyphs allowed */
	bool mouse;                           /* mouse events enabled */
	struct ui_layout lay;                 /* current rectangles */
	WINDOW *win[UI_PANE_COUNT];           /* one per non-empty pane, NULL when hidden */
	WINDOW *status_win;                   /* status line */
	WINDOW *help_win;                     /* help overlay, NULL when it does not fit */
	WINDOW *detail_win;                   /* detail views, NULL when they do not fit */
	WINDOW *input;                        /* never drawn: reading from it never repaints */
	int pending[UI_PENDING_KEYS];         /* keys from ui_push_key, FIFO */
	bool pending_key[UI_PENDING_KEYS];    /* ...and whether each is a KEY_* code */
	size_t npending;                      /* in use */
	bool offscreen;                       /* not a real terminal: never ask the tty its size */
	bool need_layout;                     /* size changed: rebuild windows */
	bool need_clear;                      /* repaint everything from scratch */
	enum ui_pane_id focus;                /* the pane that scrolls */
	enum ui_mode mode;                    /* who has the keyboard */
	struct ui_prompt prompt;              /* text of the add/filter prompt */
	char filter[UI_PROMPT_MAX + 1];       /* current assets filter, "" for none */
	char confirm_id[ASSET_ID_MAX];        /* asset to unsubscribe after 'y' */
	enum ui_sort sort;                    /* assets table order */
	bool sort_rev;                        /* ...reversed */
	char alert_filter[UI_PROMPT_MAX + 1]; /* alerts filter, "" for none */
	uint64_t alerts_scroll_seq;           /* alert_seq when the log was scrolled from the top */
	int help_off;                         /* help lines scrolled past */
	int view_off;                         /* detail view: lines (or book levels) scrolled */
	uint32_t view_asset;                  /* the asset the drill-down shows */
	uint64_t view_alert;                  /* the alert row the detail shows (absolute index) */
	uint32_t sel;                         /* selected asset (index into m->assets) */
	bool have_sel;                        /* sel is meaningful */
	int top;                              /* first assets row shown */
	int book_off;                         /* levels skipped from the best in the ladder */
	int trades_off;                       /* tape rows skipped from the newest */
	int alerts_off;                       /* alerts skipped from the newest */
	struct ui_row *rows;                  /* assets table, filtered and sorted */
	size_t nrows;                         /* in use */
	size_t rows_cap;                      /* allocated */
	int sel_row;                          /* row of sel in rows, -1 when not there */
	size_t state_count[UI_DS_COUNT];      /* subscribed assets by display state (last build) */
	size_t nsubscribed;                   /* subscribed assets (last build) */
	struct ui_filter filt;                /* filter as parsed at the last build */
	bool rows_built;                      /* rows match the built_* view below */
	enum ui_sort built_sort;              /* the sort the rows were built with */
	bool built_rev;                       /* ...reversed */
	size_t built_nassets;                 /* m->nassets then (row idx and labels valid) */
	char built_filter[UI_PROMPT_MAX + 1]; /* the filter then */
	bool paused;                          /* rendering frozen */
	char status[256];                     /* transient message */
	int64_t status_until;                 /* CLOCK_MONOTONIC ns when it expires */
	int64_t spark[UI_SPARK_SECS];         /* feed p95 (ms) by second, INT64_MIN when no data */
	int64_t spark_stamp[UI_SPARK_SECS];   /* which second each slot holds */
	int64_t now_mono;                     /* last render's clock */
	int64_t now_real;                     /* ditto, wall clock */
	int64_t now_s;                        /* market_now_s at the last render */
};

/* Everything a pane needs for one frame. */
struct ui_frame {
	struct ui *u;                 /* options, focus, scroll offsets */
	const struct market_state *m; /* the model */
	int64_t now_mono;             /* ns */
	int64_t now_real;             /* ns since the epoch */
	int64_t now_s;                /* market_now_s(m, now_mono) */
};

struct pane {
	const char *name; /* title and help */
	void (*draw)(WINDOW *w, const struct ui_frame *f, const struct ui_rect *r);
	/* Navigation in the focused pane; NULL when the pane cannot take focus. */
	void (*key)(struct ui *u, struct market_state *m, enum ui_action a);
};

extern const struct pane ui_header_pane;
extern const struct pane ui_latency_pane;
extern const struct pane ui_assets_pane;
extern const struct pane ui_book_pane;
extern const struct pane ui_trades_pane;
extern const struct pane ui_alerts_pane;

/* The pane table (ui.c), indexed by enum ui_pane_id. */
extern const struct pane *const ui_panes[UI_PANE_COUNT];
/* The pane takes keys and is on the screen. */
bool ui_focusable(const struct ui *u, enum ui_pane_id id);

/* The status line and the help overlay (status.c). */
void ui_draw_status(struct ui *u, const struct market_state *m);
void ui_draw_help(struct ui *u);
int ui_help_lines(void); /* lines of help text, for scrolling */

/* The detail views (pane_detail.c): an asset's drill-down and an alert's full text. */
void ui_draw_detail(const struct ui_frame *f);
void ui_detail_key(struct ui *u, const struct market_state *m, enum ui_action a);
/* The user-channel view (pane_user.c), drawn into the detail window. */
void ui_draw_user(WINDOW *w, const struct ui_frame *f, const struct ui_rect *r);
/* In the book ladder: a '*' in column 0 of a level where you have an open order. */
void ui_user_marker(WINDOW *w, const struct ui_frame *f, int y, int side, int64_t price);
/* The connections view (pane_conn.c): its selection is view_off; Enter and R reconnect
 * the selected connection.  ui_conn_header adds "conns up/open" to the header. */
void ui_draw_conns(const struct ui_frame *f);
void ui_conns_key(struct ui *u, const struct market_state *m, enum ui_action a);
struct ui_flow;
void ui_conn_header(struct ui_flow *fl, const struct ui_frame *f);

/* The alerts pane's rows (pane_alerts.c): the i-th row passing the alert filter (0 =
 * newest), or NULL; *abs gets its absolute row index (for the detail view). */
const struct alert *ui_alert_row(const struct ui *u, const struct market_state *m, size_t i,
                                 uint64_t *abs);
const struct alert *ui_alert_by_abs(const struct market_state *m, uint64_t abs);

/* Drawing helpers (draw.c). */
attr_t ui_attr(const struct ui *u, enum ui_color c);
/* Puts s at (y, x) in at most maxw columns; non-printable characters become '?'.
 * Returns the columns written. */
int ui_put(WINDOW *w, int y, int x, int maxw, attr_t a, const char *s);
int ui_putf(WINDOW *w, int y, int x, int maxw, attr_t a, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
/* Right-aligned in a field of width cols ending before x + width. */
void ui_put_right(WINDOW *w, int y, int x, int width, attr_t a, const char *s);
void ui_fill(WINDOW *w, int y, int x, int n, attr_t a);
/* The pane's title bar on row 0. */
void ui_title(WINDOW *w, const struct ui_frame *f, enum ui_pane_id id, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Text that flows left to right over the rows of a window, wrapping between items. */
struct ui_flow {
	WINDOW *w; /* target */
	int y;     /* current row */
	int x;     /* next column */
	int y_end; /* first row not to use */
	int width; /* columns */
};
void ui_flow_init(struct ui_flow *fl, WINDOW *w, int y, int rows, int width);
/* One item: a space before it unless at the start of a row; wraps when it does not fit. */
void ui_flow_put(struct ui_flow *fl, attr_t a, const char *s);
/* Glued to the previous item (no space, no wrap before it). */
void ui_flow_cat(struct ui_flow *fl, attr_t a, const char *s);
void ui_flow_newline(struct ui_flow *fl);

/* Scroll offset for a list with the newest at 0 and at most newest_max + 1 entries. */
void ui_scroll_offset(int *off, enum ui_action a, int newest_max);

/* Short helpers on the model. */
const char *ui_asset_label(const struct asset *a);          /* label, or the id when none */
void ui_clock_text(int64_t real_ns, char *buf, size_t cap); /* "HH:MM:SS" local */
const struct asset *ui_selected(const struct ui *u, const struct market_state *m);
enum ui_color ui_lat_color(const struct ui *u, int64_t v_ms);
enum ui_color ui_dstate_color(enum ui_dstate d);

/* Assets pane helpers used by the core (pane_assets.c).  ui_rows_build is the one scan
 * of every asset per refresh (rows, sort, state counts); ui_rows_ensure builds only when
 * the rows no longer match the view (sort, filter, asset count), so keys between
 * refreshes page through the rows already sorted. */
void ui_rows_build(struct ui *u, const struct market_state *m, int64_t now_mono, int64_t now_s);
void ui_rows_ensure(struct ui *u, const struct market_state *m, int64_t now_mono, int64_t now_s);
/* A frame; tick: the refresh period's frame (rebuilds the rows), else a key's answer. */
void ui_render_frame(struct ui *u, struct market_state *m, int64_t now_mono, int64_t now_real,
                     bool tick);
/* The header's counts by state, non-zero ones only, in state colours (counts.c). */
void ui_header_counts(struct ui_flow *fl, const struct ui *u);
int ui_rows_find(const struct ui *u, uint32_t idx); /* row of asset idx, or -1 */
void ui_assets_click(struct ui *u, struct market_state *m, int row_in_pane, int x);
/* Sort by a key (the same key again reverses), and say so in the status line. */
void ui_sort_by(struct ui *u, enum ui_sort key, bool toggle);

#endif

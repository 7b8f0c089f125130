/*
 * fmt: pure helpers behind the panes: number and duration text, sparkline levels,
 * latency classes, display states, the assets-table sort and column fitting.
 *
 * No curses and no model mutation here, so all of it is unit-tested without a terminal.
 * Never uses floating point for a value that is shown as exact (prices, sizes).
 * Runs on the UI thread only and never touches the network.
 */
#ifndef CLOBTOP_UI_FMT_H
#define CLOBTOP_UI_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "market.h"

/* Micro-units shown compactly: "12.5", "1234.56", "12.3k", "1.23M" (truncated, never
 * rounded up, so a size is never shown bigger than it is).  Returns the length. */
size_t ui_fmt_compact(int64_t micro, char *buf, size_t cap);
/* A duration in <= 5 columns: "850ms", "12s", "5m03", "2h05", "3d". Negative: "-". */
size_t ui_fmt_age(int64_t ns, char *buf, size_t cap);
/* hundredths of a bp -> "245.1" (one decimal, truncated toward zero; none from 1000). */
size_t ui_fmt_bps(int64_t x100, char *buf, size_t cap);
/* Microseconds in the unit that fits: "850us", "12.3ms", "4.56s", "5m03" (truncated).
 * Negative: "-" and the magnitude. */
size_t ui_fmt_us(int64_t us, char *buf, size_t cap);
/* A long duration for the header: "3d04h", "2h05m", "5m03s", "42s". */
size_t ui_fmt_uptime(int64_t ns, char *buf, size_t cap);
/* Price: num_format, or "-" for PRICE_NONE. */
size_t ui_fmt_price(int64_t price, char *buf, size_t cap);

/* Sparkline: 0..7 for a value against scale (v <= 0 -> 0, v >= scale -> 7). */
int ui_spark_level(int64_t v, int64_t scale);

/* Latency colour class: 0 good (< warn), 1 warn (warn..crit), 2 bad (> crit). */
int ui_lat_class(int64_t v_ms, int64_t warn_ms, int64_t crit_ms);

/* What the assets table shows: an asset state (text, severity and colour from the state
 * table, ASSET_STATES in health.h), or "no feed" for a state that needs a live feed while
 * the connection is down. */
enum ui_dstate {
#define X(e, name, screen, sev, cls, feed, help) UI_DS_##e = ASSET_##e,
	ASSET_STATES(X)
#undef X
	    UI_DS_NOFEED = ASSET_STATE_COUNT,
	UI_DS_COUNT
};

/* A quiet (or stale/awaiting) asset on a dead connection is "no feed", not quiet. */
enum ui_dstate ui_display_state(enum asset_state s, bool conn_alive);
const char *ui_dstate_text(enum ui_dstate d);
int ui_dstate_severity(enum ui_dstate d);

/* One row of the assets table with its sort keys computed once per frame. */
struct ui_row {
	uint32_t idx;         /* index into market_state.assets */
	enum ui_dstate state; /* display state */
	int64_t spread;       /* micro-dollars, PRICE_NONE when a side is empty */
	int64_t msgs_min;     /* events in the last minute */
	int64_t age_ns;       /* since the last update; INT64_MAX when never */
	const char *label;    /* the asset's label (model-owned) */
	int64_t bid;          /* best bid, micro-dollars, PRICE_NONE when none */
	int64_t ask;          /* best ask, ditto */
	int64_t bps_x100;     /* spread in hundredths of a bp (meaningful with a spread) */
	int64_t mid;          /* micro-dollars, PRICE_NONE when a side is empty */
	int64_t last;         /* last trade price, PRICE_NONE when none */
};

/* X(enum, name in the status line): one per assets-table column, in column order, so a
 * click on a column heading sorts by it; then "worst", the default, which has no column
 * of its own (it marks the state column). */
#define UI_SORTS(X)                                                                                \
	X(UI_SORT_LABEL, "label")                                                                  \
	X(UI_SORT_BID, "bid")                                                                      \
	X(UI_SORT_ASK, "ask")                                                                      \
	X(UI_SORT_SPREAD, "spread")                                                                \
	X(UI_SORT_BPS, "bps")                                                                      \
	X(UI_SORT_MID, "mid")                                                                      \
	X(UI_SORT_LAST, "last")                                                                    \
	X(UI_SORT_MSGS, "msgs/min")                                                                \
	X(UI_SORT_AGE, "age")                                                                      \
	X(UI_SORT_STATE, "state")                                                                  \
	X(UI_SORT_WORST, "worst")

enum ui_sort {
#define X(e, s) e,
	UI_SORTS(X)
#undef X
	    UI_SORT_COUNT
};

const char *ui_sort_name(enum ui_sort s);
/* Sort rows: label A-Z; every number largest first (widest spread, highest price,
 * busiest, stalest); worst state first.  "worst": worst state first (severity from the
 * state table), then the longest without an update (never updated first) except among
 * fresh rows, which stay in label order, then label.
 * reverse flips that, but a row without the value (no book, no trade) stays last either
 * way.  Ties by label, then by index, so the order is total. */
void ui_rows_sort(struct ui_row *rows, size_t n, enum ui_sort key, bool reverse);
int ui_row_cmp(const struct ui_row *a, const struct ui_row *b, enum ui_sort key, bool reverse);

/* Case-insensitive (ASCII) substring of label or id; an empty filter matches all. */
bool ui_filter_match(const char *filter, const char *label, const char *id);

/* Column fitting: keeps the most important columns (prio 0 first) that fit in `width`
 * with one space between columns, the flexible column (flex, at least flex_min) taking
 * what is left up to flex_max.  shown[i] tells which stay; returns the flex width (below
 * flex_min only when it is left alone in a narrower width, which it then fills). */
struct ui_col {
	const char *title; /* header text */
	int width;         /* columns, for fixed columns */
	int prio;          /* 0 is kept longest */
	bool flex;         /* the one column that stretches */
	bool right;        /* right-aligned */
};
int ui_fit_columns(const struct ui_col *cols, size_t n, int width, int flex_min, int flex_max,
                   bool *shown);

/* Bytes of the longest prefix of s that fits in max_cols display columns (UTF-8 in a
 * UTF-8 locale; a non-printable character counts as one column as it is shown as '?').
 * *cols_out gets the columns used. */
size_t ui_text_fit(const char *s, int max_cols, int *cols_out);

#endif

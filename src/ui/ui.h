/*
 * ui: the dashboard's screen and keyboard (ncursesw).
 *
 * Draws the market model (src/market.h) into panes once per refresh and turns keys into
 * commands.  It reads the model and changes it only through market_add, market_remove
 * and market_resync; everything that goes to the feed goes through the hooks.
 *
 * Must never: print a byte that did not come from the model or from our own format
 * strings, block on input, or leave the terminal in curses mode on any exit path.
 * Runs on the UI thread only (ui_emergency_restore aside: a fatal path may call it from
 * any thread) and never touches the network.
 */
#ifndef CLOBTOP_UI_H
#define CLOBTOP_UI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "feed.h"
#include "market.h"

struct ui;

struct ui_hooks {
	bool (*command)(void *ctx, enum feed_op op, const char *ids); /* sub/unsub/resync */
	bool (*export_now)(void *ctx, char *msg, size_t cap); /* writes path or error into msg */
	bool (*lookup)(void *ctx, const char *text); /* a slug to resolve via Gamma; false if
	                                                unavailable */
	bool (*reconnect_conn)(void *ctx, size_t conn); /* one pool connection; may be NULL */
	void *ctx;                                   /* passed back to every hook */
};

struct ui_options {
	int refresh_ms;      /* render period, ms (only shown; the caller paces renders) */
	int book_levels;     /* levels drawn on each side of the ladder (at most) */
	bool no_color;       /* monochrome even on a colour terminal (NO_COLOR also does) */
	int64_t lat_warn_ms; /* feed latency at or above this is yellow (5) */
	int64_t lat_crit_ms; /* above this is red (10) */
	bool mouse;          /* enable mouse clicks in the assets table */
};

#define UI_VIEW_FILTER_MAX 2048 /* bytes of a filter, as the prompt takes */

/* What the operator chose to see, kept across runs (statefile.h). */
struct ui_view {
	char sort[32];                       /* the assets table's sort, by name */
	char filter[UI_VIEW_FILTER_MAX + 1]; /* the assets filter, "" = none */
};

struct ui *ui_create(const struct ui_options *o, const struct ui_hooks *h, char *err,
                     size_t errlen);
void ui_destroy(struct ui *u);   /* endwin; idempotent (a second call is a no-op) */
void ui_emergency_restore(void); /* async-safe-ish terminal restore for fatal paths */
/* Reads every pending key from stdin (non-blocking) and acts; returns false when the user
 * quit.  Also handles KEY_RESIZE, so call it on every wake-up of the main loop. */
bool ui_handle_input(struct ui *u, struct market_state *m);
void ui_render(struct ui *u, struct market_state *m, int64_t now_mono_ns, int64_t now_real_ns);
void ui_status(struct ui *u, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool ui_paused(const struct ui *u);
/* The current view, and a saved one put back (view.c).  ui_view_set returns 0, or -1
 * with the reason in err when the sort is unknown (nothing is changed then). */
void ui_view_get(const struct ui *u, struct ui_view *v);
int ui_view_set(struct ui *u, const struct ui_view *v, char *err, size_t errlen);

/* For tests and benchmarks: a ui drawing into `out` (e.g. /dev/null) as a terminal of
 * cols x rows with terminfo `term` (NULL: "xterm-256color"), reading keys from `in` (may
 * be NULL: /dev/null).  Keys can be queued with ui_push_key. */
struct ui *ui_create_offscreen(const struct ui_options *o, const struct ui_hooks *h,
                               const char *term, int cols, int rows, FILE *out, FILE *in, char *err,
                               size_t errlen);
/* Queue one key (a character, or a KEY_* code when is_key) as if typed. */
void ui_push_key(struct ui *u, int ch, bool is_key);
/* Resize the (offscreen) terminal as a SIGWINCH would. */
void ui_resize(struct ui *u, int cols, int rows);
/* The text of screen row y as last rendered (UTF-8, trailing spaces kept); returns bytes. */
size_t ui_screen_row(struct ui *u, int y, char *buf, size_t cap);

#endif

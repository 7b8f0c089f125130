/*
 * ui_fixture: the offscreen ui and hand-built model the ui render tests share (three
 * assets Alpha, Bravo, Charlie at 80x24, hooks that count their calls), and helpers to
 * read the screen.  Tests only; never needs a real terminal or the network.
 */
#ifndef CLOBTOP_UI_FIXTURE_H
#define CLOBTOP_UI_FIXTURE_H

#include "market.h"
#include "ui/keymap.h"
#include "ui/ui.h"

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <curses.h>

#define NS INT64_C(1000000000)

struct calls {
	int commands;           /* hooks.command calls */
	enum feed_op last_op;   /* of the last one */
	char last_ids[512];     /* ditto */
	int lookups;            /* hooks.lookup calls */
	char last_lookup[256];  /* its text */
	int exports;            /* hooks.export_now calls */
	int market_cmds;        /* market's own command hook (resync) */
	enum feed_op market_op; /* its last op */
	char market_ids[256];   /* its last ids */
};

extern struct calls calls;    /* what the hooks saw */
extern struct market_state m; /* the model */
extern struct ui *u;          /* the offscreen ui */
extern int64_t t0;            /* CLOCK_MONOTONIC at setup */
extern char scr[65536];       /* the screen after the last render() */

/* Check fixture: a fresh model and ui (80x24) for each test, and their end. */
void ui_fixture_setup(void);
void ui_fixture_teardown(void);
/* An asset with a two-level book each side, fresh. */
struct asset *add_asset(const char *id, const char *label, int64_t bid, int64_t ask);
/* Render a frame and read the screen into scr. */
void render(void);
/* The whole screen as text, one line per row. */
void screen(char *out, size_t cap);
/* Queue characters as keys (ui_handle_input takes them). */
void keys(const char *s);
/* The row of scr holding needle, or "". */
const char *row_with(const char *needle);
/* The screen row (y) whose text holds needle, or -1. */
int row_y(const char *needle);

#endif

/*
 * handon: what the screen shows of handing the books on: a short Redis item in the status
 * line ("redis:up") and the fill cost of the --depth-sizes in the asset detail pane.
 * The run loop (app_redis.c) sets the text and the sizes; the panes read them.
 *
 * Draws our own strings only.  UI (main) thread only; never touches the network.
 */
#ifndef CLOBTOP_UI_HANDON_H
#define CLOBTOP_UI_HANDON_H

#include <stddef.h>

#include "fillcost.h"

struct asset;
struct ui;

/* The status line's Redis item ("" for none); copied. */
void ui_handon_status(const char *text);
const char *ui_handon_text(void);
/* The fill sizes the detail pane shows (copied; n 0 for none). */
void ui_handon_sizes(const struct fill_size *sizes, size_t n);
/* Draws one line per size for asset a from row y of w (width columns); returns the row
 * after the last one drawn.  w is a curses WINDOW. */
int ui_handon_draw_fill(const struct ui *u, void *w, const struct asset *a, int y, int width);

#endif

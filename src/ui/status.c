/*
 * status: the bottom status line (prompts, the y/n question, transient messages and the
 * key hint) and the help overlay.  Both take their keys from the keymap table, so what
 * they show is what the key handler does.
 *
 * Draws our own strings and the model's sanitised labels only, through ui_put.  Runs on
 * the UI thread only and never touches the network.
 */
#include "ui_int.h"

#include <stdio.h>
#include <string.h>

static void draw_prompt(struct ui *u, WINDOW *w, int width, const char *prefix)
{
	attr_t a = ui_attr(u, UC_STATUS);
	int x = ui_put(w, 0, 0, width, a | A_BOLD, prefix);
	int room = width - x - 1;
	if (room < 1) {
		return;
	}
	size_t start = u->prompt.cur >= (size_t)room ? u->prompt.cur - (size_t)room + 1 : 0;
	char buf[UI_PROMPT_MAX + 1];
	snprintf(buf, sizeof buf, "%.*s", room, u->prompt.text + start);
	ui_put(w, 0, x, room, a, buf);
	wmove(w, 0, x + (int)(u->prompt.cur - start));
}

/* The focused pane (and filter) at the right, PAUSED left of it; returns the columns
 * left for the message. */
static int draw_status_right(struct ui *u, WINDOW *w, int width, attr_t a)
{
	char right[96];
	snprintf(right, sizeof right, " %s%s ", ui_panes[u->focus]->name,
	         u->filter[0] ? " [filtered]" : "");
	int rcols = 0;
	ui_text_fit(right, width, &rcols);
	int paused_w = u->paused ? 8 : 0;
	int left_w = width - rcols - paused_w;
	if (left_w < width / 2) {
		rcols = 0;
		left_w = width - paused_w;
	}
	if (rcols) {
		ui_put(w, 0, width - rcols, rcols, a, right);
	}
	if (u->paused) {
		ui_put(w, 0, width - rcols - paused_w, paused_w, ui_attr(u, UC_PAUSED), " PAUSED ");
	}
	return left_w;
}

void ui_draw_status(struct ui *u, const struct market_state *m)
{
	WINDOW *w = u->status_win;
	if (!w) {
		return;
	}
	int width = u->lay.status.w;
	attr_t a = ui_attr(u, UC_STATUS);
	werase(w);
	ui_fill(w, 0, 0, width, a);
	int left_w = draw_status_right(u, w, width, a);
	switch (u->mode) {
	case UI_MODE_ADD:
		draw_prompt(u, w, left_w, "add (token ids or slug)> ");
		return;
	case UI_MODE_FILTER:
		draw_prompt(u, w, left_w, "filter> ");
		return;
	case UI_MODE_CONFIRM: {
		const struct asset *as =
		    market_find((struct market_state *)m, u->confirm_id, strlen(u->confirm_id));
		char t[200];
		snprintf(t, sizeof t, "unsubscribe %.80s? (y/n)",
		         as ? ui_asset_label(as) : u->confirm_id);
		ui_put(w, 0, 0, left_w, a | A_BOLD, t);
		return;
	}
	default:
		break;
	}
	if (u->status[0] && clock_mono_ns() < u->status_until) {
		ui_put(w, 0, 0, left_w, a | A_BOLD, u->status);
	} else {
		char hint[256];
		ui_keymap_hint(hint, sizeof hint);
		ui_put(w, 0, 0, left_w, a, hint);
	}
}

void ui_draw_help(struct ui *u)
{
	WINDOW *w = u->help_win;
	if (!w) {
		return;
	}
	const struct ui_rect *r = &u->lay.help;
	werase(w);
	wattrset(w, (int)ui_attr(u, UC_NORMAL));
	box(w, 0, 0);
	wattrset(w, A_NORMAL);
	ui_put(w, 0, 2, r->w - 4, A_BOLD, " clobtop keys (any key closes) ");
	int y = 1;
	for (size_t i = 0; i < ui_keymap_len && y < r->h - 1; i++, y++) {
		char keys[64];
		ui_keymap_keys(&ui_keymap[i], keys, sizeof keys);
		ui_put(w, y, 2, 8, ui_attr(u, UC_LABEL) | A_BOLD, keys);
		ui_put(w, y, 11, r->w - 13, A_NORMAL, ui_keymap[i].help);
	}
	char states[160] = "states:";
	for (int s = 0; s < ASSET_STATE_COUNT; s++) {
		size_t n = strlen(states);
		snprintf(states + n, sizeof states - n, " %s", asset_state_short((enum asset_state)s));
	}
	const char *const extra[] = {
	    "prompt: Left Right Home End BS Del ^U ^W, Enter runs, Esc cancels",
	    states,
	    "'no feed': the connection is down, the data is not current",
	};
	for (size_t i = 0; i < sizeof extra / sizeof extra[0] && y < r->h - 1; i++, y++) {
		ui_put(w, y, 2, r->w - 4, ui_attr(u, UC_DIM), extra[i]);
	}
	char t[96];
	snprintf(t, sizeof t, "latency: green < %lldms, yellow <= %lldms, red above",
	         (long long)u->opt.lat_warn_ms, (long long)u->opt.lat_crit_ms);
	if (y < r->h - 1) {
		ui_put(w, y++, 2, r->w - 4, ui_attr(u, UC_DIM), t);
	}
	for (int s = 0; s < ASSET_STATE_COUNT && y < r->h - 1; s++, y++) {
		ui_put(w, y, 2, 8, ui_attr(u, ui_dstate_color((enum ui_dstate)s)),
		       asset_state_short((enum asset_state)s));
		ui_put(w, y, 11, r->w - 13, A_NORMAL, asset_state_help((enum asset_state)s));
	}
	wnoutrefresh(w);
}

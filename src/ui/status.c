/*
 * status: the bottom status line (prompts, the y/n question, transient messages and the
 * key hint) and the help overlay.  Both take their keys from the keymap table, so what
 * they show is what the key handler does.
 *
 * Draws our own strings and the model's sanitised labels only, through ui_put.  Runs on
 * the UI thread only and never touches the network.
 */
#include "handon.h"
#include "ui_int.h"

#include <stdio.h>
#include <string.h>

#include "user.h"

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
	snprintf(right, sizeof right, " %s%s%s%s ", ui_handon_text(),
	         ui_handon_text()[0] ? "  " : "", ui_panes[u->focus]->name,
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
	case UI_MODE_ALERT_FILTER:
		draw_prompt(u, w, left_w, "alerts filter (info/warn/crit, kind or text)> ");
		return;
	case UI_MODE_CONFIRM: {
		const struct asset *as =
		    market_find((struct market_state *)m, u->confirm_id, strlen(u->confirm_id));
		char t[200];
		const char *lab = as ? ui_asset_label(as) : u->confirm_id;
		size_t len = strlen(lab);
		/* A question for a label ("Will it rain?") needs no second mark. */
		snprintf(t, sizeof t, "unsubscribe %.80s%s (y/n)", lab,
		         len && lab[len - 1] == '?' ? "" : "?");
		ui_put(w, 0, 0, left_w, a | A_BOLD, t);
		return;
	}
	default:
		break;
	}
	if (u->status[0] && clock_mono_ns() < u->status_until) {
		ui_put(w, 0, 0, left_w, a | A_BOLD, u->status);
	} else if (m->user && m->user->rejections && !m->user->connected) {
		ui_put(w, 0, 0, left_w, a | A_BOLD, m->user->state); /* the bad credentials */
	} else {
		char hint[256];
		ui_keymap_hint(hint, sizeof hint);
		ui_put(w, 0, 0, left_w, a, hint);
	}
}

/* The help text after the key table, by line: extras, then one line per state. */
enum { HELP_EXTRAS = 6 };

int ui_help_lines(void)
{
	return (int)ui_keymap_len + HELP_EXTRAS + ASSET_STATE_COUNT;
}

/* "states, worst first: drift crossed ... fresh", from the state table's severities. */
static void severity_order(char *t, size_t cap)
{
	size_t n = (size_t)snprintf(t, cap, "states, worst first:");
	for (int sev = 99; sev >= 0 && n < cap; sev--) {
		for (int d = 0; d < UI_DS_COUNT && n < cap; d++) {
			if (ui_dstate_severity((enum ui_dstate)d) == sev) {
				n += (size_t)snprintf(t + n, cap - n, " %s",
				                      ui_dstate_word((enum ui_dstate)d));
			}
		}
	}
}

/* Line i of the help text at row y. */
static void help_line(struct ui *u, WINDOW *w, int y, int width, int i)
{
	if (i < (int)ui_keymap_len) {
		char keys[64];
		ui_keymap_keys(&ui_keymap[i], keys, sizeof keys);
		ui_put(w, y, 2, 8, ui_attr(u, UC_LABEL) | A_BOLD, keys);
		ui_put(w, y, 11, width - 11, A_NORMAL, ui_keymap[i].help);
		return;
	}
	i -= (int)ui_keymap_len;
	char t[160];
	switch (i) {
	case 0:
		snprintf(t, sizeof t,
		         "prompt: Left Right Home End BS Del ^U ^W, Enter runs, Esc cancels");
		break;
	case 1:
		snprintf(t, sizeof t,
		         "alerts: info, warn, crit; a storm is one row (x24); * unread");
		break;
	case 2:
		snprintf(t, sizeof t, "'no feed': the connection is down, the data is not current");
		break;
	case 3:
		snprintf(t, sizeof t, "latency: green < %lldms, yellow <= %lldms, red above",
		         (long long)u->opt.lat_warn_ms, (long long)u->opt.lat_crit_ms);
		break;
	case 4:
		snprintf(t, sizeof t,
		         "sort worst (default): worst state, longest without update, label (fresh: "
		         "label)");
		break;
	case 5:
		severity_order(t, sizeof t);
		break;
	default: {
		enum asset_state st = (enum asset_state)(i - HELP_EXTRAS);
		ui_put(w, y, 2, 8, ui_attr(u, ui_dstate_color((enum ui_dstate)st)),
		       asset_state_short(st));
		ui_put(w, y, 11, width - 11, A_NORMAL, asset_state_help(st));
		return;
	}
	}
	ui_put(w, y, 2, width - 2, ui_attr(u, UC_DIM), t);
}

void ui_draw_help(struct ui *u)
{
	WINDOW *w = u->help_win;
	if (!w) {
		return;
	}
	const struct ui_rect *r = &u->lay.help;
	int rows = r->h - 2, total = ui_help_lines();
	int max_off = total > rows ? total - rows : 0;
	if (u->help_off > max_off) {
		u->help_off = max_off;
	}
	werase(w);
	wattrset(w, (int)ui_attr(u, UC_NORMAL));
	box(w, 0, 0);
	wattrset(w, A_NORMAL);
	ui_put(w, 0, 2, r->w - 4, A_BOLD,
	       max_off ? " clobtop keys (Up/Down/PgUp/PgDn scroll; any other key closes) "
	               : " clobtop keys (any key closes) ");
	for (int y = 1; y <= rows && u->help_off + y - 1 < total; y++) {
		help_line(u, w, y, r->w - 2, u->help_off + y - 1);
	}
	if (u->help_off > 0) {
		ui_put(w, 0, r->w - 9, 7, A_BOLD, " more ^");
	}
	if (u->help_off < max_off) {
		ui_put(w, r->h - 1, r->w - 9, 7, A_BOLD, " more v");
	}
	wnoutrefresh(w);
}

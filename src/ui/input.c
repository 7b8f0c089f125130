/*
 * input: keys and mouse events in, commands out.  Keys are looked up in the keymap
 * table; the add and filter prompts, the y/n question and the help overlay take the
 * keyboard while they are up.
 *
 * Changes the model only through market_add, market_remove and market_resync, and the
 * feed only through the hooks.  Reads input without blocking (nodelay; see ui.c for the
 * mouse mask that keeps ncurses from waiting for the rest of a click).  Runs on the UI
 * thread only and never touches the network.
 */
#include "ui_int.h"

#include <stdio.h>
#include <string.h>

static void cycle_focus(struct ui *u, int dir)
{
	int id = (int)u->focus;
	for (int i = 0; i < UI_PANE_COUNT; i++) {
		id = (id + dir + UI_PANE_COUNT) % UI_PANE_COUNT;
		if (ui_focusable(u, (enum ui_pane_id)id)) {
			u->focus = (enum ui_pane_id)id;
			return;
		}
	}
}

/* "https://polymarket.com/event/some-slug?tid=1" -> "some-slug"; else the word. */
static void slug_of(const char *w, size_t len, char *out, size_t cap)
{
	static const char *const marks[] = {"/event/", "/market/", "/markets/"};
	size_t from = 0;
	for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++) {
		size_t ml = strlen(marks[i]);
		for (size_t j = 0; j + ml <= len; j++) {
			if (memcmp(w + j, marks[i], ml) == 0) {
				from = j + ml;
			}
		}
	}
	size_t to = from;
	while (to < len && w[to] != '/' && w[to] != '?' && w[to] != '#') {
		to++;
	}
	snprintf(out, cap, "%.*s", (int)(to - from), w + from);
}

/* What one add prompt did, for the status line. */
struct add_result {
	char ids[UI_PROMPT_MAX + 2]; /* token ids added, space separated */
	size_t idlen;                /* bytes in ids */
	int nids;                    /* token ids added to the model */
	int nslugs;                  /* slugs handed to Gamma */
	int nfail;                   /* slugs with no lookup available */
	int nbad;                    /* words that were neither */
	char last_slug[160];         /* the last slug handed to Gamma */
};

static void add_word(struct ui *u, struct market_state *m, const char *w, size_t wl,
                     struct add_result *r)
{
	if (ui_is_token_id(w, wl)) {
		char id[ASSET_ID_MAX];
		snprintf(id, sizeof id, "%.*s", (int)wl, w);
		if (!market_add(m, id, NULL)) {
			r->nbad++;
			return;
		}
		r->idlen += (size_t)snprintf(r->ids + r->idlen, sizeof r->ids - r->idlen, "%s%s",
		                             r->idlen ? " " : "", id);
		r->nids++;
		return;
	}
	char slug[160];
	slug_of(w, wl, slug, sizeof slug);
	if (!slug[0]) {
		r->nbad++;
	} else if (u->hooks.lookup && u->hooks.lookup(u->hooks.ctx, slug)) {
		snprintf(r->last_slug, sizeof r->last_slug, "%s", slug);
		r->nslugs++;
	} else {
		r->nfail++;
	}
}

static void do_add(struct ui *u, struct market_state *m, const char *text)
{
	struct add_result r;
	memset(&r, 0, sizeof r);
	size_t pos = 0, wl = 0;
	const char *w;
	while ((w = ui_next_word(text, &pos, &wl)) != NULL) {
		add_word(u, m, w, wl, &r);
	}
	bool sent = true;
	if (r.nids) {
		sent = u->hooks.command && u->hooks.command(u->hooks.ctx, FEED_SUB, r.ids);
	}
	if (r.nids && !sent) {
		ui_status(u, "added %d asset(s) but the command queue is full: retry with r",
		          r.nids);
	} else if (r.nfail) {
		ui_status(u, "slug lookup unavailable (Gamma disabled?): give token ids instead");
	} else if (r.nslugs) {
		ui_status(u, "resolving slug %s%s\u2026", r.last_slug,
		          r.nslugs > 1 ? " and others" : "");
	} else if (r.nids) {
		ui_status(u, "subscribing %d asset(s)", r.nids);
	} else if (r.nbad) {
		ui_status(u, "nothing added: could not add those assets");
	} else {
		ui_status(u, "nothing to add");
	}
}

static void do_confirm(struct ui *u, struct market_state *m, int ch)
{
	u->mode = UI_MODE_NORMAL;
	if (ch != 'y' && ch != 'Y') {
		ui_status(u, "unsubscribe cancelled");
		return;
	}
	const struct asset *as = market_find(m, u->confirm_id, strlen(u->confirm_id));
	char label[ASSET_LABEL_MAX];
	snprintf(label, sizeof label, "%s", as ? ui_asset_label(as) : u->confirm_id);
	market_remove(m, u->confirm_id);
	u->rows_built = false; /* the row goes now, not at the next refresh */
	bool ok = u->hooks.command && u->hooks.command(u->hooks.ctx, FEED_UNSUB, u->confirm_id);
	ui_status(u, ok ? "unsubscribed %.80s" : "removed %.80s (unsubscribe not sent: queue full)",
	          label);
	u->have_sel = false;
}

/* Button 1 pressed or clicked selects; the wheel scrolls; releases and other buttons
 * (reported only so that ncurses never waits for them) do nothing. */
static void do_mouse(struct ui *u, struct market_state *m)
{
	MEVENT ev;
	if (getmouse(&ev) != OK) {
		return;
	}
	const mmask_t select =
	    BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED | BUTTON1_TRIPLE_CLICKED;
	for (int i = 0; i < UI_PANE_COUNT; i++) {
		const struct ui_rect *r = &u->lay.pane[i];
		if (!ui_rect_contains(r, ev.x, ev.y) || !ui_panes[i]->key) {
			continue;
		}
		if (ev.bstate & BUTTON4_PRESSED) {
			ui_panes[i]->key(u, m, ACT_UP);
		} else if (ev.bstate & BUTTON5_PRESSED) {
			ui_panes[i]->key(u, m, ACT_DOWN);
		} else if (ev.bstate & select) {
			u->focus = (enum ui_pane_id)i;
			if (i == UI_PANE_ASSETS) {
				ui_assets_click(u, m, ev.y - r->y, ev.x - r->x);
			}
		}
		return;
	}
}

/* The filter just set, or what in it names no state. */
static void filter_status(struct ui *u)
{
	struct ui_filter f;
	char names[160];
	if (!ui_filter_parse(u->filter, &f)) {
		ui_filter_state_names(names, sizeof names);
		ui_status(u, "filter: no state \"%s\" (state: takes %s)", f.bad, names);
		return;
	}
	ui_status(u, u->filter[0] ? "filter: %s" : "filter cleared%s",
	          u->filter[0] ? u->filter : "");
}

static void do_prompt_key(struct ui *u, struct market_state *m, int ch, bool is_key)
{
	enum ui_prompt_result r = ui_prompt_key(&u->prompt, ch, is_key);
	bool filter = u->mode == UI_MODE_FILTER;
	if (u->mode == UI_MODE_ALERT_FILTER) {
		snprintf(u->alert_filter, sizeof u->alert_filter, "%s",
		         r == UI_PROMPT_CANCEL ? "" : u->prompt.text);
		u->alerts_off = 0;
		if (r != UI_PROMPT_EDITING) {
			u->mode = UI_MODE_NORMAL;
			ui_status(
			    u, u->alert_filter[0] ? "alerts filter: %s" : "alerts filter cleared%s",
			    u->alert_filter);
		}
		return;
	}
	if (filter) {
		snprintf(u->filter, sizeof u->filter, "%s",
		         r == UI_PROMPT_CANCEL ? "" : u->prompt.text);
		u->top = 0;
	}
	if (r == UI_PROMPT_EDITING) {
		return;
	}
	u->mode = UI_MODE_NORMAL;
	if (!filter && r == UI_PROMPT_DONE) {
		do_add(u, m, u->prompt.text);
	} else if (filter) {
		filter_status(u);
	}
}

/* A key while a prompt, the y/n question or the help overlay is up; false when the key
 * is a command instead. */
static bool mode_key(struct ui *u, struct market_state *m, int ch, bool is_key)
{
	enum ui_action a = ui_keymap_action(ch, is_key);
	bool move = a == ACT_UP || a == ACT_DOWN || a == ACT_PGUP || a == ACT_PGDN ||
	            a == ACT_TOP || a == ACT_BOTTOM;
	switch (u->mode) {
	case UI_MODE_HELP:
		if (move) {
			ui_scroll_offset(&u->help_off, a, ui_help_lines());
			return true;
		}
		u->mode = UI_MODE_NORMAL;
		u->need_clear = true;
		return true;
	case UI_MODE_ASSET_VIEW:
	case UI_MODE_ALERT_VIEW:
	case UI_MODE_USER_VIEW:
		if (move) {
			ui_detail_key(u, m, a);
			return true;
		}
		if (a == ACT_BACK || a == ACT_ENTER ||
		    (a == ACT_USER && u->mode == UI_MODE_USER_VIEW)) {
			u->mode = UI_MODE_NORMAL;
			u->need_clear = true;
			return true;
		}
		return false; /* every other key works as usual (q quits, R reconnects) */
	case UI_MODE_CONN_VIEW:
		if (move || a == ACT_ENTER || a == ACT_RECONNECT) {
			ui_conns_key(u, m, a);
			return true;
		}
		if (a == ACT_BACK || a == ACT_CONNS) {
			u->mode = UI_MODE_NORMAL;
			u->need_clear = true;
			return true;
		}
		return false;
	case UI_MODE_CONFIRM:
		do_confirm(u, m, is_key ? 0 : ch);
		return true;
	case UI_MODE_ADD:
	case UI_MODE_FILTER:
	case UI_MODE_ALERT_FILTER:
		do_prompt_key(u, m, ch, is_key);
		return true;
	default:
		return false;
	}
}

static void start_prompt(struct ui *u, enum ui_mode mode, const char *text)
{
	u->mode = mode;
	ui_prompt_reset(&u->prompt);
	for (const char *c = text; *c; c++) {
		ui_prompt_key(&u->prompt, (unsigned char)*c, false);
	}
}

/* d and r: commands on the selected asset. */
static void selection_command(struct ui *u, struct market_state *m, enum ui_action a)
{
	const struct asset *sel = ui_selected(u, m);
	if (!sel) {
		ui_status(u, "no asset selected");
	} else if (a == ACT_DEL) {
		snprintf(u->confirm_id, sizeof u->confirm_id, "%s", sel->id);
		u->mode = UI_MODE_CONFIRM;
	} else {
		market_resync(m, sel->id, "operator");
		ui_status(u, "resync requested for %.60s", ui_asset_label(sel));
	}
}

static void do_export(struct ui *u)
{
	char msg[240] = "";
	bool ok = u->hooks.export_now && u->hooks.export_now(u->hooks.ctx, msg, sizeof msg);
	if (!u->hooks.export_now) {
		snprintf(msg, sizeof msg, "export is not available");
	}
	/* The hook's message is whole ("snapshot written to ...", "export failed: ..."). */
	ui_status(u, "%s", msg[0] ? msg : ok ? "exported" : "export failed");
}

/* Enter: the alert at the top of the alerts pane, or the selected asset's drill-down. */
static void do_enter(struct ui *u, struct market_state *m)
{
	if (!u->detail_win) {
		ui_status(u, "the terminal is too small for a detail view");
		return;
	}
	u->view_off = 0;
	if (u->focus == UI_PANE_ALERTS) {
		uint64_t abs;
		if (ui_alert_row(u, m, (size_t)u->alerts_off, &abs)) {
			u->view_alert = abs;
			u->mode = UI_MODE_ALERT_VIEW;
		} else {
			ui_status(u, "no alert to open");
		}
		return;
	}
	const struct asset *sel = ui_selected(u, m);
	if (sel) {
		u->view_asset = u->sel;
		u->mode = UI_MODE_ASSET_VIEW;
	} else {
		ui_status(u, "no asset selected");
	}
}

static void do_reconnect(struct ui *u)
{
	bool ok = u->hooks.command && u->hooks.command(u->hooks.ctx, FEED_RECONNECT, "");
	ui_status(u, ok ? "reconnecting now" : "reconnect not sent (no live feed, or queue full)");
}

/* A, C, f: the alert log. */
static void alert_command(struct ui *u, struct market_state *m, enum ui_action a)
{
	if (a == ACT_ACK) {
		market_alerts_ack(m);
		ui_status(u, "alerts acknowledged");
	} else if (a == ACT_CLEAR) {
		market_alerts_clear(m);
		u->alerts_off = 0;
		ui_status(u, "alert log cleared");
	} else {
		start_prompt(u, UI_MODE_ALERT_FILTER, u->alert_filter);
	}
}

/* Returns false on quit. */
static bool run_action(struct ui *u, struct market_state *m, enum ui_action a)
{
	switch (a) {
	case ACT_QUIT:
		return false;
	case ACT_HELP:
		u->mode = UI_MODE_HELP;
		u->help_off = 0;
		break;
	case ACT_ADD:
		start_prompt(u, UI_MODE_ADD, "");
		break;
	case ACT_FILTER:
		start_prompt(u, UI_MODE_FILTER, u->filter);
		break;
	case ACT_DEL:
	case ACT_RESYNC:
		selection_command(u, m, a);
		break;
	case ACT_SORT:
	case ACT_SORT_PREV:
		ui_sort_by(u,
		           (enum ui_sort)((u->sort + (a == ACT_SORT ? 1 : UI_SORT_COUNT - 1)) %
		                          UI_SORT_COUNT),
		           false);
		break;
	case ACT_SORT_REVERSE:
		ui_sort_by(u, u->sort, true);
		break;
	case ACT_RECONNECT:
		do_reconnect(u);
		break;
	case ACT_CONNS:
		if (!u->detail_win) {
			ui_status(u, "the terminal is too small for the connections view");
			break;
		}
		u->view_off = 0;
		u->mode = UI_MODE_CONN_VIEW;
		break;
	case ACT_ACK:
	case ACT_CLEAR:
	case ACT_ALERT_FILTER:
		alert_command(u, m, a);
		break;
	case ACT_EXPORT:
		do_export(u);
		break;
	case ACT_PAUSE:
		u->paused = !u->paused;
		ui_status(u, u->paused ? "paused: data keeps flowing; p resumes"
		                       : "rendering resumed");
		break;
	case ACT_NEXT_PANE:
	case ACT_PREV_PANE:
		cycle_focus(u, a == ACT_NEXT_PANE ? 1 : -1);
		break;
	case ACT_ENTER:
		do_enter(u, m);
		break;
	case ACT_USER:
		u->mode = UI_MODE_USER_VIEW;
		u->view_off = 0;
		u->need_clear = true;
		break;
	case ACT_MOUSE:
		do_mouse(u, m);
		break;
	case ACT_UP:
	case ACT_DOWN:
	case ACT_PGUP:
	case ACT_PGDN:
	case ACT_TOP:
	case ACT_BOTTOM:
		if (ui_panes[u->focus]->key) {
			ui_panes[u->focus]->key(u, m, a);
		}
		break;
	default:
		break;
	}
	return true;
}

/* Returns false on quit. */
static bool handle_key(struct ui *u, struct market_state *m, int ch, bool is_key)
{
	if (is_key && ch == KEY_RESIZE) {
		u->need_layout = true;
		return true;
	}
	if (mode_key(u, m, ch, is_key)) {
		return true;
	}
	return run_action(u, m, ui_keymap_action(ch, is_key));
}

static bool next_key(struct ui *u, int *ch, bool *is_key)
{
	if (u->npending) {
		*ch = u->pending[0];
		*is_key = u->pending_key[0];
		u->npending--;
		memmove(u->pending, u->pending + 1, u->npending * sizeof u->pending[0]);
		memmove(u->pending_key, u->pending_key + 1, u->npending * sizeof u->pending_key[0]);
		return true;
	}
	if (!u->input) {
		return false;
	}
	wint_t wc;
	int r = wget_wch(u->input, &wc);
	if (r == ERR) {
		return false;
	}
	*ch = (int)wc;
	*is_key = r == KEY_CODE_YES;
	return true;
}

bool ui_handle_input(struct ui *u, struct market_state *m)
{
	if (!u || !m) {
		return true;
	}
	set_term(u->scr);
	int ch;
	bool is_key, any = false, was_paused = u->paused;
	int64_t now = clock_mono_ns();
	while (next_key(u, &ch, &is_key)) {
		if (!any) {
			ui_rows_ensure(u, m, now, market_now_s(m, now));
		}
		any = true;
		if (!handle_key(u, m, ch, is_key)) {
			return false;
		}
	}
	if (any) {
		/* Answer the key now rather than at the next refresh. */
		if (was_paused && !u->paused) {
			u->need_clear = true;
		}
		bool paused = u->paused;
		if (paused && !was_paused) {
			u->paused = false; /* draw the frame that stays frozen, with PAUSED */
		}
		ui_render_frame(u, m, now, clock_real_ns(), false);
		u->paused = paused;
		if (paused && !was_paused) {
			ui_render_frame(u, m, now, clock_real_ns(), false);
		}
	}
	return true;
}

void ui_push_key(struct ui *u, int ch, bool is_key)
{
	if (u->npending < UI_PENDING_KEYS) {
		u->pending[u->npending] = ch;
		u->pending_key[u->npending] = is_key;
		u->npending++;
	}
}
